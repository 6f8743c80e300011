import type { Application, ApplicationRef } from '../../../core/application/application';
import type { Kyc } from '../../../core/kyc/kyc';
import type { Mandate } from '../../../core/mandate/mandate';
import type { Offer } from '../../../core/offer/offer';
import type { Payout } from '../../../core/loan/loan';
import type { PayoutAccountSummary } from '../../../core/payout/payout-account';
import { LoanApplicationStatus, loanApplicationStatus } from '../ocen-mappers';
import type { OcenCore } from '../ocen-operation';

/** One loan application as an answer reads it: the core state of each of its machines, and its OCEN status. */
export interface ApplicationView {
  application: Application;
  offer: Offer | null;
  kyc: Kyc | null;
  consent: { state: 'PENDING' | 'READY' | 'FAILED'; summaryPending: boolean } | null;
  mandate: Mandate | null;
  account: PayoutAccountSummary | null;
  payout: Payout | null;
  status: LoanApplicationStatus;
}

type ViewCore = Pick<OcenCore, 'applications' | 'offers' | 'kyc' | 'acceptance' | 'consents' | 'mandates' | 'payoutAccounts' | 'loans' | 'servicing'>;

/**
 * Reads every fact the status mapping takes (offer, consent, income verification, KYC, acceptance OTP, mandate,
 * payout account, payout, loan), so that every answer gives one application the same LoanApplicationStatus. The
 * application is read again after the rest: a payout's end commits with the application's move (SUBMITTED →
 * DISBURSED or REJECTED), so a payout read as FAILED or SUCCEEDED is never paired with the state before it.
 */
export async function viewOf(core: ViewCore, ref: ApplicationRef): Promise<ApplicationView> {
  const before = await core.applications.get(ref);
  const [offer, kyc, consent, acceptanceTriggered, mandate, account, payout] = await Promise.all([
    before.currentOfferId ? core.offers.current(ref) : Promise.resolve(null),
    core.kyc.current(ref),
    core.consents.latestFor(before.id),
    core.acceptance.acceptanceOutstanding(before),
    core.mandates.current(before),
    core.payoutAccounts.summary(before.id),
    core.loans.payout(before.id),
  ]);
  const application = await core.applications.get(ref);
  const loan = application.applicationState === 'DISBURSED' ? (await core.servicing.loan(ref)).state : null;
  const status = loanApplicationStatus({
    application,
    currentOffer: offer,
    consent: consent?.state ?? null,
    documentsRequested: application.approvalState === 'INCOME_VERIFICATION',
    kyc: kyc?.state ?? null,
    acceptanceTriggered,
    mandate: mandate?.state ?? null,
    disbursementAccount: account !== null,
    disbursement: payout?.state ?? null,
    loan,
  });
  return { application, offer, kyc, consent, mandate, account, payout, status };
}
