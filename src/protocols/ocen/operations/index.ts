import type { OcenCore, OcenOperationHandler } from '../ocen-operation';
import { additionalPledgedDocuments, createLoan } from './loan-applications';
import { consentHandle, consentStatusRequest, journeyNotify } from './consent';
import { generateOffers, sendAdditionalDocuments, setOffers } from './offers';
import { getKycMethods, kycStatus, triggerKyc } from './kyc';
import { loanAgreement, triggerLoanAcceptance, verifyLoanAcceptance } from './loan-acceptance';
import { grantLoan } from './grant-loan';
import { setDisbursementAccount, setRepaymentPlan, setRepaymentPlanStatus, triggerDisbursement, triggerDisbursementStatus } from './disbursement';
import { repaymentConditionChange, triggerRepayment, triggerRepaymentStatus } from './repayment';
import { getLoan, listLoans, loanStatement, loanStatementSummary } from './loan-details';

/**
 * Every operation this lender hosts, one handler each (request → `...Response`, or ack-only), in the order of the
 * journey. A path not listed here is answered NOT_SERVED. Each group of the spec has its own file.
 */
export function ocenOperations(core: OcenCore): OcenOperationHandler[] {
  return [
    createLoan(core),
    additionalPledgedDocuments(core),
    consentHandle(core),
    journeyNotify(core),
    consentStatusRequest(core),
    generateOffers(core),
    sendAdditionalDocuments(core),
    setOffers(core),
    getKycMethods(core),
    triggerKyc(core),
    kycStatus(core),
    loanAgreement(core),
    triggerLoanAcceptance(core),
    verifyLoanAcceptance(core),
    grantLoan(core),
    setRepaymentPlan(core),
    setRepaymentPlanStatus(core),
    setDisbursementAccount(core),
    triggerDisbursement(core),
    triggerDisbursementStatus(core),
    triggerRepayment(core),
    triggerRepaymentStatus(core),
    repaymentConditionChange(core),
    getLoan(core),
    loanStatementSummary(core),
    loanStatement(core),
    listLoans(core),
  ];
}
