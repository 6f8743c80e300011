/**
 * The OCEN loan details and repayments of a disbursed loan over HTTP, on the real server and a fake network
 * (test/support/ocen-lender-harness.ts): getloan, loanStatementSummary, loanStatement, listloans, triggerRepayment and
 * its status with the payment completed on the sandbox payment page, repaymentConditionChange, isolation
 * between loan agents, and servicing days run by the sandbox servicing clock: a bounced and retried mandate debit
 * (confirmRepaymentRequest), an overdue instalment, and a closed loan. Every callback is checked against the patched loan.json and its signature.
 */
import { randomUUID } from 'node:crypto';
import { LoanAgent } from '../support/ocen-network';
import { OcenLenderHarness, ocenEnvelope, ocenLoanApplication, startOcenLender } from '../support/ocen-lender-harness';
import { disbursedLoan as disburse, uniquePan } from '../support/ocen-loan-fixtures';
import { newPhone } from '../support/journey';
import { eventually } from '../support/test-app';
import { setBusinessDate } from '../support/business-date';

const agent = new LoanAgent('la-loans-one');
const other = new LoanAgent('la-loans-two');
let h: OcenLenderHarness;

beforeAll(async () => {
  h = await startOcenLender([agent, other]);
});

afterAll(async () => {
  // Every callback of this file, whatever the test, matched the patched schema and was signed by us.
  const all = [...h.endpoint(agent).received, ...h.endpoint(other).received];
  expect(all.filter((r) => !r.schemaValid || !r.signatureValid).map((r) => r.path)).toEqual([]);
  await h?.stop();
});

/** A loan of `agent` disbursed to a borrower with this PAN (a phone of its own): createLoanRequest over HTTP, then the core fixture up to the payout. */
async function disbursedLoan(pan = uniquePan()): Promise<{ loanId: string; loanApplicationId: string; pan: string }> {
  const loanApplicationId = `app-${randomUUID()}`;
  await h.ask(agent, 'loanApplications/createLoanRequest', { loanApplications: [ocenLoanApplication(loanApplicationId, '1234', { pan, phone: newPhone().nationalNumber })] });
  const { loanId } = await disburse(h.app.services, { partnerId: agent.participantId, externalReference: loanApplicationId });
  return { loanId, loanApplicationId, pan };
}

const getLoan = async (loanId: string, from = agent) => (await h.ask(from, 'loanDetails/getloanRequest', { loanId })).body;

