import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { Client } from 'pg';
import { TestApp, productionEnv, startTestApp } from '../support/test-app';
import { PATHS, applyAndDecide, approveUserData, challenge, newApplicationId, newPhone, readOtp, smsCount } from '../support/journey';
import { expectError } from '../support/expect-error';
import { partnersCommand } from '../../src/partners-main';
import { prepare } from '../../src/container';

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
      fs.writeFileSync(keyFile, JSON.stringify({ keys: [{ kid: 'lsp-k1', kty: 'RSA', n: 'n', e: 'AQAB', alg: 'RS512' }] }));
      const lsp = await partnersCommand(['add', 'cli-lsp', '--name', 'CLI LSP', '--protocol', 'ocen_3', '--callback-url', 'https://lsp.example/credit', '--jwks', keyFile], t.services.partners);
      expect(lsp).toMatchObject({ id: 'cli-lsp', protocol: 'OCEN_3', callbackBaseUrl: 'https://lsp.example/credit', jwks: { keys: [{ kid: 'lsp-k1', kty: 'RSA' }] } });
      expect(await partnersCommand(['add', 'cli-old', '--name', 'Old', '--protocol', 'ocen'], t.services.partners)).toMatchObject({ protocol: 'OCEN_4' });
      await expect(partnersCommand(['add', 'cli-x', '--name', 'X', '--protocol', 'swift'], t.services.partners)).rejects.toThrow(/gpay, ocen_4 or ocen_3/);
    } finally {
      fs.unlinkSync(keyFile);
    }
  });
});

