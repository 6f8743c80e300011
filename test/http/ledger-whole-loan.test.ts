import { TestApp, eventually, startTestApp } from '../support/test-app';
import { PATHS, applicationStatus, submitReady, readyToSubmit } from '../support/journey';

/**
 * A whole Google Pay loan in the sandbox, from the journey to a repayment, as the ledger sees it: the trial
 * balance stays 0, and account/get shows the principal outstanding derived from the ledger's postings.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const account = async (accountToken: string) => (await t.call(PATHS.getAccount, { accountToken }).expect(200)).body.data.loan;

it('when a loan is disbursed through the journey and then repaid in part, then the ledger balances to 0 after each step and account/get shows the principal outstanding the ledger derives', async () => {
  const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
  await submitReady(t, ready);
  const status = await eventually(() => applicationStatus(t, ready.gid), (s) => s.applicationState === 'DISBURSED');
  const ref = { partnerId: t.services.sandbox!.gpayPartnerId, externalReference: ready.gid };
  const ledger = t.services.ledger;

  const opened = await t.services.servicing.loan(ref);
  expect((await ledger.trialBalance()).totalMicros).toBe(0n);
  expect(opened.balances).toMatchObject({ principalOutstandingMicros: 100_000_000_000n, owedMicros: 100_000_000_000n, collectedMicros: 0n });
  expect(await ledger.balance('DISBURSEMENT_CLEARING', opened.loanId)).toBe(-97_640_000_000n);
  expect(await ledger.balance('FEE_INCOME', opened.loanId)).toBe(-2_000_000_000n);
  expect(await ledger.balance('GST_PAYABLE', opened.loanId)).toBe(-360_000_000n);
  expect((await account(status.accountToken)).outstandingPrincipal.amountMicros).toBe(opened.balances.principalOutstandingMicros.toString());

  const first = opened.instalments[0];
  const extra = 1_234_560_000n;
  const { repayment } = await t.services.servicing.trigger({ ...ref, amountMicros: first.emiMicros + extra, method: 'UPI' });
  const done = await t.services.servicing.complete(repayment.reference, { status: 'SUCCEEDED', providerReference: 'PRV-1' });

  const repaid = await t.services.servicing.loan(ref);
  expect((await ledger.trialBalance()).totalMicros).toBe(0n);
  expect((await ledger.trialBalance({ loanId: repaid.loanId })).totalMicros).toBe(0n);
  // How the repayment was shared out is the allocation's business (servicing-math.property.test.ts); the ledger must match it.
  const shared = { principalMicros: done.principalMicros!, interestMicros: done.interestMicros! };
  expect(shared.principalMicros + shared.interestMicros + done.excessMicros!).toBe(first.emiMicros + extra);
  expect(repaid.balances).toMatchObject({
    principalOutstandingMicros: 100_000_000_000n - shared.principalMicros,
    interestReceivableMicros: 0n,
    principalRepaidMicros: shared.principalMicros,
    interestRepaidMicros: shared.interestMicros,
    collectedMicros: first.emiMicros + extra,
  });
  expect(await ledger.balance('INTEREST_INCOME', repaid.loanId)).toBe(-shared.interestMicros);
  const shown = await account(status.accountToken);
  expect(shown.outstandingPrincipal.amountMicros).toBe(repaid.balances.principalOutstandingMicros.toString());
  const stored = await t.services.db.prisma.loanAccount.findUniqueOrThrow({ where: { id: repaid.loanId } });
  expect(stored.outstandingPrincipalMicros).toBe(repaid.balances.principalOutstandingMicros); // the column only mirrors the ledger
  const { entries } = await t.services.servicing.statement(ref);
  expect(entries.at(-1)!.balanceAfterMicros).toBe(repaid.balances.owedMicros);
});
