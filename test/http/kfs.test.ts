import { TestApp, newRequestId, startTestApp } from '../support/test-app';
import { expectError } from '../support/expect-error';
import { PATHS, applicationStatus, challenge, inr, keyFactStatement, readyToSubmit, submitData } from '../support/journey';
import { kfsFigures } from '../../src/core/kfs/kfs';
import { istDate } from '../../src/core/shared/dates';

/**
 * The Key Fact Statement on the Google Pay-style surface: offer/keyFactStatement issues it, SubmitApplication
 * must name it (the version of an accepted `KFS` entry of tncAcceptanceMetadata) for exactly the signed terms,
 * while it is valid.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

type Ready = Awaited<ReturnType<typeof readyToSubmit>>;
const body = (ready: Ready, proof: { tokenReferenceId: string; otp: string }, kfsId?: string) =>
  submitData(ready.gid, ready.offerId, ready.phone, proof, { amountRupees: 100_000, tenureMonths: 12, rateE5: ready.rateE5, kfsId });

async function expectNothingSubmitted(gid: string, proof: { tokenReferenceId: string }) {
  expect((await applicationStatus(t, gid)).applicationState).toBe('IN_PROGRESS');
  expect(await t.services.db.prisma.loanSubmission.count({ where: { application: { externalReference: gid } } })).toBe(0);
  expect((await t.services.db.prisma.otpChallenge.findUniqueOrThrow({ where: { id: proof.tokenReferenceId } })).consumedAt).toBeNull();
}

describe('offer/keyFactStatement', () => {
  it('when asked for terms within the offer, then it answers the KFS id, its borrower page, 3 working days of validity and the figures the core computes, and a retry replays it', async () => {
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    const data = { googleApplicationId: ready.gid, offerId: ready.offerId, loanApplicationDetails: { loanAmount: inr(50_000), tenure: { periodType: 'MONTH', length: 6 } } };
    const requestId = newRequestId();
    const res = await t.call(PATHS.keyFactStatement, data, { requestId });
    expect(res.status).toBe(200);
    const kfs = res.body.data;
    expect(kfs.kfsId).toMatch(/^KFS[A-Z0-9]{16}$/);
    expect(kfs.url).toBe(`${t.services.config.publicBaseUrl}/borrower/kfs/${kfs.kfsId}`);
    expect(Number(kfs.validUntil.epochMillis) - Number(kfs.issuedAt.epochMillis)).toBeGreaterThanOrEqual(3 * 86_400_000);

    const offer = (await t.services.db.prisma.offer.findUniqueOrThrow({ where: { id: ready.offerId } })) as never;
    const expected = kfsFigures(offer, 50_000_000_000n, 6, istDate(new Date(Number(kfs.issuedAt.epochMillis))));
    expect(kfs).toMatchObject({
      lenderName: t.services.config.lenderName,
      sanctionedAmount: inr(50_000),
      netDisbursedAmount: { currencyCode: 'INR', amountMicros: expected.netDisbursedMicros.toString() },
      emiAmount: { currencyCode: 'INR', amountMicros: expected.emiMicros.toString() },
      instalmentCount: 6,
      totalAmountPayable: { currencyCode: 'INR', amountMicros: expected.totalAmountPayableMicros.toString() },
      annualPercentageRate: expected.apr.percent,
      applicationFees: [{ feeType: 'PROCESSING_FEE', value: { amountMicros: '1000000000' }, tax: [{ taxType: 'GST', amount: { amountMicros: '180000000' } }] }],
      contingentCharges: { penalCharge: inr(500), bounceCharge: inr(500), foreclosureChargePercentageValueE5: '200000' },
      coolingOffPeriodDays: 3,
      grievanceRedressalOfficer: t.services.config.kfs.grievanceOfficer,
    });
    expect(Number(kfs.annualPercentageRate)).toBeGreaterThan(ready.rateE5 / 100_000);
    expect(kfs.schedule).toHaveLength(6);
    expect(kfs.schedule.at(-1).outstandingPrincipal).toEqual(inr(0));

    const replay = await t.call(PATHS.keyFactStatement, data, { requestId });
    expect(replay.body.data).toEqual(kfs);
    expect(await t.services.db.prisma.keyFactStatement.count({ where: { application: { externalReference: ready.gid } } })).toBe(2);
  });

  it('when the amount is off the offer\'s step or the tenure outside it, then it is INVALID_FIELD_VALUE naming the field, and nothing is issued', async () => {
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    const ask = (amountMicros: string, length: number) => t.call(PATHS.keyFactStatement, {
      googleApplicationId: ready.gid, offerId: ready.offerId, loanApplicationDetails: { loanAmount: { currencyCode: 'INR', amountMicros }, tenure: { periodType: 'MONTH', length } },
    });
    const offStep = await ask('50001000000', 6);
    expectError(offStep, 400, 'INVALID_FIELD_VALUE', 'INVALID_FIELD_VALUE');
    expect(offStep.body.errorResponse.fieldViolations).toEqual(['data.loanApplicationDetails.loanAmount.amountMicros']);
    const tooLong = await ask('50000000000', 48);
    expect(tooLong.body.errorResponse.fieldViolations).toEqual(['data.loanApplicationDetails.tenure.length']);
    expectError(await t.call(PATHS.keyFactStatement, {
      googleApplicationId: ready.gid, offerId: 'OFRNOSUCHOFFER', loanApplicationDetails: { loanAmount: inr(50_000), tenure: { periodType: 'MONTH', length: 6 } },
    }), 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
    expect(await t.services.db.prisma.keyFactStatement.count({ where: { application: { externalReference: ready.gid } } })).toBe(1);
  });
});

describe('submit and the Key Fact Statement', () => {
  it('when submit names no KFS, then it is KFS_REQUIRED and the OTP stays usable', async () => {
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    const refused = await t.call(PATHS.submit, body(ready, proof));
    expectError(refused, 400, 'PRECONDITION_VIOLATION', 'KFS_REQUIRED');
    expect(refused.body.errorResponse.fieldViolations).toEqual(['data.tncAcceptanceMetadata']);
    const notAccepted = body(ready, proof, ready.kfsId);
    notAccepted.tncAcceptanceMetadata = notAccepted.tncAcceptanceMetadata.map((c) => (c.type === 'KFS' ? { ...c, acceptance: false } : c));
    expectError(await t.call(PATHS.submit, notAccepted), 400, 'PRECONDITION_VIOLATION', 'KFS_REQUIRED');
    await expectNothingSubmitted(ready.gid, proof);
    expect((await t.call(PATHS.submit, body(ready, proof, ready.kfsId))).status).toBe(200);
  });

  it("when submit names another application's KFS, or an unknown one, then it is NOT_FOUND", async () => {
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    const other = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    const foreign = await t.call(PATHS.submit, body(ready, proof, other.kfsId));
    expectError(foreign, 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
    expect(foreign.body.errorResponse.fieldViolations).toEqual(['data.tncAcceptanceMetadata']);
    expectError(await t.call(PATHS.submit, body(ready, proof, 'KFSNOSUCHSTATEMENT00')), 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
    await expectNothingSubmitted(ready.gid, proof);
  });

  it('when the KFS was issued for another amount or tenure than the one submitted, then it is KFS_TERMS_MISMATCH', async () => {
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    const other = await keyFactStatement(t, ready.gid, ready.offerId, 50_000, 6);
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    expectError(await t.call(PATHS.submit, body(ready, proof, other.kfsId)), 400, 'PRECONDITION_VIOLATION', 'KFS_TERMS_MISMATCH');
    await expectNothingSubmitted(ready.gid, proof);
  });

  it('when the KFS has expired, then submit is KFS_EXPIRED; a new KFS for the same terms lets the same OTP sign', async () => {
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    await t.services.db.prisma.keyFactStatement.update({ where: { id: ready.kfsId }, data: { validUntil: new Date(t.clock.now().getTime() - 1) } });
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    expectError(await t.call(PATHS.submit, body(ready, proof, ready.kfsId)), 400, 'PRECONDITION_VIOLATION', 'KFS_EXPIRED');
    await expectNothingSubmitted(ready.gid, proof);

    const fresh = await keyFactStatement(t, ready.gid, ready.offerId, 100_000, 12);
    const signed = await t.call(PATHS.submit, body(ready, proof, fresh.kfsId));
    expect(signed.status).toBe(200);
    const submission = await t.services.db.prisma.loanSubmission.findFirstOrThrow({ where: { application: { externalReference: ready.gid } } });
    expect(submission.tncAcceptances).toContainEqual({ type: 'KFS', version: fresh.kfsId, acceptance: true });
  });
});
