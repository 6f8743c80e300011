/**
 * The PKCS#11 key provider against SoftHSM2 (a token of this file's own): keys made in the token that never leave
 * it, JWS signing and JWE decryption done there and checked by jose against the published JWKS, `npm run keys`
 * with KEY_PROVIDER=pkcs11, rotation, and the production guard.
 */
import { verify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CompactEncrypt, compactVerify, createLocalJWKSet, importJWK } from 'jose';
import * as pkcs11js from 'pkcs11js';
import { Writable } from 'node:stream';
import { keysCommand } from '../../src/keys-main';
import { ConfigError, loadConfig, loadKeySettings } from '../../src/lib/config';
import { KeyProviderSettings, LiveKeyRing, inspectKeyProvider, openKeySource } from '../../src/lib/key-provider';
import { KEY_FILES, KeyRing, publicJwks } from '../../src/lib/keys';
import { JweRefused, decryptCompactJwe, signCompactJws } from '../../src/lib/jose-compact';
import { Pkcs11Token, pkcs11CodeName } from '../../src/lib/pkcs11/pkcs11-token';
import { productionProblems } from '../../src/boot-guard';
import { createLogger } from '../../src/lib/logger';
import { SoftHsmToken, softHsmToken } from '../support/softhsm';

let hsm: SoftHsmToken;
let settings: KeyProviderSettings;
let token: Pkcs11Token;

const ALLOWED = { keyManagementAlgorithms: ['RSA-OAEP-256', 'ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256GCM'] };
const encoder = new TextEncoder();

beforeAll(() => {
  hsm = softHsmToken();
  settings = loadKeySettings(hsm.env);
  keysCommand(['ensure'], hsm.env);
  token = Pkcs11Token.open(settings.pkcs11!);
});

afterAll(() => {
  token?.close();
  hsm?.remove();
});

/** The set as the server reads it, closed after `fn`. */
async function withRing<T>(fn: (ring: KeyRing) => Promise<T>, overrides: Partial<KeyProviderSettings['pkcs11']> = {}): Promise<T> {
  const source = openKeySource({ ...settings, pkcs11: { ...settings.pkcs11!, ...overrides } }, { mayGenerate: false });
  try {
    return await fn(source.read());
  } finally {
    source.close();
  }
}

/** Every private key object in the token, with its CKA_ID. */
function privateKeys(): Array<{ handle: Buffer; kid: string; keyType: number }> {
  return token.run((module, session) => {
    module.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }]);
    const handles = module.C_FindObjects(session, 100);
    module.C_FindObjectsFinal(session);
    return handles.map((handle) => {
      const [id, type] = module.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_ID }, { type: pkcs11js.CKA_KEY_TYPE }]);
      return { handle, kid: id.value.toString('ascii'), keyType: type.value.readUInt32LE(0) };
    });
  });
}

