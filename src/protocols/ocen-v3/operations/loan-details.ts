import { isValidIsoDate, istDate } from '../../../core/shared/dates';
import { V3Refusal } from '../ocen-v3-envelope';
import { v3Amount, v3Borrower, v3EndDate, v3LoanStatus, v3LoanSummary, v3LoanTerms } from '../ocen-v3-mappers';
import { OCEN_PAN, istDayWindow, ocenStatement } from '../../shared/ocen-family';
import { V3Core, defineV3Operation, v3LoanOf } from '../ocen-v3-operation';

type LoanContext = { loanApplicationId: string };

/** A disbursed loan of the agent behind a v3 `loanId` (getLoan, loanSummary, loanStatement read only disbursed loans). */
async function servicedLoan(core: V3Core, partnerId: string, loanId: string): Promise<LoanContext> {
  const application = await v3LoanOf(core, partnerId, loanId);
  if (application.applicationState !== 'DISBURSED') throw new V3Refusal('LOAN_NOT_DISBURSED', `Loan ${JSON.stringify(loanId)} is not disbursed yet`, 409);
  return { loanApplicationId: application.externalReference };
}

/** An optional YYYY-MM-DD bound of a request. */
function dateBound(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isValidIsoDate(value)) throw new V3Refusal('INVALID_REQUEST', `${name} must be a YYYY-MM-DD date`, 400);
  return value;
}

/** getLoanRequest: the disbursed loan, its status and dates, the borrower, terms and the chosen plans (from the same serviced loan as OCEN 4.0's getloan). */
export const getLoan = (core: V3Core) => defineV3Operation<'loan/getLoanRequest', LoanContext>({
  request: 'loan/getLoanRequest',

  async accept({ partnerId, body }) {
    const context = await servicedLoan(core, partnerId, body.loanId);
    return { subjects: [context.loanApplicationId], context };
  },

  async answer({ partnerId }, { loanApplicationId }) {
    const ref = { partnerId, externalReference: loanApplicationId };
    const loan = await core.servicing.loan(ref);
    const position = await core.positions.ofLoan(loan);
    const application = await core.facts.get(ref);
    const terms = v3LoanTerms(loan);
    // The plan as it stands: instalments CANCELLED by a re-amortisation or a foreclosure are not counted.
    const live = loan.instalments.filter((line) => line.status !== 'CANCELLED');
    const plan = { id: `${loan.lenderReference}-EMI`, automatic: true, scheduleType: 'RECURRING' as const, frequency: 'MONTHLY' as const, noOfInstallments: String(live.length), totalAmount: terms.totalAmount ?? terms.sanctionedAmount ?? terms.requestedAmount, tenure: terms.tenure, ...(live[0] ? { startDate: live[0].dueDate } : {}) };
    return {
      loanId: loan.lenderReference,
      loanStatus: v3LoanStatus(position),
      createdDate: istDate(loan.createdAt),
      startDate: istDate(loan.disbursedAt),
      endDate: v3EndDate(loan),
      type: 'PERSONAL',
      borrower: v3Borrower(core.acceptance.borrower(application)),
      lender: { primaryId: core.orgId, primaryIdType: 'FIU', name: core.lenderName, category: 'ORGANIZATION', contactDetails: [], documents: [] },
      collaterals: [],
      guarantors: [],
      applicants: [],
      terms,
      disbursement: { plan: { id: `${loan.lenderReference}-DISBURSEMENT`, automatic: true, scheduleType: 'ONE_TIME', noOfInstallments: '1', totalAmount: v3Amount(loan.disbursedMicros), startDate: istDate(loan.disbursedAt) } },
      repayment: { plan },
    };
  },
});

/** LoanSummaryRequest: amounts paid and pending (from the ledger), the next instalment, status and dates. */
export const loanSummary = (core: V3Core) => defineV3Operation<'loan/LoanSummaryRequest', LoanContext>({
  request: 'loan/LoanSummaryRequest',

  async accept({ partnerId, body }) {
    const context = await servicedLoan(core, partnerId, body.loanId);
    return { subjects: [context.loanApplicationId], context };
  },

  async answer({ partnerId }, { loanApplicationId }) {
    const loan = await core.servicing.loan({ partnerId, externalReference: loanApplicationId });
    const position = await core.positions.ofLoan(loan);
    return {
      loanId: loan.lenderReference,
      loanStatus: v3LoanStatus(position),
      createdDate: istDate(loan.createdAt),
      startDate: istDate(loan.disbursedAt),
      endDate: v3EndDate(loan),
      summary: v3LoanSummary(position),
    };
  },
});

/** loanStatementRequest: the loan's statement read from the ledger between startDate and endDate (value dates, optional, inclusive), the daily accruals summarised per instalment period (ocenStatement, as OCEN 4.0). */
export const loanStatement = (core: V3Core) => defineV3Operation<'loan/loanStatementRequest', LoanContext & { startDate?: string; endDate?: string }>({
  request: 'loan/loanStatementRequest',

  async accept({ partnerId, body }) {
    const context = await servicedLoan(core, partnerId, body.loanId);
    const startDate = dateBound(body.startDate, 'startDate');
    const endDate = dateBound(body.endDate, 'endDate');
    if (startDate && endDate && startDate > endDate) throw new V3Refusal('INVALID_REQUEST', 'startDate is after endDate', 400);
    return { subjects: [context.loanApplicationId], context: { ...context, startDate, endDate } };
  },

  async answer({ partnerId }, { loanApplicationId, startDate, endDate }) {
    const { loan, entries } = await core.servicing.statement({ partnerId, externalReference: loanApplicationId }, startDate, endDate);
    return { loanId: loan.lenderReference, accountStatement: ocenStatement(entries, loan.instalments) };
  },
});

/**
 * listLoansRequest: this agent's disbursed loans of the borrower (matched by PAN through the core's keyed hash;
 * never another agent's), disbursed between startDate and endDate (YYYY-MM-DD, Indian calendar, optional).
 */
export const listLoans = (core: V3Core) => defineV3Operation<'loan/listLoansRequest', { loanApplicationIds: string[] }>({
  request: 'loan/listLoansRequest',

  async accept({ partnerId, body }) {
    const pan = body.borrower.primaryId.toUpperCase();
    if (body.borrower.primaryIdType !== 'PAN' || !OCEN_PAN.test(pan)) throw new V3Refusal('INVALID_REQUEST', 'Loans are listed by the borrower\'s PAN: borrower.primaryIdType must be PAN with a valid PAN', 400);
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
      loans.push({ loanId: loan.lenderReference, terms: v3LoanTerms(loan) });
    }
    return { loans };
  },
});
