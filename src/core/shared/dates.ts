const IST_OFFSET_MS = 330 * 60_000;

/** The calendar date (YYYY-MM-DD) in India Standard Time: due dates and ages are Indian calendar dates. */
export function istDate(instant: Date): string {
  return new Date(instant.getTime() + IST_OFFSET_MS).toISOString().slice(0, 10);
}

export function isValidIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/**
 * A calendar date plus whole months: "YYYY-MM-DD" in, "YYYY-MM-DD" out, computed on the calendar (UTC, no
 * time zone, no clock). The day of month is `anchorDay` (default: the date's own day), clamped to the last
 * day of the target month: 2026-01-31 + 1 → 2026-02-28, + 2 → 2026-03-31; 2028-01-31 + 1 → 2028-02-29.
 * Pass the original anchor day when stepping from an already clamped date (2026-02-28 + 1 with anchor 31 →
 * 2026-03-31). `months` may be negative.
 *
 * @throws RangeError when the date is not a real YYYY-MM-DD date, `months` is not a safe integer,
 * `anchorDay` is not an integer from 1 to 31, or the result falls outside years 0000–9999.
 */
export function addMonthsClamped(isoDate: string, months: number, anchorDay?: number): string {
  if (!isValidIsoDate(isoDate)) throw new RangeError(`not a YYYY-MM-DD date: ${isoDate}`);
  if (!Number.isSafeInteger(months)) throw new RangeError(`months must be an integer, got ${months}`);
  if (anchorDay !== undefined && (!Number.isInteger(anchorDay) || anchorDay < 1 || anchorDay > 31)) {
    throw new RangeError(`anchor day must be from 1 to 31, got ${anchorDay}`);
  }
  const [year, month, day] = isoDate.split('-').map((part) => parseInt(part, 10));
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const targetDay = Math.min(anchorDay ?? day, lastDay);
  const result = `${String(targetYear).padStart(4, '0')}-${String(targetMonth + 1).padStart(2, '0')}-${String(targetDay).padStart(2, '0')}`;
  if (!isValidIsoDate(result)) throw new RangeError(`${isoDate} + ${months} months is out of range`);
  return result;
}

const DAY_MS = 86_400_000;

function epochDay(date: string): number {
  if (!isValidIsoDate(date)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

/**
 * Calendar days from `from` to `to` (both YYYY-MM-DD, Indian calendar dates, no time zone): 2027-03-10 →
 * 2027-03-20 is 10, the same date is 0, an earlier `to` is negative.
 *
 * @throws RangeError when either is not a real YYYY-MM-DD date.
 */
export function daysBetween(from: string, to: string): number {
  return epochDay(to) - epochDay(from);
}

/**
 * The date `days` calendar days after `date` (negative: before).
 *
 * @throws RangeError when `date` is not a real YYYY-MM-DD date or `days` is not a safe integer.
 */
export function addDays(date: string, days: number): string {
  if (!Number.isSafeInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  return new Date((epochDay(date) + days) * DAY_MS).toISOString().slice(0, 10);
}
