import { daysBetween } from '../shared/dates';
import { InstalmentDue, remainingOf } from './allocation';

/**
 * Days past due on business date `asOf`: asOf − the oldest due date among the instalments not fully paid whose
 * due date is before asOf; 0 when there is none (an instalment due today is not past due).
 *
 * @throws RangeError when a date is not YYYY-MM-DD.
 */
export function daysPastDue(instalments: readonly InstalmentDue[], asOf: string): number {
  let oldest: string | undefined;
  for (const line of instalments) {
    if (line.dueDate < asOf && remainingOf(line) > 0n && (oldest === undefined || line.dueDate < oldest)) oldest = line.dueDate;
  }
  return oldest === undefined ? 0 : daysBetween(oldest, asOf);
}

/**
 * RBI's classification of a loan account by its days past due:
 * - SMA_0 / SMA_1 / SMA_2 (Special Mention Accounts): principal or interest overdue 1–30 / 31–60 / 61–90 days,
 *   from the RBI "Prudential Framework for Resolution of Stressed Assets" (7 June 2019);
 * - NPA (non-performing asset): overdue more than 90 days, from the Master Circular "Prudential norms on Income
 *   Recognition, Asset Classification and Provisioning pertaining to Advances" (IRACP);
 * - STANDARD: nothing overdue.
 * Classification is part of the day-end process for the business date (IRACP clarifications, 12 November 2021).
 */
export type AssetClass = 'STANDARD' | 'SMA_0' | 'SMA_1' | 'SMA_2' | 'NPA';

/**
 * The asset class for `dpd` days past due, given the class before. SMA_0 1–30, SMA_1 31–60, SMA_2 61–90,
 * NPA > 90. An NPA stays NPA until every arrear is paid (dpd = 0), then it is STANDARD: a partial payment that
 * only brings the DPD down does not upgrade it (RBI IRACP clarifications of 12 November 2021: an NPA is
 * upgraded only when the entire arrears of interest and principal are paid).
 *
 * @throws RangeError when dpd is not a non-negative integer.
 */
export function assetClassOf(dpd: number, previous: AssetClass): AssetClass {
  if (!Number.isSafeInteger(dpd) || dpd < 0) throw new RangeError(`days past due must be a non-negative integer, got ${dpd}`);
  if (dpd === 0) return 'STANDARD';
  if (previous === 'NPA' || dpd > 90) return 'NPA';
  if (dpd > 60) return 'SMA_2';
  if (dpd > 30) return 'SMA_1';
  return 'SMA_0';
}
