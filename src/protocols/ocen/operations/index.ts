import type { OcenCore, OcenOperationHandler } from '../ocen-operation';
import { additionalPledgedDocuments, createLoan } from './loan-applications';
import { setDisbursementAccount, setRepaymentPlan, setRepaymentPlanStatus, triggerDisbursement, triggerDisbursementStatus } from './disbursement';
import { generateOffers, sendAdditionalDocuments, setOffers } from './offers';
import { consentHandle, consentStatusRequest, journeyNotify } from './consent';

/**
 * Every operation this lender hosts, one handler each (request → `...Response`). A path not listed here is
 * answered NOT_SERVED. Each group of the spec has its own file.
 */
export function ocenOperations(core: OcenCore): OcenOperationHandler<unknown>[] {
  return [
    createLoan(core),
    additionalPledgedDocuments(core),
    consentHandle(core),
    journeyNotify(core),
    consentStatusRequest(core),
    generateOffers(core),
    sendAdditionalDocuments(core),
    setOffers(core),
    setRepaymentPlan(core),
    setRepaymentPlanStatus(core),
    setDisbursementAccount(core),
    triggerDisbursement(core),
    triggerDisbursementStatus(core),
  ];
}
