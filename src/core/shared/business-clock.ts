import { Clock } from '../../lib/clock';
import { istDate } from './dates';

/**
 * The business date: the Indian calendar day (YYYY-MM-DD) that servicing books its movements on (value dates,
 * accrual, due dates, days past due). It is not the wall clock, which stays the source of "now" for security
 * (OTP expiry, request timestamps, token lifetimes).
 *
 * - In production it is the wall clock's IST date (`WallBusinessClock`): nothing can move it.
 * - In the sandbox it is the wall date plus a number of days kept in the database (`business_clock.offset_days`),
 *   shared by every process of the deployment, and moved forward only by `POST /sandbox/clock/advance`, which
 *   runs each day's close of business as it passes (src/core/servicing).
 */
export interface BusinessClock {
  today(): Promise<string>;
}

/** Production: the business date is today's date in India. */
export class WallBusinessClock implements BusinessClock {
  constructor(private readonly clock: Clock) {}

  async today(): Promise<string> {
    return istDate(this.clock.now());
  }
}
