import type { OcenCore, OcenOperationHandler } from '../ocen-operation';
import { createLoan } from './loan-applications';
import { generateOffers, setOffers } from './offers';
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
    getLoan(core),
    loanStatementSummary(core),
    loanStatement(core),
    listLoans(core),
    triggerRepayment(core),
    triggerRepaymentStatus(core),
    repaymentConditionChange(core),
  ];
}
