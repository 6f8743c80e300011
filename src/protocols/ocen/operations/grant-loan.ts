import { operationRefusals } from '../ocen-errors';
import { istDate } from '../../../core/shared/dates';
import { concreteOffers } from '../ocen-mappers';
import { OcenCore, applicationOf, defineOcenOperation, loanApplicationIdOf } from '../ocen-operation';
import { viewOf } from './application-facts';

/**
 * grantLoanRequest: grants the signed loan on the core (SIGNED → GRANTED) and answers `loanDetails`: `loanId` (the
 * application's lender reference, the OCEN loan id from now on), GRANTED, `createdDate` (when it was granted),
 * `startDate` (that day, IST) and `endDate` (the last instalment's due date, counting from that day, as the core's RepaymentPlans gives it; the schedule
 * itself starts from the disbursement), the borrower as recorded, and our offer for the signed terms. A loan
 * granted already is answered again as it is. Refused (ack, nothing recorded): a loan whose agreement is not
 * signed yet (LOAN_NOT_SIGNED, 409).
 */
export const grantLoan = (core: OcenCore) => defineOcenOperation({
  request: 'grantLoan/grantLoanRequest',
  response: 'grantLoan/grantLoanResponse',

  async accept({ partnerId, body }) {
    const id = loanApplicationIdOf(body);
    await applicationOf(core, partnerId, id);
    try {
      await core.acceptance.grant({ partnerId, externalReference: id });
    } catch (err) {
      throw operationRefusals.loanNotSigned(err);
    }
    return { subjects: [id], context: { loanApplicationId: id, grantedAt: core.clock.now().toISOString() } };
  },

  async answer({ partnerId }, { loanApplicationId, grantedAt }) {
    const view = await viewOf(core, { partnerId, externalReference: loanApplicationId });
    const { application } = view;
    const granted = new Date(grantedAt);
    const plan = await core.repaymentPlans.of(application, granted);
    const offer = view.offer && plan
      ? concreteOffers(view.offer, application.requestedAmountMicros, granted).find((o) => o.tenureMonths === plan.tenureMonths && o.amountMicros === plan.principalMicros)
      : undefined;
    const borrower = core.acceptance.borrower(application);
    return {
      loanDetails: {
        loanId: application.lenderReference,
        loanApplicationId,
        loanApplicationStatus: view.status,
        createdDate: grantedAt,
        startDate: plan?.startDate ?? istDate(granted),
        endDate: plan?.lastDueDate ?? istDate(granted),
        borrower: {
          primaryId: borrower.pan,
          primaryIdType: 'PAN',
          category: 'INDIVIDUAL',
          ...(borrower.fullName ? { name: borrower.fullName } : {}),
          contactDetails: borrower.phone ? [{ type: 'PRIMARY', phone: borrower.phone.nationalNumber }] : [],
        },
        ...(offer ? { offer: offer.body } : {}),
      },
    };
  },
});