describe('keys made in the token', () => {
  it('when `keys ensure` runs with KEY_PROVIDER=pkcs11, then the token holds the four key pairs and the folder only the data and hashing keys', () => {
    expect(fs.readdirSync(hsm.keysDir).sort()).toEqual([KEY_FILES.data, KEY_FILES.hashing, KEY_FILES.manifest].sort());
    const again = keysCommand(['ensure'], hsm.env) as { existing?: string; provider: string; token: { label: string }; environment: string; publicKeys: Array<{ kid: string; alg: string; use: string }> };
    expect(again).toMatchObject({ existing: hsm.keysDir, provider: 'pkcs11', token: { label: hsm.label }, environment: 'production' });
    expect(again.publicKeys.map((k) => `${k.use} ${k.alg}`).sort()).toEqual(['enc ECDH-ES+A256KW', 'enc RSA-OAEP-256', 'sig ES256', 'sig RS256']);
    expect(privateKeys().map((k) => k.kid).sort()).toEqual(again.publicKeys.map((k) => k.kid).sort());
  });

  it('when anyone asks the token for a private key, then it refuses: the value is sensitive, the key cannot be wrapped out, and neither protection can be lifted', () => {
    const keys = privateKeys();
    expect(keys).toHaveLength(4);
    const refusals: string[] = [];
    const attempt = (what: string, fn: () => unknown) => {
      try {
        fn();
        refusals.push(`${what}: GIVEN`);
      } catch (err) {
        refusals.push(`${what}: ${pkcs11CodeName(err)}`);
      }
    };
    token.run((module, session) => {
      // A wrapping key of our own, made for this test: if the private keys could leave the token, this would take them out.
      const wrapping = module.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_TOKEN, value: false }, { type: pkcs11js.CKA_VALUE_LEN, value: 32 }, { type: pkcs11js.CKA_WRAP, value: true }, { type: pkcs11js.CKA_EXTRACTABLE, value: true },
      ]);
      for (const key of keys) {
        const rsa = key.keyType === pkcs11js.CKK_RSA;
        const flags = module.C_GetAttributeValue(session, key.handle, [
          { type: pkcs11js.CKA_SENSITIVE }, { type: pkcs11js.CKA_EXTRACTABLE }, { type: pkcs11js.CKA_ALWAYS_SENSITIVE }, { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
        ]).map((a) => a.value[0] === 1);
        expect({ kid: key.kid, sensitive: flags[0], extractable: flags[1], alwaysSensitive: flags[2], neverExtractable: flags[3] })
          .toEqual({ kid: key.kid, sensitive: true, extractable: false, alwaysSensitive: true, neverExtractable: true });
        const value = rsa ? pkcs11js.CKA_PRIVATE_EXPONENT : pkcs11js.CKA_VALUE;
        attempt(`${key.kid} C_GetAttributeValue(${rsa ? 'CKA_PRIVATE_EXPONENT' : 'CKA_VALUE'})`, () => module.C_GetAttributeValue(session, key.handle, [{ type: value }]));
        if (rsa) attempt(`${key.kid} C_GetAttributeValue(CKA_PRIME_1)`, () => module.C_GetAttributeValue(session, key.handle, [{ type: pkcs11js.CKA_PRIME_1 }]));
        attempt(`${key.kid} C_WrapKey(CKM_AES_KEY_WRAP_PAD)`, () => module.C_WrapKey(session, { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD }, wrapping, key.handle, Buffer.alloc(4096)));
        attempt(`${key.kid} C_SetAttributeValue(CKA_EXTRACTABLE=true)`, () => module.C_SetAttributeValue(session, key.handle, [{ type: pkcs11js.CKA_EXTRACTABLE, value: true }]));
        attempt(`${key.kid} C_SetAttributeValue(CKA_SENSITIVE=false)`, () => module.C_SetAttributeValue(session, key.handle, [{ type: pkcs11js.CKA_SENSITIVE, value: false }]));
      }
      module.C_DestroyObject(session, wrapping);
    });
    console.log(`What the token answered when asked for the private keys:\n  ${refusals.join('\n  ')}`);
    expect(refusals.filter((r) => r.endsWith('GIVEN'))).toEqual([]);
    expect(refusals.filter((r) => r.includes('C_GetAttributeValue')).every((r) => r.endsWith('CKR_ATTRIBUTE_SENSITIVE'))).toBe(true);
    expect(refusals.filter((r) => r.includes('C_WrapKey')).every((r) => r.endsWith('CKR_KEY_UNEXTRACTABLE'))).toBe(true);
    expect(refusals.filter((r) => r.includes('C_SetAttributeValue')).every((r) => r.endsWith('CKR_ATTRIBUTE_READ_ONLY'))).toBe(true);
  });

  it('when the ring is read, then its keys offer only their private operations: no key material in this process', () =>
    withRing(async (ring) => {
      for (const key of [...ring.signingKeys, ...ring.encryptionKeys]) {
        expect(Object.keys(key).sort()).toEqual(key.publicJwk.use === 'sig' ? ['alg', 'kid', 'publicJwk', 'publicKey', 'sign', 'status'] : ['agree', 'alg', 'decryptKey', 'kid', 'publicJwk', 'publicKey', 'status']);
        expect(key.publicKey.type).toBe('public');
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key.publicJwk).not.toHaveProperty(member);
      }
    }));
});

