import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { AppErrorCode } from '../../src/core/errors';
import { MAX_KYC_DOCUMENT_BYTES } from '../../src/core/kyc/kyc-page';
import { SANDBOX_AADHAAR_OTP, SandboxAadhaarEkyc } from '../../src/adapters/sandbox/sandbox-aadhaar-ekyc';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { everyColumn } from '../support/databases';
import { PATHS, applicationStatus, applyAndDecide, panWith } from '../support/journey';

/**
 * The KYC page's methods on the core (KycService, keyed by the application id the page's session knows), against
 * the real database, the sandbox CKYC registry and Aadhaar e-KYC, the local document store and the worker (which
 * runs the bank's review). Applications are made through the partner API (the sandbox aggregator, gpay), as a
 * borrower's would be; what the partner then reads is GPay's getStatus, and the core read OCEN's kycStatus makes.
 */

const logLines: string[] = [];
const documentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-kyc-documents-'));
let t: TestApp;
beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  t = await startTestApp({ env: { LOG_LEVEL: 'trace', DOCUMENTS_DIR: documentsDir }, logDestination: sink });
});
afterAll(async () => {
  await t.stop();
  fs.rmSync(documentsDir, { recursive: true, force: true });
});
afterEach(() => jest.restoreAllMocks());

const DOB = '1990-05-15';
/** Valid Aadhaar-format numbers (Verhoeff check digit last); each test uses its own. */
const AADHAAR = { a: '234123412346', b: '499812345673', c: '765432109878', d: '287654321090' };
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('1 0 obj << /Type /Catalog >> endobj\n'.repeat(50)), Buffer.from('%%EOF\n')]);

interface Ready {
  gid: string;
  ref: { partnerId: string; externalReference: string };
  applicationId: string;
  urlToken: string;
}

/** An approved application (CKYC found by a consented search when `withCkyc`) whose KYC was initiated, opened by its link token as the page does. */
async function kycReady(options: { withCkyc?: boolean } = {}): Promise<Ready> {
  const pan = panWith('1234');
  const { gid, offerId } = await applyAndDecide(t, { pan, dateOfBirth: DOB });
  if (!offerId) throw new Error('not approved');
  if (options.withCkyc) {
    const found = await t.call(PATHS.searchCkyc, { googleApplicationId: gid, pan, dateOfBirth: DOB, tncAcceptanceMetadata: [{ type: 'CKYC_DATA_FETCH', version: 'v1', acceptance: true }] });
    expect(found.body.data.cKycRecordFound).toBe(true);
  }
  const init = await t.call(PATHS.initiateKyc, { googleApplicationId: gid, offerId });
  expect(init.status).toBe(200);
  const urlToken: string = init.body.data.urlToken;
  const { applicationId } = await t.services.kyc.openByUrlToken(urlToken);
  return { gid, ref: { partnerId: t.services.sandbox!.gpayPartnerId, externalReference: gid }, applicationId, urlToken };
}

/** The KYC is approved by the worker's review, and both surfaces report it: GPay's getStatus, and the core's current KYC (OCEN's kycStatus). */
async function expectApprovedAs(ready: Ready, method: 'CKYC' | 'EKYC' | 'OFFLINE') {
  const status = await eventually(() => applicationStatus(t, ready.gid), (s) => s.kyc.state !== 'AWAITING_APPROVAL');
  expect(status.kyc).toMatchObject({ state: 'APPROVED', completedKycType: method });
  expect(status.kyc.eligibleKycTypes).not.toContain('VIDEO_KYC');
  expect(await t.services.kyc.current(ready.ref)).toMatchObject({ state: 'APPROVED', completedMethod: method });
  expect(await t.services.kyc.kycForPage(ready.applicationId)).toMatchObject({ state: 'APPROVED', completedMethod: method });
  const kyc = await t.services.kyc.current(ready.ref);
  const history = await t.services.transitions.history('kyc', kyc!.id);
  expect(history.map((h) => h.toState)).toEqual(['NOT_STARTED', 'IN_PROGRESS', 'AWAITING_APPROVAL', 'APPROVED']);
}

async function codeOf(promise: Promise<unknown>): Promise<{ code?: string; fields?: string[]; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { code?: string; fields?: string[]; details?: Record<string, unknown> };
    return { code: e.code, fields: e.fields, details: e.details };
  }
  throw new Error('expected a refusal');
}

