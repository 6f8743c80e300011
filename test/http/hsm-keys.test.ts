/**
 * The server with its keys in an HSM (KEY_PROVIDER=pkcs11, a SoftHSM2 token of this file's own): Google Pay
 * answers and OCEN callbacks signed in the token and verified with /.well-known/jwks.json, requests decrypted in
 * the token, and a rotation taken without a restart (on the reload interval in process, on SIGHUP in a real
 * `npm start` process, rotated by the real `npm run keys` command line).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { JWK, compactVerify, createLocalJWKSet } from 'jose';
import express from 'express';
import { keysCommand } from '../../src/keys-main';
import { KeyRing, KeyUnavailableError } from '../../src/lib/keys';
import { gpayRouter } from '../../src/protocols/gpay/gpay-router';
import { LoanAgent } from '../support/ocen-network';
import { OcenLenderHarness, ocenEnvelope, ocenLoanApplication, startOcenLender } from '../support/ocen-lender-harness';
import { PartnerKeyPair, encryptTo, encryptToServer, openAnswer, partnerKeyPair, postJose, requestJson, serverJwks, sign } from '../support/signed-client';
import { PATHS, newPhone } from '../support/journey';
import { ServerProcess } from '../support/server-process';
import { SoftHsmToken, softHsmToken } from '../support/softhsm';
import { TestApp, eventually } from '../support/test-app';
import { freePort } from '../support/free-port';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../..');
const PARTNER = 'hsm-partner';
const agent = new LoanAgent('la-hsm', { kid: 'la-hsm-key' });

let hsm: SoftHsmToken;
let world: OcenLenderHarness;
let t: TestApp;
let signer: PartnerKeyPair;
let partnerEncryption: PartnerKeyPair;

interface InspectedKey {
  kid: string;
  alg: string;
  use: string;
  status: string;
  sensitive: boolean;
  extractable: boolean;
  privateValue: string;
}

beforeAll(async () => {
  hsm = softHsmToken();
  // As a deployment does: the one-shot `keys ensure` makes the production set (keys in the token), then the servers start.
  keysCommand(['ensure'], hsm.env);
  world = await startOcenLender([agent], { env: { ...hsm.env, KEYS_RELOAD_MS: '200' } });
  t = world.app;
  signer = await partnerKeyPair('hsm-partner-sig', 'ES256');
  partnerEncryption = await partnerKeyPair('hsm-partner-enc', 'ECDH-ES+A256KW', 'enc');
  await t.services.partners.add({ id: PARTNER, displayName: 'HSM test partner', protocol: 'GPAY', jwks: { keys: [signer.publicJwk, partnerEncryption.publicJwk] } });
});

afterAll(async () => {
  await world?.stop();
  hsm?.remove();
});

const challengeData = () => ({ userIdentifier: { phoneNumber: newPhone() }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } });

/** The token's keys as `npm run keys -- inspect` reports them. */
async function tokenKeys(): Promise<InspectedKey[]> {
  const report = (await keysCommand(['inspect'], hsm.env)) as { ok: boolean; keys: InspectedKey[] };
  expect(report.ok).toBe(true);
  return report.keys;
}

/** A Google Pay initiateChallenge, signed by the partner and encrypted to `to` (our published key of that alg, or a JWK given), opened as the partner does. */
async function initiateChallenge(to: 'RSA-OAEP-256' | 'ECDH-ES+A256KW' | Parameters<typeof encryptTo>[0]) {
  const jws = await sign(requestJson(t, challengeData()), signer);
  const jwe = typeof to === 'string' ? await encryptToServer(t, jws, to) : await encryptTo(to, jws);
  return openAnswer(t, await postJose(t, PATHS.initiateChallenge, jwe, PARTNER), partnerEncryption.privateKey);
}

async function ocenCallback() {
  const id = `app-${randomUUID()}`;
  const ack = await world.post(agent, 'loanApplications/createLoanRequest', { ...ocenEnvelope(agent.participantId), loanApplications: [ocenLoanApplication(id)] });
  expect(ack.status).toBe(200);
  return world.endpoint(agent).callbackAbout(id, 'createLoanResponse');
}

