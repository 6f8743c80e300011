import { operationRefusals } from '../ocen-errors';
import { isValidIsoDate } from '../../../core/shared/dates';
import { isPaymentMethod, loanStatus, repaymentPayment } from '../ocen-loan-mappers';
import { microsOfRupees } from '../ocen-mappers';
import { OcenCore, OcenRefusal, defineOcenOperation, textOf } from '../ocen-operation';
import { servicedLoanOf } from './loan-servicing';
import { OcenMessage, OcenPayload, Payment, untrusted } from '../ocen-wire';

type RepaymentContext = { loanApplicationId: string; reference: string };

/** The repayment of the context with the loan's current status, as triggerRepayment(Status)Response members. */
async function repaymentAnswer(core: OcenCore, partnerId: string, { loanApplicationId, reference }: RepaymentContext): Promise<OcenPayload<'repayment/triggerRepaymentResponse' | 'repayment/triggerRepaymentStatusResponse'>> {
  const loan = await core.servicing.loan({ partnerId, externalReference: loanApplicationId });
  const repayment = await core.servicing.repaymentByReference(reference);
  return { loanId: loan.lenderReference, loanStatus: loanStatus(await core.positions.ofLoan(loan)), payment: repaymentPayment(repayment, core.servicing.paymentUrl(repayment)) };
}

/**
 * triggerRepaymentRequest: the agent asks to collect `payment.totalAmount` (rupees, two decimals at most, no more
 * than is left to pay) for the loan, optionally naming an instalment. A repayment is recorded PENDING and the
 * answer carries its payment page (`payment.paymentUrl`, status PENDING_AUTH) where the borrower pays; the
 * payment is applied to the loan when the provider confirms it (triggerRepaymentStatusRequest reads it back).
 * `payment.id`, the agent's id of the payment, is kept (once per loan) and echoed.
 */
export const triggerRepayment = (core: OcenCore) => defineOcenOperation({
  request: 'repayment/triggerRepaymentRequest',
  response: 'repayment/triggerRepaymentResponse',

  async accept({ partnerId, body }) {
    const { ref } = await servicedLoanOf(core, partnerId, body);
    const payment = untrusted<Payment>(body.payment);
    const amountMicros = microsOfRupees(payment.totalAmount);
    if (amountMicros === undefined) throw new OcenRefusal('INVALID_REQUEST', 'payment.totalAmount must be a positive amount of rupees with at most two decimals', 400);
    const instalment = payment.installmentNumber;
    if (instalment !== undefined && !(typeof instalment === 'number' && Number.isInteger(instalment) && instalment > 0)) {
      throw new OcenRefusal('INVALID_REQUEST', 'payment.installmentNumber must be a positive whole number', 400);
    }
    const { repayment } = await core.servicing.trigger({
      ...ref,
      amountMicros,
      method: isPaymentMethod(payment.paymentMethodType) ? payment.paymentMethodType : 'UPI',
      partnerPaymentId: textOf(payment.id),
      instalmentSequence: instalment as number | undefined,
    });
    return { subjects: [ref.externalReference], context: { loanApplicationId: ref.externalReference, reference: repayment.reference } };
  },

  answer: ({ partnerId }, context) => repaymentAnswer(core, partnerId, context),
});

/** triggerRepaymentStatusRequest: the state of a repayment of the loan (by the agent's `payment.id`, or our reference): PENDING_AUTH, SUCCESS or FAILURE. */
export const triggerRepaymentStatus = (core: OcenCore) => defineOcenOperation({
  request: 'repayment/triggerRepaymentStatusRequest',
  response: 'repayment/triggerRepaymentStatusResponse',

  async accept({ partnerId, body }) {
    const { ref } = await servicedLoanOf(core, partnerId, body);
    const id = textOf(untrusted<Payment>(body.payment).id);
    if (!id) throw new OcenRefusal('INVALID_REQUEST', 'payment.id is required', 400);
    try {
      const repayment = await core.servicing.repayment(ref, id);
      return { subjects: [ref.externalReference], context: { loanApplicationId: ref.externalReference, reference: repayment.reference } };
    } catch (err) {
      throw operationRefusals.unknownPayment(err, id);
    }
  },

  answer: ({ partnerId }, context) => repaymentAnswer(core, partnerId, context),
});

type ConditionUpdate = OcenMessage<'repayment/repaymentConditionChangeRequest'>['repaymentConditionUpdate'];

interface ConditionContext {
  loanId: string;
  changedCondition: ConditionUpdate['changedCondition'];
  repaymentDate: string;
  amount: number;
  status: 'ACCEPTED' | 'REJECTED';
}

/**
 * repaymentConditionChangeRequest: decided at once by the core's policy (LoanServicingService.changeConditions:
 * only a one-time move of the next instalment's due date by 1 to 15 days is ACCEPTED; anything else is REJECTED
 * and referred to the bank's loan operations team) and recorded whatever the decision. The answer carries the
 * status and, when accepted, the new due date. The schema of repaymentConditionChangeResponse has no member for a
 * reason (nor `response`), so the decision's description is kept with the recorded request only.
 */
export const repaymentConditionChange = (core: OcenCore) => defineOcenOperation({
  request: 'repayment/repaymentConditionChangeRequest',
  response: 'repayment/repaymentConditionChangeResponse',

  async accept({ partnerId, body }) {
    const { ref, loan } = await servicedLoanOf(core, partnerId, body);
    const update = untrusted<ConditionUpdate>(body.repaymentConditionUpdate);
    const changedCondition = textOf(update.changedCondition);
    const repaymentDate = textOf(update.repaymentDate);
    const amountMicros = microsOfRupees(update.amount, true);
    if (!changedCondition || !repaymentDate || !isValidIsoDate(repaymentDate) || amountMicros === undefined) {
      throw new OcenRefusal('INVALID_REQUEST', 'repaymentConditionUpdate needs changedCondition, repaymentDate (YYYY-MM-DD) and amount (rupees, at most two decimals)', 400);
    }
    const decision = await core.servicing.changeConditions({ ...ref, changedCondition, requestedDate: repaymentDate, amountMicros });
    // Echoed as the schema checked them (changedCondition one of its values, amount a number).
    const { changedCondition: condition, amount } = body.repaymentConditionUpdate;
    const context: ConditionContext = { loanId: loan.lenderReference, changedCondition: condition, repaymentDate: decision.dueDate ?? repaymentDate, amount, status: decision.decision };
    return { subjects: [ref.externalReference], context };
  },

  async answer(_answering, context) {
    const { loanId, changedCondition, repaymentDate, amount, status } = context;
    return { loanId, repaymentConditionUpdate: { changedCondition, repaymentDate, amount, status } };
  },
});
