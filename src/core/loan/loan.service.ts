import { randomUUID } from 'node:crypto';
import { AppError, AppErrorCode, notFound } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { Clock } from '../../lib/clock';
import { TransitionWriter } from '../state/transition-writer';
import { BusinessClock } from '../shared/business-clock';
import { ApplicationRepository } from '../application/application.repository';
import { applicationState } from '../application/application-state';
import { SubmissionRepository } from './submission.repository';
import { buildSchedule } from '../money/emi';
import { DisbursementRail } from './disbursement-rail';
import { Disbursement, LoanAccount, Payout, firstDueDate, payoutClaim } from './loan';
import { PayoutAccount } from '../payout/payout-account';
import { PayoutAccountService } from '../payout/payout-account.service';
import { AccountTokens } from './account-token';
import { LoanRepository } from './loan.repository';
import { loanState } from './loan-state';
import { disbursementState } from './disbursement-state';
import { Ledger } from '../ledger/ledger';
import { disbursementEntry } from '../ledger/entries';

export class LoanService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly applications: ApplicationRepository,
    private readonly submissions: SubmissionRepository,
    private readonly loans: LoanRepository,
    private readonly transitions: TransitionWriter,
    private readonly rail: DisbursementRail,
    private readonly accountTokens: AccountTokens,
    private readonly clock: Clock,
    private readonly payoutAccounts: PayoutAccountService,
    private readonly ledger: Ledger,
    private readonly businessClock: BusinessClock,
  ) {}

  /**
   * Worker step: pays the loan out. The intent is recorded and committed first, the rail is called with
   * no transaction open and the same reference on every try, and its answer is recorded in a new
   * transaction: the account, its schedule and the move to DISBURSED commit together.
   *
   * The rail is sent one transfer per reference: one worker at a time pays an application out (a claim that
   * dies with its worker, so a crash leaves nothing to wait for; another worker finding it taken fails with
   * CONCURRENT_MODIFICATION and its job is retried), and a try that follows an earlier one asks the rail for
   * that one's answer before sending anything (the earlier try may have reached the rail and lost its answer).
   */
  async disburse(applicationId: string): Promise<void> {
    const claimed = await this.uow.exclusively(payoutClaim(applicationId), () => this.disburseOnce(applicationId));
    if (!claimed.acquired) throw new AppError(AppErrorCode.CONCURRENT_MODIFICATION, 'Another worker is paying this application out');
  }

  private async disburseOnce(applicationId: string): Promise<void> {
    const intent = await this.recordIntent(applicationId);
    if (!intent) return;
    const { reference, amountMicros } = intent.disbursement;
    const earlier = intent.disbursement.attempts > 0 ? await this.rail.status(reference) : null;
    const result = earlier ?? (await this.rail.transfer({ reference, amountMicros, beneficiaryPanLast4: intent.panLast4, ...(intent.beneficiary ? { beneficiary: intent.beneficiary } : {}) }));
    await this.uow.transaction(async () => {
      await this.applications.lock(applicationId);
      const disbursement = await this.loans.disbursementOf(applicationId);
      if (disbursement?.state !== 'REQUESTED') return;
      if (result.status === 'FAILED') {
        await this.transitions.move(disbursementState, disbursement.id, 'REQUESTED', 'FAILED', { failureReason: result.reason, completedAt: this.clock.now() }, result.reason);
        await this.transitions.move(applicationState, applicationId, 'SUBMITTED', 'REJECTED', {
          rejectionReason: 'OTHERS',
          rejectionDescription: `Disbursement failed: ${result.reason}`,
        }, 'disbursement failed');
        return;
      }
      await this.transitions.move(disbursementState, disbursement.id, 'REQUESTED', 'SUCCEEDED', { utr: result.utr, completedAt: this.clock.now() }, `UTR ${result.utr}`);
      await this.openAccount(applicationId, disbursement, result.utr);
    });
  }

  /**
   * The partner's loan account behind the token it presents (looked up by the token's keyed hash), its principal
   * outstanding read from the ledger.
   */
  async account(partnerId: string, accountToken: string): Promise<LoanAccount & { accountToken: string }> {
    const loan = await this.loans.accountForPartner(partnerId, this.accountTokens.hash(accountToken));
    if (!loan) throw notFound('accountToken', 'accountToken');
    const { principalOutstandingMicros } = await this.ledger.loanBalances(loan.id);
    return { ...loan, outstandingPrincipalMicros: principalOutstandingMicros, accountToken };
  }

  /** The application's payout as it stands, or null before the disbursement was requested. */
  async payout(applicationId: string): Promise<Payout | null> {
    return this.loans.payoutOf(applicationId);
  }

  /**
   * Claims the one report of a successful payout (to the network's analytics): true for the first caller only,
   * whichever request, callback or process asks; false while the payout has not succeeded. The claim is committed
   * before the report is sent, so a report is sent at most once (one lost with its process is not sent again).
   */
  async claimPayoutReport(applicationId: string): Promise<boolean> {
    return this.loans.markReported(applicationId, this.clock.now());
  }

  private recordIntent(applicationId: string): Promise<{ disbursement: Disbursement; panLast4: string; beneficiary: PayoutAccount | null } | null> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lock(applicationId);
      if (application?.applicationState !== 'SUBMITTED') return null;
      const now = this.clock.now();
      let disbursement = await this.loans.disbursementOf(applicationId);
      if (!disbursement) {
        const submission = await this.submissions.byId(application.currentSubmissionId);
        if (!submission) return null;
        const id = randomUUID();
        await this.loans.createDisbursement({
          id,
          applicationId,
          submissionId: submission.id,
          reference: `DSB${application.lenderReference}`,
          amountMicros: submission.netDisbursalMicros,
          state: 'REQUESTED',
          requestedAt: now,
        });
        await this.transitions.recordInitial(disbursementState, id, 'REQUESTED');
        disbursement = (await this.loans.disbursementOf(applicationId))!;
      }
      if (disbursement.state !== 'REQUESTED') return null;
      await this.loans.markAttempt(disbursement.id, now, true);
      return { disbursement, panLast4: application.panLast4, beneficiary: await this.payoutAccounts.open(applicationId) };
    });
  }

  private async openAccount(applicationId: string, disbursement: Disbursement, utr: string): Promise<void> {
    const submission = (await this.submissions.byId(disbursement.submissionId))!;
    const pinned = await this.loans.pinnedProductOf(applicationId);
    if (!pinned) throw new Error(`Application ${applicationId} has no current offer: its loan cannot pin a product version`);
    const now = this.clock.now();
    const disbursedOn = await this.businessClock.today();
    const schedule = buildSchedule(
      { principalMicros: submission.loanAmountMicros, annualRateE5: BigInt(submission.interestRateE5), tenureMonths: submission.tenureMonths },
      firstDueDate(disbursedOn),
    );
    const loanId = randomUUID();
    await this.loans.createAccount({
      id: loanId,
      ...this.accountTokens.issue(loanId),
      applicationId,
      productId: pinned.productId,
      productVersion: pinned.productVersion,
      state: 'ACTIVE',
      sanctionedMicros: submission.loanAmountMicros,
      disbursedMicros: submission.netDisbursalMicros,
      interestRateE5: submission.interestRateE5,
      tenureMonths: submission.tenureMonths,
      emiMicros: submission.emiMicros,
      outstandingPrincipalMicros: submission.loanAmountMicros,
      disbursementReference: `${disbursement.reference}:${utr}`,
      disbursedAt: now,
      disbursedOn,
      instalments: schedule.map((line, i) => ({ ...line, accruesFrom: i === 0 ? disbursedOn : schedule[i - 1].dueDate, status: 'DUE' as const })),
    });
    await this.ledger.post(disbursementEntry({
      loanId,
      valueDate: disbursedOn,
      reference: `${disbursement.reference}:${utr}`,
      principalMicros: submission.loanAmountMicros,
      netPayoutMicros: submission.netDisbursalMicros,
      processingFeeMicros: submission.processingFeeMicros,
      processingFeeGstMicros: submission.processingFeeGstMicros,
    }));
    await this.transitions.recordInitial(loanState, loanId, 'ACTIVE', `disbursed UTR ${utr}`);
    await this.transitions.move(applicationState, applicationId, 'SUBMITTED', 'DISBURSED', {}, 'disbursed');
  }
}
