import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPublicKey, randomBytes } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { CompactSign } from 'jose';
import { TestApp, newRequestId, startTestApp } from '../support/test-app';
import { PATHS, approveUserData, newApplicationId, newPhone, readOtp, smsCount } from '../support/journey';
import { expectError } from '../support/expect-error';
import {
  OpenedAnswer, PartnerKeyPair, b64url, encryptTo, encryptToServer, openAnswer, partnerKeyPair, postJose, requestJson, serverJwks, sign,
} from '../support/signed-client';
import { gpayRouter } from '../../src/protocols/gpay/gpay-router';
import { publishedKeys } from '../../src/protocols/shared/jose-envelope';
import { generateKeySet, publicJwks, readKeySet, rotateKeySet } from '../../src/lib/keys';

/** Partners registered here; each has the same three signing keys (and two it may not use), and its own encryption key. */
const ANSWERS_ECDH = 'jose-app';
const ANSWERS_RSA = 'jose-rsa-app';
const NO_ENCRYPTION_KEY = 'jose-sign-only-app';
type EncryptionAlg = 'RSA-OAEP-256' | 'ECDH-ES+A256KW';

let t: TestApp;
const key: Record<'ES256' | 'PS256' | 'RS256' | 'ES384' | 'EdDSA', PartnerKeyPair> = {} as never;
const partnerEncryption: Record<string, PartnerKeyPair> = {};

/** The case table for the closing note: case → HTTP status → code → form of the answer. */
const table: Array<{ name: string; status: string; code: string; answer: string }> = [];
function record(name: string, ...answers: OpenedAnswer[]) {
  table.push({
    name,
    status: answers.map((a) => a.status).join(', '),
    code: answers.map((a) => a.body.errorResponse?.paymentIntegratorErrorCode ?? '—').join(', '),
    answer: answers.map((a) => (a.encrypted ? 'signed + encrypted' : a.signed ? 'signed' : 'plain JSON')).join(', '),
  });
}

beforeAll(async () => {
  t = await startTestApp();
  key.ES256 = await partnerKeyPair('partner-es256', 'ES256');
  key.PS256 = await partnerKeyPair('partner-ps256', 'PS256');
  key.RS256 = await partnerKeyPair('partner-rs256', 'RS256');
  key.ES384 = await partnerKeyPair('partner-es384', 'ES384');
  key.EdDSA = await partnerKeyPair('partner-ed25519', 'EdDSA');
  partnerEncryption[ANSWERS_ECDH] = await partnerKeyPair('partner-enc-ec', 'ECDH-ES+A256KW', 'enc');
  partnerEncryption[ANSWERS_RSA] = await partnerKeyPair('partner-enc-rsa', 'RSA-OAEP-256', 'enc');
  const signing = Object.values(key).map((k) => k.publicJwk);
  for (const id of [ANSWERS_ECDH, ANSWERS_RSA, NO_ENCRYPTION_KEY]) {
    const encryption = partnerEncryption[id] ? [partnerEncryption[id].publicJwk] : [];
    await t.services.partners.add({ id, displayName: `JOSE test partner ${id}`, protocol: 'GPAY', jwks: { keys: [...signing, ...encryption] } });
  }
});
afterAll(async () => {
  const lines = ['| case | HTTP | paymentIntegratorErrorCode | answer |', '|---|---|---|---|', ...table.map((r) => `| ${r.name} | ${r.status} | ${r.code} | ${r.answer} |`)];
  fs.writeFileSync(path.join(os.tmpdir(), 'credit-partner-jose-cases.md'), `${lines.join('\n')}\n`);
  console.log(`JOSE cases (${table.length}):\n${lines.join('\n')}`);
  await t?.stop();
});

