import { TestApp, eventually, startTestApp } from '../support/test-app';
import { PATHS, applicationStatus, applyAndDecide, approvalStatus, panWith } from '../support/journey';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

describe('income verification (persona 9002)', () => {
  it('when the user verifies their income, then the application is decided by the policy and gets an offer', async () => {
    const { gid, decision } = await applyAndDecide(t, { pan: panWith('9002') });
    expect(decision.applicationState).toBe('INCOME_VERIFICATION');
    await t.http().post(`/sandbox/applications/${gid}/income-verification/complete`).send({ outcome: 'APPROVED' }).expect(200);
    const approved = await eventually(() => approvalStatus(t, gid), (d) => d.applicationState !== 'INCOME_VERIFICATION');
    expect(approved.applicationState).toBe('APPROVED');
    expect(approved.approvedStateContext.offerId).toEqual(expect.any(String));
    expect((await applicationStatus(t, gid)).applicationState).toBe('IN_PROGRESS');
  });

  it('when the income cannot be verified, then the application is REJECTED for CREDIT_RISK_ASSESSMENT', async () => {
    const { gid } = await applyAndDecide(t, { pan: panWith('9002') });
    await t.http().post(`/sandbox/applications/${gid}/income-verification/complete`).send({ outcome: 'REJECTED' }).expect(200);
    const rejected = await eventually(() => approvalStatus(t, gid), (d) => d.applicationState !== 'INCOME_VERIFICATION');
    expect(rejected).toMatchObject({ applicationState: 'REJECTED', rejectedStateContext: { reason: 'CREDIT_RISK_ASSESSMENT' } });
    expect((await applicationStatus(t, gid)).rejectedStateContext.reason).toBe('CREDIT_RISK_ASSESSMENT');
  });

  it('when the application is already APPROVED, then completing income verification is an illegal transition: sandbox 400 ILLEGAL_STATE_TRANSITION, still APPROVED', async () => {
    const { gid } = await applyAndDecide(t);
    const res = await t.http().post(`/sandbox/applications/${gid}/income-verification/complete`).send({});
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'ILLEGAL_STATE_TRANSITION' });
    expect(res.body.error.message).toEqual(expect.any(String));
    expect(res.body).not.toHaveProperty('errorResponse');
    expect((await approvalStatus(t, gid)).applicationState).toBe('APPROVED');
  });
});

describe('KYC expiry', () => {
  /** An approved application that initiated KYC: its KYC attempt in force, and the trace id of the initiate request. */
  async function initiatedKyc() {
    const applied = await applyAndDecide(t);
    const res = await t.call(PATHS.initiateKyc, { googleApplicationId: applied.gid, offerId: applied.offerId }).expect(200);
    const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: applied.gid }, include: { currentKyc: true } });
    if (!application.currentKyc) throw new Error(`no current KYC for ${applied.gid}`);
    return { ...applied, kyc: application.currentKyc, traceId: res.headers['x-trace-id'] as string };
  }

  /** The kyc.expire jobs staged for this KYC attempt (the payload is the job envelope `{v, traceId, data}`). */
  const expiryJobsFor = (kycId: string) =>
    t.services.db.prisma.outboxMessage.findMany({ where: { topic: 'kyc.expire', payload: { path: ['data', 'kycId'], equals: kycId } }, orderBy: { createdAt: 'asc' } });

  it('when KYC is initiated, then its expiry is staged in the outbox for 7 days later, as a version-1 job carrying the request\'s trace id', async () => {
    const { kyc, traceId } = await initiatedKyc();
    const staged = await expiryJobsFor(kyc.id);
    expect(staged).toHaveLength(1);
    const [mine] = staged;
    expect(traceId).toEqual(expect.any(String));
    expect(mine.payload).toEqual({ v: 1, traceId, data: { kycId: kyc.id } });
    const delayDays = (mine.availableAt.getTime() - kyc.createdAt.getTime()) / 86_400_000;
    expect(delayDays).toBeGreaterThan(6.99);
    expect(delayDays).toBeLessThan(7.01);
    expect(mine.publishedAt).toBeNull();
  });

  it('when the expiry fires before it is due, then nothing changes and it is re-armed', async () => {
    const { gid, kyc } = await initiatedKyc();
    await t.services.db.transaction(() => t.services.kyc.expire(kyc.id));
    expect((await applicationStatus(t, gid)).kyc.state).toBe('NOT_STARTED');
    const staged = await expiryJobsFor(kyc.id);
    expect(staged).toHaveLength(2);
    // The re-armed job is due when the first one is (7 days after initiation), not 7 days after the early firing.
    expect(Math.abs(staged[1].availableAt.getTime() - staged[0].availableAt.getTime())).toBeLessThan(60_000);
  });

  it('when an unfinished KYC journey is 7 days old, then it EXPIRES and the application is rejected', async () => {
    const { gid, kyc } = await initiatedKyc();
    t.clock.advance(7 * 86_400_000 + 60_000);
    try {
      await t.services.db.transaction(() => t.services.kyc.expire(kyc.id));
      const status = await applicationStatus(t, gid);
      expect(status.kyc.state).toBe('EXPIRED');
      expect(status.kyc.rejectedStateContext).toEqual({ reason: 'EXPIRED' });
      expect(status.applicationState).toBe('REJECTED');
      const history = await t.services.transitions.history('kyc', kyc.id);
      expect(history.map((h) => h.toState)).toEqual(['NOT_STARTED', 'EXPIRED']);
    } finally {
      t.clock.advance(-(7 * 86_400_000 + 60_000));
    }
  });
});