describe('signing and decrypting in the token', () => {
  it('when the token signs a JWS with the ES256 and RS256 keys, then jose verifies it with the published JWKS', () =>
    withRing(async (ring) => {
      const jwks = createLocalJWKSet(publicJwks(ring));
      for (const key of ring.signingKeys) {
        const jws = await signCompactJws({ alg: key.alg, kid: key.kid, typ: 'JOSE' }, encoder.encode('{"answer":42}'), key);
        const verified = await compactVerify(jws, jwks, { algorithms: ['ES256', 'RS256'] });
        expect({ alg: verified.protectedHeader.alg, kid: verified.protectedHeader.kid, payload: new TextDecoder().decode(verified.payload) }).toEqual({ alg: key.alg, kid: key.kid, payload: '{"answer":42}' });
      }
    }));

  it('when the token signs with the RSA key over SHA-512 (OCEN v3\'s RS512), then the published public key verifies it, and not as SHA-256', () =>
    withRing(async (ring) => {
      const rsa = ring.signingKeys.find((k) => k.alg === 'RS256')!;
      const input = encoder.encode('eyJraWQiOiJ4IiwiYWxnIjoiUlM1MTIifQ.eyJhbnN3ZXIiOjQyfQ');
      const signature = await rsa.sign(input, 'sha512');
      expect(verify('sha512', input, rsa.publicKey, signature)).toBe(true);
      expect(verify('sha256', input, rsa.publicKey, signature)).toBe(false);
    }));

  it('when jose encrypts to our published RSA-OAEP-256 and ECDH-ES+A256KW keys, then the token decrypts; a garbled message is refused', () =>
    withRing(async (ring) => {
      for (const ours of publicJwks(ring).keys.filter((k) => k.use === 'enc')) {
        const { kid, alg, use: _use, ...material } = ours;
        const jwe = await new CompactEncrypt(encoder.encode(`secret for ${alg}`)).setProtectedHeader({ alg, enc: 'A256GCM', kid }).encrypt(await importJWK(material, alg));
        const keyFor = (header: { kid?: string; alg: string }) => ring.encryptionKeys.find((k) => k.kid === header.kid && k.alg === header.alg);
        const opened = await decryptCompactJwe(jwe, keyFor, ALLOWED);
        expect(new TextDecoder().decode(opened.plaintext)).toBe(`secret for ${alg}`);
        const parts = jwe.split('.');
        const encryptedKey = Buffer.from(parts[1], 'base64url');
        encryptedKey[7] ^= 1;
        parts[1] = encryptedKey.toString('base64url');
        await expect(decryptCompactJwe(parts.join('.'), keyFor, ALLOWED)).rejects.toBeInstanceOf(JweRefused);
      }
    }));

  it('when more signatures are asked at once than the token has sessions, then they queue and every one verifies', () =>
    withRing(async (ring) => {
      const key = ring.signingKeys.find((k) => k.alg === 'ES256' && k.status === 'active')!;
      const jwks = createLocalJWKSet(publicJwks(ring));
      const signed = await Promise.all(Array.from({ length: 24 }, (_, i) => signCompactJws({ alg: 'ES256', kid: key.kid }, encoder.encode(`message ${i}`), key)));
      const verified = await Promise.all(signed.map((jws) => compactVerify(jws, jwks).then((v) => new TextDecoder().decode(v.payload))));
      expect(verified).toEqual(Array.from({ length: 24 }, (_, i) => `message ${i}`));
    }, { sessions: 2 }));
});

