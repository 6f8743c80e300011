import { Background } from '../../src/container';
import { OutsideCallInTransactionError } from '../../src/lib/db/database';
import { SandboxBureau, SandboxCkycRegistry, SandboxRail, SandboxSmsOutbox } from '../../src/adapters/sandbox/sandbox-adapters';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { PATHS, approvalStatus, approveUserData, newApplicationId, newPhone } from '../support/journey';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: false, env: { RECONCILE_STALE_AFTER_MS: '60000' } });
});
afterAll(() => t.stop());

/** Drops every queued and staged job: what a lost Redis or a crash between commit and publish would leave. */
async function loseAllJobs(): Promise<void> {
  const { createQueue } = await import('../../src/lib/jobs/queue');
  const queue = createQueue({ url: t.services.config.redisUrl, prefix: t.services.config.queuePrefix });
  try {
    await eventually(() => t.services.db.prisma.outboxMessage.count({ where: { publishedAt: null } }), (n) => n === 0);
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}

describe('the reconciler', () => {
  it('when the decision job of an application was lost, then a sweep past the deadline stages it again and the application is decided', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    // No worker runs here (the SMS job could not run), so the code is derived from the stored secret.
    const issued = await t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } });
    const tokenReferenceId = issued.body.data.tokenReferenceId as string;
    const otp = await codeOf(tokenReferenceId);
    expect((await t.call(PATHS.approveUser, approveUserData(gid, phone, { tokenReferenceId, otp }))).status).toBe(200);
    await loseAllJobs();
    expect((await approvalStatus(t, gid)).applicationState).toBe('IN_PROCESS');

    const early = await t.services.reconciler.sweep();
    expect(early.decisionsRetried).toEqual([]);

    t.clock.advance(61_000);
    await t.services.db.prisma.application.updateMany({ where: { externalReference: gid }, data: { updatedAt: new Date(Date.now() - 61_000) } });
    const report = await t.services.reconciler.sweep();
    const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid } });
    expect(report.decisionsRetried).toEqual([application.id]);

    const worker = new Background(t.services, true);
    worker.start();
    try {
      const decided = await eventually(() => approvalStatus(t, gid), (d) => d.applicationState !== 'IN_PROCESS');
      expect(decided.applicationState).toBe('APPROVED');
      expect(decided.approvedStateContext.offerId).toEqual(expect.any(String));
    } finally {
      await worker.stop();
    }
    expect((await t.services.reconciler.sweep()).decisionsRetried).toEqual([]);
  });

  it('when a decision is still not made a day after the application, then the sweep rejects it visibly (OTHERS) instead of retrying forever', async () => {
    const { randomUUID } = await import('node:crypto');
    const id = randomUUID();
    await t.services.db.prisma.application.create({
      data: {
        id, partnerId: 'gpay', externalReference: `OLD-${id}`, lenderReference: `P-${id}`, productId: 'PERSONAL_LOAN', phoneHash: 'h', panHash: 'h', panLast4: '1234',
        applicantCiphertext: 'x', loanPurpose: 'OTHER', requestedAmountMicros: 1n, approvalState: 'IN_PROCESS', applicationState: 'CREDIT_APPROVAL_PENDING',
        createdAt: new Date(t.clock.now().getTime() - 25 * 3_600_000), updatedAt: new Date(Date.now() - 3_600_000),
      },
    });
    const report = await t.services.reconciler.sweep();
    expect(report.decisionsAbandoned).toEqual([id]);
    const status = await t.call(PATHS.getApprovalStatus, { googleApplicationId: `OLD-${id}` }).expect(200);
    expect(status.body.data).toMatchObject({ applicationState: 'REJECTED', rejectedStateContext: { reason: 'OTHERS' } });
  });
});

describe('outside-world adapters', () => {
  const adapters: Array<[string, () => Promise<unknown>]> = [
    ['the credit bureau', () => new SandboxBureau().check({ pan: 'ABCDE1234F' })],
    ['the CKYC registry search', () => new SandboxCkycRegistry().search({ pan: 'ABCDE1234F', dateOfBirth: '1990-01-01' })],
    ['the CKYC registry download', () => new SandboxCkycRegistry().download('50000000000001')],
    ['the disbursement rail', () => new SandboxRail(t.services.redis, t.services.config.queuePrefix).transfer({ reference: 'DSB-TEST', amountMicros: 1n, beneficiaryPanLast4: '1234' })],
    ['the disbursement rail\'s status query', () => new SandboxRail(t.services.redis, t.services.config.queuePrefix).status('DSB-TEST')],
    ['the SMS gateway', () => new SandboxSmsOutbox(t.services.redis, t.services.config.queuePrefix).send({ to: '919000000000', text: 'x', messageId: 'm-outside' })],
  ];

  it.each(adapters)('when %s is called inside a database transaction, then it refuses', async (_name, call) => {
    await expect(t.services.db.transaction(call)).rejects.toBeInstanceOf(OutsideCallInTransactionError);
  });

  it.each(adapters)('when %s is called with no transaction open, then it answers', async (_name, call) => {
    await expect(call()).resolves.not.toThrow();
  });
});

async function codeOf(tokenReferenceId: string): Promise<string> {
  const challengeRow = await t.services.db.prisma.otpChallenge.findUniqueOrThrow({ where: { id: tokenReferenceId } });
  const { Sealer } = await import('../../src/lib/crypto');
  const { generateSync } = await import('otplib');
  const secret = new Sealer(t.services.keys.dataKeys).open(challengeRow.secretCiphertext, `otp-secret:${challengeRow.id}`);
  return generateSync({ strategy: 'hotp', secret, counter: 0, digits: 6 });
}
