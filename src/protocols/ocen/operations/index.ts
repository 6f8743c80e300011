import type { OcenCore, OcenOperationHandler } from '../ocen-operation';
import { createLoan } from './loan-applications';
import { setDisbursementAccount, setRepaymentPlan, setRepaymentPlanStatus, triggerDisbursement, triggerDisbursementStatus } from './disbursement';
import { generateOffers, setOffers } from './offers';
import { getKycMethods, kycStatus, triggerKyc } from './kyc';
import { loanAgreement, triggerLoanAcceptance, verifyLoanAcceptance } from './loan-acceptance';
import { grantLoan } from './grant-loan';
import { getLoan, listLoans, loanStatement, loanStatementSummary } from './loan-details';
import { repaymentConditionChange, triggerRepayment, triggerRepaymentStatus } from './repayment';

/**
 * Every operation this lender hosts, one handler each (request → `...Response`). A path not listed here is
 * answered NOT_SERVED. Each group of the spec has its own file.
 */
export function ocenOperations(core: OcenCore): OcenOperationHandler<unknown>[] {
  return [
    createLoan(core),
    generateOffers(core),
    setOffers(core),
    setRepaymentPlan(core),
    setRepaymentPlanStatus(core),
    setDisbursementAccount(core),
    triggerDisbursement(core),
    triggerDisbursementStatus(core),
    getKycMethods(core),
    triggerKyc(core),
    kycStatus(core),
    loanAgreement(core),
    triggerLoanAcceptance(core),
    verifyLoanAcceptance(core),
    grantLoan(core),
    getLoan(core),
    loanStatementSummary(core),
    loanStatement(core),
    listLoans(core),
    triggerRepayment(core),
    triggerRepaymentStatus(core),
    repaymentConditionChange(core),
  ];
}
