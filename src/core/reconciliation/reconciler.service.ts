import { UnitOfWork } from '../../lib/db/database';
import { Clock } from '../../lib/clock';
import { Outbox } from '../../lib/jobs/outbox';
import { ApplicationRepository } from '../application/application.repository';
import { ApprovalService } from '../approval/approval.service';
import { ConsentService } from '../consent/consent.service';
import { decideCreditJob } from '../approval/decide-credit.job';
import { LoanRepository } from '../loan/loan.repository';
import { disburseLoanJob } from '../loan/disburse-loan.job';
import { payoutClaim } from '../loan/loan';

/** When work counts as stuck, and when it is given up. */
export interface ReconcilerPolicy {
  /** A credit decision or a disbursement with no progress for this long is retried. */
  staleAfterMs: number;
  /** A credit decision still not made this long after the application is rejected (OTHERS), visibly. */
  abandonDecisionAfterMs: number;
  /** A disbursement tried this many times without a recorded answer is reported for an operator every sweep. */
  disbursementAttemptsBeforeAlert: number;
  batchSize: number;
}

export const DEFAULT_RECONCILER_POLICY: ReconcilerPolicy = {
  staleAfterMs: 2 * 60_000,
  abandonDecisionAfterMs: 24 * 3_600_000,
  disbursementAttemptsBeforeAlert: 10,
  batchSize: 100,
};

export interface ReconciliationReport {
  decisionsRetried: string[];
  decisionsAbandoned: string[];
  disbursementsRetried: string[];
  /** Disbursements with no rail answer after many tries: money may have moved, so only an operator may close them. */
  disbursementsNeedingOperator: string[];
  /** Account-aggregator consents whose next step was staged again. */
  consentsRetried: string[];
  /** Consents the AA could not be asked for before the decision deadline: FAILED (AA_UNREACHABLE). */
  consentsAbandoned: string[];
}

/**
 * Finds work that stalled past its deadline (a lost job, a crash between the intent and the result) and
 * stages it again; the handlers are idempotent, so a retry of work that was only slow does nothing. A
 * credit decision that cannot be made in time ends as a rejection the partner can read; a disbursement is
 * never abandoned automatically, since the rail may have paid.
 */
export class ReconcilerService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly applications: ApplicationRepository,
    private readonly loans: LoanRepository,
    private readonly approvals: ApprovalService,
    private readonly consents: ConsentService,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly policy: ReconcilerPolicy = DEFAULT_RECONCILER_POLICY,
  ) {}

  async sweep(): Promise<ReconciliationReport> {
    const now = this.clock.now();
    const staleBefore = new Date(now.getTime() - this.policy.staleAfterMs);
    const report: ReconciliationReport = { decisionsRetried: [], decisionsAbandoned: [], disbursementsRetried: [], disbursementsNeedingOperator: [], consentsRetried: [], consentsAbandoned: [] };

    for (const application of await this.applications.awaitingDecisionSince(staleBefore, this.policy.batchSize)) {
      if (application.createdAt.getTime() < now.getTime() - this.policy.abandonDecisionAfterMs) {
        if (await this.approvals.abandonDecision(application.id, 'The credit decision could not be completed in time')) report.decisionsAbandoned.push(application.id);
        continue;
      }
      await this.uow.transaction(async () => {
        await this.applications.touch(application.id);
        await this.outbox.stage(decideCreditJob, { applicationId: application.id });
      });
      report.decisionsRetried.push(application.id);
    }

    for (const application of await this.applications.submittedWithoutDisbursementSince(staleBefore, this.policy.batchSize)) {
      await this.uow.transaction(async () => {
        await this.applications.touch(application.id);
        await this.outbox.stage(disburseLoanJob, { applicationId: application.id });
      });
      report.disbursementsRetried.push(application.id);
    }

    for (const disbursement of await this.loans.unansweredSince(staleBefore, this.policy.batchSize)) {
      if (disbursement.attempts >= this.policy.disbursementAttemptsBeforeAlert) report.disbursementsNeedingOperator.push(disbursement.id);
      await this.uow.transaction(async () => {
        await this.loans.markAttempt(disbursement.id, now, false);
        await this.outbox.stage(disburseLoanJob, { applicationId: disbursement.applicationId });
      });
      report.disbursementsRetried.push(disbursement.applicationId);
    }

    for (const consent of await this.consents.unfinishedSince(staleBefore, this.policy.batchSize)) {
      if (consent.state === 'REQUESTED' && consent.createdAt.getTime() < now.getTime() - this.policy.abandonDecisionAfterMs) {
        if (await this.consents.abandon(consent.id, 'The account aggregator could not be asked for the consent in time')) report.consentsAbandoned.push(consent.id);
        continue;
      }
      await this.consents.retry(consent.id);
      report.consentsRetried.push(consent.id);
    }
    return report;
  }

  /**
   * At a worker's start: the payouts that were cut off mid-way (their worker died between recording the
   * intent and recording the rail's answer) are queued again at once, instead of after `staleAfterMs`. A
   * payout is cut off when no worker holds its claim; one that a live worker is paying out is left alone,
   * so this is safe while other workers run. The retry asks the rail before sending anything.
   */
  async resumeInterruptedPayouts(): Promise<string[]> {
    const resumed: string[] = [];
    for (const disbursement of await this.loans.unansweredSince(this.clock.now(), this.policy.batchSize)) {
      const claim = await this.uow.exclusively(payoutClaim(disbursement.applicationId), () =>
        this.uow.transaction(() => this.outbox.stage(disburseLoanJob, { applicationId: disbursement.applicationId })),
      );
      if (claim.acquired) resumed.push(disbursement.applicationId);
    }
    return resumed;
  }
}
