import { isValidIsoDate } from '../../../core/shared/dates';
import { loanDetails, loanStatus, loanTerms } from '../ocen-loan-mappers';
import { OCEN_PAN, istDayWindow, ocenStatement } from '../../shared/ocen-family';
import { OcenCore, OcenRefusal, defineOcenOperation, textOf } from '../ocen-operation';
import { servicedLoanOf } from './loan-servicing';
import { Borrower, untrusted } from '../ocen-wire';

type LoanContext = { loanApplicationId: string };

/** getloanRequest and loanStatementSummaryRequest answer the same body (the loan, its status, dates and summary). */
const loanSummary = (
  core: OcenCore,
  request: 'loanDetails/getloanRequest' | 'loanDetails/loanStatementSummaryRequest',
  response: 'loanDetails/getloanResponse' | 'loanDetails/loanStatementSummaryResponse',
) => defineOcenOperation({
  request,
  response,

  async accept({ partnerId, body }) {
    const { ref } = await servicedLoanOf(core, partnerId, body);
    core.servicing.collectionAccount(); // a deployment with no collection account refuses now, not in the worker
    return { subjects: [ref.externalReference], context: { loanApplicationId: ref.externalReference } };
  },

  async answer({ partnerId }, { loanApplicationId }: LoanContext) {
    const loan = await core.servicing.loan({ partnerId, externalReference: loanApplicationId });
    return loanDetails(await core.positions.ofLoan(loan), core.servicing.collectionAccount(), (r) => core.servicing.paymentUrl(r));
  },
});

/** getloanRequest: the loan's status, dates and summary (amounts paid and pending, next and current repayment). */
export const getLoan = (core: OcenCore) => loanSummary(core, 'loanDetails/getloanRequest', 'loanDetails/getloanResponse');

/** loanStatementSummaryRequest ("Loan Summary"): the same body as getloanResponse. */
export const loanStatementSummary = (core: OcenCore) => loanSummary(core, 'loanDetails/loanStatementSummaryRequest', 'loanDetails/loanStatementSummaryResponse');

/** An optional YYYY-MM-DD bound of a request. */
function dateBound(bound: unknown, name: string): string | undefined {
  const value = textOf(bound);
  if (value === undefined || value === '') return undefined;
  if (!isValidIsoDate(value)) throw new OcenRefusal('INVALID_REQUEST', `${name} must be a YYYY-MM-DD date`, 400);
  return value;
}

/**
 * loanStatementRequest: the loan's statement read from the ledger (borrowerStatement) between startDate and
 * endDate (value dates, both optional, inclusive): the disbursement, the fee and its GST (WITHDRAWL), the interest
 * accrued (WITHDRAWL, the daily accruals summarised per instalment period: ocenStatement), charges levied
 * (WITHDRAWL), each repayment or mandate debit (DEPOSIT), a refund of excess (WITHDRAWL); the closing balance is
 * what the borrower owes after the row, summed from the ledger's postings.
 */
export const loanStatement = (core: OcenCore) => defineOcenOperation({
  request: 'loanDetails/loanStatementRequest',
  response: 'loanDetails/loanStatementResponse',

  async accept({ partnerId, body }) {
    const { ref } = await servicedLoanOf(core, partnerId, body);
    const startDate = dateBound(body.startDate, 'startDate');
    const endDate = dateBound(body.endDate, 'endDate');
    if (startDate && endDate && startDate > endDate) throw new OcenRefusal('INVALID_REQUEST', 'startDate is after endDate', 400);
    return { subjects: [ref.externalReference], context: { loanApplicationId: ref.externalReference, startDate, endDate } };
  },

  async answer({ partnerId }, { loanApplicationId, startDate, endDate }) {
    const { loan, entries } = await core.servicing.statement({ partnerId, externalReference: loanApplicationId }, startDate, endDate);
    return { loanId: loan.lenderReference, loanStatus: loanStatus(await core.positions.ofLoan(loan)), accountStatement: ocenStatement(entries, loan.instalments) };
  },
});

/**
 * listloansRequest: this agent's disbursed loans of the borrower (matched by PAN, through the keyed hash the core
 * keeps; never another agent's loans), disbursed between startDate and endDate (YYYY-MM-DD, Indian calendar,
 * optional). The answer is v3-style: `response: {error: "0"}`.
 */
export const listLoans = (core: OcenCore) => defineOcenOperation({
  request: 'loanDetails/listloansRequest',
  response: 'loanDetails/listLoansResponse',

  async accept({ partnerId, body }) {
    const borrower = untrusted<Borrower>(body.borrower);
    const pan = textOf(borrower.primaryId)?.toUpperCase();
    if (borrower.primaryIdType !== 'PAN' || !pan || !OCEN_PAN.test(pan)) throw new OcenRefusal('INVALID_REQUEST', 'Loans are listed by the borrower\'s PAN: borrower.primaryIdType must be PAN with a valid PAN', 400);
    const startDate = dateBound(body.startDate, 'startDate');
    const endDate = dateBound(body.endDate, 'endDate');
    const loans = await core.servicing.loansOfBorrower(partnerId, pan, istDayWindow(startDate, endDate));
    const ids = loans.map((loan) => loan.externalReference);
    return { subjects: ids, context: { loanApplicationIds: ids } };
  },

  async answer({ partnerId }, { loanApplicationIds }) {
    const loans = [];
    for (const id of loanApplicationIds) {
      const loan = await core.servicing.loan({ partnerId, externalReference: id });
      loans.push({ loanId: loan.lenderReference, loanStatus: loanStatus(await core.positions.ofLoan(loan)), terms: loanTerms(loan) });
    }
    return { response: { error: '0' }, loans };
  },
});
