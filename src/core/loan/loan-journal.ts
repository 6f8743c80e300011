import { LoanJournalEntry } from './servicing';

/**
 * The opening entries of a loan's transaction journal at disbursement: the amount paid out, then the processing
 * fee and its GST deducted from it, so the balance after them is the sanctioned principal.
 */
export function openingJournal(opening: { netDisbursalMicros: bigint; processingFeeMicros: bigint; gstMicros: bigint; reference: string; valueDate: string }): LoanJournalEntry[] {
  const { netDisbursalMicros: net, processingFeeMicros: fee, gstMicros: gst, reference, valueDate } = opening;
  return [
    { kind: 'DISBURSEMENT', direction: 'DEBIT', amountMicros: net, balanceAfterMicros: net, valueDate, reference, narration: 'Loan disbursed' },
    { kind: 'PROCESSING_FEE', direction: 'DEBIT', amountMicros: fee, balanceAfterMicros: net + fee, valueDate, reference, narration: 'Processing fee' },
    { kind: 'PROCESSING_FEE_GST', direction: 'DEBIT', amountMicros: gst, balanceAfterMicros: net + fee + gst, valueDate, reference, narration: 'GST on the processing fee' },
  ];
}