describe('npm run keys with KEY_PROVIDER=pkcs11', () => {
  it('when `keys inspect` runs, then it lists every key with its protection, the token refusing its value, and a self-test that passes', async () => {
    const report = (await keysCommand(['inspect'], hsm.env)) as { ok: boolean; provider: string; token: { label: string }; keys: Array<Record<string, unknown>>; selfTest: Array<{ ok: boolean; operation: string }>; rsaOaep: string; problems: string[] };
    expect(report).toMatchObject({ ok: true, provider: 'pkcs11', token: { label: hsm.label }, problems: [] });
    expect(report.keys).toHaveLength(4);
    for (const key of report.keys) {
      expect(key).toMatchObject({ status: 'active', sensitive: true, extractable: false, neverExtractable: true, privateValue: 'refused: CKR_ATTRIBUTE_SENSITIVE' });
      expect(String(key.label)).toBe(`credit-partner ${key.use} ${key.alg} ${key.kid}`);
    }
    expect(report.selfTest.map((t) => [t.operation, t.ok]).sort()).toEqual([['agree', true], ['decrypt', true], ['sign', true], ['sign', true]]);
    // SoftHSM2 2.6 refuses OAEP with SHA-256: the raw RSA operation is done in the token, the padding checked here.
    expect(report.rsaOaep).toMatch(/CKM_RSA_X_509 in the token/);
    expect(JSON.stringify(report)).not.toContain(hsm.pin);
  });

  it('when the set is rotated, then a ring reloaded signs with the new keys, keeps the old ones for verifying and decrypting, and publishes both', async () => {
    const source = openKeySource(settings, { mayGenerate: false });
    const ring = new LiveKeyRing(source);
    try {
      const before = { es256: ring.signingKeys.find((k) => k.alg === 'ES256')!.kid, ecdh: ring.encryptionKeys.find((k) => k.alg === 'ECDH-ES+A256KW')!, data: ring.dataKeys.activeKid };
      const rotated = keysCommand(['rotate'], hsm.env) as { retired: string[]; added: string[] };
      expect(rotated.retired).toHaveLength(5);
      expect(rotated.added).toHaveLength(5);
      expect(rotated.retired).toContain(before.es256);

      expect(ring.reload('test')).toMatchObject({ changed: true });
      const active = ring.signingKeys.find((k) => k.alg === 'ES256' && k.status === 'active')!;
      expect(active.kid).not.toBe(before.es256);
      expect(ring.signingKeys.find((k) => k.kid === before.es256)?.status).toBe('retired');
      expect(ring.dataKeys.activeKid).not.toBe(before.data);
      const published = publicJwks(ring).keys.map((k) => k.kid);
      expect(published).toEqual(expect.arrayContaining([before.es256, active.kid]));
      expect(published).not.toContain(before.ecdh.kid);

      // A message encrypted to the retired key before the partner saw the rotation still opens.
      const { kid, alg, use: _use, ...material } = before.ecdh.publicJwk;
      const jwe = await new CompactEncrypt(encoder.encode('sent before the rotation')).setProtectedHeader({ alg, enc: 'A256GCM', kid }).encrypt(await importJWK(material, alg));
      const opened = await decryptCompactJwe(jwe, (h) => ring.encryptionKeys.find((k) => k.kid === h.kid), ALLOWED);
      expect(new TextDecoder().decode(opened.plaintext)).toBe('sent before the rotation');
      expect(privateKeys()).toHaveLength(8);
    } finally {
      ring.close();
    }
  });
});

