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

/** YYYY-MM-DD plus whole months, keeping the anchor day (default: the date's own) clamped to the month's end. */
export function addMonthsClamped(isoDate: string, months: number, anchorDay?: number): string {
  const [year, month, day] = isoDate.split('-').map((part) => parseInt(part, 10));
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const targetDay = Math.min(anchorDay ?? day, lastDay);
  return `${String(targetYear).padStart(4, '0')}-${String(targetMonth + 1).padStart(2, '0')}-${String(targetDay).padStart(2, '0')}`;
}
