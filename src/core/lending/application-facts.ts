import { notFound } from '../errors';
import type { ApplicationStatus } from './application-status';
import type { ApplicationStatusRepository } from './application-status.repository';
import type { Application, ApplicationRef } from '../application/application';
import type { ApplicationRepository } from '../application/application.repository';
import type { SubmissionRepository } from '../loan/submission.repository';
import type { Submission } from '../loan/submission';
import type { LoanAcceptanceService } from './loan-acceptance.service';
import type { ConsentService } from '../consent/consent.service';
import type { IncomeDocumentService } from '../income/income-document.service';
import type { Kyc } from '../kyc/kyc';
import type { KycService } from '../kyc/kyc.service';
import type { AccountTokens } from '../loan/account-token';
import type { Payout } from '../loan/loan';
import type { LoanService } from '../loan/loan.service';
import type { LoanState } from '../loan/loan-state';
import type { LoanServicingService } from '../loan/servicing.service';
import type { Mandate } from '../mandate/mandate';
import type { MandateService } from '../mandate/mandate.service';
import type { Offer } from '../offer/offer';
import type { OfferService } from '../offer/offer.service';
import type { PayoutAccountSummary } from '../payout/payout-account';
import type { PayoutAccountService } from '../payout/payout-account.service';

/**
 * One loan application with the state of each of its machines, read together: what every surface derives its
 * status from (OCEN's loanApplicationStatus, Google Pay's getStatus and getApprovalStatus).
 */
export interface ApplicationView {
  application: Application;
  offer: Offer | null;
  kyc: Kyc | null;
  consent: { state: 'PENDING' | 'READY' | 'FAILED'; summaryPending: boolean } | null;
  /** The agreement's acceptance was asked for (an OTP sent) and is not yet given. */
  acceptanceTriggered: boolean;
  mandate: Mandate | null;
  account: PayoutAccountSummary | null;
  payout: Payout | null;
  /** The serviced loan's state, once disbursed. */
  loan: LoanState | null;
}

/** A decision the application's offers still wait for (see {@link ApplicationFacts.decisionPending}). */
export type PendingDecision = 'CREDIT_DECISION' | 'BANK_STATEMENT_SUMMARY' | 'DOCUMENT_VERIFICATION';

/** What the facts are read from. */
export interface ApplicationFactSources {
  applications: ApplicationRepository;
  statuses: ApplicationStatusRepository;
  submissions: SubmissionRepository;
  offers: Pick<OfferService, 'current'>;
  kyc: Pick<KycService, 'current'>;
  acceptance: Pick<LoanAcceptanceService, 'acceptanceOutstanding'>;
  consents: Pick<ConsentService, 'latestFor'>;
  incomeDocuments: Pick<IncomeDocumentService, 'pendingFor'>;
  mandates: Pick<MandateService, 'current'>;
  payoutAccounts: Pick<PayoutAccountService, 'summary'>;
  loans: Pick<LoanService, 'payout'>;
  servicing: Pick<LoanServicingService, 'loan'>;
  accountTokens: AccountTokens;
}

/**
 * Reading a partner's applications, for every surface: by the partner's reference or by the lender's, as one view
 * of every machine ({@link of}), or as the one-query status of a poll ({@link status}). Nothing is written.
 */
export class ApplicationFacts {
  constructor(private readonly sources: ApplicationFactSources) {}

  /** The partner's application, or null (another partner's is null too). */
  find(ref: ApplicationRef): Promise<Application | null> {
    return this.sources.applications.find(ref);
  }

  /** The partner's application; NOT_FOUND when it has none under the reference. */
  get(ref: ApplicationRef): Promise<Application> {
    return this.sources.applications.get(ref);
  }

  /** The partner's application behind a lender reference (the loan's id towards partners), or null. */
  byLenderReference(partnerId: string, lenderReference: string): Promise<Application | null> {
    return this.sources.applications.findByLenderReference(partnerId, lenderReference);
  }

  /** The terms the borrower signed (the application's current submission), or null before signing. */
  signedTerms(application: Pick<Application, 'currentSubmissionId'>): Promise<Submission | null> {
    return this.sources.submissions.byId(application.currentSubmissionId);
  }

  /**
   * Every machine of the application (offer, consent, income verification, KYC, acceptance OTP, mandate, payout
   * account, payout, loan), so that every answer gives one application the same status. The application is read
   * again after the rest: a payout's end commits with the application's move (SUBMITTED → DISBURSED or REJECTED),
   * so a payout read as FAILED or SUCCEEDED is never paired with the state before it.
   */
  async of(ref: ApplicationRef): Promise<ApplicationView> {
    const s = this.sources;
    const before = await s.applications.get(ref);
    const [offer, kyc, consent, acceptanceTriggered, mandate, account, payout] = await Promise.all([
      before.currentOfferId ? s.offers.current(ref) : Promise.resolve(null),
      s.kyc.current(ref),
      s.consents.latestFor(before.id),
      s.acceptance.acceptanceOutstanding(before),
      s.mandates.current(before),
      s.payoutAccounts.summary(before.id),
      s.loans.payout(before.id),
    ]);
    const application = await s.applications.get(ref);
    const loan = application.applicationState === 'DISBURSED' ? (await s.servicing.loan(ref)).state : null;
    return { application, offer, kyc, consent, acceptanceTriggered, mandate, account, payout, loan };
  }

  /**
   * What an answer about the application's offers must wait for, or null once every decision is in: the credit
   * decision; in income verification, the summary of a bank statement the borrower just shared through the account
   * aggregator, or income documents not yet verified.
   */
  async decisionPending(view: Pick<ApplicationView, 'application' | 'consent'>): Promise<PendingDecision | null> {
    const { application, consent } = view;
    if (application.approvalState === 'IN_PROCESS') return 'CREDIT_DECISION';
    if (application.approvalState !== 'INCOME_VERIFICATION') return null;
    if (consent?.summaryPending) return 'BANK_STATEMENT_SUMMARY';
    if (await this.sources.incomeDocuments.pendingFor(application.id)) return 'DOCUMENT_VERIFICATION';
    return null;
  }

  /** A status poll: the application, its approval, KYC and repayment setup, and the account token once disbursed, in one query. */
  async status(ref: ApplicationRef): Promise<ApplicationStatus> {
    const status = await this.sources.statuses.status(ref);
    if (!status) throw notFound('application reference', 'externalReference');
    if (!status.sealedAccountToken) return status;
    const { sealedAccountToken, ...rest } = status;
    return { ...rest, accountToken: this.sources.accountTokens.open(sealedAccountToken.loanId, sealedAccountToken.ciphertext) };
  }
}
