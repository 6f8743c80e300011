import { JournalEntry } from '../ledger/journal';
import { interestEntry, ledgerKeys, repaymentEntry } from '../ledger/entries';
import { formatRupees } from '../money/money';
import { RepaymentAllocation } from './allocation';
import { Repayment } from './servicing';

/**
 * The ledger entries of a repayment that SUCCEEDED, from its allocation (allocation.ts):
 * 1. the interest it pays that the daily accrual had not booked yet (a payment during its due day, before that
 *    day's close of business), booked as earned (Dr INTEREST_RECEIVABLE / Cr INTEREST_INCOME); left out when none;
 * 2. the repayment: Dr COLLECTION_CLEARING with the whole amount / Cr CHARGES_RECEIVABLE, INTEREST_RECEIVABLE,
 *    LOAN_PRINCIPAL as allocated (a prepayment included), the excess to BORROWER_EXCESS.
 * Pure; posted in this order, in the transaction that moves the repayment to SUCCEEDED.
 */
export function repaymentEntries(
  repayment: Pick<Repayment, 'id' | 'loanId' | 'reference' | 'method' | 'amountMicros'>,
  allocation: Pick<RepaymentAllocation, 'lines' | 'chargesMicros' | 'interestMicros' | 'principalMicros' | 'excessMicros'> & { prepaymentMicros?: bigint },
  unbookedInterestMicros: bigint,
  valueDate: string,
): JournalEntry[] {
  const sequences = allocation.lines.map((l) => l.sequence);
  const which = sequences.length === 0 ? '' : sequences.length === 1 ? ` (instalment ${sequences[0]})` : ` (instalments ${sequences[0]}-${sequences[sequences.length - 1]})`;
  const entries: JournalEntry[] = [];
  if (unbookedInterestMicros > 0n) {
    entries.push(interestEntry({
      idempotencyKey: ledgerKeys.interestOnRepayment(repayment.id),
      loanId: repayment.loanId,
      valueDate,
      reference: repayment.reference,
      amountMicros: unbookedInterestMicros,
      narration: `Interest${which}`,
    }));
  }
  const prepaid = allocation.prepaymentMicros ?? 0n;
  const parts = [
    allocation.chargesMicros > 0n ? `charges ${formatRupees(allocation.chargesMicros)}` : '',
    `interest ${formatRupees(allocation.interestMicros)}`,
    `principal ${formatRupees(allocation.principalMicros)}`,
    prepaid > 0n ? `of which prepaid ${formatRupees(prepaid)}` : '',
    allocation.excessMicros > 0n ? `${formatRupees(allocation.excessMicros)} beyond what was due, to be refunded` : '',
  ].filter(Boolean).join(', ');
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
    narration: `Repayment by ${repayment.method}${which}: ${parts}`,
  }));
  return entries;
}
