import type { V3Core, V3OperationHandler } from '../ocen-v3-operation';
import type { V3Operation } from '../ocen-v3-schemas';
import { createLoanApplications, generateOffers, grantLoan, setDisbursementAccount, setOffer, setRepaymentPlan, triggerDisbursement, triggerDisbursementStatus, triggerLoanAcceptance, verifyLoanAcceptance } from './journey';
import { getLoan, listLoans, loanStatement, loanSummary } from './loan-details';
import { disputeStatus, raiseDispute } from './disputes';
import { consentHandle, consentStatusRequest } from './consent';

/**
 * Every OCEN v3 operation this lender hosts, in the order of the journey; a path of V3_OPERATIONS not listed here
 * is answered NOT_SERVED.
 */
export function ocenV3Operations(core: V3Core): Array<V3OperationHandler<V3Operation, unknown>> {
  return [
    createLoanApplications(core),
    consentHandle(core),
    consentStatusRequest(core),
    generateOffers(core),
    setOffer(core),
    triggerLoanAcceptance(core),
    verifyLoanAcceptance(core),
    grantLoan(core),
    setRepaymentPlan(core),
    setDisbursementAccount(core),
    triggerDisbursement(core),
    triggerDisbursementStatus(core),
    getLoan(core),
    loanSummary(core),
    loanStatement(core),
    listLoans(core),
    raiseDispute(core),
    disputeStatus(core),
  ];
}
