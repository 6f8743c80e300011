import type { CollectionNoticeContext } from '../../../core/lending/partner-answers';
import { noticeText } from '../../../core/servicing/collection.service';
import { ocenBouncedDescription, ocenDebitedDescription } from '../../shared/ocen-family';
import type { OcenCore } from '../ocen-operation';
import { ocenRupees } from '../ocen-mappers';
import { repaymentPayment } from '../ocen-loan-mappers';
import type { OcenPayload, Payment } from '../ocen-wire';

/**
 * confirmRepaymentRequest (lender → loan agent, unsolicited; 4.0-API: "to inform LA about the status of a repayment
 * handled directly by the lender (… auto E-Mandate repayment)"), for a mandate collection of the lender's own
 * (docs/ocen.md §4.4). `payment.id` is the collection's reference in all three messages of one debit, so the agent
 * can match them:
 *
 * | event | payment.status | payment |
 * |---|---|---|
 * | PRE_DEBIT_NOTICE | PENDING_AUTH | the amount and date to be debited, the notice's text as `description` |
 * | DEBITED | SUCCESS | the repayment as triggerRepaymentStatus shows one: rail reference, principal, interest, penalty |
 * | BOUNCED | FAILURE | the amount presented, the bounce code and reason, the bounce charge levied |
 *
 * `paymentMethod` is the e-mandate (id its UMRN; CANCELLED once the loan is closed, else ACTIVE).
 */
export async function confirmRepaymentMembers(core: OcenCore, notice: CollectionNoticeContext): Promise<OcenPayload<'repayment/confirmRepaymentRequest'>> {
  const collection = await core.collections.collection(notice.collectionId);
  if (!collection) throw new Error(`No collection ${notice.collectionId}`);
  const loan = await core.servicing.loanById(notice.loanId);
  const base = { id: collection.reference, date: collection.debitDate, installmentNumber: collection.instalmentSequence, paymentMethodType: 'ENACH' as const };
  let payment: Payment;
  if (notice.event === 'DEBITED') {
    const repayment = await core.servicing.repaymentByReference(collection.reference);
    payment = { ...repaymentPayment(repayment), ...base, date: repayment.valueDate ?? collection.debitDate, description: ocenDebitedDescription(collection) };
  } else if (notice.event === 'BOUNCED') {
    payment = {
      ...base,
      totalAmount: ocenRupees(collection.amountMicros),
      status: 'FAILURE',
      txnRefNo: collection.reference,
      description: ocenBouncedDescription(collection, loan.charges),
    };
  } else {
    payment = { ...base, totalAmount: ocenRupees(collection.amountMicros), status: 'PENDING_AUTH', description: noticeText(collection, loan.lenderReference, core.lenderName) };
  }
  return {
    loanId: loan.lenderReference,
    payment,
    paymentMethod: { id: collection.umrn, type: 'ENACH', status: loan.state === 'CLOSED' ? 'CANCELLED' : 'ACTIVE', description: `The repayment e-mandate ${collection.umrn}` },
  };
}
