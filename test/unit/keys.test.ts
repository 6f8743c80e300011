import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';
import { KEY_FILES, generateKeySet, inspectKeySet, loadKeyRing, publicJwks, readKeySet, rotateKeySet } from '../../src/lib/keys';
import { Sealer } from '../../src/lib/crypto';
import { keysCommand } from '../../src/keys-main';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cp-keys-'));

describe('the key set', () => {
  it('when a production set is generated, then it holds ES256 and RS256 signing keys, two encryption keys, a data key and a hashing key', () => {
    const dir = tempDir();
    generateKeySet(dir, 'production');
    const ring = readKeySet(dir);
    expect(ring.environment).toBe('production');
    expect(ring.signingKeys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(ring.encryptionKeys.map((k) => k.alg).sort()).toEqual(['ECDH-ES+A256KW', 'RSA-OAEP-256']);
    expect(ring.hashingKey).toHaveLength(32);
    expect(ring.dataKeys.keys.get(ring.dataKeys.activeKid)).toHaveLength(32);
    for (const file of Object.values(KEY_FILES)) expect(fs.statSync(path.join(dir, file)).mode & 0o077).toBe(0);
  });

  it('when the public keys are exported, then no private member is among them', () => {
    const dir = tempDir();
    generateKeySet(dir, 'production');
    const { keys } = publicJwks(readKeySet(dir));
    expect(keys).toHaveLength(4);
    for (const key of keys) {
      expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(secret);
    }
  });

  it('when the set is rotated, then new keys sign and seal, and the retired ones still verify and open what they made', () => {
    const dir = tempDir();
    generateKeySet(dir, 'production');
    const before = readKeySet(dir);
    const sealedBefore = new Sealer(before.dataKeys).seal('ckyc record', 'ctx');
    const oldEs256 = before.signingKeys.find((k) => k.alg === 'ES256')!;
    const signature = sign('sha256', Buffer.from('answer'), oldEs256.privateKey);

    const { retired, added } = rotateKeySet(dir);
    expect(retired).toHaveLength(5);
    expect(added).toHaveLength(5);
    const after = readKeySet(dir);
    expect(after.dataKeys.activeKid).not.toBe(before.dataKeys.activeKid);
    expect(new Sealer(after.dataKeys).open(sealedBefore, 'ctx')).toBe('ckyc record');
    expect(new Sealer(after.dataKeys).seal('x', 'ctx').split('.')[1]).toBe(after.dataKeys.activeKid);
    const retiredEs256 = after.signingKeys.find((k) => k.kid === oldEs256.kid)!;
    expect(retiredEs256.status).toBe('retired');
    expect(verify('sha256', Buffer.from('answer'), retiredEs256.publicKey, signature)).toBe(true);
    expect(after.signingKeys[0].status).toBe('active');
    expect(after.hashingKey.equals(before.hashingKey)).toBe(true);
    const published = publicJwks(after).keys.map((k) => k.kid);
    expect(published).toContain(oldEs256.kid);
    expect(published).not.toContain(before.encryptionKeys[0].kid);
  });

  it('when files are missing or broken, then every problem is listed, each naming its file', () => {
    const dir = tempDir();
    generateKeySet(dir, 'production');
    fs.rmSync(path.join(dir, KEY_FILES.encryption));
    fs.writeFileSync(path.join(dir, KEY_FILES.hashing), 'c2hvcnQ=\n');
    fs.writeFileSync(path.join(dir, KEY_FILES.signing), '{"keys": [');
    const problems = inspectKeySet(dir);
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/encryption\.jwks\.json is missing/);
    expect(problems.join('\n')).toMatch(/hashing\.key is not a valid key file: the hashing key must be 32 bytes/);
    expect(problems.join('\n')).toMatch(/signing\.jwks\.json is not a valid key file/);
    expect(inspectKeySet(path.join(dir, 'nowhere'))).toHaveLength(5);
  });

  it('when a development server starts without keys, then it generates a set marked development; in production it never generates', () => {
    const dir = tempDir();
    expect(() => loadKeyRing(dir, false)).toThrow(/keyset\.json is missing/);
    expect(loadKeyRing(dir, true).environment).toBe('development');
  });

  it('when a developer has keys of the earlier layout, then the generated set keeps them', () => {
    const dir = tempDir();
    const hashing = randomBytes(32).toString('base64');
    const data = randomBytes(32);
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    fs.writeFileSync(path.join(dir, 'hashing.key'), hashing);
    fs.writeFileSync(path.join(dir, 'data.key'), data.toString('base64'));
    fs.writeFileSync(path.join(dir, 'auth-token-signing.pem'), pem);
    const sealedEarlier = Sealer.withKey(data).seal('otp secret', 'otp-secret:1').replace(/^v2\.dk-0\./, 'v1.');
    const ring = loadKeyRing(dir, true);
    expect(ring.hashingKey.toString('base64')).toBe(hashing);
    expect(new Sealer(ring.dataKeys).open(sealedEarlier, 'otp-secret:1')).toBe('otp secret');
    const es256 = ring.signingKeys.find((k) => k.alg === 'ES256')!;
    expect(es256.privateKey.export({ format: 'jwk' }).d).toBe(createPrivateKey(pem).export({ format: 'jwk' }).d);
  });

  it('when several processes generate at once, then all of them end with the same set', async () => {
    const dir = tempDir();
    // keys.ts needs only Node's own modules: transpiled to one JavaScript file, it runs in worker threads as is.
    const compiled = path.join(tempDir(), 'keys.js');
    fs.writeFileSync(compiled, ts.transpileModule(fs.readFileSync(path.join(__dirname, '../../src/lib/keys.ts'), 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText);
    const script = `const { parentPort, workerData } = require('node:worker_threads');
      const { loadKeyRing } = require(workerData.compiled);
      const ring = loadKeyRing(workerData.dir, true);
      parentPort.postMessage(ring.signingKeys.map((k) => k.kid).join() + '|' + ring.encryptionKeys.map((k) => k.kid).join() + '|' + ring.dataKeys.activeKid + '|' + ring.hashingKey.toString('hex'));`;
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        new Promise<string>((resolve, reject) => {
          const worker = new Worker(script, { eval: true, workerData: { dir, compiled } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
      ),
    );
    expect(new Set(results).size).toBe(1);
    expect(results[0].split('|')[0]).toBe(readKeySet(dir).signingKeys.map((k) => k.kid).join());
  });
});

describe('npm run keys', () => {
  it('when generate, rotate and export-public run, then they write, rotate and print the set; generate never overwrites', () => {
    const dir = path.join(tempDir(), 'prod-keys');
    const generated = keysCommand(['generate', '--out', dir]) as { environment: string; publicKeys: unknown[] };
    expect(generated.environment).toBe('production');
    expect(generated.publicKeys).toHaveLength(4);
    expect(() => keysCommand(['generate', '--out', dir])).toThrow(/holds a key set already/);
    const exported = keysCommand(['export-public'], { KEYS_DIR: dir }) as { keys: Array<Record<string, unknown>> };
    expect(exported.keys.every((k) => !('d' in k))).toBe(true);
    const rotated = keysCommand(['rotate', '--dir', dir]) as { retired: string[] };
    expect(rotated.retired).toHaveLength(5);
    expect((keysCommand(['export-public', '--dir', dir]) as { keys: unknown[] }).keys).toHaveLength(6);
    expect(() => keysCommand(['shred'])).toThrow(/Unknown command/);
    expect(() => keysCommand(['generate'])).toThrow(/--out/);
  });

  it('when ensure runs (the deployment one-shot), then it generates a production set once, and later runs keep it and check it', () => {
    const dir = path.join(tempDir(), 'shared-keys');
    const first = keysCommand(['ensure'], { KEYS_DIR: dir }) as { generated?: string; environment: string; publicKeys: Array<{ kid: string }> };
    expect(first).toMatchObject({ generated: dir, environment: 'production' });
    const again = keysCommand(['ensure', '--dir', dir]) as { existing?: string; publicKeys: Array<{ kid: string }> };
    expect(again.existing).toBe(dir);
    expect(again.publicKeys).toEqual(first.publicKeys);
    fs.writeFileSync(path.join(dir, KEY_FILES.signing), '{}');
    expect(() => keysCommand(['ensure', '--dir', dir])).toThrow();
  });
});