/** Sends `data` to `path` as `partner`: signed with `signer`, encrypted to our key of `encrypt` when given; returns the answer as the partner reads it. */
async function send(urlPath: string, data: unknown, options: { signer: PartnerKeyPair; partner?: string; encrypt?: EncryptionAlg; requestId?: string }): Promise<OpenedAnswer> {
  const partner = options.partner ?? ANSWERS_ECDH;
  const jws = await sign(requestJson(t, data, { requestId: options.requestId }), options.signer);
  const body = options.encrypt ? await encryptToServer(t, jws, options.encrypt) : jws;
  return openAnswer(t, await postJose(t, urlPath, body, partner), partnerEncryption[partner]?.privateKey);
}

const challengeData = (phone: ReturnType<typeof newPhone>) => ({ userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } });
const statusData = () => ({ googleApplicationId: newApplicationId() });

describe('signed requests are served and answered signed (and encrypted when they came encrypted)', () => {
  const CASES: Array<[string, 'ES256' | 'PS256' | 'RS256', EncryptionAlg | undefined]> = [];
  for (const alg of ['ES256', 'PS256', 'RS256'] as const) {
    CASES.push([`${alg}, plain JWS`, alg, undefined]);
    CASES.push([`${alg} in a JWE (RSA-OAEP-256 + A256GCM)`, alg, 'RSA-OAEP-256']);
    CASES.push([`${alg} in a JWE (ECDH-ES+A256KW + A256GCM)`, alg, 'ECDH-ES+A256KW']);
  }

  it.each(CASES)('when a partner sends %s, then initiateChallenge, approveUser and getStatus complete and each answer verifies against /.well-known/jwks.json', async (name, alg, encrypt) => {
    // The answer is encrypted to the partner's own encryption key: RSA-OAEP-256 for one partner, ECDH-ES+A256KW for the other.
    const partner = encrypt === 'RSA-OAEP-256' ? ANSWERS_RSA : ANSWERS_ECDH;
    const as = { signer: key[alg], partner, encrypt };
    const phone = newPhone();
    const before = await smsCount(t, phone);
    const issued = await send(PATHS.initiateChallenge, challengeData(phone), as);
    expect(issued.status).toBe(200);
    const otp = await readOtp(t, phone, issued.body.data.tokenMetadata.smsOtpMetadata.format.messageRegex, before);
    const gid = newApplicationId();
    const applied = await send(PATHS.approveUser, approveUserData(gid, phone, { tokenReferenceId: issued.body.data.tokenReferenceId, otp }), as);
    const status = await send(PATHS.getStatus, { googleApplicationId: gid }, as);

    const ours = (await serverJwks(t)).keys.find((k) => k.alg === 'ES256' && k.use === 'sig')!;
    for (const answer of [issued, applied, status]) {
      expect({ status: answer.status, signed: answer.signed, encrypted: answer.encrypted }).toEqual({ status: 200, signed: true, encrypted: encrypt !== undefined });
      expect(answer.header).toMatchObject({ alg: 'ES256', kid: ours.kid, typ: 'JOSE' });
      expect(answer.body.data).toBeDefined();
    }
    const stored = await t.services.db.prisma.application.findMany({ where: { externalReference: gid } });
    expect(stored.map((row) => row.partnerId)).toEqual([partner]);
    record(`valid: ${name}`, issued, applied, status);
  });

  it('when two keys of a partner are live during a rotation, then both are accepted, and once one is retired it is refused', async () => {
    const oldKey = await partnerKeyPair('rotating-old', 'ES256');
    const newKey = await partnerKeyPair('rotating-new', 'RS256');
    await t.services.partners.add({ id: 'jose-rotating-app', displayName: 'Rotating partner', protocol: 'GPAY', jwks: { keys: [oldKey.publicJwk] } });
    const as = (signer: PartnerKeyPair) => ({ signer, partner: 'jose-rotating-app' });

    await t.services.partners.rotateKey('jose-rotating-app', newKey.publicJwk);
    const withOld = await send(PATHS.initiateChallenge, challengeData(newPhone()), as(oldKey));
    const withNew = await send(PATHS.initiateChallenge, challengeData(newPhone()), as(newKey));
    expect([withOld, withNew].map((a) => [a.status, a.signed])).toEqual([[200, true], [200, true]]);
    record('rotation: old and new key both live (ES256 old, RS256 new)', withOld, withNew);

    await t.services.partners.rotateKey('jose-rotating-app', newKey.publicJwk, oldKey.kid);
    const retired = await send(PATHS.initiateChallenge, challengeData(newPhone()), as(oldKey));
    const stillNew = await send(PATHS.initiateChallenge, challengeData(newPhone()), as(newKey));
    expect([retired.status, retired.signed, retired.body.errorResponse?.paymentIntegratorErrorCode]).toEqual([401, false, 'INVALID_PAYLOAD_SIGNATURE']);
    expect(retired.body.errorResponse.errorDescription).toMatch(/rotating-old/);
    expect(stillNew.status).toBe(200);
    record('rotation: old key retired (refused), new key (accepted)', retired, stillNew);
  });

  it('when a signed write is retried with the same requestId, then the first answer is replayed, signed afresh', async () => {
    const requestId = newRequestId();
    const phone = newPhone();
    const first = await send(PATHS.initiateChallenge, challengeData(phone), { signer: key.ES256, requestId });
    const replay = await send(PATHS.initiateChallenge, challengeData(phone), { signer: key.ES256, requestId });
    expect([first.status, replay.status]).toEqual([200, 200]);
    expect(replay.body).toEqual(first.body);
    expect(replay.compact).not.toBe(first.compact);
    record('idempotent replay of a signed write', first, replay);
  });

  it('when plain JSON is sent to the sandbox, then it is served with a plain JSON answer, unchanged', async () => {
    const res = await t.call(PATHS.initiateChallenge, challengeData(newPhone()), { partnerId: ANSWERS_ECDH });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    record('plain JSON, requireSignedRequests=false (sandbox)', await openAnswer(t, res));
  });
});