/** Every column of every table, as text (`table.column=value`). */
async function everyValue(): Promise<string[]> {
  const columns = await everyColumn(t.services.config.databaseUrl);
  return [...columns].flatMap(([column, values]) => values.map((v) => `${column}=${v}`));
}

describe('the KYC link token', () => {
  it('when the page opens with the urlToken kyc/initiate handed out, then it gets the application, the KYC attempt and the link expiry', async () => {
    const ready = await kycReady();
    const link = await t.services.kyc.openByUrlToken(ready.urlToken);
    const kyc = await t.services.kyc.current(ready.ref);
    expect(link).toEqual({ applicationId: ready.applicationId, kycId: kyc!.id, expiresAt: kyc!.urlTokenExpiresAt });
    expect(await t.services.kyc.kycForPage(ready.applicationId)).toEqual({
      applicationId: ready.applicationId, kycId: kyc!.id, state: 'NOT_STARTED', eligibleMethods: ['EKYC', 'OFFLINE'], completedMethod: null, rejectionReason: null,
    });
  });

  it('when the token is unknown, empty or replaced by a fresh link, then it is PAGE_LINK_INVALID', async () => {
    const ready = await kycReady();
    expect(await codeOf(t.services.kyc.openByUrlToken('not-a-token-we-handed-out'))).toMatchObject({ code: AppErrorCode.PAGE_LINK_INVALID, fields: ['urlToken'] });
    expect((await codeOf(t.services.kyc.openByUrlToken(''))).code).toBe(AppErrorCode.PAGE_LINK_INVALID);
    const offerId = (await t.call(PATHS.getApprovalStatus, { googleApplicationId: ready.gid })).body.data.approvedStateContext.offerId;
    const renewed = await t.call(PATHS.initiateKyc, { googleApplicationId: ready.gid, offerId });
    expect((await codeOf(t.services.kyc.openByUrlToken(ready.urlToken))).code).toBe(AppErrorCode.PAGE_LINK_INVALID);
    expect((await t.services.kyc.openByUrlToken(renewed.body.data.urlToken)).applicationId).toBe(ready.applicationId);
  });

  it('when the token is past its 15 minutes, then it is PAGE_LINK_EXPIRED', async () => {
    const ready = await kycReady();
    t.clock.advance(15 * 60_000 + 1_000);
    try {
      const refused = await codeOf(t.services.kyc.openByUrlToken(ready.urlToken));
      expect(refused.code).toBe(AppErrorCode.PAGE_LINK_EXPIRED);
    } finally {
      t.clock.advance(-(15 * 60_000 + 1_000));
    }
    expect((await t.services.kyc.openByUrlToken(ready.urlToken)).applicationId).toBe(ready.applicationId);
  });
});

describe('CKYC on the KYC page', () => {
  it('when the borrower has a CKYC record, then the page shows it masked, and confirming it with consent moves KYC to AWAITING_APPROVAL and then APPROVED', async () => {
    const ready = await kycReady({ withCkyc: true });
    expect((await t.services.kyc.kycForPage(ready.applicationId)).eligibleMethods).toEqual(['CKYC', 'EKYC', 'OFFLINE']);
    const shown = await t.services.kyc.ckycRecordForConfirmation(ready.applicationId);
    expect(shown).toEqual({
      name: 'MRS NAMRTA NIMESH SHAH',
      maskedDateOfBirth: '**/**/1990',
      gender: 'FEMALE',
      addresses: [{ maskedLine: '10*, ******* *********', city: 'Bengaluru', state: 'Karnataka', maskedPostalCode: '56****' }],
    });
    expect(JSON.stringify(shown)).not.toContain(DOB);
    // Showing the record changed nothing.
    expect((await t.services.kyc.current(ready.ref))!.state).toBe('NOT_STARTED');

    expect((await codeOf(t.services.kyc.confirmCkyc(ready.applicationId, { consentVersion: ' ' }))).code).toBe(AppErrorCode.MISSING_REQUIRED_FIELD);
    expect(await t.services.kyc.confirmCkyc(ready.applicationId, { consentVersion: 'ckyc-page-v1' })).toBe('AWAITING_APPROVAL');
    const row = await t.services.db.prisma.kyc.findFirstOrThrow({ where: { applicationId: ready.applicationId } });
    expect(row).toMatchObject({ ckycConsentVersion: 'ckyc-page-v1', ckycConsentedAt: expect.any(Date) });
    expect(row.verifiedNameCiphertext).not.toContain('NAMRTA');
    await expectApprovedAs(ready, 'CKYC');
    expect(await t.services.kyc.verifiedName(ready.applicationId)).toBe('MRS NAMRTA NIMESH SHAH');
    // Done: nothing completes it again.
    expect((await codeOf(t.services.kyc.confirmCkyc(ready.applicationId, { consentVersion: 'ckyc-page-v1' }))).code).toBe(AppErrorCode.PRECONDITION_FAILED);
  });

  it('when CKYC is not among the KYC methods, then the record is neither shown nor confirmed', async () => {
    const ready = await kycReady();
    expect((await codeOf(t.services.kyc.ckycRecordForConfirmation(ready.applicationId))).code).toBe(AppErrorCode.PRECONDITION_FAILED);
    expect((await codeOf(t.services.kyc.confirmCkyc(ready.applicationId, { consentVersion: 'v1' }))).code).toBe(AppErrorCode.PRECONDITION_FAILED);
    expect((await t.services.kyc.current(ready.ref))!.state).toBe('NOT_STARTED');
  });
});