describe('loan details of a disbursed loan', () => {
  it('getloan answers the loan: its id, the lender account, status HEALTHY (nothing due yet), dates and the summary in rupee strings', async () => {
    const { loanId } = await disbursedLoan();
    const answer = await h.ask(agent, 'loanDetails/getloanRequest', { loanId });
    expect(answer).toMatchObject({ schemaValid: true, signatureValid: true, path: '/ocen/v4.0.0alpha/loanDetails/getloanResponse' });
    const body = answer.body;
    expect(body).toMatchObject({ response: { status: 'SUCCESS' }, loanId, loanStatus: 'HEALTHY', lenderAccount: { accountDataType: 'ACCOUNT', data: { accountIFSC: expect.any(String) } } });
    expect(body.startDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(body.endDate > body.startDate).toBe(true);
    expect(body.summary).toMatchObject({
      principalPaid: '0.00', interestPaid: '0.00', penaltyPaid: '0.00', amountRepaid: '0.00',
      principalPending: '100000.00',
      tenure: { duration: 12, unit: 'MONTH' },
      nextRepayment: { installmentNumber: 1, status: 'PENDING_AUTH' },
    });
    expect(Number(body.summary.amountDisbursed)).toBeLessThan(100000);
    expect(Number(body.summary.interestPending)).toBeGreaterThan(0);
  });

  it('loanStatementSummary answers the same body as getloan', async () => {
    const { loanId } = await disbursedLoan();
    const loan = await getLoan(loanId);
    const summary = await h.ask(agent, 'loanDetails/loanStatementSummaryRequest', { loanId });
    expect(summary.schemaValid).toBe(true);
    const { metadata: _a, ...same } = summary.body;
    const { metadata: _b, ...expected } = loan;
    expect(same).toEqual(expected);
  });

  it('loanStatement lists the disbursement, the fee and its GST as WITHDRAWL, closing at the principal owed', async () => {
    const { loanId } = await disbursedLoan();
    const statement = (await h.ask(agent, 'loanDetails/loanStatementRequest', { loanId })).body;
    expect(statement.loanId).toBe(loanId);
    expect(statement.accountStatement.map((t: any) => t.type)).toEqual(['WITHDRAWL', 'WITHDRAWL', 'WITHDRAWL']);
    expect(statement.accountStatement[2].closingBalance).toBe('100000.00');
    const outside = (await h.ask(agent, 'loanDetails/loanStatementRequest', { loanId, startDate: '2000-01-01', endDate: '2000-12-31' })).body;
    expect(outside.accountStatement).toEqual([]);
  });

  it('listloans lists the agent\'s loans of the borrower by PAN with their terms, v3-style response {error: "0"}', async () => {
    const first = await disbursedLoan();
    const second = await disbursedLoan(first.pan);
    const borrower = { primaryId: first.pan, primaryIdType: 'PAN', category: 'INDIVIDUAL', contactDetails: [{ type: 'PRIMARY', phone: '9876543210' }] };
    const listed = await h.ask(agent, 'loanDetails/listloansRequest', { borrower });
    expect(listed.path).toBe('/ocen/v4.0.0alpha/loanDetails/listLoansResponse');
    expect(listed.body.response).toEqual({ error: '0' });
    expect(listed.body.loans.map((l: any) => l.loanId)).toEqual([first.loanId, second.loanId]);
    expect(listed.body.loans[0]).toMatchObject({ loanStatus: 'HEALTHY', terms: { requestedAmount: 100000, sanctionedAmount: 100000, currency: 'INR', interestType: 'FIXED', tenure: { duration: 12, unit: 'MONTH' } } });
  });
});

describe('a repayment', () => {
  it('when the agent triggers a repayment and the borrower pays on the payment page, then its status, the statement and the summary show it', async () => {
    const { loanId, loanApplicationId } = await disbursedLoan();
    // On instalment 1's due date (paid a month ahead, the same amount would be a prepayment of principal).
    const first = (await h.app.services.servicing.loan({ partnerId: agent.participantId, externalReference: loanApplicationId })).instalments[0];
    await setBusinessDate(h.app, first.dueDate);
    const emi = (await getLoan(loanId)).summary.nextRepayment.totalAmount as number;
    const paymentId = `pay-${randomUUID()}`;
    const payment = { id: paymentId, totalAmount: emi, status: 'PENDING_AUTH', paymentMethodType: 'UPI', installmentNumber: 1 };

    const triggered = (await h.ask(agent, 'repayment/triggerRepaymentRequest', { loanId, payment, baRedirectURL: 'https://la.example/done' })).body;
    expect(triggered).toMatchObject({ loanId, loanStatus: 'EMI_DUE', payment: { id: paymentId, status: 'PENDING_AUTH', totalAmount: emi, installmentNumber: 1, paymentMethodType: 'UPI' } });
    const pageUrl = new URL(triggered.payment.paymentUrl);
    expect(`${pageUrl.origin}`).toBe(h.app.services.config.publicBaseUrl);
    expect(pageUrl.pathname).toMatch(/^\/sandbox\/repayments\/RPY[A-Za-z0-9_-]+$/);

    const page = await h.app.http().get(pageUrl.pathname);
    expect(page.body).toMatchObject({ state: 'PENDING', amount: emi.toFixed(2), method: 'UPI' });
    const pending = (await h.ask(agent, 'repayment/triggerRepaymentStatusRequest', { loanId, payment })).body;
    expect(pending.payment.status).toBe('PENDING_AUTH');

    const completed = await h.app.http().post(`${pageUrl.pathname}/complete`).send({ outcome: 'PAID' });
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ state: 'SUCCEEDED', providerReference: expect.any(String) });

    const status = (await h.ask(agent, 'repayment/triggerRepaymentStatusRequest', { loanId, payment })).body;
    expect(status).toMatchObject({ loanId, loanStatus: 'EMI_PAID', response: { status: 'SUCCESS' }, payment: { id: paymentId, status: 'SUCCESS', txnRefNo: completed.body.providerReference } });
    expect(Math.round((status.payment.principal + status.payment.interestAmount) * 100)).toBe(Math.round(emi * 100));

    const loan = await getLoan(loanId);
    expect(loan.loanStatus).toBe('EMI_PAID');
    expect(loan.summary).toMatchObject({ amountRepaid: emi.toFixed(2), currentRepayment: { id: paymentId, status: 'SUCCESS' }, nextRepayment: { installmentNumber: 2 } });
    expect(Number(loan.summary.principalPaid)).toBeCloseTo(status.payment.principal, 2);
    expect(loan.summary.principalPending).toBe((100000 - status.payment.principal).toFixed(2));

    const statement = (await h.ask(agent, 'loanDetails/loanStatementRequest', { loanId })).body.accountStatement;
    expect(statement.map((t: any) => t.type)).toEqual(['WITHDRAWL', 'WITHDRAWL', 'WITHDRAWL', 'WITHDRAWL', 'DEPOSIT']);
    expect(statement[4]).toMatchObject({ amount: emi.toFixed(2), closingBalance: loan.summary.principalPending });

    // What getloan shows is what the ledger derives, and the ledger balances.
    const ledger = h.app.services.ledger;
    const serviced = await h.app.services.servicing.loan({ partnerId: agent.participantId, externalReference: loanApplicationId });
    const balances = await ledger.loanBalances(serviced.loanId);
    const rupees = (micros: bigint) => (Number(micros / 10_000n) / 100).toFixed(2);
    expect(loan.summary).toMatchObject({
      principalPending: rupees(balances.principalOutstandingMicros),
      principalPaid: rupees(balances.principalRepaidMicros),
      interestPaid: rupees(balances.interestRepaidMicros),
      amountRepaid: rupees(balances.collectedMicros),
    });
    expect((await ledger.trialBalance()).totalMicros).toBe(0n);
    expect((await ledger.trialBalance({ loanId: serviced.loanId })).totalMicros).toBe(0n);
  });

  it('when the payment fails, then its status is FAILURE and nothing is repaid', async () => {
    const { loanId } = await disbursedLoan();
    const payment = { id: `pay-${randomUUID()}`, totalAmount: 500, status: 'PENDING_AUTH', paymentMethodType: 'NETBANKING' };
    const triggered = (await h.ask(agent, 'repayment/triggerRepaymentRequest', { loanId, payment })).body;
    await h.app.http().post(`${new URL(triggered.payment.paymentUrl).pathname}/complete`).send({ outcome: 'FAILED' }).expect(200);
    const status = (await h.ask(agent, 'repayment/triggerRepaymentStatusRequest', { loanId, payment })).body;
    expect(status.payment.status).toBe('FAILURE');
    expect((await getLoan(loanId)).summary.amountRepaid).toBe('0.00');
  });

  it('refuses an amount with more than two decimals, or more than is left to pay, with an error ack', async () => {
    const { loanId } = await disbursedLoan();
    for (const totalAmount of [10.001, 10_000_000]) {
      const body = { ...ocenEnvelope(agent.participantId), loanId, payment: { id: `pay-${randomUUID()}`, totalAmount, status: 'PENDING_AUTH', paymentMethodType: 'UPI' } };
      const ack = await h.post(agent, 'repayment/triggerRepaymentRequest', body);
      expect(ack.status).toBe(400);
      expect(ack.body.error).toMatch(/^INVALID_REQUEST: /);
    }
  });
});

