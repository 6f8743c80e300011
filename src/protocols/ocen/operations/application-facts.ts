import type { Application, ApplicationRef } from '../../../core/application/application';
import type { Kyc } from '../../../core/kyc/kyc';
import type { Offer } from '../../../core/offer/offer';
import { LoanApplicationStatus, loanApplicationStatus } from '../ocen-mappers';
import type { OcenCore } from '../ocen-operation';

/** One loan application as the KYC, agreement and grant answers read it: its core state and its OCEN status. */
export interface ApplicationView {
  application: Application;
  offer: Offer | null;
  kyc: Kyc | null;
  status: LoanApplicationStatus;
}

/** Reads the application, its current offer and KYC, and whether its acceptance OTP is outstanding, into the one status mapping. */
export async function viewOf(core: Pick<OcenCore, 'applications' | 'offers' | 'kyc' | 'acceptance'>, ref: ApplicationRef): Promise<ApplicationView> {
  const application = await core.applications.get(ref);
  const [offer, kyc, acceptanceTriggered] = await Promise.all([
    application.currentOfferId ? core.offers.current(ref) : Promise.resolve(null),
    core.kyc.current(ref),
    core.acceptance.acceptanceOutstanding(application),
  ]);
  return { application, offer, kyc, status: loanApplicationStatus({ application, currentOffer: offer, kyc: kyc?.state ?? null, acceptanceTriggered }) };
}
