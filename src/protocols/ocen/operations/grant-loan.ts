import { operationRefusals } from '../ocen-errors';
import { buildSchedule } from '../../../core/money/emi';
import { addMonthsClamped, istDate } from '../../../core/shared/dates';
import { concreteOffers } from '../ocen-mappers';
import { OcenCore, applicationOf, defineOcenOperation, loanApplicationIdOf } from '../ocen-operation';
import { viewOf } from './application-facts';

/**
 * grantLoanRequest: grants the signed loan on the core (SIGNED → GRANTED) and answers `loanDetails`: `loanId` (the
 * application's lender reference, the OCEN loan id from now on), GRANTED, `createdDate` (when it was granted),
 * `startDate` (that day, IST) and `endDate` (the last instalment's due date, counting from that day; the schedule
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
    const ref = { partnerId, externalReference: loanApplicationId };
    const view = await viewOf(core, ref);
    const { application } = view;
    const terms = await core.acceptance.terms(application);
    const granted = new Date(grantedAt);
    const startDate = istDate(granted);
    const tenureMonths = terms?.tenureMonths ?? 0;
    const schedule = terms ? buildSchedule({ principalMicros: terms.amountMicros, annualRateE5: BigInt(terms.interestRateE5), tenureMonths }, addMonthsClamped(startDate, 1)) : [];
    const offer = view.offer && terms ? concreteOffers(view.offer, application.requestedAmountMicros, granted).find((o) => o.tenureMonths === tenureMonths && o.amountMicros === terms.amountMicros) : undefined;
    const borrower = core.acceptance.borrower(application);
    return {
      loanDetails: {
        loanId: application.lenderReference,
        loanApplicationId,
        loanApplicationStatus: view.status,
        createdDate: grantedAt,
        startDate,
        endDate: schedule.length ? schedule[schedule.length - 1].dueDate : startDate,
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