describe('repayment condition changes', () => {
  it('accepts moving the next instalment a few days later (the schedule moves), rejects a change of amount; the answers have no response member, as the schema says', async () => {
    const { loanId } = await disbursedLoan();
    const next = (await getLoan(loanId)).summary.nextRepayment;
    const later = new Date(Date.parse(`${next.date}T00:00:00Z`) + 5 * 86_400_000).toISOString().slice(0, 10);
    const accepted = await h.ask(agent, 'repayment/repaymentConditionChangeRequest', { loanId, repaymentConditionUpdate: { changedCondition: 'DATE_CHANGED', repaymentDate: later, amount: next.totalAmount } });
    expect(accepted.schemaValid).toBe(true);
    expect(accepted.body).not.toHaveProperty('response');
    expect(accepted.body).toMatchObject({ loanId, repaymentConditionUpdate: { changedCondition: 'DATE_CHANGED', repaymentDate: later, amount: next.totalAmount, status: 'ACCEPTED' } });
    expect((await getLoan(loanId)).summary.nextRepayment.date).toBe(later);

    const rejected = await h.ask(agent, 'repayment/repaymentConditionChangeRequest', { loanId, repaymentConditionUpdate: { changedCondition: 'AMOUNT_CHANGED', repaymentDate: later, amount: 100 } });
    expect(rejected.body.repaymentConditionUpdate).toMatchObject({ changedCondition: 'AMOUNT_CHANGED', status: 'REJECTED' });
  });
});