describe('settings and the production guard', () => {
  it('when KEY_PROVIDER=pkcs11 lacks its module, token or PIN, then the configuration is refused naming each', () => {
    expect(() => loadKeySettings({ KEY_PROVIDER: 'pkcs11' })).toThrow(ConfigError);
    const problems = (() => {
      try {
        loadKeySettings({ KEY_PROVIDER: 'pkcs11', PKCS11_MODULE: '/nowhere/libvendor.so' });
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    })();
    expect(problems).toEqual([
      expect.stringMatching(/PKCS11_MODULE \/nowhere\/libvendor.so does not exist/),
      expect.stringMatching(/exactly one of PKCS11_TOKEN_LABEL .* and PKCS11_SLOT/),
      expect.stringMatching(/PKCS11_PIN_FILE .* or PKCS11_PIN/),
    ]);
    expect(() => loadKeySettings({ KEY_PROVIDER: 'vault' })).toThrow(/KEY_PROVIDER must be file or pkcs11/);
    expect(() => loadKeySettings({ PKCS11_PIN: '1234' })).toThrow(/PKCS11_PIN is set but KEY_PROVIDER is not pkcs11/);
  });

  it('when the PIN comes from a secret file, then it is read from there; it is never logged', () => {
    const pinFile = path.join(hsm.keysDir, '..', 'pin');
    fs.writeFileSync(pinFile, `${hsm.pin}\n`, { mode: 0o600 });
    const { PKCS11_PIN: _pin, ...withoutPin } = hsm.env;
    const fromFile = loadKeySettings({ ...withoutPin, PKCS11_PIN_FILE: pinFile });
    expect(fromFile.pkcs11!.pin).toBe(hsm.pin);
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    logger.info({ keys: fromFile, env: { PKCS11_PIN: hsm.pin } }, 'settings');
    expect(lines.join('')).not.toContain(hsm.pin);
    expect(lines.join('')).toContain('[REDACTED]');
  });

  it('when production runs on the token, then the guard accepts its production set; with a wrong PIN it refuses, without the PIN in the message', () => {
    // Closed first: a token open in this process is logged in already, and would take any PIN.
    token.close();
    const production = { ...hsm.env, APP_ENV: 'production', SMS_GATEWAY_URL: 'https://sms.invalid/send', PUBLIC_BASE_URL: 'https://bank.invalid', OCEN_ENABLED: 'false' };
    expect(productionProblems(loadConfig(production)).filter((p) => /KEY|PKCS11/.test(p))).toEqual([]);
    const wrong = productionProblems(loadConfig({ ...production, PKCS11_PIN: '00000000' }));
    expect(wrong).toEqual([expect.stringMatching(/^KEY_PROVIDER=pkcs11: the PKCS#11 token cannot be used: .*CKR_PIN_INCORRECT/)]);
    expect(wrong.join()).not.toContain('00000000');
    expect(inspectKeyProvider({ ...settings, pkcs11: { ...settings.pkcs11!, tokenLabel: 'no-such-token' } }).problems).toEqual([expect.stringMatching(/has no token labelled "no-such-token" \(tokens present: slot \d+ "cp-/)]);
  });
});

describe('the sandbox on an empty token', () => {
  it('when the server starts in the sandbox on a token without a key set, then it makes a development set there (and the folder\'s half); production refuses that set', () => {
    // The first token is closed by now (the test above): the module is initialised again with this one's configuration.
    const fresh = softHsmToken();
    try {
      const ring = new LiveKeyRing(openKeySource(loadKeySettings(fresh.env), { mayGenerate: true }));
      try {
        expect(ring.environment).toBe('development');
        expect(ring.signingKeys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
        expect(fs.readdirSync(fresh.keysDir).sort()).toEqual([KEY_FILES.data, KEY_FILES.hashing, KEY_FILES.manifest].sort());
      } finally {
        ring.close();
      }
      const production = { ...fresh.env, APP_ENV: 'production', SMS_GATEWAY_URL: 'https://sms.invalid/send', PUBLIC_BASE_URL: 'https://bank.invalid', OCEN_ENABLED: 'false' };
      expect(productionProblems(loadConfig(production))).toEqual([expect.stringMatching(/^KEY_PROVIDER=pkcs11: the key set .* was generated for development/)]);
    } finally {
      fresh.remove();
    }
  });
});
