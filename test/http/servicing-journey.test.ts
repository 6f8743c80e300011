import { TestApp, eventually, startTestApp } from '../support/test-app';
import { PATHS, Phone, applicationStatus, panWith, readyToSubmit, submitReady } from '../support/journey';

/**
 * A loan's life after the payout, through HTTP only: the sandbox's business clock is advanced
 * (POST /sandbox/clock/advance) and each day passed runs its close of business, its pre-debit notices and its
 * mandate debits. What the partner sees is account/get; what the borrower sees is the SMS outbox and the no-dues
 * certificate page.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

interface Day {
  businessDate: string;
  notices: number;
  debited: number;
  bounced: number;
  penalCharges: number;
  trialBalance: string;
}

const account = async (accountToken: string) => (await t.call(PATHS.getAccount, { accountToken }).expect(200)).body.data;
const advance = async (days: number): Promise<Day[]> => (await t.http().post('/sandbox/clock/advance').send({ days }).expect(200)).body.days;
const notices = async (phone: Phone) => {
  const res = await t.http().get(`/sandbox/sms-outbox?phone=${phone.countryCode}${phone.nationalNumber}`).expect(200);
  return (res.body.messages as Array<{ text: string }>).filter((m) => m.text.includes('will be debited on'));
};

async function disbursedLoan(pan?: string) {
  const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000, ...(pan ? { pan } : {}) });
  await submitReady(t, ready);
  const status = await eventually(() => applicationStatus(t, ready.gid), (s) => s.applicationState === 'DISBURSED');
  const ref = { partnerId: t.services.sandbox!.gpayPartnerId, externalReference: ready.gid };
  return { ...ready, ref, accountToken: status.accountToken as string, loan: await t.services.servicing.loan(ref) };
}

/** Advances day by day in blocks until `done` holds for account/get (or `maxDays` passed); answers every day passed. */
async function advanceUntil(accountToken: string, done: (data: Awaited<ReturnType<typeof account>>) => boolean, maxDays: number, block = 31): Promise<Day[]> {
  const days: Day[] = [];
  while (days.length < maxDays) {
    days.push(...(await advance(Math.min(block, maxDays - days.length))));
    if (done(await account(accountToken))) break;
  }
  return days;
}

it('when the clock is advanced through a 12-month loan, then 12 notices precede 12 debits, the ledger balances after every day, and the loan closes with nothing outstanding, its certificate served and its mandate cancelled', async () => {
  const { accountToken, loan, phone } = await disbursedLoan();
  expect((await account(accountToken)).accountState.state).toBe('ACTIVE');

  const days = await advanceUntil(accountToken, (data) => data.accountState.state === 'CLOSED', 400);

  expect(days.every((day) => day.trialBalance === '0')).toBe(true);
  expect(days.reduce((n, day) => n + day.notices, 0)).toBe(12);
  expect(days.reduce((n, day) => n + day.debited, 0)).toBe(12);
  expect(days.reduce((n, day) => n + day.bounced, 0)).toBe(0);
  // Each debit comes on a day after its notice.
  const noticeDays = days.filter((d) => d.notices > 0).map((d) => d.businessDate);
  const debitDays = days.filter((d) => d.debited > 0).map((d) => d.businessDate);
  debitDays.forEach((debitDay, i) => expect(noticeDays[i] < debitDay).toBe(true));
  expect(await notices(phone)).toHaveLength(12);

  const closed = await account(accountToken);
  expect(closed.accountState.state).toBe('CLOSED');
  expect(closed.loan).toMatchObject({
    outstandingPrincipal: { amountMicros: '0' },
    outstandingInterest: { amountMicros: '0' },
    outstandingCharges: { amountMicros: '0' },
    overdueAmount: { amountMicros: '0' },
    daysPastDue: 0,
    closure: { type: 'REPAID' },
  });
  expect(closed.loan.schedule).toHaveLength(12);
  expect(closed.loan.schedule.every((line: { status: string }) => line.status === 'PAID')).toBe(true);
  expect(closed.loan.nextDue).toBeUndefined();

  const after = await t.services.servicing.loan({ partnerId: t.services.sandbox!.gpayPartnerId, externalReference: loan.externalReference });
  expect(after.balances).toMatchObject({ principalOutstandingMicros: 0n, interestReceivableMicros: 0n, chargesReceivableMicros: 0n, owedMicros: 0n });
  expect(after.balances.collectedMicros).toBe(loan.instalments.reduce((sum, line) => sum + line.emiMicros, 0n));
  expect((await t.services.ledger.trialBalance()).totalMicros).toBe(0n);

  const certificateUrl = new URL(closed.loan.closure.noDuesCertificateUrl as string);
  const page = await t.http().get(certificateUrl.pathname).expect(200);
  expect(page.text).toContain(`NDC-${after.lenderReference}`);
  const pdf = await t.http().get(`${certificateUrl.pathname}.pdf`).expect(200);
  expect(pdf.headers['content-type']).toContain('application/pdf');

  const cancelled = await eventually(() => t.services.servicing.loan({ partnerId: t.services.sandbox!.gpayPartnerId, externalReference: loan.externalReference }), (l) => l.mandateCancelledOn !== null);
  expect(cancelled.mandateCancelledOn! >= after.closedOn!).toBe(true); // the close-loan job's business date
  const history = await t.services.transitions.history('loan_account', loan.loanId);
  expect(history.map((h) => h.toState)).toEqual(['ACTIVE', 'CLOSED']);
}, 240_000);

