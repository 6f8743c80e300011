import type { CollectionNoticeContext } from '../../../core/lending/partner-answers';
import { noticeText } from '../../../core/servicing/collection.service';
import { ocenBouncedDescription, ocenDebitedDescription } from '../../shared/ocen-family';
import type * as W from '../../../generated/ocen-v3/ocen-v3-types';
import type { V3Core } from '../ocen-v3-operation';
import { v3Amount, v3RepaymentPayment } from '../ocen-v3-mappers';

/** The schema of v3's confirmRepayment (v3-SPEC `Repayment/schema/Version 0.0.1/Confirm Repayment/`). */
export const V3_CONFIRM_REPAYMENT_SCHEMA = 'Repayment/schema/Version 0.0.1/Confirm Repayment/ConfirmRepaymentRequest.json';

/**
 * v3 confirmRepaymentRequest (lender → LSP, unsolicited) for a mandate collection of the lender's own: the same
 * three messages as OCEN 4.0's (docs/ocen.md §4.4), amounts as strings; v3's message has no `paymentMethod`.
 * `payment.id` is the collection's reference in the notice (PENDING_AUTH), the debit (SUCCESS) and a bounce (FAILURE).
 */
export async function v3ConfirmRepaymentMembers(core: V3Core, notice: CollectionNoticeContext): Promise<{ loanId: string; payment: W.Payment }> {
  const collection = await core.collections.collection(notice.collectionId);
  if (!collection) throw new Error(`No collection ${notice.collectionId}`);
  const loan = await core.servicing.loanById(notice.loanId);
  const base = { id: collection.reference, date: collection.debitDate, installmentNumber: String(collection.instalmentSequence), paymentMethodType: 'ENACH' as const };
  let payment: W.Payment;
  if (notice.event === 'DEBITED') {
    const repayment = await core.servicing.repaymentByReference(collection.reference);
    payment = { ...v3RepaymentPayment(repayment), ...base, date: repayment.valueDate ?? collection.debitDate, description: ocenDebitedDescription(collection) };
  } else if (notice.event === 'BOUNCED') {
    payment = {
      ...base,
      totalAmount: v3Amount(collection.amountMicros),
      status: 'FAILURE',
      txnRefNo: collection.reference,
      description: ocenBouncedDescription(collection, loan.charges),
    };
  } else {
    payment = { ...base, totalAmount: v3Amount(collection.amountMicros), status: 'PENDING_AUTH', description: noticeText(collection, loan.lenderReference, core.lenderName) };
  }
  return { loanId: loan.lenderReference, payment };
}