describe('Aadhaar e-KYC by OTP on the KYC page', () => {
  it(`when the borrower enters a valid Aadhaar number and the sandbox OTP ${SANDBOX_AADHAAR_OTP}, then KYC moves to AWAITING_APPROVAL with EKYC and then APPROVED, with the applicant's name`, async () => {
    const ready = await kycReady();
    const started = await t.services.kyc.startAadhaarOtp(ready.applicationId, '2341 2341 2346');
    expect(started).toEqual({ attemptId: expect.any(String), maskedAadhaar: 'XXXX XXXX 2346', attemptsLeft: 3 });
    expect(await t.services.kyc.kycForPage(ready.applicationId)).toMatchObject({ state: 'IN_PROGRESS', pendingAadhaarOtp: { maskedAadhaar: 'XXXX XXXX 2346', attemptsLeft: 3 } });
    const attempt = await t.services.db.prisma.kycAadhaarAttempt.findUniqueOrThrow({ where: { id: started.attemptId } });
    expect(attempt).toMatchObject({ state: 'OTP_SENT', aadhaarLast4: '2346', tries: 0 });
    expect(attempt.transactionIdCiphertext).toMatch(/^v2\./);

    expect(await t.services.kyc.verifyAadhaarOtp(ready.applicationId, SANDBOX_AADHAAR_OTP)).toBe('AWAITING_APPROVAL');
    expect(await t.services.db.prisma.kycAadhaarAttempt.findUniqueOrThrow({ where: { id: started.attemptId } })).toMatchObject({ state: 'VERIFIED', ekycReference: expect.any(String) });
    await expectApprovedAs(ready, 'EKYC');
    expect(await t.services.kyc.verifiedName(ready.applicationId)).toBe('Asha Rao');
  });

  it('when the OTP is wrong, then it is CHALLENGE_INVALID with the tries left and nothing else changes; after 3 wrong OTPs even the right one is refused until a new OTP is requested', async () => {
    const ready = await kycReady();
    const started = await t.services.kyc.startAadhaarOtp(ready.applicationId, AADHAAR.b);
    const kycBefore = await t.services.kyc.current(ready.ref);
    const historyBefore = await t.services.transitions.history('kyc', kycBefore!.id);

    expect(await codeOf(t.services.kyc.verifyAadhaarOtp(ready.applicationId, '654321'))).toEqual({ code: AppErrorCode.CHALLENGE_INVALID, fields: ['aadhaarOtp'], details: { attemptsLeft: 2 } });
    expect(await t.services.kyc.current(ready.ref)).toEqual(kycBefore);
    expect(await t.services.transitions.history('kyc', kycBefore!.id)).toEqual(historyBefore);
    expect(await t.services.db.prisma.outboxMessage.count({ where: { topic: 'kyc.review', payload: { path: ['kycId'], equals: kycBefore!.id } } })).toBe(0);

    expect((await codeOf(t.services.kyc.verifyAadhaarOtp(ready.applicationId, '111111'))).details).toEqual({ attemptsLeft: 1 });
    expect((await codeOf(t.services.kyc.verifyAadhaarOtp(ready.applicationId, '222222'))).details).toEqual({ attemptsLeft: 0 });
    expect((await codeOf(t.services.kyc.verifyAadhaarOtp(ready.applicationId, SANDBOX_AADHAAR_OTP))).code).toBe(AppErrorCode.CHALLENGE_ATTEMPTS_EXHAUSTED);
    expect(await t.services.db.prisma.kycAadhaarAttempt.findUniqueOrThrow({ where: { id: started.attemptId } })).toMatchObject({ state: 'EXHAUSTED', tries: 3, wrongOtps: 3 });
    expect((await t.services.kyc.current(ready.ref))!.state).toBe('IN_PROGRESS');

    // A new OTP: the old attempt is done with, the new one verifies.
    await t.services.kyc.startAadhaarOtp(ready.applicationId, AADHAAR.b);
    expect(await t.services.kyc.verifyAadhaarOtp(ready.applicationId, SANDBOX_AADHAAR_OTP)).toBe('AWAITING_APPROVAL');
    await expectApprovedAs(ready, 'EKYC');
  });

  it('when the Aadhaar number fails the Verhoeff check (or the format), then it is refused naming aadhaarNumber before UIDAI is called or anything recorded', async () => {
    const ready = await kycReady();
    const requestOtp = jest.spyOn(SandboxAadhaarEkyc.prototype, 'requestOtp');
    for (const bad of ['234123412345', '123412341234', '2341234123', 'abcdabcdabcd']) {
      expect(await codeOf(t.services.kyc.startAadhaarOtp(ready.applicationId, bad))).toMatchObject({ code: AppErrorCode.INVALID_FIELD_VALUE, fields: ['aadhaarNumber'] });
    }
    expect(requestOtp).not.toHaveBeenCalled();
    expect(await t.services.db.prisma.kycAadhaarAttempt.count({ where: { kyc: { applicationId: ready.applicationId } } })).toBe(0);
    expect((await t.services.kyc.current(ready.ref))!.state).toBe('NOT_STARTED');
    // Verifying with no OTP requested is refused too.
    expect((await codeOf(t.services.kyc.verifyAadhaarOtp(ready.applicationId, SANDBOX_AADHAAR_OTP))).code).toBe(AppErrorCode.PRECONDITION_FAILED);
  });

  it('when Aadhaar e-KYC has run, then the Aadhaar number (plain, spaced or hyphenated) is in no column of any table and in no log line', async () => {
    const ready = await kycReady();
    const number = AADHAAR.c;
    const forms = [number, `${number.slice(0, 4)} ${number.slice(4, 8)} ${number.slice(8)}`, `${number.slice(0, 4)}-${number.slice(4, 8)}-${number.slice(8)}`, number.slice(0, 8)];
    const logsBefore = logLines.length;
    await t.services.kyc.startAadhaarOtp(ready.applicationId, forms[1]);
    await codeOf(t.services.kyc.verifyAadhaarOtp(ready.applicationId, '999999'));
    // An Aadhaar number where a field is expected to be valid is refused without echoing it.
    const refusal = await codeOf(t.services.kyc.startAadhaarOtp(ready.applicationId, `${number.slice(0, 11)}0`));
    expect(JSON.stringify(refusal)).not.toContain(number.slice(0, 11));
    await t.services.kyc.verifyAadhaarOtp(ready.applicationId, SANDBOX_AADHAAR_OTP);
    await expectApprovedAs(ready, 'EKYC');
    // The logger itself, handed the number, keeps it out.
    t.services.logger.info({ aadhaarNumber: number, nested: { aadhaar: forms[1] } }, `asked for ${forms[2]}`);

    const values = await everyValue();
    for (const form of forms) expect({ form, rows: values.filter((v) => v.includes(form)) }).toEqual({ form, rows: [] });
    const logs = logLines.slice(logsBefore).join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const form of forms) expect({ form, inLogs: logs.includes(form) }).toEqual({ form, inLogs: false });
  });
});

