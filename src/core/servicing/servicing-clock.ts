import { Clock } from '../../lib/clock';
import { UnitOfWork } from '../../lib/db/database';
import { AppError, AppErrorCode } from '../errors';
import { Ledger } from '../ledger/ledger';
import { BusinessClock, addDays } from '../shared/business-clock';
import { istDate } from '../shared/dates';
import { BusinessClockRepository } from './business-clock.repository';
import { CloseOfBusiness, CloseOfBusinessReport } from './close-of-business';
import { CollectionService } from './collection.service';

/** One business day the sandbox clock passed through: its close of business, the day's collections, and the trial balance after both. */
export interface ServicingDayReport extends CloseOfBusinessReport {
  notices: number;
  debited: number;
  bounced: number;
}

/** The longest move of one call (a year and a half of days, each one close of business). */
export const MAX_ADVANCE_DAYS = 550;

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
   * Moves the business date `days` days forward (1 to MAX_ADVANCE_DAYS), each day closed on the way.
   * @throws AppError PRECONDITION_FAILED outside the sandbox; INVALID_FIELD_VALUE for another number of days.
   */
  async advance(days: number): Promise<{ from: string; to: string; days: ServicingDayReport[] }> {
    if (!this.sandbox) throw new AppError(AppErrorCode.PRECONDITION_FAILED, 'The business clock moves only in the sandbox: in production it is the wall clock');
    if (!Number.isInteger(days) || days < 1 || days > MAX_ADVANCE_DAYS) {
      throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, `days must be a whole number from 1 to ${MAX_ADVANCE_DAYS}`, ['days']);
    }
    const from = await this.today();
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
