/**
 * JWS signing and JWE decryption with our own keys' private operations (src/lib/jose-compact.ts), against jose as
 * the independent implementation: what the file provider signs is byte for byte what jose signed before, and what
 * jose encrypts opens; the OAEP decoding used with tokens that do raw RSA only.
 */
import { constants, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import { CompactEncrypt, CompactSign, compactVerify, importJWK } from 'jose';
import { DecryptionKey, KeyAgreementAlgorithm, PublicJwk, SigningAlgorithm, fileDecryptionKey, fileSigningKey, jwkThumbprint } from '../../src/lib/keys';
import { JweRefused, decryptCompactJwe, signCompactJws } from '../../src/lib/jose-compact';
import { oaepDecode } from '../../src/lib/pkcs11/rsa-oaep';

const ALLOWED = { keyManagementAlgorithms: ['RSA-OAEP-256', 'ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256GCM'] };
const encoder = new TextEncoder();

function pairFor(alg: SigningAlgorithm | KeyAgreementAlgorithm) {
  const { privateKey } = alg === 'ES256' || alg === 'ECDH-ES+A256KW' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKey = createPublicKey(privateKey);
  const kid = jwkThumbprint(publicKey.export({ format: 'jwk' }));
  const publicJwk: PublicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: alg === 'ES256' || alg === 'RS256' ? 'sig' : 'enc' };
  return { kid, alg, status: 'active' as const, privateKey, publicKey, publicJwk };
}

const signing = { ES256: fileSigningKey(pairFor('ES256') as never), RS256: fileSigningKey(pairFor('RS256') as never) };
const decrypting: Record<KeyAgreementAlgorithm, DecryptionKey> = {
  'RSA-OAEP-256': fileDecryptionKey(pairFor('RSA-OAEP-256') as never),
  'ECDH-ES+A256KW': fileDecryptionKey(pairFor('ECDH-ES+A256KW') as never),
};
const keyFor = (header: { kid?: string; alg: string }) => Object.values(decrypting).find((k) => k.kid === header.kid && k.alg === header.alg);

async function joseJwe(alg: KeyAgreementAlgorithm, header: Record<string, unknown> = {}, plaintext = 'a signed request') {
  const { kid, alg: _alg, use: _use, ...material } = decrypting[alg].publicJwk;
  return new CompactEncrypt(encoder.encode(plaintext)).setProtectedHeader({ alg, enc: 'A256GCM', kid, ...header }).encrypt(await importJWK(material, alg));
}

describe('signing', () => {
  it('when the file provider signs RS256, then the JWS is byte for byte what jose CompactSign makes with the same key and header', async () => {
    const key = signing.RS256 as ReturnType<typeof fileSigningKey>;
    const header = { alg: 'RS256', kid: key.kid, typ: 'JOSE', cty: 'json' };
    const payload = encoder.encode('{"responseHeader":{},"data":{"x":1}}');
    expect(await signCompactJws(header, payload, key)).toBe(await new CompactSign(payload).setProtectedHeader(header).sign(key.privateKey));
  });

  it('when the file provider signs ES256, then the signature is R || S (64 bytes) and jose verifies it', async () => {
    const key = signing.ES256;
    const jws = await signCompactJws({ alg: 'ES256', kid: key.kid }, encoder.encode('hello'), key);
    expect(Buffer.from(jws.split('.')[2], 'base64url')).toHaveLength(64);
    const { kid: _kid, alg: _alg, use: _use, ...material } = key.publicJwk;
    await expect(compactVerify(jws, await importJWK(material, 'ES256'))).resolves.toMatchObject({ protectedHeader: { alg: 'ES256', kid: key.kid } });
  });

  it('when the header names another alg than the key signs, then nothing is signed', async () => {
    await expect(signCompactJws({ alg: 'RS256' }, encoder.encode('x'), signing.ES256)).rejects.toThrow(/signs ES256/);
  });
});