describe('isolation between loan agents', () => {
  it('refuses another agent\'s loanId with the same error ack as an unknown one, on every loan operation, and sends it nothing', async () => {
    const { loanId, pan } = await disbursedLoan();
    const unknown = await h.post(other, 'loanDetails/getloanRequest', { ...ocenEnvelope(other.participantId), loanId: `PA${randomUUID().slice(0, 8).toUpperCase()}` });
    expect(unknown.status).toBe(404);
    const payment = { id: 'x', totalAmount: 1, status: 'PENDING_AUTH', paymentMethodType: 'UPI' };
    for (const [operation, members] of [
      ['loanDetails/getloanRequest', { loanId }],
      ['loanDetails/loanStatementSummaryRequest', { loanId }],
      ['loanDetails/loanStatementRequest', { loanId }],
      ['repayment/triggerRepaymentRequest', { loanId, payment }],
      ['repayment/triggerRepaymentStatusRequest', { loanId, payment }],
      ['repayment/repaymentConditionChangeRequest', { loanId, repaymentConditionUpdate: { changedCondition: 'DATE_CHANGED', repaymentDate: '2030-01-01', amount: 1 } }],
    ] as const) {
      const ack = await h.post(other, operation, { ...ocenEnvelope(other.participantId), ...members });
      expect({ operation, status: ack.status, code: ack.body.error.split(':')[0] }).toEqual({ operation, status: 404, code: unknown.body.error.split(':')[0] });
    }
    expect(unknown.body.error).toMatch(/^UNKNOWN_LOAN: /);
    expect(h.endpoint(other).received.filter((r) => JSON.stringify(r.body).includes(loanId))).toEqual([]);

    const borrower = { primaryId: pan, primaryIdType: 'PAN', category: 'INDIVIDUAL', contactDetails: [{ type: 'PRIMARY', phone: '9876543210' }] };
    const theirs = await h.ask(other, 'loanDetails/listloansRequest', { borrower });
    expect(theirs.body.loans).toEqual([]);
    const mine = await h.ask(agent, 'loanDetails/listloansRequest', { borrower });
    expect(mine.body.loans.map((l: any) => l.loanId)).toEqual([loanId]);
  });
});