describe('with the keys in an HSM', () => {
  it('when a partner sends a signed request encrypted to each of our keys, then the token decrypts it and signs the answer, which verifies with /.well-known/jwks.json', async () => {
    expect(t.services.keys.provider).toBe('pkcs11');
    const inToken = await tokenKeys();
    const es256 = inToken.find((k) => k.alg === 'ES256' && k.status === 'active')!;
    for (const alg of ['RSA-OAEP-256', 'ECDH-ES+A256KW'] as const) {
      const answer = await initiateChallenge(alg);
      expect({ alg, status: answer.status, signed: answer.signed, encrypted: answer.encrypted }).toEqual({ alg, status: 200, signed: true, encrypted: true });
      expect(answer.header).toMatchObject({ alg: 'ES256', kid: es256.kid, typ: 'JOSE' });
      expect(answer.body.data.tokenReferenceId).toEqual(expect.any(String));
    }
    // The kids served are the token's, whose private halves it will not give out.
    const published = (await serverJwks(t)).keys;
    expect(published.map((k) => k.kid).sort()).toEqual(inToken.map((k) => k.kid).sort());
    for (const key of inToken) expect(key).toMatchObject({ sensitive: true, extractable: false, privateValue: 'refused: CKR_ATTRIBUTE_SENSITIVE' });
    for (const key of [...t.services.keys.signingKeys, ...t.services.keys.encryptionKeys]) expect(key).not.toHaveProperty('privateKey');
  });

  it('when an OCEN loan agent asks, then our callback carries a detached JWS made in the token that verifies with the RS256 key of /.well-known/jwks.json', async () => {
    const callback = await ocenCallback();
    expect(callback).toMatchObject({ signatureValid: true, schemaValid: true });
    const rs256 = (await tokenKeys()).find((k) => k.alg === 'RS256' && k.status === 'active')!;
    expect((await serverJwks(t)).keys.find((k) => k.alg === 'RS256')!.kid).toBe(rs256.kid);
  });

  it('when the key set is rotated while the server runs, then within the reload interval answers and callbacks are signed with the new keys, the JWKS lists old and new, and a request encrypted to the old key still decrypts', async () => {
    const before = await serverJwks(t);
    const oldEs256 = before.keys.find((k) => k.alg === 'ES256')!;
    const oldEcdh = before.keys.find((k) => k.alg === 'ECDH-ES+A256KW')!;

    const rotated = keysCommand(['rotate'], hsm.env) as { retired: string[]; added: string[] };
    expect(rotated.retired).toEqual(expect.arrayContaining([oldEs256.kid, oldEcdh.kid]));

    const after = await eventually(() => serverJwks(t), (jwks) => jwks.keys.some((k) => rotated.added.includes(k.kid)), 10_000);
    const kids = after.keys.map((k) => k.kid);
    const newEs256 = after.keys.find((k) => k.alg === 'ES256' && rotated.added.includes(k.kid))!;
    expect(kids).toEqual(expect.arrayContaining([oldEs256.kid, newEs256.kid]));
    expect(kids).not.toContain(oldEcdh.kid);

    const fresh = await initiateChallenge('ECDH-ES+A256KW');
    expect([fresh.status, fresh.header?.kid]).toEqual([200, newEs256.kid]);
    const toRetired = await initiateChallenge(oldEcdh);
    expect({ status: toRetired.status, encrypted: toRetired.encrypted, kid: toRetired.header?.kid }).toEqual({ status: 200, encrypted: true, kid: newEs256.kid });

    const callback = await ocenCallback();
    expect(callback.signatureValid).toBe(true);
    expect(after.keys.find((k) => k.alg === 'RS256')!.kid).not.toBe(before.keys.find((k) => k.alg === 'RS256')!.kid);
  });

  it('when `npm run keys -- rotate` runs beside an `npm start` process, then the process keeps its keys until SIGHUP, and then publishes the new ones and signs with them', async () => {
    const port = await freePort();
    const api = ServerProcess.start('api', { ...t.processEnv(), ...hsm.env, PORT: String(port), KEYS_RELOAD_MS: '0', RUN_WORKER: 'false' });
    try {
      await api.logged(/listening/);
      const jwks = async () => ((await (await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`)).json()) as { keys: Array<JWK & { kid: string; use: string; alg: string }> }).keys;
      /** The kid of the process's signed answer to a signed getStatus, verified with its JWKS. */
      const answerKid = async () => {
        const body = JSON.stringify({ requestHeader: { requestId: randomUUID(), requestTimestamp: { epochMillis: String(Date.now()) }, protocolVersion: { major: 1 } }, data: { googleApplicationId: `GAPP-${randomUUID()}` } });
        const res = await fetch(`http://127.0.0.1:${port}${PATHS.getStatus}`, { method: 'POST', headers: { 'content-type': 'application/jose', 'x-partner-id': PARTNER }, body: await sign(body, signer) });
        expect(res.headers.get('content-type')).toMatch(/^application\/jose/);
        const verified = await compactVerify(await res.text(), createLocalJWKSet({ keys: await jwks() }), { algorithms: ['ES256'] });
        return verified.protectedHeader.kid;
      };
      const before = await jwks();
      const signedBefore = await answerKid();
      expect(signedBefore).toBe(before.find((k) => k.alg === 'ES256')!.kid);

      const cli = (command: string) => promisify(execFile)(process.execPath, ['-r', './test/support/register-ts.js', 'src/keys-main.ts', command], { cwd: ROOT, env: { ...process.env, ...hsm.env } });
      const rotated = JSON.parse((await cli('rotate')).stdout) as { provider: string; added: string[]; retired: string[] };
      expect(rotated.provider).toBe('pkcs11');
      expect(await jwks()).toEqual(before);
      expect(await answerKid()).toBe(signedBefore);

      api.signal('SIGHUP');
      await api.logged(/key set reloaded/);
      const after = (await jwks()).map((k) => k.kid);
      const added = after.filter((kid) => rotated.added.includes(kid));
      expect(added).toHaveLength(4);
      expect(after).toEqual(expect.arrayContaining(before.filter((k) => k.use === 'sig').map((k) => k.kid)));
      expect(after).not.toEqual(expect.arrayContaining(before.filter((k) => k.use === 'enc').map((k) => k.kid)));
      const signedAfter = await answerKid();
      expect(rotated.added).toContain(signedAfter);
      expect(signedAfter).not.toBe(signedBefore);

      const inspected = await cli('inspect');
      const report = JSON.parse(inspected.stdout) as { ok: boolean; keys: InspectedKey[]; selfTest: Array<{ kid: string; ok: boolean }> };
      console.log(`npm run keys -- inspect (KEY_PROVIDER=pkcs11, after two rotations): ok=${report.ok}\n${report.keys
        .map((k) => `  ${k.kid} ${k.alg.padEnd(14)} ${k.status.padEnd(7)} sensitive=${k.sensitive} extractable=${k.extractable} value: ${k.privateValue}; self-test ${report.selfTest.find((r) => r.kid === k.kid)?.ok ? 'ok' : 'FAILED'}`)
        .join('\n')}`);
      expect(report.ok).toBe(true);
      expect(report.keys.filter((k) => k.status === 'active').map((k) => k.kid).sort()).toEqual(added.sort());
      expect(report.keys.every((k) => k.privateValue === 'refused: CKR_ATTRIBUTE_SENSITIVE' && !k.extractable)).toBe(true);

      api.signal('SIGTERM');
      expect(await api.exited).toEqual({ code: 0, signal: null });
    } finally {
      await api.stop();
    }
  });
});

describe('when the HSM cannot be used', () => {
  it('when its keys cannot sign or decrypt (the HSM unreachable), then a request is answered 503 to retry, never as a bad message', async () => {
    const down = () => Promise.reject(new KeyUnavailableError('The PKCS#11 token cannot be used: CKR_DEVICE_REMOVED'));
    const live = t.services.keys;
    const unreachable: KeyRing = {
      environment: live.environment,
      hashingKey: live.hashingKey,
      dataKeys: live.dataKeys,
      signingKeys: live.signingKeys.map((k) => ({ ...k, sign: down })),
      encryptionKeys: live.encryptionKeys.map((k) => ({ ...k, decryptKey: down, agree: down })),
    };
    const s = t.services;
    const app = express();
    app.locals.services = s;
    app.use(gpayRouter({ partners: s.partners, limiter: s.limiter, clock: s.clock, logger: s.logger, keys: unreachable, requireSignedRequests: true }));

    const jws = await sign(requestJson(t, challengeData()), signer);
    const signedOnly = await postJose(t, PATHS.initiateChallenge, jws, PARTNER, app);
    expect(signedOnly.status).toBe(503);
    const encrypted = await postJose(t, PATHS.initiateChallenge, await encryptToServer(t, jws, 'ECDH-ES+A256KW'), PARTNER, app);
    expect(encrypted.status).toBe(503);
    expect(encrypted.body.errorResponse).toMatchObject({ paymentIntegratorErrorCode: 'SERVICE_UNAVAILABLE' });
  });
});