describe('partners as configuration (PARTNERS_FILE, applied at boot)', () => {
  const file = path.join(os.tmpdir(), `cp-partners-${process.pid}-${Date.now()}.json`);
  afterAll(() => fs.rmSync(file, { force: true }));

  const jwk = (kid: string, options: { private?: boolean } = {}) => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return { ...(options.private ? privateKey : publicKey).export({ format: 'jwk' }), kid, use: 'sig', alg: 'ES256' };
  };
  /** Boots with PARTNERS_FILE holding `content` (prepare runs before the server listens, in npm start and the worker). */
  const bootWith = (content: unknown) => {
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return prepare({ ...t.services, config: { ...t.services.config, partnersFile: file } });
  };
  const status = (partnerId: string) => t.call(PATHS.getStatus, { googleApplicationId: newApplicationId() }, as(partnerId));

  it('when the file lists new partners, then the boot creates them with every listed field, and they are served', async () => {
    const k1 = jwk('file-k1');
    await bootWith([
      { id: 'file-pay', protocol: 'gpay', displayName: 'File Pay', jwks: { keys: [k1] }, smsTemplate: '{code} is your File Pay code for {lender}.', rateLimitPerMinute: 600, callbackBaseUrl: 'https://file-pay.example/cb' },
      { id: 'file-agent', protocol: 'OCEN_4', displayName: 'File loan agent', jwks: { keys: [] }, status: 'SUSPENDED' },
      { id: 'file-legacy', protocol: 'ocen', displayName: 'Listed before v3', jwks: { keys: [] } },
      { id: 'file-v3', protocol: 'ocen_3', displayName: 'File v3 loan agent', jwks: { keys: [] }, callbackBaseUrl: 'https://v3-agent.example/lsp' },
    ]);
    expect(await t.services.partners.get('file-pay')).toEqual({
      id: 'file-pay',
      protocol: 'GPAY',
      displayName: 'File Pay',
      status: 'ACTIVE',
      jwks: { keys: [k1] },
      callbackBaseUrl: 'https://file-pay.example/cb',
      smsTemplate: '{code} is your File Pay code for {lender}.',
      rateLimitPerMinute: 600,
    });
    expect(await t.services.partners.get('file-agent')).toMatchObject({ protocol: 'OCEN_4', status: 'SUSPENDED', callbackBaseUrl: null, smsTemplate: null, rateLimitPerMinute: null });
    expect(await t.services.partners.get('file-legacy')).toMatchObject({ protocol: 'OCEN_4' });
    expect(await t.services.partners.get('file-v3')).toMatchObject({ protocol: 'OCEN_3', callbackBaseUrl: 'https://v3-agent.example/lsp' });
    expectError(await status('file-pay'), 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
  });

  it('when the file changes, then the next boot updates the fields each entry lists, and leaves unlisted fields and unlisted partners alone', async () => {
    const [k1, k2] = [jwk('changed-k1'), jwk('changed-k2')];
    await bootWith([{ id: 'changing-pay', protocol: 'GPAY', displayName: 'Changing Pay', jwks: { keys: [k1] }, smsTemplate: 'Old {code}', rateLimitPerMinute: 100 }]);
    await t.services.partners.suspend('changing-pay'); // by the CLI, say
    const otherBefore = await t.services.partners.get('other-app');

    await bootWith([{ id: 'changing-pay', protocol: 'GPAY', displayName: 'Changing Pay (renamed)', jwks: { keys: [k1, k2] }, rateLimitPerMinute: null }]);
    expect(await t.services.partners.get('changing-pay')).toMatchObject({
      displayName: 'Changing Pay (renamed)',
      jwks: { keys: [k1, k2] },
      rateLimitPerMinute: null,
      smsTemplate: 'Old {code}', // not listed: kept
      status: 'SUSPENDED', // not listed: kept
    });
    expect(await t.services.partners.get('other-app')).toEqual(otherBefore);

    await bootWith([{ id: 'changing-pay', protocol: 'GPAY', displayName: 'Changing Pay (renamed)', jwks: { keys: [k2] }, status: 'ACTIVE' }]);
    expect(await t.services.partners.get('changing-pay')).toMatchObject({ jwks: { keys: [k2] }, status: 'ACTIVE' });
    // The running process sees the change at once (its cache is dropped), not after PARTNER_CACHE_MS.
    expectError(await status('changing-pay'), 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
  });

  it('when the file has problems, then the boot stops with one message naming each problem by entry index and id, and nothing is written', async () => {
    const error: Error = await bootWith([
      { id: 'fine-pay', protocol: 'GPAY', displayName: 'Fine Pay', jwks: { keys: [jwk('fine')] } },
      { id: 'leaky-pay', protocol: 'GPAY', displayName: 'Leaky Pay', jwks: { keys: [jwk('leaky', { private: true })] } },
      { id: 'Bad Id', protocol: 'GPAY', displayName: 'Bad', jwks: { keys: [] } },
      { id: 'no-name', protocol: 'SWIFT', jwks: { keys: [{ kty: 'EC' }] } },
      { id: 'typo-pay', protocol: 'GPAY', displayName: 'Typo', jwks: { keys: [] }, rateLimit: 10, smsTemplate: 'no code here', rateLimitPerMinute: 0 },
      { id: 'fine-pay', protocol: 'GPAY', displayName: 'Fine Pay again', jwks: { keys: [] } },
      'not a partner',
    ]).then(
      () => {
        throw new Error('the boot went on');
      },
      (err: Error) => err,
    );
    expect(error.name).toBe('PartnersFileError');
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(`PARTNERS_FILE ${file} cannot be applied (10 problems):`);
    for (const expected of [
      /\[1\] "leaky-pay" jwks\.keys\[0\]: Only public keys are accepted; the JWK has private members \(d\)/,
      /\[2\] "Bad Id" id: A partner id is 2-63 characters/,
      /\[3\] "no-name" protocol: protocol is one of GPAY, OCEN_4, OCEN_3 \(OCEN reads as OCEN_4\)/,
      /\[3\] "no-name" displayName: required, but missing/,
      /\[3\] "no-name" jwks\.keys\[0\]: A key is a public JWK with kid and kty/,
      /\[4\] "typo-pay": Unrecognized key: "rateLimit"/,
      /\[4\] "typo-pay" smsTemplate: An SMS template must contain \{code\} exactly once/,
      /\[4\] "typo-pay" rateLimitPerMinute: Too small/,
      /\[5\] "fine-pay": the id is defined already by entry \[0\]/,
      /\[6\]: Invalid input: expected object/,
    ]) {
      expect(lines.filter((line) => expected.test(line))).toHaveLength(1);
    }
    const ids = (await t.services.partners.list()).map((p) => p.id);
    expect(ids).not.toContain('fine-pay');
    expect(ids).not.toContain('leaky-pay');
  });

  it('when production starts with no partner in the table, then a PARTNERS_FILE partner with verification keys satisfies the partner guard', async () => {
    fs.writeFileSync(file, JSON.stringify([{ id: 'prod-pay', protocol: 'GPAY', displayName: 'Prod Pay', jwks: { keys: [jwk('prod-k1')] } }]));
    const production = await startTestApp({ worker: false, env: { ...productionEnv(), PARTNERS_FILE: file } });
    try {
      expect((await production.services.partners.list()).map((p) => p.id)).toEqual(['prod-pay']);
    } finally {
      await production.stop();
    }
  });

  it('when the file is not JSON, not an array, or missing, then the boot stops saying so', async () => {
    await expect(bootWith('[{"id": "x",')).rejects.toThrow(/PARTNERS_FILE .* cannot be applied \(1 problem\):\n {2}- not valid JSON/);
    await expect(bootWith({ id: 'lonely-pay' })).rejects.toThrow(/must hold a JSON array of partners/);
    fs.rmSync(file);
    await expect(prepare({ ...t.services, config: { ...t.services.config, partnersFile: file } })).rejects.toThrow(/cannot be read: ENOENT/);
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