describe('offline KYC by document upload', () => {
  const storedFiles = () => (fs.existsSync(documentsDir) ? fs.readdirSync(documentsDir).filter((f) => !f.endsWith('.tmp')) : []);

  it('when the borrower uploads a PDF, then it is stored sealed (never in clear), its metadata recorded, and KYC moves to AWAITING_APPROVAL with OFFLINE and then APPROVED', async () => {
    const ready = await kycReady();
    const filesBefore = storedFiles();
    const submitted = await t.services.kyc.submitOfflineDocument(ready.applicationId, { bytes: PDF, documentKind: 'PASSPORT' });
    expect(submitted).toEqual({ documentId: expect.any(String), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), state: 'AWAITING_APPROVAL' });

    const row = await t.services.db.prisma.kycDocument.findUniqueOrThrow({ where: { id: submitted.documentId } });
    expect(row).toMatchObject({ applicationId: ready.applicationId, kind: 'PASSPORT', contentType: 'application/pdf', sizeBytes: PDF.length, sha256: submitted.sha256 });
    const added = storedFiles().filter((f) => !filesBefore.includes(f));
    expect(added).toEqual([row.reference]);
    const onDisk = fs.readFileSync(path.join(documentsDir, row.reference));
    expect(onDisk.includes(PDF.subarray(0, 40))).toBe(false);
    expect(onDisk.toString('utf8')).not.toContain('%PDF');
    expect(onDisk.toString('utf8')).not.toContain(PDF.toString('base64').slice(0, 40));
    // The bank reads it back whole through the port.
    const back = await t.services.documents.get(row.reference);
    expect(back).toMatchObject({ ownerId: ready.applicationId, kind: 'KYC_PASSPORT', contentType: 'application/pdf', sha256: submitted.sha256 });
    expect(back!.bytes.equals(PDF)).toBe(true);

    await expectApprovedAs(ready, 'OFFLINE');
    expect(await t.services.kyc.verifiedName(ready.applicationId)).toBe('Asha Rao');
  });

  it('when the upload is a Windows executable renamed to .pdf, then it is DOCUMENT_TYPE_NOT_ACCEPTED and nothing is stored or changed', async () => {
    const ready = await kycReady();
    const filesBefore = storedFiles();
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(512, 0x90)]);
    expect(await codeOf(t.services.kyc.submitOfflineDocument(ready.applicationId, { bytes: exe, documentKind: 'PASSPORT' }))).toMatchObject({ code: AppErrorCode.DOCUMENT_TYPE_NOT_ACCEPTED, fields: ['document'] });
    expect(storedFiles()).toEqual(filesBefore);
    expect(await t.services.db.prisma.kycDocument.count({ where: { applicationId: ready.applicationId } })).toBe(0);
    expect((await t.services.kyc.current(ready.ref))!.state).toBe('NOT_STARTED');
  });

  it('when the upload is larger than MAX_KYC_DOCUMENT_BYTES, then it is DOCUMENT_TOO_LARGE and nothing is stored or changed', async () => {
    const ready = await kycReady();
    const filesBefore = storedFiles();
    const big = Buffer.concat([PDF, Buffer.alloc(MAX_KYC_DOCUMENT_BYTES + 1 - PDF.length)]);
    expect(await codeOf(t.services.kyc.submitOfflineDocument(ready.applicationId, { bytes: big, documentKind: 'VOTER_ID' }))).toMatchObject({ code: AppErrorCode.DOCUMENT_TOO_LARGE, details: { maxBytes: MAX_KYC_DOCUMENT_BYTES } });
    expect(storedFiles()).toEqual(filesBefore);
    expect((await t.services.kyc.current(ready.ref))!.state).toBe('NOT_STARTED');
  });

  it('when the document kind is unknown, then it is INVALID_FIELD_VALUE naming documentKind', async () => {
    const ready = await kycReady();
    expect(await codeOf(t.services.kyc.submitOfflineDocument(ready.applicationId, { bytes: PDF, documentKind: 'SELFIE' as never }))).toMatchObject({ code: AppErrorCode.INVALID_FIELD_VALUE, fields: ['documentKind'] });
  });
});

describe('the page methods and the KYC state', () => {
  it('when the application id is unknown, then it is NOT_FOUND; when KYC was not initiated, PRECONDITION_FAILED', async () => {
    expect((await codeOf(t.services.kyc.kycForPage('no-such-application'))).code).toBe(AppErrorCode.NOT_FOUND);
    expect((await codeOf(t.services.kyc.startAadhaarOtp('no-such-application', AADHAAR.d))).code).toBe(AppErrorCode.NOT_FOUND);
    const { gid } = await applyAndDecide(t);
    const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid } });
    expect((await codeOf(t.services.kyc.kycForPage(application.id))).code).toBe(AppErrorCode.PRECONDITION_FAILED);
    expect((await codeOf(t.services.kyc.submitOfflineDocument(application.id, { bytes: PDF, documentKind: 'PASSPORT' }))).code).toBe(AppErrorCode.PRECONDITION_FAILED);
  });
});
