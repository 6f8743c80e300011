import { formatRupees } from '../../core/money/money';
import type { Lang } from './page-renderer';

/** A calendar date (YYYY-MM-DD) as people read it in the page's language: "15 January 2027" / "15 जनवरी 2027". */
export function longDate(isoDate: string, lang: Lang): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return isoDate;
  return new Intl.DateTimeFormat(lang === 'hi' ? 'hi-IN' : 'en-IN', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
}

/** An amount for the page: "₹1,00,000.00" (Indian grouping, paise). */
export const rupees = (micros: bigint): string => formatRupees(micros);
