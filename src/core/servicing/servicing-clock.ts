import { Clock } from '../../lib/clock';
import { UnitOfWork } from '../../lib/db/database';
import { AppError, AppErrorCode } from '../errors';
import { Ledger } from '../ledger/ledger';
import { BusinessClock } from '../shared/business-clock';
import { addDays, istDate } from '../shared/dates';
import { BusinessClockRepository } from './business-clock.repository';
import { CloseOfBusiness, CloseOfBusinessReport } from './close-of-business';
import { CollectionService } from './collection.service';

/** One business day the sandbox clock passed through: its close of business, the day's collections, and the trial balance after both. */
export interface ServicingDayReport extends CloseOfBusinessReport {
  notices: number;
  debited: number;
  bounced: number;
  /** The sum of every posting of the book after the day: 0 in a sound ledger. */
  trialBalanceMicros: bigint;
}

/** The longest move of one call (each day is one close of business, run before the answer). */
export const MAX_ADVANCE_DAYS = 120;

/** The claim one process holds while it closes days or moves the clock. */
const CLOCK_CLAIM = 'business-clock';

/**
 * The business date of a deployment: in the sandbox, the wall date (IST) plus the offset kept in the database
 * for every process (moved by ServicingClock.advance); in production, the wall date alone.
 */
export class DeploymentBusinessClock implements BusinessClock {
  constructor(private readonly repository: BusinessClockRepository, private readonly clock: Clock, private readonly sandbox: boolean) {}

  async today(): Promise<string> {
    const wall = istDate(this.clock.now());
    return this.sandbox ? addDays(wall, await this.repository.offsetDays()) : wall;
  }
}

/**
 * The sandbox's only way to move the business date, `advance`. Passing each day runs that day's close of business
 * (close-of-business.ts), then the day's pre-debit notices and mandate debits at once (the work the worker would
 * do by itself; each step idempotent, so the worker finding it done does nothing), before the date moves on.
 * In production `advance` is refused: the business date is the wall date.
 */
export class ServicingClock {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repository: BusinessClockRepository,
    private readonly businessClock: BusinessClock,
    private readonly closeOfBusiness: CloseOfBusiness,
    private readonly collections: CollectionService,
    private readonly ledger: Ledger,
    private readonly sandbox: boolean,
  ) {}

  today(): Promise<string> {
    return this.businessClock.today();
  }

  /**
   * The worker's round (every deployment, every few minutes): closes every business date before today not closed
   * yet, oldest first (a worker that was down catches up). One process at a time (a claim on the clock); another
   * process finding it taken does nothing. The day's debits and notices are then the worker's jobs.
   */
  async closePastDays(): Promise<CloseOfBusinessReport[]> {
    const claimed = await this.uow.exclusively(CLOCK_CLAIM, async () => this.closeOfBusiness.catchUp(addDays(await this.today(), -1)));
    return claimed.acquired ? claimed.value : [];
  }

  /**
   * Moves the business date `days` days forward (1 to MAX_ADVANCE_DAYS), each day closed on the way (days before
   * today left unclosed are closed first). One move at a time.
   * @throws AppError PRECONDITION_FAILED outside the sandbox; INVALID_FIELD_VALUE for another number of days;
   * CONCURRENT_MODIFICATION while another move (or the worker's round) holds the clock.
   */
  async advance(days: number): Promise<{ from: string; to: string; days: ServicingDayReport[] }> {
    if (!this.sandbox) throw new AppError(AppErrorCode.PRECONDITION_FAILED, 'The business clock moves only in the sandbox: in production it is the wall clock');
    if (!Number.isInteger(days) || days < 1 || days > MAX_ADVANCE_DAYS) {
      throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, `days must be a whole number from 1 to ${MAX_ADVANCE_DAYS}`, ['days']);
    }
    const claimed = await this.uow.exclusively(CLOCK_CLAIM, () => this.move(days));
    if (!claimed.acquired) throw new AppError(AppErrorCode.CONCURRENT_MODIFICATION, 'The business clock is being moved or closed by another request or the worker: try again when it is done');
    return claimed.value;
  }

  private async move(days: number): Promise<{ from: string; to: string; days: ServicingDayReport[] }> {
    const from = await this.today();
    await this.closeOfBusiness.catchUp(addDays(from, -1));
    const reports: ServicingDayReport[] = [];
    for (let passed = 0; passed < days; passed++) {
      const date = await this.today();
      const closed = await this.closeOfBusiness.run(date);
      const day = await this.collections.runDay(date);
      const { totalMicros } = await this.ledger.trialBalance();
      reports.push({ ...closed, ...day, trialBalanceMicros: totalMicros });
      await this.uow.transaction(() => this.repository.advanceOneDay());
    }
    return { from, to: await this.today(), days: reports };
  }
}
