import { Client } from 'pg';
import { TestApp, startTestApp } from '../support/test-app';
import { PATHS, applyAndDecide, approveUserData, challenge, newApplicationId, newPhone, readOtp, smsCount } from '../support/journey';
import { expectError } from '../support/expect-error';
import { partnersCommand } from '../../src/partners-main';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await t.services.partners.add({ id: 'other-app', displayName: 'Another payment app', protocol: 'GPAY', smsTemplate: 'Use {code} to continue with {lender} on Other App.' });
});
afterAll(() => t.stop());

const as = (partnerId: string) => ({ partnerId });

describe('partners are data, and every request is resolved to one', () => {
  it('when two partners use the same googleApplicationId, then each sees only its own application', async () => {
    const gid = newApplicationId();
    const mine = await applyAndDecide(t, { gid });
    expect(mine.offerId).toEqual(expect.any(String));

    for (const [path, data] of [
      [PATHS.getApprovalStatus, { googleApplicationId: gid }],
      [PATHS.getStatus, { googleApplicationId: gid }],
      [PATHS.fetchOffer, { offerId: mine.offerId }],
      [PATHS.initiateKyc, { googleApplicationId: gid, offerId: mine.offerId }],
      [PATHS.initiateRepaymentSetup, { googleApplicationId: gid }],
    ] as const) {
      expectError(await t.call(path, data, as('other-app')), 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
    }

    const phone = newPhone();
    const before = await smsCount(t, phone);
    const issued = await t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } }, as('other-app'));
    expect(issued.status).toBe(200);
    const otp = await readOtp(t, phone, issued.body.data.tokenMetadata.smsOtpMetadata.format.messageRegex, before);
    const theirs = await t.call(PATHS.approveUser, approveUserData(gid, phone, { tokenReferenceId: issued.body.data.tokenReferenceId, otp }), as('other-app'));
    expect(theirs.status).toBe(200);
    const rows = await t.services.db.prisma.application.findMany({ where: { externalReference: gid }, orderBy: { partnerId: 'asc' } });
    expect(rows.map((row) => row.partnerId)).toEqual(['gpay', 'other-app']);
    expect(theirs.body.data.partnerApplicationReferenceId).not.toBe(mine.decision.partnerApplicationReferenceId);
  });

  it('when a partner uses a challenge issued to another partner, then it is unknown to it', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    expectError(await t.call(PATHS.approveUser, approveUserData(newApplicationId(), phone, proof), as('other-app')), 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
  });

  it('when a partner has its own SMS template, then its users get that text and the announced regex reads the code from it', async () => {
    const phone = newPhone();
    const before = await smsCount(t, phone);
    const res = await t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } }, as('other-app'));
    const code = await readOtp(t, phone, res.body.data.tokenMetadata.smsOtpMetadata.format.messageRegex, before);
    const outbox = await t.http().get(`/sandbox/sms-outbox?phone=${phone.countryCode}${phone.nationalNumber}`).expect(200);
    expect(outbox.body.messages[0].text).toBe(`Use ${code} to continue with ${t.services.config.lenderName} on Other App.`);
  });

  it('when a partner is suspended, then its requests are refused before any work, and served again once it is reactivated', async () => {
    await t.services.partners.add({ id: 'paused-app', displayName: 'Paused app', protocol: 'GPAY' });
    const gid = newApplicationId();
    await t.services.partners.suspend('paused-app');
    const challengesBefore = await t.services.db.prisma.otpChallenge.count();
    const refused = await t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: newPhone() }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } }, as('paused-app'));
    expectError(refused, 403, 'PERMISSION_DENIED', 'PARTNER_SUSPENDED');
    expectError(await t.call(PATHS.getStatus, { googleApplicationId: gid }, as('paused-app')), 403, 'PERMISSION_DENIED', 'PARTNER_SUSPENDED');
    expect(await t.services.db.prisma.otpChallenge.count()).toBe(challengesBefore);
    expect(await t.services.db.prisma.idempotencyRecord.count({ where: { partnerId: 'paused-app' } })).toBe(0);

    await t.services.partners.activate('paused-app');
    expectError(await t.call(PATHS.getStatus, { googleApplicationId: gid }, as('paused-app')), 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
  });

  it('when the partner is unknown, or speaks another protocol, then the request is 401 UNAUTHENTICATED', async () => {
    expectError(await t.call(PATHS.getStatus, { googleApplicationId: newApplicationId() }, as('nobody')), 401, 'UNAUTHENTICATED', 'PARTNER_UNKNOWN');
    expectError(await t.call(PATHS.getStatus, { googleApplicationId: newApplicationId() }, as('ocen-test-agent')), 401, 'UNAUTHENTICATED', 'PARTNER_UNKNOWN');
  });

  it('when a partner exceeds its per-minute limit, then further requests are 429 with Retry-After', async () => {
    await t.services.partners.add({ id: 'tiny-app', displayName: 'Tiny app', protocol: 'GPAY', rateLimitPerMinute: 3 });
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await t.call(PATHS.getStatus, { googleApplicationId: newApplicationId() }, as('tiny-app'));
      statuses.push(last.status);
    }
    expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(3);
    expect(statuses.slice(-1)).toEqual([429]);
    expectError(last!, 429, 'RESOURCE_EXHAUSTED', 'PARTNER_RATE_LIMITED');
    expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('when the partners command line adds, lists, suspends and rotates keys, then the table follows', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const keyFile = path.join(os.tmpdir(), `cp-jwk-${process.pid}.json`);
    fs.writeFileSync(keyFile, JSON.stringify({ kid: 'k2', kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }));
    try {
      const added = await partnersCommand(['add', 'cli-app', '--name', 'CLI app', '--protocol', 'gpay', '--rate-limit', '600'], t.services.partners);
      expect(added).toMatchObject({ id: 'cli-app', protocol: 'GPAY', status: 'ACTIVE', rateLimitPerMinute: 600 });
      expect(await partnersCommand(['rotate-key', 'cli-app', '--jwk', keyFile], t.services.partners)).toMatchObject({ jwks: { keys: [{ kid: 'k2', kty: 'EC' }] } });
      expect(await partnersCommand(['suspend', 'cli-app'], t.services.partners)).toMatchObject({ status: 'SUSPENDED' });
      const listed = (await partnersCommand(['list'], t.services.partners)) as Array<{ id: string }>;
      expect(listed.map((p) => p.id)).toEqual(expect.arrayContaining(['gpay', 'ocen-test-agent', 'cli-app']));
      fs.writeFileSync(keyFile, JSON.stringify({ kid: 'bad', kty: 'EC', d: 'private' }));
      await expect(partnersCommand(['rotate-key', 'cli-app', '--jwk', keyFile], t.services.partners)).rejects.toThrow(/public/);
      await expect(partnersCommand(['add', 'cli-app', '--name', 'again', '--protocol', 'gpay'], t.services.partners)).rejects.toThrow(/exists/);
    } finally {
      fs.unlinkSync(keyFile);
    }
  });
});