it('when persona 9006\'s first debit bounces, then the loan is DELINQUENT with the bounce and penal charges, the retried debit cures it, and the charges are paid before the instalment', async () => {
  const { accountToken, loan } = await disbursedLoan(panWith('9006'));
  const first = loan.instalments[0];

  const toBounce = await advanceUntil(accountToken, (data) => data.loan.latestTransactions.some((tx: { type: string }) => tx.type === 'CHARGE'), 45, 5);
  expect(toBounce.reduce((n, day) => n + day.bounced, 0)).toBe(1);
  expect(toBounce.every((day) => day.trialBalance === '0')).toBe(true);

  // The day after the bounce the instalment is overdue; past the grace days the penal charge is levied.
  const delinquentDays = await advanceUntil(accountToken, (data) => data.loan.outstandingCharges.amountMicros === '1090000000', 10, 1);
  const delinquent = await account(accountToken);
  expect(delinquent.accountState.state).toBe('DELINQUENT');
  expect(delinquent.loan.daysPastDue).toBeGreaterThan(0);
  expect(delinquent.loan.schedule[0].status).toBe('OVERDUE');
  const charges = await t.services.servicing.loanById(loan.loanId).then((l) => l.charges);
  expect(charges.map((c) => [c.kind, c.chargeMicros, c.gstMicros])).toEqual([['BOUNCE', 500_000_000n, 90_000_000n], ['PENAL', 500_000_000n, 0n]]);
  expect(delinquent.loan.outstandingCharges.amountMicros).toBe('1090000000');
  expect(delinquentDays.reduce((n, day) => n + day.penalCharges, 0)).toBe(1);

  const cureDays = await advanceUntil(accountToken, (data) => data.accountState.state === 'ACTIVE', 10, 1);
  expect(cureDays.reduce((n, day) => n + day.debited, 0)).toBe(1);
  const cured = await account(accountToken);
  expect(cured.loan).toMatchObject({ daysPastDue: 0, outstandingCharges: { amountMicros: '0' }, overdueAmount: { amountMicros: '0' } });
  expect(cured.loan.schedule[0].status).toBe('PAID');

  const after = await t.services.servicing.loanById(loan.loanId);
  expect(after.charges.every((c) => c.paidMicros === c.chargeMicros + c.gstMicros)).toBe(true);
  const retry = after.repayments.find((r) => r.method === 'MANDATE' && r.state === 'SUCCEEDED')!;
  // Charges first (₹590 bounce with GST, ₹500 penal), then the overdue instalment's interest and principal.
  expect(retry).toMatchObject({ penaltyMicros: 1_090_000_000n, interestMicros: first.interestMicros, principalMicros: first.principalMicros, excessMicros: 0n });
  expect(retry.amountMicros).toBe(first.emiMicros + 1_090_000_000n);
  expect((await t.services.ledger.trialBalance()).totalMicros).toBe(0n);
  const states = (await t.services.transitions.history('loan_account', loan.loanId)).map((h) => h.toState);
  expect(states).toEqual(['ACTIVE', 'DELINQUENT', 'ACTIVE']);
}, 240_000);
