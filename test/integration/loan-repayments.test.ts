import { AppErrorCode } from '../../src/core/errors';
import { ApplicationRef } from '../../src/core/application/application';
import { repaymentState } from '../../src/core/loan/repayment-state';
import { loanState } from '../../src/core/loan/loan-state';
import { remainingOf } from '../../src/core/loan/allocation';
import { TestApp, startTestApp } from '../support/test-app';
import { setBusinessDate } from '../support/business-date';
import { disbursedLoan as disburse, openOcenApplication } from '../support/ocen-loan-fixtures';

/**
 * Servicing of a disbursed loan against a real database, without any protocol in front: repayments (intent,
 * the provider's answer, applied to the loan in one transaction), the statement read from the ledger, a borrower's
 * loans, and requests to change the repayment conditions.
 */

const LA = 'la-core-one';
const OTHER = 'la-core-two';
const PAISA = 10_000n;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    partners: [
      { id: LA, displayName: 'Loan agent one', protocol: 'OCEN_4' },
      { id: OTHER, displayName: 'Loan agent two', protocol: 'OCEN_4' },
    ],
  });
});
afterAll(() => t.stop());

async function disbursedLoan(partnerId = LA, pan?: string): Promise<ApplicationRef & { pan: string; loanId: string }> {
  const ref = await openOcenApplication(t, partnerId, { pan });
  const { loanId } = await disburse(t.services, ref);
  return { ...ref, loanId };
}

const servicing = () => t.services.servicing;
const paid = (reference: string) => servicing().complete(reference, { status: 'SUCCEEDED', providerReference: `PRV-${reference}` });

describe('a disbursed loan', () => {
  it('when it is disbursed, then its statement (read from the ledger) opens with the amount paid out, the fee and its GST, ending at the sanctioned principal, and nothing is paid yet', async () => {
    const ref = await disbursedLoan();
    const { loan, entries } = await servicing().statement(ref);
    expect(entries.map((e) => [e.kind, e.account, e.direction])).toEqual([['DISBURSEMENT', 'DISBURSEMENT_CLEARING', 'DEBIT'], ['DISBURSEMENT', 'FEE_INCOME', 'DEBIT'], ['DISBURSEMENT', 'GST_PAYABLE', 'DEBIT']]);
    expect(entries[0].amountMicros).toBe(loan.disbursedMicros);
    expect(entries[2].balanceAfterMicros).toBe(loan.sanctionedMicros);
    expect(entries[0].amountMicros + entries[1].amountMicros + entries[2].amountMicros).toBe(loan.sanctionedMicros);
    expect(loan.instalments.every((line) => line.status === 'DUE' && line.principalPaidMicros === 0n)).toBe(true);
    expect(loan.balances.principalOutstandingMicros).toBe(loan.sanctionedMicros);
  });
});

