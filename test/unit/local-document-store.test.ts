import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Sealer } from '../../src/lib/crypto';
import { LocalDocumentStore } from '../../src/adapters/documents/local-document-store';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR visible-marker-text '.repeat(20))]);

let dir: string;
let store: LocalDocumentStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-documents-'));
  store = new LocalDocumentStore(path.join(dir, 'docs'), Sealer.withKey(randomBytes(32)));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the local document store', () => {
  it('when a document is put, then it reads back whole with its owner, kind, type and SHA-256', async () => {
    const stored = await store.put({ ownerId: 'app-1', kind: 'KYC_PASSPORT', bytes: PNG, contentType: 'image/png' });
    expect(stored.reference).toMatch(/^doc_[A-Za-z0-9_-]{43}$/);
    expect(stored.sha256).toMatch(/^[0-9a-f]{64}$/);
    const back = await store.get(stored.reference);
    expect(back).toMatchObject({ reference: stored.reference, sha256: stored.sha256, ownerId: 'app-1', kind: 'KYC_PASSPORT', contentType: 'image/png' });
    expect(back!.bytes.equals(PNG)).toBe(true);
  });

  it('when stored, then the file on disk is sealed (not the clear bytes, nor their base64), named at random, and private to the owner', async () => {
    const stored = await store.put({ ownerId: 'app-1', kind: 'KYC_PASSPORT', bytes: PNG, contentType: 'image/png' });
    const files = fs.readdirSync(path.join(dir, 'docs'));
    expect(files).toEqual([stored.reference]);
    const onDisk = fs.readFileSync(path.join(dir, 'docs', stored.reference));
    expect(onDisk.includes(PNG)).toBe(false);
    expect(onDisk.toString('utf8')).not.toContain('visible-marker-text');
    expect(onDisk.toString('utf8')).not.toContain(PNG.toString('base64').slice(0, 40));
    expect(onDisk.toString('utf8')).not.toContain('app-1');
    expect(onDisk.toString('utf8')).toMatch(/^v2\./);
    if (process.platform !== 'win32') expect(fs.statSync(path.join(dir, 'docs', stored.reference)).mode & 0o077).toBe(0);
    const again = await store.put({ ownerId: 'app-1', kind: 'KYC_PASSPORT', bytes: PNG, contentType: 'image/png' });
    expect(again.reference).not.toBe(stored.reference);
  });

  it('when the reference is unknown or names a path, then nothing is read', async () => {
    expect(await store.get(`doc_${'A'.repeat(43)}`)).toBeNull();
    expect(await store.get('../../etc/passwd')).toBeNull();
    expect(await store.get('doc_/../x')).toBeNull();
  });

  it('when a file was tampered with, then it does not open', async () => {
    const stored = await store.put({ ownerId: 'app-1', kind: 'KYC_PASSPORT', bytes: PNG, contentType: 'image/png' });
    const file = path.join(dir, 'docs', stored.reference);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, `${text.slice(0, -3)}${text.endsWith('A') ? 'B' : 'A'}${text.slice(-2)}`);
    await expect(store.get(stored.reference)).rejects.toThrow();
  });
});
