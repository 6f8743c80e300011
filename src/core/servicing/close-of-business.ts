import { UnitOfWork } from '../../lib/db/database';
import { WorkingDayCalendar } from '../kfs/working-days';
import { loanMachine } from '../loan/loan-state';
import { addDays } from '../shared/dates';
import { CollectionRepository } from './collection.repository';
import { presentCollectionJob } from './present-collection.job';
import { sendPreDebitNoticeJob } from './send-pre-debit-notice.job';
import { CLOSE_OF_BUSINESS_STEPS, CloseOfBusinessRepository, CloseOfBusinessStep, WorkingDayMap } from './close-of-business.repository';

/** What one close-of-business run did: rows written per step. */
export interface CloseOfBusinessReport {
  /** YYYY-MM-DD. */
  businessDate: string;
  /** Per step: accrual entries, instalments made overdue, loans reclassified, penal charges, debits presented, debits scheduled with their notices. */
  counts: Partial<Record<CloseOfBusinessStep, number>>;
}

/** The close of business moves loans between ACTIVE and DELINQUENT in SQL; the loan's machine must allow both ways. */
for (const [from, to] of [['ACTIVE', 'DELINQUENT'], ['DELINQUENT', 'ACTIVE']] as const) loanMachine.assert(from, to);

/** How far ahead a debit date may lie from a due date (a run of holidays) and a notice from its debit (product notice days). */
const CALENDAR_WINDOW_DAYS = 60;

/**
 * The close of business of one business date: one run per date, idempotent (a finished date is not run again)
 * and resumable (each step commits with its mark, so a run that crashed resumes at the first step not done).
 * Steps, in order, each set-based SQL over every open loan (close-of-business.repository.ts):
 *
 * 1. **accrue**: interest earned through the day, one INTEREST entry per loan;
 * 2. **overdue**: instalments payable before the day (due date, or the working day after it) and not paid become OVERDUE;
 * 3. **classify**: days past due, SMA/NPA class, ACTIVE ↔ DELINQUENT (recorded in the history);
 * 4. **penal**: the penal charge of instalments overdue beyond the grace days;
 * 5. **present**: debits whose date has come are handed to the worker (present-collection jobs);
 * 6. **notify**: the coming days' debits are scheduled, each with its pre-debit notice (send-pre-debit-notice jobs).
 */
export class CloseOfBusiness {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repository: CloseOfBusinessRepository,
    private readonly calendar: WorkingDayCalendar,
    private readonly collections: CollectionRepository,
  ) {}

  /** Runs (or resumes) the close of business of `date`; a date already finished is reported, not run again. */
  async run(date: string): Promise<CloseOfBusinessReport> {
    const begun = await this.uow.transaction(() => this.repository.begin(date));
    if (!begun.finished) {
      for (const step of CLOSE_OF_BUSINESS_STEPS) {
        await this.uow.transaction(async () => {
          const done = await this.repository.lockDay(date);
          if (done.includes(step)) return;
          await this.repository.markDone(date, step, await this.runStep(step, date));
        });
      }
      await this.repository.finish(date);
    }
    return { businessDate: date, counts: await this.repository.counts(date) };
  }

  /**
   * Runs every date after the last finished one up to `through` (inclusive), oldest first: what a worker calls
   * after a day ends (and after an outage, to catch up). Before any run, only `through` is run.
   */
  async catchUp(through: string): Promise<CloseOfBusinessReport[]> {
    const last = await this.repository.lastFinished();
    const reports: CloseOfBusinessReport[] = [];
    for (let date = last ? addDays(last, 1) : through; date <= through; date = addDays(date, 1)) reports.push(await this.run(date));
    return reports;
  }

  private async runStep(step: CloseOfBusinessStep, date: string): Promise<number> {
    switch (step) {
      case 'accrue':
        return this.repository.accrue(date);
      case 'overdue':
        return this.repository.markOverdue(date, this.workingDays(date));
      case 'classify':
        return this.repository.classify(date);
      case 'penal':
        return this.repository.levyPenalCharges(date);
      case 'present': {
        const ids = await this.collections.dueForPresentation(date);
        await this.repository.stageJobs(presentCollectionJob.name, presentCollectionJob.version, ids.map((collectionId) => ({ collectionId })));
        return ids.length;
      }
      case 'notify': {
        const ids = await this.repository.scheduleCollections(date, this.workingDays(date));
        await this.repository.stageJobs(sendPreDebitNoticeJob.name, sendPreDebitNoticeJob.version, ids.map((collectionId) => ({ collectionId })));
        return ids.length;
      }
    }
  }

  /** Each day around `date` mapped to the first working day on or after it (the holiday calendar of the KFS). */
  private workingDays(date: string): WorkingDayMap {
    const days: string[] = [];
    const workingDays: string[] = [];
    for (let offset = -CALENDAR_WINDOW_DAYS * 6; offset <= CALENDAR_WINDOW_DAYS; offset++) {
      const day = addDays(date, offset);
      days.push(day);
      workingDays.push(this.calendar.isWorkingDay(day) ? day : this.calendar.addWorkingDays(day, 1));
    }
    return { days, workingDays };
  }
}
