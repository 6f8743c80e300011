/**
 * The key ring the server holds (src/lib/key-provider.ts) with the file provider: a rotation taken without a
 * restart (on reload, on the interval, on a key not held), and a bad read refused with the keys in use kept.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verify } from 'node:crypto';
import { LiveKeyRing, openKeyRing, openKeySource } from '../../src/lib/key-provider';
import { KEY_FILES, generateKeySet, publicJwks, rotateKeySet } from '../../src/lib/keys';
import { Sealer } from '../../src/lib/crypto';
import { eventually } from '../support/test-app';

const rings: LiveKeyRing[] = [];
afterAll(() => rings.forEach((ring) => ring.close()));

function folder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-key-provider-'));
  generateKeySet(dir, 'production');
  return dir;
}

function ringOf(dir: string, refreshAtMostEveryMs = 1_000): LiveKeyRing {
  const ring = new LiveKeyRing(openKeySource({ provider: 'file', dir, reloadMs: 0 }, { mayGenerate: false }), undefined, { refreshAtMostEveryMs });
  rings.push(ring);
  return ring;
}

const es256 = (ring: LiveKeyRing) => ring.signingKeys.find((k) => k.alg === 'ES256' && k.status === 'active')!;

describe('a rotation without a restart', () => {
  it('when the folder is rotated and the ring reloaded, then the new keys sign and seal, the retired ones still verify and open, and the published set changes', async () => {
    const dir = folder();
    const ring = ringOf(dir);
    const sealer = new Sealer(ring.dataKeys);
    const old = { key: es256(ring), sealed: sealer.seal('before', 'ad'), published: publicJwks(ring).keys.map((k) => k.kid) };
    const oldSignature = await old.key.sign(Buffer.from('answer'));

    const { added } = rotateKeySet(dir);
    expect(es256(ring).kid).toBe(old.key.kid);
    expect(ring.reload('test')).toMatchObject({ changed: true });

    expect(added).toContain(es256(ring).kid);
    expect(ring.signingKeys.find((k) => k.kid === old.key.kid)).toMatchObject({ status: 'retired' });
    expect(verify('sha256', Buffer.from('answer'), { key: ring.signingKeys.find((k) => k.kid === old.key.kid)!.publicKey, dsaEncoding: 'ieee-p1363' }, oldSignature)).toBe(true);
    const sealedAfter = sealer.seal('after', 'ad');
    expect(sealedAfter.split('.')[1]).toBe(ring.dataKeys.activeKid);
    expect(added).toContain(ring.dataKeys.activeKid);
    expect([sealer.open(old.sealed, 'ad'), sealer.open(sealedAfter, 'ad')]).toEqual(['before', 'after']);
    const published = publicJwks(ring).keys.map((k) => k.kid);
    expect(published).toEqual(expect.arrayContaining([old.key.kid, es256(ring).kid]));
    expect(published.filter((kid) => !old.published.includes(kid))).toHaveLength(4);
    expect(ring.reload('again')).toMatchObject({ changed: false });
  });

  it('when another process rotated first, then what it sealed with its new data key opens here: a kid not held makes the ring read the set again', () => {
    const dir = folder();
    const here = ringOf(dir, 0);
    const there = ringOf(dir, 0);
    rotateKeySet(dir);
    there.reload('rotated there');
    const sealedThere = new Sealer(there.dataKeys).seal('otp secret', 'otp:1');
    expect(here.dataKeys.activeKid).not.toBe(there.dataKeys.activeKid);
    expect(new Sealer(here.dataKeys).open(sealedThere, 'otp:1')).toBe('otp secret');
    expect(here.dataKeys.activeKid).toBe(there.dataKeys.activeKid);
  });

  it('when KEYS_RELOAD_MS is set, then the ring reads the set again on its own', async () => {
    const dir = folder();
    const ring = openKeyRing({ provider: 'file', dir, reloadMs: 50 }, { mayGenerate: false });
    rings.push(ring);
    const before = es256(ring).kid;
    const { added } = rotateKeySet(dir);
    await eventually(async () => es256(ring).kid, (kid) => kid !== before, 5_000);
    expect(added).toContain(es256(ring).kid);
  });

  it('when the folder cannot be read or its hashing key changed, then the reload is refused, said why, and the keys in use are kept', async () => {
    const dir = folder();
    const errors: unknown[] = [];
    const ring = new LiveKeyRing(openKeySource({ provider: 'file', dir, reloadMs: 0 }, { mayGenerate: false }), { info: () => undefined, warn: () => undefined, error: (entry: unknown) => errors.push(entry) } as never);
    rings.push(ring);
    const kid = es256(ring).kid;

    fs.writeFileSync(path.join(dir, KEY_FILES.signing), '{"keys": "broken"}');
    expect(ring.reload('broken')).toMatchObject({ changed: false, refused: expect.stringMatching(/signing\.jwks\.json is not a valid key file/) });
    expect(es256(ring).kid).toBe(kid);
    await expect(es256(ring).sign(Buffer.from('still signs'))).resolves.toHaveLength(64);

    const other = folder();
    fs.copyFileSync(path.join(other, KEY_FILES.signing), path.join(dir, KEY_FILES.signing));
    fs.copyFileSync(path.join(other, KEY_FILES.hashing), path.join(dir, KEY_FILES.hashing));
    expect(ring.reload('hashing key swapped')).toMatchObject({ changed: false, refused: expect.stringMatching(/the hashing key changed/) });
    expect(es256(ring).kid).toBe(kid);
    expect(errors).toHaveLength(2);
  });
});
