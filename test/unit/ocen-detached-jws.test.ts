/**
 * Detached JWS with an unencoded payload (RFC 7515 appendix F, RFC 7797), RS256, over the raw body bytes: what we
 * sign, what we accept (our format and jose4j's, the official Java sample's library), and what we refuse.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { flattenedVerify, importJWK } from 'jose';
import { importParticipantKey, signDetached, verifyDetached } from '../../src/protocols/ocen/detached-jws';
import { OcenAuthError } from '../../src/protocols/ocen/ocen-auth-error';
import { fileSigningKey } from '../../src/lib/keys';

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/ocen/jose4j-detached-jws.json'), 'utf8')) as {
  publicJwk: Record<string, string>;
  body: string;
  signatures: { keyWithoutKid: string; keyWithKid: string };
};

const ours = (() => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKey = createPublicKey(privateKey);
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: 'our-rs256', alg: 'RS256', use: 'sig' as const };
  return fileSigningKey({ kid: 'our-rs256', alg: 'RS256', status: 'active', privateKey, publicKey, publicJwk });
})();
const body = Buffer.from('{"metadata":{"requestId":"r-1"},\n  "loanApplicationIds":["a.b"]}');
/** A signature of `body` by our key, made once. */
let valid: string;
beforeAll(async () => {
  valid = await signDetached(body, ours);
});

const reasonOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof OcenAuthError) return err.reason;
    throw err;
  }
  return 'ACCEPTED';
};

describe('signing what we send', () => {
  it('when a body is signed, then the JWS is header..signature with {alg: RS256, kid, b64: false, crit: [b64]}', async () => {
    const [header, payload, signature] = (await signDetached(body, ours)).split('.');
    expect(payload).toBe('');
    expect(Buffer.from(header, 'base64url').toString()).toBe('{"alg":"RS256","kid":"our-rs256","b64":false,"crit":["b64"]}');
    expect(Buffer.from(signature, 'base64url')).toHaveLength(256);
  });

  it('when jose (an independent RFC 7797 implementation) verifies it over the raw bytes, then it verifies; over other bytes it does not', async () => {
    const [header, , signature] = (await signDetached(body, ours)).split('.');
    const { kid: _kid, ...material } = ours.publicJwk;
    const key = await importJWK(material as Record<string, string>, 'RS256');
    await expect(flattenedVerify({ protected: header, payload: body, signature }, key)).resolves.toMatchObject({ protectedHeader: { b64: false } });
    await expect(flattenedVerify({ protected: header, payload: Buffer.concat([body, Buffer.from(' ')]), signature }, key)).rejects.toThrow('signature verification failed');
  });

  it('when our own verifier checks it, then it is accepted with the registered key and refused after any byte changes', async () => {
    const jws = await signDetached(body, ours);
    const key = importParticipantKey(ours.publicJwk);
    expect(verifyDetached(jws, body, key)).toEqual({ alg: 'RS256', kid: 'our-rs256', b64: false, crit: ['b64'] });
    for (const at of [0, 17, body.length - 1]) {
      const changed = Buffer.from(body);
      changed[at] ^= 0x20;
      expect(reasonOf(() => verifyDetached(jws, changed, key))).toBe('SIGNATURE_INVALID');
    }
  });
});

describe('interoperability with the official Java sample (jose4j format)', () => {
  it('when a jose4j signature of a key without kid ("kid": null, no crit) is checked, then it is accepted', () => {
    const { kid: _kid, ...withoutKid } = fixture.publicJwk;
    expect(Buffer.from(fixture.signatures.keyWithoutKid.split('.')[0], 'base64url').toString()).toBe('{"alg":"RS256","kid":null,"b64":false}');
    expect(verifyDetached(fixture.signatures.keyWithoutKid, Buffer.from(fixture.body), importParticipantKey(JSON.stringify(withoutKid)))).toMatchObject({ b64: false, kid: null });
  });

  it('when a jose4j signature naming the registered kid is checked, then it is accepted; the body with a trailing newline removed is not', () => {
    const key = importParticipantKey(JSON.stringify(fixture.publicJwk, null, 2));
    expect(verifyDetached(fixture.signatures.keyWithKid, Buffer.from(fixture.body), key)).toMatchObject({ kid: 'la-3005-key' });
    expect(reasonOf(() => verifyDetached(fixture.signatures.keyWithKid, Buffer.from(fixture.body.trimEnd()), key))).toBe('SIGNATURE_INVALID');
  });
});

describe('refusing signatures', () => {
  const key = importParticipantKey(ours.publicJwk);
  const withHeader = (header: string) => `${Buffer.from(header).toString('base64url')}..${valid.split('..')[1]}`;

  it.each([
    ['an embedded (not detached) payload', 'SIGNATURE_MALFORMED', () => valid.replace('..', `.${body.toString('base64url')}.`)],
    ['a header that is not JSON', 'SIGNATURE_MALFORMED', () => withHeader('alg=RS256')],
    ['alg none', 'SIGNATURE_ALGORITHM', () => withHeader('{"alg":"none","b64":false,"crit":["b64"]}')],
    ['alg PS256 (RS256 is the network\'s)', 'SIGNATURE_ALGORITHM', () => withHeader('{"alg":"PS256","b64":false,"crit":["b64"]}')],
    ['no b64 member (a standard JWS over base64url)', 'SIGNATURE_PAYLOAD_ENCODED', () => withHeader('{"alg":"RS256"}')],
    ['b64 "false" as a string', 'SIGNATURE_PAYLOAD_ENCODED', () => withHeader('{"alg":"RS256","b64":"false"}')],
    ['crit that is not an array', 'SIGNATURE_MALFORMED', () => withHeader('{"alg":"RS256","b64":false,"crit":"b64"}')],
    ['crit with an extension this server does not know', 'SIGNATURE_CRIT_UNSUPPORTED', () => withHeader('{"alg":"RS256","b64":false,"crit":["b64","http://example.com/x"]}')],
    ['a kid other than the registered key\'s', 'SIGNATURE_KEY_MISMATCH', () => withHeader('{"alg":"RS256","kid":"someone-else","b64":false}')],
    ['a valid header over a signature of other bytes', 'SIGNATURE_INVALID', () => withHeader('{"alg":"RS256","kid":"our-rs256","b64":false}')],
    ['a truncated signature', 'SIGNATURE_INVALID', () => valid.slice(0, -4)],
  ] as Array<[string, string, () => string]>)('when the signature has %s, then it is refused (%s)', (_what, reason, jws) => {
    expect(reasonOf(() => verifyDetached(jws(), body, key))).toBe(reason);
  });

  it('when the participant\'s registered key is not an RSA key of 2048 bits or more, then no signature of it is usable', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    for (const registered of [ec, short, 'not json', '"a string"', { kty: 'RSA', n: 'AQAB' }]) {
      expect(reasonOf(() => importParticipantKey(registered))).toBe('PARTICIPANT_KEY_UNUSABLE');
    }
  });

  it('when a private JWK was registered by mistake, then only its public half is used', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(importParticipantKey(privateKey.export({ format: 'jwk' })).key.type).toBe('public');
  });
});
