import { isValidIsoDate } from '../shared/dates';

/**
 * How a repayment of any kind (an EMI, a debit through the mandate, a part-prepayment, a foreclosure, a
 * cooling-off exit) is shared out over what a loan owes. Pure: bigint micros in, bigint micros out, no
 * rounding anywhere (every amount is moved whole; what is owed is already whole paise).
 *
 * THE ORDER (one rule for every repayment, as of business date `asOf`):
 *   1. charges (bounce, penal, foreclosure), oldest levied first (then by id);
 *   2. overdue interest: instalments with dueDate < asOf, oldest due first;
 *   3. overdue principal: the same instalments, the same order;
 *   4. current dues: instalments due today (dueDate = asOf), interest then principal;
 *   5. principal (prepayment): up to the principal outstanding that is not yet due
 *      (principalOutstanding − the unpaid principal of instalments with dueDate ≤ asOf). It reduces the
 *      principal outstanding (the schedule is then re-amortised, reamortise.ts); it NEVER pays a future
 *      instalment's interest, which is not earned yet;
 *   6. the rest is excess (BORROWER_EXCESS, refunded through the disbursement rail).
 *
 * Nothing is created or lost: chargesMicros + interestMicros + principalMicros + excessMicros = amount, where
 * principalMicros = instalment principal (steps 3, 4) + prepaymentMicros; no charge or instalment line is paid
 * more than is left of it; no later step receives anything while an earlier one is left unpaid.
 */

/** A charge levied on the loan and what is left of it to pay. */
export interface ChargeDue {
  id: string;
  /** YYYY-MM-DD, the business date it was levied. */
  leviedOn: string;
  /** What is left to pay of it; not negative. */
  outstandingMicros: bigint;
}

/** An instalment and what is paid of it. */
export interface InstalmentDue {
  sequence: number;
  /** YYYY-MM-DD. */
  dueDate: string;
  principalMicros: bigint;
  interestMicros: bigint;
  principalPaidMicros: bigint;
  interestPaidMicros: bigint;
}

/** What a loan owes on a business date. */
export interface LoanDues {
  /** The business date (YYYY-MM-DD) the repayment is valued at. */
  asOf: string;
  charges: ChargeDue[];
  /** Every instalment of the schedule (paid, due, future); order does not matter. */
  instalments: InstalmentDue[];
  /** The loan's whole principal outstanding (from the ledger), due or not. */
  principalOutstandingMicros: bigint;
}

export interface RepaymentAllocation {
  /** The charges that receive something, in the order paid. */
  charges: { id: string; micros: bigint }[];
  /** The instalments that receive something (steps 2–4), by sequence. */
  lines: { sequence: number; interestMicros: bigint; principalMicros: bigint }[];
  /** Step 5: principal paid ahead of the schedule. */
  prepaymentMicros: bigint;
  /** Step 6: what is owed back to the borrower. */
  excessMicros: bigint;
  chargesMicros: bigint;
  /** Σ lines' interest. */
  interestMicros: bigint;
  /** Σ lines' principal + prepaymentMicros. */
  principalMicros: bigint;
}