describe('servicing as the agent sees it (the business date moved by the sandbox servicing clock)', () => {
  const confirm = 'repayment/confirmRepaymentRequest';
  const micros = (rupees: string | number) => BigInt(Math.round(Number(rupees) * 100)) * 10_000n;

  /** Runs days (close of business, notices and debits) until `done` holds, one day at a time (at most `max` days). */
  async function runDaysUntil(done: () => Promise<boolean>, max = 45): Promise<void> {
    for (let day = 0; day < max; day++) {
      if (await done()) return;
      await h.app.services.servicingClock.advance(1);
    }
    throw new Error(`not done after ${max} days`);
  }

  it('when the mandate debit of instalment 1 bounces (persona 9006) and the instalment falls overdue, then the agent is told of the notice and the bounce, getloan shows EMI_OVERDUE with the dues and charges, and the retried debit cures it', async () => {
    const s = h.app.services;
    const { loanId, loanApplicationId } = await disbursedLoan(uniquePan('9006'));
    const ref = { partnerId: agent.participantId, externalReference: loanApplicationId };
    const loanUuid = (await s.servicing.loan(ref)).loanId;
    const collections = () => s.collections.ofLoan(loanUuid);

    // The pre-debit notice and the bounce, each a confirmRepaymentRequest with the collection's reference.
    await runDaysUntil(async () => (await collections()).some((c) => c.state === 'BOUNCED'));
    const bounced = (await collections()).find((c) => c.state === 'BOUNCED')!;
    const notice = await h.endpoint(agent).callbackAbout(bounced.reference, confirm, 1);
    expect(notice.schemaValid).toBe(true);
    expect(notice.body).toMatchObject({ loanId, response: { status: 'SUCCESS' }, payment: { id: bounced.reference, status: 'PENDING_AUTH', date: bounced.debitDate, installmentNumber: 1, paymentMethodType: 'ENACH' }, paymentMethod: { id: bounced.umrn, type: 'ENACH', status: 'ACTIVE' } });
    expect(notice.body.payment.description).toContain('will be debited on');
    const failure = await eventually(async () => h.endpoint(agent).about(bounced.reference, confirm).find((r) => r.body.payment.status === 'FAILURE'), (r) => r !== undefined);
    expect(failure!.schemaValid).toBe(true);
    expect(failure!.body.payment).toMatchObject({ id: bounced.reference, totalAmount: notice.body.payment.totalAmount, description: expect.stringContaining('bounce charge') });

    // The day after the debit date closes: instalment 1 is overdue.
    await h.app.services.servicingClock.advance(1);
    const position = await s.loanPositions.of(loanUuid);
    expect(position.daysPastDue).toBeGreaterThan(0);
    const loan = await getLoan(loanId);
    expect(loan.loanStatus).toBe('EMI_OVERDUE');
    const next = loan.summary.nextRepayment;
    expect(next).toMatchObject({ installmentNumber: 1, date: position.loan.instalments[0].dueDate, status: 'PENDING_AUTH' });
    expect(micros(next.penalty)).toBe(position.chargesOutstandingMicros);
    expect(micros(next.penalty)).toBeGreaterThan(0n);
    expect(micros(next.totalAmount)).toBe(position.nextDue!.amountMicros);
    expect(micros(next.totalAmount)).toBe(micros(next.principal) + micros(next.interestAmount) + micros(next.penalty));
    expect(next.description).toContain(`${position.daysPastDue} days past due`);
    expect(loan.summary.description).toContain('days past due');

    // The statement: the bounce charge, the daily accruals summarised per instalment period, balances from the ledger.
    const statement = (await h.ask(agent, 'loanDetails/loanStatementRequest', { loanId })).body;
    expect(statement.loanStatus).toBe('EMI_OVERDUE');
    const lines = statement.accountStatement as Array<{ txnRefNo: string; narration: string; closingBalance: string; type: string; amount: string }>;
    const accruals = lines.filter((l) => l.txnRefNo.startsWith('ACCRUAL-'));
    expect(accruals.length).toBeGreaterThan(0);
    expect(accruals.length).toBeLessThanOrEqual(3);
    expect(accruals[0].narration).toMatch(/^Interest accrued from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}, instalment 1$/);
    expect(lines.some((l) => l.type === 'WITHDRAWL' && /Bounce charge/.test(l.narration))).toBe(true);
    const owed = position.principalOutstandingMicros + position.interestOutstandingMicros + position.chargesOutstandingMicros;
    expect(micros(lines[lines.length - 1].closingBalance)).toBe(owed);

    // The retry (a later debit of 9006 succeeds): SUCCESS to the agent, arrears cured.
    await runDaysUntil(async () => (await collections()).some((c) => c.state === 'DEBITED'), 15);
    const debited = (await collections()).find((c) => c.state === 'DEBITED')!;
    const success = await eventually(async () => h.endpoint(agent).about(debited.reference, confirm).find((r) => r.body.payment.status === 'SUCCESS'), (r) => r !== undefined);
    expect(success!.schemaValid).toBe(true);
    expect(success!.body.payment).toMatchObject({ id: debited.reference, installmentNumber: 1, paymentMethodType: 'ENACH', txnRefNo: debited.railReference });
    const cured = await getLoan(loanId);
    expect(cured.loanStatus).not.toBe('EMI_OVERDUE');
    expect(cured.summary.currentRepayment).toMatchObject({ id: debited.reference, status: 'SUCCESS', paymentMethodType: 'ENACH' });
    expect(Number(cured.summary.penaltyPaid)).toBeGreaterThan(0);
  }, 180_000);

  it('when the loan is paid off (a foreclosure), then getloan says LOAN_CLOSED with the closure date as endDate and the no-dues certificate as the next repayment\'s url, and the statement ends at zero', async () => {
    const s = h.app.services;
    const { loanId, loanApplicationId, pan } = await disbursedLoan();
    const ref = { partnerId: agent.participantId, externalReference: loanApplicationId };
    const quote = await s.servicing.foreclosureQuote(ref);
    const payment = { id: `pay-${randomUUID()}`, totalAmount: Number(quote.totalMicros / 10_000n) / 100, status: 'PENDING_AUTH', paymentMethodType: 'UPI' };
    const triggered = (await h.ask(agent, 'repayment/triggerRepaymentRequest', { loanId, payment })).body;
    await h.app.http().post(`${new URL(triggered.payment.paymentUrl).pathname}/complete`).send({ outcome: 'PAID' }).expect(200);

    const serviced = await s.servicing.loan(ref);
    expect(serviced.state).toBe('CLOSED');
    const loan = await getLoan(loanId);
    expect(loan.loanStatus).toBe('LOAN_CLOSED');
    expect(loan.endDate).toBe(serviced.closedOn);
    expect(loan.summary.nextRepayment).toMatchObject({ totalAmount: 0, status: 'SUCCESS', date: serviced.closedOn, url: `${s.config.publicBaseUrl}${s.noDuesCertificateLinks.pathFor(serviced.loanId)}` });
    expect(loan.summary.description).toContain(`Closed on ${serviced.closedOn}`);
    expect(loan.summary.principalPending).toBe('0.00');
    const statement = (await h.ask(agent, 'loanDetails/loanStatementRequest', { loanId })).body;
    expect(statement.loanStatus).toBe('LOAN_CLOSED');
    expect(statement.accountStatement.at(-1).closingBalance).toBe('0.00');
    const listed = await h.ask(agent, 'loanDetails/listloansRequest', { borrower: { primaryId: pan, primaryIdType: 'PAN', category: 'INDIVIDUAL', contactDetails: [{ type: 'PRIMARY', phone: '9876543210' }] } });
    expect(listed.body.loans.find((l: any) => l.loanId === loanId)?.loanStatus).toBe('LOAN_CLOSED');
  }, 60_000);
});