describe('errors after the signature verified are answered signed', () => {
  it.each([
    ['an unknown application (getStatus)', PATHS.getStatus, statusData(), 404, 'NOT_FOUND'],
    ['a missing field', PATHS.getStatus, {}, 400, 'MISSING_REQUIRED_FIELD'],
    ['NUL in a verified payload', PATHS.getStatus, { googleApplicationId: 'GAPP-\u0000' }, 400, 'ILL_FORMED_TEXT'],
  ])('when the signed request has %s, then the error envelope comes signed', async (name, urlPath, data, status, code) => {
    const answer = await send(urlPath, data, { signer: key.ES256 });
    expect({ status: answer.status, signed: answer.signed, code: answer.body.errorResponse?.paymentIntegratorErrorCode }).toEqual({ status, signed: true, code });
    expect(answer.body.responseHeader.requestId).not.toBe('');
    record(`signed error: ${name}`, answer);
  });

  it('when the verified payload is not JSON, then it is 400 MALFORMED_REQUEST, signed', async () => {
    const answer = await openAnswer(t, await postJose(t, PATHS.getStatus, await sign('not json', key.ES256), ANSWERS_ECDH));
    expect({ status: answer.status, signed: answer.signed, code: answer.body.errorResponse?.paymentIntegratorErrorCode }).toEqual({ status: 400, signed: true, code: 'MALFORMED_REQUEST' });
    record('signed error: payload is not JSON', answer);
  });

  it('when the verified payload is larger than 64 KiB, then it is 413, signed; a body over 128 KiB is 413 before any verification', async () => {
    const big = await sign(requestJson(t, { googleApplicationId: newApplicationId(), padding: 'x'.repeat(65 * 1024) }), key.ES256);
    const answer = await openAnswer(t, await postJose(t, PATHS.getStatus, big, ANSWERS_ECDH));
    expect({ status: answer.status, signed: answer.signed, code: answer.body.errorResponse?.paymentIntegratorErrorCode }).toEqual({ status: 413, signed: true, code: 'PAYLOAD_TOO_LARGE' });
    record('signed error: verified payload over 64 KiB', answer);
    const huge = await openAnswer(t, await postJose(t, PATHS.getStatus, `${big}${'A'.repeat(64 * 1024)}`, ANSWERS_ECDH));
    expect({ status: huge.status, signed: huge.signed, code: huge.body.errorResponse?.paymentIntegratorErrorCode }).toEqual({ status: 413, signed: false, code: 'PAYLOAD_TOO_LARGE' });
    record('application/jose body over 128 KiB', huge);
  });

  it('when a partner without an encryption key sends an encrypted request, then it is 400 INVALID_PAYLOAD_ENCRYPTION saying so, signed but not encrypted', async () => {
    const answer = await send(PATHS.getStatus, statusData(), { signer: key.ES256, partner: NO_ENCRYPTION_KEY, encrypt: 'ECDH-ES+A256KW' });
    expect({ status: answer.status, signed: answer.signed, encrypted: answer.encrypted }).toEqual({ status: 400, signed: true, encrypted: false });
    expect(answer.body.errorResponse).toMatchObject({ errorResponseCode: 'INVALID_PAYLOAD_ENCRYPTION', paymentIntegratorErrorCode: 'INVALID_PAYLOAD_ENCRYPTION' });
    expect(answer.body.errorResponse.errorDescription).toMatch(/no encryption key/);
    record('JWE from a partner with no encryption key', answer);
  });
});