/** The amounts of an instalment that remainingOf / statusAfter read. */
export interface InstalmentBalance {
  sequence: number;
  principalMicros: bigint;
  interestMicros: bigint;
  principalPaidMicros: bigint;
  interestPaidMicros: bigint;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** What is left to pay of an instalment (principal + interest). */
export function remainingOf(line: InstalmentBalance): bigint {
  return line.principalMicros - line.principalPaidMicros + (line.interestMicros - line.interestPaidMicros);
}

/** An instalment's status from what has been paid of it: PAID when nothing is left, PARTIALLY_PAID when something was paid, else unchanged. */
export function statusAfter<S extends string>(line: InstalmentBalance, current: S): S | 'PAID' | 'PARTIALLY_PAID' {
  if (remainingOf(line) === 0n) return 'PAID';
  if (line.principalPaidMicros > 0n || line.interestPaidMicros > 0n) return 'PARTIALLY_PAID';
  return current;
}

interface Checked {
  charges: ChargeDue[];
  overdue: InstalmentDue[];
  current: InstalmentDue[];
  /** Principal outstanding not yet due: what step 5 may take. */
  prepayable: bigint;
}

/** Validates the dues and sorts them into the order's groups. */
function check(dues: LoanDues): Checked {
  if (!isValidIsoDate(dues.asOf)) throw new RangeError(`asOf is not a YYYY-MM-DD date: ${dues.asOf}`);
  for (const charge of dues.charges) {
    if (!isValidIsoDate(charge.leviedOn)) throw new RangeError(`charge ${charge.id} has no valid levy date`);
    if (charge.outstandingMicros < 0n) throw new RangeError(`charge ${charge.id} is paid more than it is`);
  }
  const sequences = new Set<number>();
  let duePrincipal = 0n;
  for (const line of dues.instalments) {
    if (!isValidIsoDate(line.dueDate)) throw new RangeError(`instalment ${line.sequence} has no valid due date`);
    if (sequences.has(line.sequence)) throw new RangeError(`instalment ${line.sequence} appears twice`);
    sequences.add(line.sequence);
    if (line.principalPaidMicros < 0n || line.interestPaidMicros < 0n || line.principalPaidMicros > line.principalMicros || line.interestPaidMicros > line.interestMicros) {
      throw new RangeError(`instalment ${line.sequence} is paid more than it is due, or negative`);
    }
    if (line.dueDate <= dues.asOf) duePrincipal += line.principalMicros - line.principalPaidMicros;
  }
  const prepayable = dues.principalOutstandingMicros - duePrincipal;
  if (prepayable < 0n) throw new RangeError('the principal outstanding is less than the principal already due');
  const byDue = (a: InstalmentDue, b: InstalmentDue) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.sequence - b.sequence);
  return {
    charges: [...dues.charges].sort((a, b) => (a.leviedOn < b.leviedOn ? -1 : a.leviedOn > b.leviedOn ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    overdue: dues.instalments.filter((l) => l.dueDate < dues.asOf).sort(byDue),
    current: dues.instalments.filter((l) => l.dueDate === dues.asOf).sort(byDue),
    prepayable,
  };
}

/**
 * Shares `amountMicros` out over the dues in THE ORDER (see the top of this file).
 *
 * @throws RangeError when the amount is not positive, or the dues are corrupt: a date that is not YYYY-MM-DD,
 * an instalment sequence twice, an instalment or charge paid more than it is (or a negative amount), or a
 * principal outstanding below the unpaid principal already due.
 */
export function allocateRepayment(amountMicros: bigint, dues: LoanDues): RepaymentAllocation {
  if (amountMicros <= 0n) throw new RangeError('a repayment must be a positive amount');
  const { charges, overdue, current, prepayable } = check(dues);
  let left = amountMicros;
  const take = (due: bigint) => {
    const paid = min(left, due);
    left -= paid;
    return paid;
  };
  const paidCharges: { id: string; micros: bigint }[] = [];
  for (const charge of charges) {
    const paid = take(charge.outstandingMicros);
    if (paid > 0n) paidCharges.push({ id: charge.id, micros: paid });
  }
  const lines = new Map<number, { sequence: number; interestMicros: bigint; principalMicros: bigint }>();
  const line = (sequence: number) => lines.get(sequence) ?? lines.set(sequence, { sequence, interestMicros: 0n, principalMicros: 0n }).get(sequence)!;
  for (const l of overdue) line(l.sequence).interestMicros += take(l.interestMicros - l.interestPaidMicros);
  for (const l of overdue) line(l.sequence).principalMicros += take(l.principalMicros - l.principalPaidMicros);
  for (const l of current) {
    line(l.sequence).interestMicros += take(l.interestMicros - l.interestPaidMicros);
    line(l.sequence).principalMicros += take(l.principalMicros - l.principalPaidMicros);
  }
  const prepaymentMicros = take(prepayable);
  const paidLines = [...lines.values()].filter((l) => l.interestMicros > 0n || l.principalMicros > 0n).sort((a, b) => a.sequence - b.sequence);
  const chargesMicros = paidCharges.reduce((s, c) => s + c.micros, 0n);
  const interestMicros = paidLines.reduce((s, l) => s + l.interestMicros, 0n);
  const principalMicros = paidLines.reduce((s, l) => s + l.principalMicros, 0n) + prepaymentMicros;
  return { charges: paidCharges, lines: paidLines, prepaymentMicros, excessMicros: left, chargesMicros, interestMicros, principalMicros };
}

/**
 * What is due on the loan on `dues.asOf` (steps 1–4 of THE ORDER): unpaid charges + every unpaid amount of the
 * instalments with dueDate ≤ asOf. This is the amount a mandate debit presents (capped by the caller at the
 * mandate's maximum), and what allocateRepayment takes before any prepayment.
 *
 * @throws RangeError when the dues are corrupt (see allocateRepayment).
 */
export function dueNowMicros(dues: LoanDues): bigint {
  const { charges, overdue, current } = check(dues);
  return charges.reduce((s, c) => s + c.outstandingMicros, 0n) + [...overdue, ...current].reduce((s, l) => s + remainingOf(l), 0n);
}

/**
 * What closes the loan on `dues.asOf`, before any foreclosure charge and excess (foreclosure.ts adds those):
 * what is due now (dueNowMicros) + the principal outstanding not yet due + `accruedNotDueInterestMicros`, the
 * interest accrued to asOf on the instalment whose period is running (accrual.ts). Future interest is never
 * part of it.
 *
 * @throws RangeError when the dues are corrupt (see allocateRepayment) or the accrued interest is negative.
 */
export function payoffMicros(dues: LoanDues, accruedNotDueInterestMicros: bigint): bigint {
  if (accruedNotDueInterestMicros < 0n) throw new RangeError('accrued interest must not be negative');
  return dueNowMicros(dues) + check(dues).prepayable + accruedNotDueInterestMicros;
}
