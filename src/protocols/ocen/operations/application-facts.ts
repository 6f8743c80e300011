import type { ApplicationRef } from '../../../core/application/application';
import type { ApplicationView as CoreApplicationView } from '../../../core/lending/application-facts';
import { LoanApplicationStatus, loanApplicationStatus } from '../ocen-mappers';
import type { OcenCore } from '../ocen-operation';

/** One loan application as an answer reads it: the core's view of every machine, and its OCEN status. */
export interface ApplicationView extends CoreApplicationView {
  status: LoanApplicationStatus;
}

/** The core's view of the application (ApplicationFacts.of), with the LoanApplicationStatus it maps to. */
export async function viewOf(core: Pick<OcenCore, 'facts'>, ref: ApplicationRef): Promise<ApplicationView> {
  const view = await core.facts.of(ref);
  const status = loanApplicationStatus({
    application: view.application,
    currentOffer: view.offer,
    consent: view.consent?.state ?? null,
    documentsRequested: view.application.approvalState === 'INCOME_VERIFICATION',
    kyc: view.kyc?.state ?? null,
    acceptanceTriggered: view.acceptanceTriggered,
    mandate: view.mandate?.state ?? null,
    disbursementAccount: view.account !== null,
    disbursement: view.payout?.state ?? null,
    loan: view.loan,
  });
  return { ...view, status };
}
