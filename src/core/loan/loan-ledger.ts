import { JournalEntry } from '../ledger/journal';
import { interestEntry, ledgerKeys, repaymentEntry } from '../ledger/entries';
import { formatRupees } from '../money/money';
import { RepaymentAllocation } from './allocation';
import { Repayment } from './servicing';

/**
 * The ledger entries of a repayment that SUCCEEDED, from its allocation (allocation.ts) and the loan's interest
 * receivable before it:
 * 1. the interest it pays that is not yet receivable, booked as earned (Dr INTEREST_RECEIVABLE / Cr
 *    INTEREST_INCOME). Today that is all of it, as nothing accrues; once the daily accrual books interest as it
 *    is earned, only what is paid ahead of it. Left out when there is none.
 * 2. the repayment: Dr COLLECTION_CLEARING with the whole amount / Cr CHARGES_RECEIVABLE, INTEREST_RECEIVABLE,
 *    LOAN_PRINCIPAL as allocated, the excess to BORROWER_EXCESS.
 * Pure; posted in this order, in the transaction that moves the repayment to SUCCEEDED.
 */
export function repaymentEntries(repayment: Pick<Repayment, 'id' | 'loanId' | 'reference' | 'method' | 'amountMicros'>, allocation: Pick<RepaymentAllocation, 'lines' | 'chargesMicros' | 'interestMicros' | 'principalMicros' | 'excessMicros'>, interestReceivableMicros: bigint, valueDate: string): JournalEntry[] {
  const sequences = allocation.lines.map((l) => l.sequence);
  const which = sequences.length === 0 ? '' : sequences.length === 1 ? ` (instalment ${sequences[0]})` : ` (instalments ${sequences[0]}-${sequences[sequences.length - 1]})`;
  const entries: JournalEntry[] = [];
  const earned = allocation.interestMicros - (interestReceivableMicros > 0n ? interestReceivableMicros : 0n);
  if (earned > 0n) {
    entries.push(interestEntry({
      idempotencyKey: ledgerKeys.interestOnRepayment(repayment.id),
      loanId: repayment.loanId,
      valueDate,
      reference: repayment.reference,
      amountMicros: earned,
      narration: `Interest${which}`,
    }));
  }
  const excess = allocation.excessMicros > 0n ? `; ${formatRupees(allocation.excessMicros)} beyond what was due, to be refunded` : '';
  entries.push(repaymentEntry({
    repaymentId: repayment.id,
    loanId: repayment.loanId,
    valueDate,
    reference: repayment.reference,
    amountMicros: repayment.amountMicros,
    chargesMicros: allocation.chargesMicros,
    interestMicros: allocation.interestMicros,
    principalMicros: allocation.principalMicros,
    excessMicros: allocation.excessMicros,
    narration: `Repayment by ${repayment.method}${which}: principal ${formatRupees(allocation.principalMicros)}, interest ${formatRupees(allocation.interestMicros)}${excess}`,
  }));
  return entries;
}