describe('unknown fields', () => {
  it('when a request carries unknown fields at every depth, then it is processed and the fields are stored nowhere', async () => {
    const marker = 'zz_unknown_marker_7c1f';
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const gid = newApplicationId();
    const data = approveUserData(gid, phone, proof) as Record<string, any>;
    data[marker] = marker;
    data.user[marker] = { nested: marker };
    data.user.addresses[0][marker] = marker;
    data.loanDetails[marker] = [marker];
    const res = await t
      .http()
      .post(PATHS.approveUser)
      .send({ requestHeader: { requestId: `unknown-${Date.now()}`, requestTimestamp: { epochMillis: String(t.clock.now().getTime()) }, protocolVersion: { major: 1 }, [marker]: marker }, data, [marker]: marker });
    expect(res.status).toBe(200);
    expect(res.body.data.applicationState).toBe('IN_PROCESS');
    expect(res.text).not.toContain(marker);

    const client = new Client({ connectionString: t.services.config.databaseUrl });
    await client.connect();
    try {
      const { rows: tables } = await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      );
      for (const { table_name } of tables) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${table_name}" t WHERE to_jsonb(t)::text LIKE $1`, [`%${marker}%`]);
        expect({ table: table_name, rows: rows[0].n }).toEqual({ table: table_name, rows: 0 });
      }
    } finally {
      await client.end();
    }
    const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid } });
    const { Sealer } = await import('../../src/lib/crypto');
    const applicant = new Sealer(t.services.keys.dataKeys).open(application.applicantCiphertext, `applicant:${application.id}`);
    expect(applicant).not.toContain(marker);
    expect(JSON.parse(applicant).fullName).toBe('Asha Rao');
  });
});
