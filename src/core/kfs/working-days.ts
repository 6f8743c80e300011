import Holidays from 'date-holidays';
import { addDays, isValidIsoDate } from '../shared/dates';

/**
 * Bank working days in India, on Indian calendar dates (YYYY-MM-DD, IST). A day is NOT a working day when it is:
 *
 * - a Sunday;
 * - the 2nd or 4th Saturday of its month (RBI's rule for banks since September 2015; other Saturdays work);
 * - a `public` holiday of the `date-holidays` calendar for the configured region: `IN` (the national gazetted
 *   holidays: Republic Day, Independence Day, Gandhi Jayanti and the other holidays that package lists as public
 *   for India) or a state, `IN-MH`, which adds that state's public holidays (Maharashtra Day). Holidays the
 *   package marks `optional` or `observance` (restricted holidays) do not stop a working day.
 *
 * The calendar is an approximation of the Negotiable Instruments Act holidays a bank publishes each year; a bank
 * that needs its exact list should point HOLIDAY_CALENDAR at its state and extend this class.
 */
export class WorkingDayCalendar {
  private readonly holidays: Holidays;
  private readonly byYear = new Map<number, Set<string>>();

  /**
   * @param region `IN` or `IN-XX` (XX a state code date-holidays knows, e.g. MH, KA, DL).
   * @throws RangeError for any other region.
   */
  constructor(readonly region: string) {
    const match = /^IN(?:-([A-Z]{2}))?$/.exec(region);
    if (!match) throw new RangeError(`holiday calendar must be IN or IN-<state>, got "${region}"`);
    const state = match[1];
    if (state && !Object.keys(new Holidays('IN').getStates('IN') ?? {}).includes(state)) throw new RangeError(`unknown Indian state in holiday calendar "${region}"`);
    this.holidays = state ? new Holidays('IN', state) : new Holidays('IN');
  }

  /** Whether the Indian calendar date is a bank working day (see the class). */
  isWorkingDay(isoDate: string): boolean {
    if (!isValidIsoDate(isoDate)) throw new RangeError(`not a YYYY-MM-DD date: ${isoDate}`);
    const date = new Date(`${isoDate}T00:00:00Z`);
    const weekday = date.getUTCDay();
    if (weekday === 0) return false;
    if (weekday === 6) {
      const nth = Math.ceil(date.getUTCDate() / 7);
      if (nth === 2 || nth === 4) return false;
    }
    return !this.publicHolidays(date.getUTCFullYear()).has(isoDate);
  }

  /** The date `count` working days after `isoDate` (the date itself not counted; count ≥ 1). */
  addWorkingDays(isoDate: string, count: number): string {
    if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
    let day = isoDate;
    for (let left = count; left > 0;) {
      day = addDays(day, 1);
      if (this.isWorkingDay(day)) left--;
    }
    return day;
  }

  private publicHolidays(year: number): Set<string> {
    let set = this.byYear.get(year);
    if (!set) {
      set = new Set(this.holidays.getHolidays(year).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
      this.byYear.set(year, set);
    }
    return set;
  }
}