describe('a signature that does not verify is 401 INVALID_PAYLOAD_SIGNATURE, as plain JSON, before any work', () => {
  const refusals: Array<[string, () => Promise<string>, RegExp]> = [
    ['unknown kid', () => sign(requestJson(t, statusData()), { ...key.ES256, kid: 'never-registered' }), /never-registered/],
    ['bad signature (another key under a registered kid)', async () => sign(requestJson(t, statusData()), { ...(await partnerKeyPair('x', 'ES256')), kid: key.ES256.kid }), /does not verify/],
    ['alg none', async () => `${b64url(JSON.stringify({ alg: 'none', kid: key.ES256.kid }))}.${b64url(requestJson(t, statusData()))}.`, /algorithm is not accepted/],
    ['HS256 with the partner\'s RSA public key as the secret', async () => {
      const secret = new TextEncoder().encode(createPublicKey({ key: key.RS256.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString());
      return new CompactSign(new TextEncoder().encode(requestJson(t, statusData()))).setProtectedHeader({ alg: 'HS256', kid: key.RS256.kid }).sign(secret);
    }, /algorithm is not accepted/],
    ['tampered payload', async () => {
      const [header, , signature] = (await sign(requestJson(t, statusData()), key.ES256)).split('.');
      return `${header}.${b64url(requestJson(t, statusData()))}.${signature}`;
    }, /does not verify/],
    ['missing kid', () => new CompactSign(new TextEncoder().encode(requestJson(t, statusData()))).setProtectedHeader({ alg: 'ES256' }).sign(key.ES256.privateKey), /needs a kid/],
    ['ES384 (outside the allow-list; key registered)', () => sign(requestJson(t, statusData()), key.ES384), /algorithm is not accepted/],
    ['EdDSA (outside the allow-list; key registered)', () => sign(requestJson(t, statusData()), key.EdDSA), /algorithm is not accepted/],
    ['PS256 header on the partner\'s ES256 key', () => sign(requestJson(t, statusData()), { ...key.PS256, kid: key.ES256.kid }), /registered for ES256/],
    ['RS256 header on the partner\'s PS256 key', () => sign(requestJson(t, statusData()), { ...key.RS256, kid: key.PS256.kid }), /registered for PS256/],
    ['not a compact JWS', async () => 'this is not a token', /compact JWS/],
  ];

  it.each(refusals)('when the request has %s, then it is refused with 401 and nothing is done', async (name, token, message) => {
    const before = await t.services.db.prisma.idempotencyRecord.count();
    const res = await postJose(t, PATHS.initiateChallenge, await token(), ANSWERS_ECDH);
    expectError(res, 401, 'INVALID_PAYLOAD_SIGNATURE', 'INVALID_PAYLOAD_SIGNATURE');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.errorResponse.errorDescription).toMatch(message);
    expect(await t.services.db.prisma.idempotencyRecord.count()).toBe(before);
    record(`refused: ${name}`, await openAnswer(t, res));
  });

  it('when a signed request names another partner than the key\'s, then the kid is not found there (a kid never identifies a partner)', async () => {
    const res = await postJose(t, PATHS.getStatus, await sign(requestJson(t, statusData()), key.ES256), 'gpay');
    expectError(res, 401, 'INVALID_PAYLOAD_SIGNATURE', 'INVALID_PAYLOAD_SIGNATURE');
    record('refused: a registered key of another partner (X-Partner-Id gpay)', await openAnswer(t, res));
  });
});

describe('a JWE that does not decrypt is 400 INVALID_PAYLOAD_ENCRYPTION, with one answer whatever the reason', () => {
  const inner = () => sign(requestJson(t, statusData()), key.ES256);
  const garble = (jwe: string, part: number) => jwe.split('.').map((p, i) => (i === part ? `${p[0] === 'A' ? 'B' : 'A'}${p.slice(1)}` : p)).join('.');
  const CASES: Array<[string, () => Promise<string>]> = [
    ['a kid that is not ours', async () => encryptToServer(t, await inner(), 'RSA-OAEP-256', { kid: 'not-our-key' })],
    ['garbled ciphertext', async () => garble(await encryptToServer(t, await inner(), 'ECDH-ES+A256KW'), 3)],
    ['garbled authentication tag', async () => garble(await encryptToServer(t, await inner(), 'RSA-OAEP-256'), 4)],
    ['enc A128GCM (not A256GCM)', async () => encryptToServer(t, await inner(), 'RSA-OAEP-256', { enc: 'A128GCM' })],
    ['alg RSA-OAEP (SHA-1) to our RSA-OAEP-256 key', async () => encryptToServer(t, await inner(), 'RSA-OAEP-256', { alg: 'RSA-OAEP' })],
    ['encrypted to another RSA key under our kid', async () => {
      const ours = (await serverJwks(t)).keys.find((k) => k.alg === 'RSA-OAEP-256')!;
      return encryptTo({ ...(await partnerKeyPair('other', 'RSA-OAEP-256', 'enc')).publicJwk, kid: ours.kid }, await inner());
    }],
  ];

  it('when each of these JWEs arrives, then every answer is the same 400 body (only the timestamp and trace id differ), as plain JSON', async () => {
    const bodies: unknown[] = [];
    for (const [name, token] of CASES) {
      const res = await postJose(t, PATHS.getStatus, await token(), ANSWERS_ECDH);
      expectError(res, 400, 'INVALID_PAYLOAD_ENCRYPTION', 'INVALID_PAYLOAD_ENCRYPTION');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      bodies.push({ ...res.body, responseHeader: { ...res.body.responseHeader, responseTimestamp: undefined } });
      record(`refused JWE: ${name}`, await openAnswer(t, res));
    }
    for (const body of bodies) expect(body).toEqual(bodies[0]);
  });
});

describe('with requireSignedRequests (production), plain JSON is refused', () => {
  let strict: express.Express;
  let ring: ReturnType<typeof readKeySet>;
  beforeAll(() => {
    // A key set of its own, rotated once, so a retired encryption key is there to decrypt.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cp-jose-${randomBytes(3).toString('hex')}-`));
    generateKeySet(dir, 'production');
    rotateKeySet(dir);
    ring = readKeySet(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    const s = t.services;
    strict = express();
    strict.locals.services = s;
    strict.get('/.well-known/jwks.json', publishedKeys(ring));
    strict.use(gpayRouter({ partners: s.partners, limiter: s.limiter, clock: s.clock, logger: s.logger, keys: ring, requireSignedRequests: true }));
  });

  it('when a plain JSON request arrives, then it is 401 INVALID_PAYLOAD_SIGNATURE asking for application/jose, and a signed one is served', async () => {
    const plain = await request(strict).post(PATHS.getStatus).set('x-partner-id', ANSWERS_ECDH).send(JSON.parse(requestJson(t, statusData())));
    expectError(plain, 401, 'INVALID_PAYLOAD_SIGNATURE', 'INVALID_PAYLOAD_SIGNATURE');
    expect(plain.body.errorResponse.errorDescription).toMatch(/application\/jose/);
    record('plain JSON, requireSignedRequests=true (production)', await openAnswer(t, plain));

    const signed = await postJose(t, PATHS.initiateChallenge, await sign(requestJson(t, challengeData(newPhone())), key.ES256), ANSWERS_ECDH, strict);
    const answer = await openAnswer(t, signed, undefined, publicJwks(ring));
    expect([answer.status, answer.signed]).toEqual([200, true]);
    record('signed ES256, requireSignedRequests=true', answer);
  });

  it('when a request is encrypted to our retired encryption key, then it still decrypts', async () => {
    const retired = ring.encryptionKeys.find((k) => k.status === 'retired' && k.alg === 'ECDH-ES+A256KW')!;
    expect(publicJwks(ring).keys.map((k) => k.kid)).not.toContain(retired.kid);
    const jwe = await encryptTo(retired.publicJwk, await sign(requestJson(t, challengeData(newPhone())), key.RS256));
    const answer = await openAnswer(t, await postJose(t, PATHS.initiateChallenge, jwe, ANSWERS_ECDH, strict), partnerEncryption[ANSWERS_ECDH].privateKey, publicJwks(ring));
    expect([answer.status, answer.signed, answer.encrypted]).toEqual([200, true, true]);
    record('RS256 in a JWE to our retired ECDH-ES+A256KW key', answer);
  });
});

describe('our keys and the other surfaces', () => {
  it('serves our public keys at /.well-known/jwks.json, cacheable, without private members', async () => {
    const res = await t.http().get('/.well-known/jwks.json').expect(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const keys = res.body.keys as Array<Record<string, unknown>>;
    expect(keys.filter((k) => k.use === 'sig' && k.alg === 'ES256').length).toBeGreaterThanOrEqual(1);
    expect(keys.filter((k) => k.use === 'enc').map((k) => k.alg).sort()).toEqual(['ECDH-ES+A256KW', 'RSA-OAEP-256']);
    for (const k of keys) for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k[member]).toBeUndefined();
  });

  it('declares the scheme in the OpenAPI document: every partner operation is secured by it, takes application/jose and may answer 401', async () => {
    const spec = (await t.http().get('/openapi.json').expect(200)).body;
    expect(spec.components.securitySchemes.partnerSignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Partner-Id' });
    expect(spec.components.securitySchemes.partnerSignature.description).toMatch(/INVALID_PAYLOAD_SIGNATURE[\s\S]*INVALID_PAYLOAD_ENCRYPTION/);
    for (const urlPath of Object.values(PATHS)) {
      const operation = spec.paths[urlPath].post;
      expect(operation.security).toEqual([{ partnerSignature: [] }]);
      expect(operation.requestBody.content['application/jose'].schema.$ref).toBe('#/components/schemas/CompactJose');
      expect(operation.responses['200'].content['application/jose']).toBeDefined();
      expect(operation.responses['401'].description).toMatch(/INVALID_PAYLOAD_SIGNATURE/);
      expect(operation.responses['401'].content['application/jose']).toBeUndefined();
    }
  });

  it('refuses application/jose on the sandbox surface with 415', async () => {
    const res = await t.http().post(`/sandbox/applications/${newApplicationId()}/kyc/complete`).set('content-type', 'application/jose').send(await sign('{}', key.ES256));
    expect([res.status, res.body.error?.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });
});