describe('decrypting', () => {
  it.each(['RSA-OAEP-256', 'ECDH-ES+A256KW'] as const)('when jose encrypts to our %s key, then it decrypts (with apu and apv too)', async (alg) => {
    const opened = await decryptCompactJwe(await joseJwe(alg), keyFor, ALLOWED);
    expect(new TextDecoder().decode(opened.plaintext)).toBe('a signed request');
    expect(opened.protectedHeader).toMatchObject({ alg, kid: decrypting[alg].kid });
    if (alg === 'ECDH-ES+A256KW') {
      const withPartyInfo = await joseJwe(alg, { apu: Buffer.from('partner').toString('base64url'), apv: Buffer.from('bank').toString('base64url') });
      expect(new TextDecoder().decode((await decryptCompactJwe(withPartyInfo, keyFor, ALLOWED)).plaintext)).toBe('a signed request');
    }
  });

  it('when a JWE has a crit, a zip, an unknown kid, an alg or enc not allowed, a short IV or tag, or a garbled part, then it is refused', async () => {
    const good = await joseJwe('ECDH-ES+A256KW');
    const [header, encryptedKey, iv, ciphertext, tag] = good.split('.');
    const reheader = (members: Record<string, unknown>) => [Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), ...members })).toString('base64url'), encryptedKey, iv, ciphertext, tag].join('.');
    const flip = (part: string) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[0] ^= 1;
      return bytes.toString('base64url');
    };
    // Each is refused for its own reason (the message is for logs; callers answer one fixed text whatever it says).
    const cases: Array<[string, string, string]> = [
      ['crit', reheader({ crit: ['exp'] }), 'crit is not understood'],
      ['zip', reheader({ zip: 'DEF' }), 'compressed'],
      ['unknown kid', reheader({ kid: 'not-ours' }), 'no such key'],
      ['alg not allowed', reheader({ alg: 'RSA-OAEP' }), 'alg not allowed'],
      ['enc not allowed', reheader({ enc: 'A128GCM' }), 'enc not allowed'],
      ['short IV', [header, encryptedKey, Buffer.alloc(8).toString('base64url'), ciphertext, tag].join('.'), 'the IV is not 96 bits'],
      ['short tag', [header, encryptedKey, iv, ciphertext, Buffer.alloc(12).toString('base64url')].join('.'), 'the tag is not 128 bits'],
      ['garbled encrypted key (a random CEK is used, so it fails at the tag like the rest)', [header, flip(encryptedKey), iv, ciphertext, tag].join('.'), 'the content does not decrypt'],
      ['garbled ciphertext', [header, encryptedKey, iv, flip(ciphertext), tag].join('.'), 'the content does not decrypt'],
      ['epk off the curve', reheader({ epk: { kty: 'EC', crv: 'P-256', x: Buffer.alloc(32, 1).toString('base64url'), y: Buffer.alloc(32, 2).toString('base64url') } }), 'epk is not a point of P-256'],
      ['four parts', good.split('.').slice(0, 4).join('.'), 'not a compact JWE'],
    ];
    for (const [name, jwe, reason] of cases) {
      const outcome = await decryptCompactJwe(jwe, keyFor, ALLOWED).then(() => 'accepted', (err) => (err instanceof JweRefused ? err.message : `not refused: ${err}`));
      expect({ name, outcome }).toEqual({ name, outcome: reason });
    }
  });
});

describe('OAEP decoding after a raw RSA decryption (tokens without RSA-OAEP-256)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const raw = (ciphertext: Buffer) => privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ciphertext);

  it('when a CEK was encrypted with RSA-OAEP (SHA-256), then decoding the raw result gives it back; a changed byte anywhere is one and the same error', () => {
    const cek = randomBytes(32);
    const ciphertext = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, cek);
    const em = raw(ciphertext);
    expect(oaepDecode(em, 256).equals(cek)).toBe(true);
    for (const at of [0, 1, 40, 100, 255]) {
      const changed = Buffer.from(em);
      changed[at] ^= 0x10;
      expect(() => oaepDecode(changed, 256)).toThrow('OAEP decoding failed');
    }
    // SHA-1 OAEP (alg RSA-OAEP) is not SHA-256 OAEP.
    const sha1 = raw(publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, cek));
    expect(() => oaepDecode(sha1, 256)).toThrow('OAEP decoding failed');
  });
});
