/**
 * How a repayment is shared out over a loan's instalments. Pure: bigint micros in, bigint micros out, no
 * rounding anywhere (every amount is moved whole; the instalments' amounts are already whole paise).
 *
 * Order (documented, one rule): instalments oldest first (by sequence, which is due-date order), and within an
 * instalment its interest before its principal. So an overdue instalment's interest, then its principal, are
 * cleared before anything of a newer instalment: overdue interest → interest → principal, oldest due first.
 * Penal charges are not modelled yet (none accrue), so nothing is allocated to penalty. What is paid beyond
 * everything outstanding is `excessMicros` (owed back to the borrower); nothing is ever created or lost:
 *
 *     Σ lines (principal + interest) + penalty + excess = amount, and no line pays more than is left of it.
 *
 * Paying ahead pays the next instalments as scheduled (interest included): there is no re-amortisation and no
 * interest rebate on an early payment yet (a foreclosure quote belongs to the later ledger).
 */
export interface InstalmentBalance {
  sequence: number;
  principalMicros: bigint;
  interestMicros: bigint;
  principalPaidMicros: bigint;
  interestPaidMicros: bigint;
}

export interface AllocationLine {
  sequence: number;
  principalMicros: bigint;
  interestMicros: bigint;
}

export interface Allocation {
  /** Only the instalments that receive something, oldest first. */
  lines: AllocationLine[];
  principalMicros: bigint;
  interestMicros: bigint;
  penaltyMicros: bigint;
  excessMicros: bigint;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** What is left to pay of an instalment (principal + interest). */
export function remainingOf(line: InstalmentBalance): bigint {
  return line.principalMicros - line.principalPaidMicros + (line.interestMicros - line.interestPaidMicros);
}

/**
 * Shares `amountMicros` (positive) out over `instalments` in the order above.
 * @throws RangeError when the amount is not positive, or an instalment is paid more than it is due (corrupt input).
 */
export function allocate(amountMicros: bigint, instalments: readonly InstalmentBalance[]): Allocation {
  if (amountMicros <= 0n) throw new RangeError('a repayment must be a positive amount');
  let left = amountMicros;
  const lines: AllocationLine[] = [];
  let principal = 0n;
  let interest = 0n;
  for (const line of [...instalments].sort((a, b) => a.sequence - b.sequence)) {
    if (left === 0n) break;
    const interestDue = line.interestMicros - line.interestPaidMicros;
    const principalDue = line.principalMicros - line.principalPaidMicros;
    if (interestDue < 0n || principalDue < 0n) throw new RangeError(`instalment ${line.sequence} is paid more than it is due`);
    const toInterest = min(left, interestDue);
    left -= toInterest;
    const toPrincipal = min(left, principalDue);
    left -= toPrincipal;
    if (toInterest > 0n || toPrincipal > 0n) {
      lines.push({ sequence: line.sequence, principalMicros: toPrincipal, interestMicros: toInterest });
      principal += toPrincipal;
      interest += toInterest;
    }
  }
  return { lines, principalMicros: principal, interestMicros: interest, penaltyMicros: 0n, excessMicros: left };
}

/** An instalment's status from what has been paid of it: PAID when nothing is left, PARTIALLY_PAID when something was paid, else unchanged. */
export function statusAfter<S extends string>(line: InstalmentBalance, current: S): S | 'PAID' | 'PARTIALLY_PAID' {
  if (remainingOf(line) === 0n) return 'PAID';
  if (line.principalPaidMicros > 0n || line.interestPaidMicros > 0n) return 'PARTIALLY_PAID';
  return current;
}