describe('repayments', () => {
  it('when the first EMI is paid on its due date, then the repayment goes PENDING → SUCCEEDED with its history, instalment 1 is PAID (its interest, then its principal), the principal outstanding falls by its principal, and the journal books the interest and the repayment', async () => {
    const ref = await disbursedLoan();
    const before = await servicing().loan(ref);
    const first = before.instalments[0];
    await setBusinessDate(t, first.dueDate);
    const { repayment, paymentUrl } = await servicing().trigger({ ...ref, amountMicros: first.emiMicros, method: 'UPI', partnerPaymentId: 'pay-1' });
    expect(repayment.state).toBe('PENDING');
    expect(paymentUrl).toBe(`${t.services.config.publicBaseUrl}/sandbox/repayments/${repayment.reference}`);

    const done = await paid(repayment.reference);
    expect(done).toMatchObject({ state: 'SUCCEEDED', principalMicros: first.principalMicros, interestMicros: first.interestMicros, excessMicros: 0n });
    const history = await t.services.transitions.history(repaymentState.machine.aggregate, repayment.id);
    expect(history.map((h) => [h.fromState, h.toState])).toEqual([[null, 'PENDING'], ['PENDING', 'SUCCEEDED']]);

    const after = await servicing().loan(ref);
    expect(after.instalments[0]).toMatchObject({ status: 'PAID', principalPaidMicros: first.principalMicros, interestPaidMicros: first.interestMicros });
    expect(after.instalments.slice(1).every((line) => line.status === 'DUE')).toBe(true);
    expect(after.balances.principalOutstandingMicros).toBe(before.balances.principalOutstandingMicros - first.principalMicros);

    const { entries } = await servicing().statement(ref);
    const [interest, repaid] = entries.slice(3);
    expect(interest).toMatchObject({ kind: 'INTEREST', account: 'INTEREST_INCOME', direction: 'DEBIT', amountMicros: first.interestMicros, reference: repayment.reference });
    expect(repaid).toMatchObject({ kind: 'REPAYMENT', account: 'COLLECTION_CLEARING', direction: 'CREDIT', amountMicros: first.emiMicros, balanceAfterMicros: after.balances.principalOutstandingMicros });
    expect(after.balances).toMatchObject({ interestReceivableMicros: 0n, principalRepaidMicros: first.principalMicros, interestRepaidMicros: first.interestMicros, collectedMicros: first.emiMicros, excessMicros: 0n });
    // Every balance is the one before it ± the row's amount.
    entries.reduce((balance, e) => {
      const next = e.direction === 'DEBIT' ? balance + e.amountMicros : balance - e.amountMicros;
      expect(e.balanceAfterMicros).toBe(next);
      return next;
    }, 0n);
  });

  it('when the provider answers twice, or two answers race, then the payment is applied once', async () => {
    const ref = await disbursedLoan();
    const { repayment } = await servicing().trigger({ ...ref, amountMicros: 1_000n * 1_000_000n, method: 'UPI' });
    const answers = await Promise.allSettled([paid(repayment.reference), paid(repayment.reference)]);
    expect(answers.filter((a) => a.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    await paid(repayment.reference);
    await servicing().complete(repayment.reference, { status: 'FAILED', reason: 'late failure' });
    const loan = await servicing().loan(ref);
    expect(loan.balances.collectedMicros).toBe(1_000n * 1_000_000n);
    expect(loan.balances.principalRepaidMicros).toBe(1_000n * 1_000_000n); // paid ahead of any due: a prepayment of principal
    expect((await servicing().repaymentByReference(repayment.reference)).state).toBe('SUCCEEDED');
    expect((await servicing().statement(ref)).entries.filter((e) => e.kind === 'REPAYMENT')).toHaveLength(1);
  });

  it('when less than an instalment is paid, then its interest is paid first and it is PARTIALLY_PAID', async () => {
    const ref = await disbursedLoan();
    const first = (await servicing().loan(ref)).instalments[0];
    await setBusinessDate(t, first.dueDate);
    const amount = first.interestMicros + 100n * PAISA;
    const { repayment } = await servicing().trigger({ ...ref, amountMicros: amount, method: 'NETBANKING', instalmentSequence: 1 });
    await paid(repayment.reference);
    const line = (await servicing().loan(ref)).instalments[0];
    expect(line).toMatchObject({ status: 'PARTIALLY_PAID', interestPaidMicros: first.interestMicros, principalPaidMicros: 100n * PAISA });
  });

  it('when the payment fails, then the repayment is FAILED and nothing is applied to the loan', async () => {
    const ref = await disbursedLoan();
    const before = await servicing().loan(ref);
    const { repayment } = await servicing().trigger({ ...ref, amountMicros: before.emiMicros, method: 'UPI' });
    const failed = await servicing().complete(repayment.reference, { status: 'FAILED', reason: 'insufficient funds' });
    expect(failed).toMatchObject({ state: 'FAILED', failureReason: 'insufficient funds' });
    const after = await servicing().loan(ref);
    expect(after.instalments).toEqual(before.instalments);
    expect(after.balances.principalOutstandingMicros).toBe(before.balances.principalOutstandingMicros);
    expect((await servicing().statement(ref)).entries).toHaveLength(3);
  });

  it('when the day\'s foreclosure quote is paid, then the instalments left are PAID or CANCELLED, nothing is outstanding, the loan moves to CLOSED (FORECLOSED) with its history, the journal ends at 0, and a further repayment is refused', async () => {
    const ref = await disbursedLoan();
    const quote = await servicing().foreclosureQuote(ref);
    const { repayment } = await servicing().trigger({ ...ref, amountMicros: quote.totalMicros, method: 'UPI' });
    expect(repayment.purpose).toBe('FORECLOSURE');
    await paid(repayment.reference);
    const closed = await servicing().loan(ref);
    expect(closed).toMatchObject({ state: 'CLOSED', closure: 'FORECLOSED' });
    expect(closed.balances.principalOutstandingMicros).toBe(0n);
    expect(closed.instalments.every((line) => (line.status === 'PAID' && remainingOf(line) === 0n) || line.status === 'CANCELLED')).toBe(true);
    const history = await t.services.transitions.history(loanState.machine.aggregate, closed.loanId);
    expect(history.map((h) => h.toState)).toEqual(['ACTIVE', 'CLOSED']);
    const { entries } = await servicing().statement(ref);
    expect(entries[entries.length - 1].balanceAfterMicros).toBe(0n);
    await expect(servicing().trigger({ ...ref, amountMicros: PAISA, method: 'UPI' })).rejects.toMatchObject({ code: AppErrorCode.PRECONDITION_FAILED });
  });

  it('refuses an amount above what is left, an amount that is not whole paise, an unknown instalment, a payment id used before, and another partner\'s loan', async () => {
    const ref = await disbursedLoan();
    const loan = await servicing().loan(ref);
    const refused = (request: Partial<Parameters<ReturnType<typeof servicing>['trigger']>[0]>) =>
      servicing().trigger({ ...ref, amountMicros: PAISA, method: 'UPI', ...request }).then(() => 'accepted', (e) => [e.code, e.fields]);
    const quote = await servicing().foreclosureQuote(ref);
    expect(await refused({ amountMicros: quote.totalMicros + PAISA })).toEqual([AppErrorCode.INVALID_FIELD_VALUE, ['repaymentAmount']]);
    expect(await refused({ amountMicros: loan.sanctionedMicros * 2n })).toEqual([AppErrorCode.INVALID_FIELD_VALUE, ['repaymentAmount']]);
    expect(await refused({ amountMicros: 1n })).toEqual([AppErrorCode.INVALID_FIELD_VALUE, ['repaymentAmount']]);
    expect(await refused({ instalmentSequence: 99 })).toEqual([AppErrorCode.INVALID_FIELD_VALUE, ['instalmentNumber']]);
    expect(await refused({ partnerPaymentId: 'dup-1' })).toBe('accepted');
    expect(await refused({ partnerPaymentId: 'dup-1' })).toEqual([AppErrorCode.INVALID_FIELD_VALUE, ['paymentId']]);
    expect(await refused({ partnerId: OTHER })).toEqual([AppErrorCode.NOT_FOUND, []]);
  });
});

describe('a borrower\'s loans', () => {
  it('when two loan agents each disbursed a loan to the same PAN, then each sees only its own, matched by PAN', async () => {
    const mine = await disbursedLoan(LA);
    const theirs = await disbursedLoan(OTHER, mine.pan);
    expect((await servicing().loansOfBorrower(LA, mine.pan)).map((l) => l.lenderReference)).toEqual([mine.loanId]);
    expect((await servicing().loansOfBorrower(OTHER, mine.pan.toLowerCase())).map((l) => l.lenderReference)).toEqual([theirs.loanId]);
    const tomorrow = new Date(Date.now() + 86_400_000);
    expect(await servicing().loansOfBorrower(LA, mine.pan, { from: tomorrow })).toEqual([]);
  });
});

describe('repayment condition changes', () => {
  it('when the next instalment\'s date is moved by a few days, then it is ACCEPTED and the schedule moves; a second move, or any other change, is REJECTED and referred to operations; every request is recorded', async () => {
    const ref = await disbursedLoan();
    const loan = await servicing().loan(ref);
    const next = loan.instalments[0];
    const later = new Date(Date.parse(`${next.dueDate}T00:00:00Z`) + 5 * 86_400_000).toISOString().slice(0, 10);

    const accepted = await servicing().changeConditions({ ...ref, changedCondition: 'DATE_CHANGED', requestedDate: later, amountMicros: remainingOf(next) });
    expect(accepted).toMatchObject({ decision: 'ACCEPTED', instalmentSequence: 1, dueDate: later });
    expect((await servicing().loan(ref)).instalments[0].dueDate).toBe(later);
    expect((await servicing().loan(ref)).instalments[1].dueDate).toBe(loan.instalments[1].dueDate);

    const again = await servicing().changeConditions({ ...ref, changedCondition: 'DATE_CHANGED', requestedDate: later, amountMicros: remainingOf(next) });
    expect(again.decision).toBe('REJECTED');
    expect(again.description).toMatch(/already moved once.*operations team/);
    const amount = await servicing().changeConditions({ ...ref, changedCondition: 'AMOUNT_CHANGED', requestedDate: later, amountMicros: PAISA });
    expect(amount.decision).toBe('REJECTED');
    expect(amount.description).toMatch(/operations team/);

    const recorded = await t.services.db.prisma.repaymentConditionChange.findMany({ where: { loanId: loan.loanId }, orderBy: { createdAt: 'asc' } });
    expect(recorded.map((r) => [r.changedCondition, r.decision])).toEqual([['DATE_CHANGED', 'ACCEPTED'], ['DATE_CHANGED', 'REJECTED'], ['AMOUNT_CHANGED', 'REJECTED']]);
    expect(recorded[0].previousDueDate?.toISOString().slice(0, 10)).toBe(next.dueDate);
  });

  it('when the new date is too far, or not after the current one, then it is REJECTED and nothing moves', async () => {
    const ref = await disbursedLoan();
    const next = (await servicing().loan(ref)).instalments[0];
    const shifted = (days: number) => new Date(Date.parse(`${next.dueDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    for (const days of [16, 0, -3]) {
      const decision = await servicing().changeConditions({ ...ref, changedCondition: 'DATE_CHANGED', requestedDate: shifted(days), amountMicros: remainingOf(next) });
      expect(decision.decision).toBe('REJECTED');
    }
    expect((await servicing().loan(ref)).instalments[0].dueDate).toBe(next.dueDate);
  });
});
