import { MICROS_PER_PAISA } from '../../src/core/money/money';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { PATHS, applicationStatus, challenge, readyToSubmit, submitData } from '../support/journey';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

describe('a whole loan, from OTP to an ACTIVE account', () => {
  it('when a salaried 36-year-old earning ₹50,000 a month borrows ₹1,00,000 for 12 months, then the loan is disbursed and serviced on an exact schedule', async () => {
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });

    const offer = (await t.call(PATHS.fetchOffer, { offerId: ready.offerId }).expect(200)).body.data.offer;
    expect(offer.creditLimit.maximumAmount).toEqual({ currencyCode: 'INR', amountMicros: '100000000000' });
    expect(offer.termCreditOfferDetails.interestStructure.fixed.interestCharge.percentageValueE5).toBe('1600000');

    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    const submitted = await t.call(PATHS.submit, submitData(ready.gid, ready.offerId, ready.phone, proof, { amountRupees: 100_000, tenureMonths: 12, rateE5: ready.rateE5, kfsId: ready.kfsId }));
    expect(submitted.status).toBe(200);
    expect(submitted.body.data.applicationState).toBe('SUBMITTED');

    const status = await eventually(() => applicationStatus(t, ready.gid), (s) => s.applicationState === 'DISBURSED');
    expect(status.kyc.state).toBe('APPROVED');
    expect(status.repaymentSetup.state).toBe('ACTIVE');
    expect(status.accountToken).toEqual(expect.any(String));

    const account = await t.call(PATHS.getAccount, { accountToken: status.accountToken });
    expect(account.status).toBe(200);
    const { accountSpec, accountState, loan } = account.body.data;
    expect(accountSpec).toEqual({ accountToken: status.accountToken, accountType: 'LOAN_ACCOUNT' });
    expect(accountState.state).toBe('ACTIVE');
    expect(loan.sanctionedAmount).toEqual({ currencyCode: 'INR', amountMicros: '100000000000' });
    // Processing fee 2% = ₹2,000 plus 18% GST = ₹360 are deducted from the payout.
    expect(loan.disbursedAmount.amountMicros).toBe('97640000000');
    expect(loan.interestRateE5).toBe('1600000');
    expect(loan.tenure).toEqual({ periodType: 'MONTH', length: 12 });
    expect(loan.outstandingPrincipal.amountMicros).toBe('100000000000');
    expect(loan.schedule).toHaveLength(12);
    const principalSum = loan.schedule.reduce((sum: bigint, line: { principal: { amountMicros: string } }) => sum + BigInt(line.principal.amountMicros), 0n);
    expect(principalSum).toBe(100_000_000_000n);
    for (const line of loan.schedule) {
      expect(typeof line.emiAmount.amountMicros).toBe('string');
      expect(BigInt(line.emiAmount.amountMicros) % MICROS_PER_PAISA).toBe(0n);
      expect(line.status).toBe('DUE');
    }
    expect(loan.schedule.slice(0, 11).every((line: { emiAmount: { amountMicros: string } }) => line.emiAmount.amountMicros === loan.emiAmount.amountMicros)).toBe(true);
    expect(loan.schedule.map((l: { dueDate: string }) => l.dueDate)).toEqual([...loan.schedule.map((l: { dueDate: string }) => l.dueDate)].sort());

    const history = await t.services.db.prisma.stateTransition.findMany({ where: { aggregate: 'application' }, orderBy: { id: 'asc' } });
    expect(history.map((h) => h.toState)).toEqual(['CREDIT_APPROVAL_PENDING', 'IN_PROGRESS', 'SUBMITTED', 'DISBURSED']);
  });
});
