import { randomBytes } from 'node:crypto';
import { AppErrorCode } from '../../src/core/errors';
import { Applicant } from '../../src/core/approval/applicant';
import { ApplicationRef } from '../../src/core/application/application';
import { NewIncomeDocument } from '../../src/core/income/income-document';
import { TestApp, startTestApp } from '../support/test-app';
import { newPhone, panWith } from '../support/journey';

/**
 * The account-aggregator consent and income verification on the core, against a real database and the sandbox
 * AA (Redis), with no worker: each worker step is called here, so every intermediate state can be seen.
 * Persona 9002 (a thin bureau file) is sent to INCOME_VERIFICATION, which the AA's bank-statement summary or a
 * verified document then decides.
 */

const PARTNER_A = 'partner-a';
const PARTNER_B = 'partner-b';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    worker: false,
    partners: [
      { id: PARTNER_A, displayName: 'Partner A', protocol: 'OCEN_4' },
      { id: PARTNER_B, displayName: 'Partner B', protocol: 'OCEN_4' },
    ],
  });
});
afterAll(() => t.stop());

const rupees = (n: number) => BigInt(n) * 1_000_000n;
const VUA = '9876543210@sandbox-aa';

function applicant(panDigits: string): Applicant {
  return {
    fullName: 'Asha Rao',
    emailAddress: 'asha.rao@example.com',
    pan: panWith(panDigits),
    dateOfBirth: '1990-05-15',
    addresses: [],
    employment: { employerName: '', totalWorkExperienceYears: '', type: 'SALARIED', monthlyIncomeMicros: rupees(50_000).toString() },
    residence: { timeAtCurrentResidence: '', ownership: 'RENTED' },
    enabledFlags: [],
  };
}

/** An application of `partnerId` for ₹`amount`, its credit decision made (persona 9002: INCOME_VERIFICATION). */
async function decidedApplication(panDigits = '9002', amount = 100_000, partnerId = PARTNER_A): Promise<{ ref: ApplicationRef; id: string }> {
  const ref = { partnerId, externalReference: `REF-${randomBytes(6).toString('hex')}` };
  await t.services.approvals.open({ ...ref, productId: 'PERSONAL_LOAN', requestedAmountMicros: rupees(amount), loanPurpose: 'OTHER', applicant: applicant(panDigits), phone: newPhone() });
  const { applicationId } = await t.services.approvals.status(ref);
  await t.services.approvals.decide(applicationId);
  return { ref, id: applicationId };
}

const consentRow = (id: string) => t.services.db.prisma.aaConsent.findUniqueOrThrow({ where: { id } });
const approvalOf = (ref: ApplicationRef) => t.services.approvals.status(ref);
const moves = async (consentId: string) => (await t.services.consents.history(consentId)).map((h) => [h.fromState, h.toState]);

/** Asks a consent for the applications and takes it to PENDING at the sandbox AA; answers its id and handle. */
async function pendingConsent(...refs: ApplicationRef[]): Promise<{ consentId: string; handle: string }> {
  const consentId = await t.services.consents.request(refs[0].partnerId, refs.map((r) => r.externalReference), { vua: VUA, fetchType: 'ONETIME' });
  expect(await t.services.consents.advance(consentId)).toBe('PENDING');
  return { consentId, handle: (await consentRow(consentId)).aaHandle! };
}

describe('an account-aggregator consent', () => {
  it('when asked, then it is recorded REQUESTED with the vua sealed, and the AA is asked only by the worker step', async () => {
    const { ref } = await decidedApplication();
    const consentId = await t.services.consents.request(PARTNER_A, [ref.externalReference], { vua: VUA, fetchType: 'PERIODIC' });

    const row = await consentRow(consentId);
    expect(row).toMatchObject({ state: 'REQUESTED', aaHandle: null, fetchType: 'PERIODIC', partnerId: PARTNER_A });
    expect(row.vuaCiphertext).not.toContain('9876543210');
    expect(await t.services.consents.byId(PARTNER_A, consentId)).toMatchObject({ vua: VUA, state: 'REQUESTED', externalReferences: [ref.externalReference] });
    expect(await moves(consentId)).toEqual([[null, 'REQUESTED']]);
    // The AA refuses to be called while a transaction is open (the sandbox adapter asserts it, like the real ones).
    await expect(t.services.db.transaction(() => t.services.consents.advance(consentId))).rejects.toThrow(/transaction/i);
  });

  it('when the worker asks the AA twice (a lost answer), then the same handle comes back and the consent is PENDING once', async () => {
    const { ref } = await decidedApplication();
    const { consentId, handle } = await pendingConsent(ref);
    expect(handle).toMatch(/^SBXAA-/);
    expect((await consentRow(consentId)).approvalUrl).toContain(`/sandbox/aa/consents/${handle}`);
    const again = await t.services.consents.advance(consentId);
    expect(again).toBe('PENDING');
    expect(await moves(consentId)).toEqual([[null, 'REQUESTED'], ['REQUESTED', 'PENDING']]);
    expect(await t.services.consents.latestFor((await approvalOf(ref)).applicationId)).toEqual({ state: 'PENDING', summaryPending: false });
  });

  it('when the borrower approves at the AA, then it goes READY, the statement summary is stored as figures and decides the thin-file application: APPROVED with an offer', async () => {
    const { ref, id } = await decidedApplication('9002', 100_000);
    expect((await approvalOf(ref)).state).toBe('INCOME_VERIFICATION');
    const { consentId, handle } = await pendingConsent(ref);

    await t.services.sandbox!.aa.decide(handle, 'APPROVED');
    expect(await t.services.consents.advance(consentId)).toBe('READY');

    const row = await consentRow(consentId);
    expect(row).toMatchObject({ state: 'READY', averageMonthlyCreditsMicros: rupees(50_000), bounceCount: 0, monthsCovered: 6, summaryFetchedAt: expect.any(Date) });
    expect(await moves(consentId)).toEqual([[null, 'REQUESTED'], ['REQUESTED', 'PENDING'], ['PENDING', 'READY']]);
    const approval = await approvalOf(ref);
    expect(approval.state).toBe('APPROVED');
    expect((await t.services.offers.current(ref))!.maxAmountMicros).toBe(rupees(100_000));
    expect(await t.services.consents.latestFor(id)).toEqual({ state: 'READY', summaryPending: false });
  });

  it('when the statements show too many bounces, then the thin-file application is REJECTED with that reason', async () => {
    const { ref } = await decidedApplication();
    const { consentId, handle } = await pendingConsent(ref);
    await t.services.sandbox!.aa.decide(handle, 'APPROVED', { bounceCount: 3 });
    await t.services.consents.advance(consentId);
    const approval = await approvalOf(ref);
    expect(approval.state).toBe('REJECTED');
    expect(approval.rejection).toEqual({ reason: 'CREDIT_RISK_ASSESSMENT', description: expect.stringContaining('3 bounces in 6 months') });
  });

  it('when the statements\' income does not support the requested amount, then the application is REJECTED saying what it supports', async () => {
    const { ref } = await decidedApplication('9002', 100_000);
    const { consentId, handle } = await pendingConsent(ref);
    await t.services.sandbox!.aa.decide(handle, 'APPROVED', { averageMonthlyCreditsMicros: rupees(20_000) });
    await t.services.consents.advance(consentId);
    const approval = await approvalOf(ref);
    expect(approval.state).toBe('REJECTED');
    expect(approval.rejection?.description).toMatch(/supports at most ₹40,000; ₹1,00,000 was requested/);
  });

  it('when the borrower rejects it at the AA, then it is FAILED with the reason, and the application still waits for its income to be verified', async () => {
    const { ref, id } = await decidedApplication();
    const { consentId, handle } = await pendingConsent(ref);
    await t.services.sandbox!.aa.decide(handle, 'REJECTED');
    expect(await t.services.consents.advance(consentId)).toBe('FAILED');
    expect(await consentRow(consentId)).toMatchObject({ state: 'FAILED', failureReason: 'REJECTED', summaryFetchedAt: null });
    expect((await approvalOf(ref)).state).toBe('INCOME_VERIFICATION');
    expect(await t.services.consents.latestFor(id)).toEqual({ state: 'FAILED', summaryPending: false });
  });

  it('when an approved consent is revoked, then it moves READY → FAILED (REVOKED)', async () => {
    const { ref } = await decidedApplication('1234');
    const { consentId, handle } = await pendingConsent(ref);
    await t.services.sandbox!.aa.decide(handle, 'APPROVED');
    await t.services.consents.advance(consentId);
    await t.services.sandbox!.aa.decide(handle, 'REVOKED');
    expect(await t.services.consents.advance(consentId)).toBe('FAILED');
    expect((await consentRow(consentId)).failureReason).toBe('REVOKED');
    expect(await moves(consentId)).toEqual([[null, 'REQUESTED'], ['REQUESTED', 'PENDING'], ['PENDING', 'READY'], ['READY', 'FAILED']]);
  });

  it('when one consent covers two applications, then its summary decides both', async () => {
    const first = await decidedApplication('9002', 100_000);
    const second = await decidedApplication('9002', 50_000);
    const { consentId, handle } = await pendingConsent(first.ref, second.ref);
    await t.services.sandbox!.aa.decide(handle, 'APPROVED');
    await t.services.consents.advance(consentId);
    expect((await approvalOf(first.ref)).state).toBe('APPROVED');
    expect((await approvalOf(second.ref)).state).toBe('APPROVED');
  });

  it('when another partner names the handle, or applications not its own, then it is NOT_FOUND', async () => {
    const { ref } = await decidedApplication();
    const { handle } = await pendingConsent(ref);
    await expect(t.services.consents.byHandle(PARTNER_B, handle)).rejects.toMatchObject({ code: AppErrorCode.NOT_FOUND });
    await expect(t.services.consents.notified(handle, PARTNER_B)).rejects.toMatchObject({ code: AppErrorCode.NOT_FOUND });
    await expect(t.services.consents.request(PARTNER_B, [ref.externalReference], { vua: VUA, fetchType: 'ONETIME' })).rejects.toMatchObject({ code: AppErrorCode.NOT_FOUND });
    expect((await t.services.consents.byHandle(PARTNER_A, handle)).handle).toBe(handle);
  });

  it('when the vua is not an AA id, then nothing is recorded (INVALID_FIELD_VALUE)', async () => {
    const { ref, id } = await decidedApplication();
    await expect(t.services.consents.request(PARTNER_A, [ref.externalReference], { vua: 'not an id', fetchType: 'ONETIME' })).rejects.toMatchObject({ code: AppErrorCode.INVALID_FIELD_VALUE });
    expect(await t.services.consents.latestFor(id)).toBeNull();
  });
});

const slip = (monthlyIncome: number | null, kind: NewIncomeDocument['kind'] = 'SALARY_SLIP'): NewIncomeDocument => ({
  channel: 'ADDITIONAL_DOCUMENTS',
  kind,
  source: 'USER',
  format: 'JSON',
  reference: `DOC-${randomBytes(4).toString('hex')}`,
  sizeBytes: 120,
  sha256: randomBytes(32).toString('hex'),
  statedMonthlyIncomeMicros: monthlyIncome === null ? null : rupees(monthlyIncome),
});

describe('a consent the lender could not take further', () => {
  const stagedFor = async (consentId: string) =>
    (await t.services.db.prisma.outboxMessage.findMany({ where: { topic: 'consent.advance' } })).filter((m) => JSON.stringify(m.payload).includes(consentId)).length;
  const ageConsent = (consentId: string, createdHoursAgo = 0) => t.services.db.query(
    `UPDATE aa_consent SET updated_at = now() - interval '10 minutes', created_at = now() - make_interval(hours => $2) WHERE id = $1`,
    [consentId, createdHoursAgo],
  );

  it('when the AA could not be asked (the job tries were used up), then the reconciler stages the consent again, and past the decision deadline ends it FAILED (AA_UNREACHABLE)', async () => {
    const { ref } = await decidedApplication();
    const consentId = await t.services.consents.request(PARTNER_A, [ref.externalReference], { vua: VUA, fetchType: 'ONETIME' });
    const staged = await stagedFor(consentId);

    expect((await t.services.reconciler.sweep()).consentsRetried).not.toContain(consentId);
    await ageConsent(consentId);
    const retried = await t.services.reconciler.sweep();
    expect(retried.consentsRetried).toContain(consentId);
    expect(retried.consentsAbandoned).not.toContain(consentId);
    expect(await stagedFor(consentId)).toBe(staged + 1);
    expect((await t.services.reconciler.sweep()).consentsRetried).not.toContain(consentId);

    await ageConsent(consentId, 25);
    const abandoned = await t.services.reconciler.sweep();
    expect(abandoned.consentsAbandoned).toContain(consentId);
    expect(await consentRow(consentId)).toMatchObject({ state: 'FAILED', failureReason: 'AA_UNREACHABLE' });
    expect(await moves(consentId)).toEqual([[null, 'REQUESTED'], ['REQUESTED', 'FAILED']]);
    expect(await t.services.consents.latestFor((await approvalOf(ref)).applicationId)).toMatchObject({ state: 'FAILED' });
  });

  it('when a consent is READY but its summary could not be fetched, then the reconciler stages it again and never abandons it', async () => {
    const { ref } = await decidedApplication();
    const { consentId, handle } = await pendingConsent(ref);
    await t.services.sandbox!.aa.decide(handle, 'APPROVED', {});
    // What a summary fetch that failed leaves behind: READY (the approval read from the AA), no summary yet.
    await t.services.db.query(`UPDATE aa_consent SET state = 'READY' WHERE id = $1`, [consentId]);
    await ageConsent(consentId, 25);
    const report = await t.services.reconciler.sweep();
    expect(report.consentsRetried).toContain(consentId);
    expect(report.consentsAbandoned).not.toContain(consentId);
    expect(await t.services.consents.advance(consentId)).toBe('READY');
    expect((await consentRow(consentId)).summaryFetchedAt).toBeInstanceOf(Date);
  });
});

describe('documents as evidence of income', () => {
  it('when a salary slip states an income that supports the loan, then the sandbox desk verifies it and the application is APPROVED', async () => {
    const { ref, id } = await decidedApplication('9002', 100_000);
    await t.services.incomeDocuments.receive(ref, [slip(60_000)]);
    expect(await t.services.incomeDocuments.pendingFor(id)).toBe(true);
    await t.services.incomeDocuments.verify(id);
    const [document] = await t.services.incomeDocuments.of(id);
    expect(document).toMatchObject({ kind: 'SALARY_SLIP', verified: true, verifiedMonthlyIncomeMicros: rupees(60_000) });
    expect((await approvalOf(ref)).state).toBe('APPROVED');
  });

  it('when a document verifies no income (not a slip or statement, or no figure), then it is recorded as such and the application keeps waiting', async () => {
    const { ref, id } = await decidedApplication();
    await t.services.incomeDocuments.receive(ref, [slip(60_000, 'OTHER'), slip(null, 'BANK_STATEMENT')]);
    await t.services.incomeDocuments.verify(id);
    const documents = await t.services.incomeDocuments.of(id);
    expect(documents.map((d) => [d.kind, d.verified, d.verificationNote]).sort()).toEqual([
      ['BANK_STATEMENT', false, 'the document states no monthly income'],
      ['OTHER', false, 'not a salary slip or bank statement'],
    ]);
    expect((await approvalOf(ref)).state).toBe('INCOME_VERIFICATION');
  });

  it('when the verified income does not support the requested amount, then the application is REJECTED with the reason', async () => {
    const { ref, id } = await decidedApplication('9002', 100_000);
    await t.services.incomeDocuments.receive(ref, [slip(20_000, 'BANK_STATEMENT')]);
    await t.services.incomeDocuments.verify(id);
    const approval = await approvalOf(ref);
    expect(approval).toMatchObject({ state: 'REJECTED', rejection: { reason: 'CREDIT_RISK_ASSESSMENT' } });
    expect(approval.rejection!.description).toMatch(/bank statement .* supports at most ₹40,000/);
  });

  it('when a document is larger than the limit, or too many come at once, then nothing is recorded', async () => {
    const { ref, id } = await decidedApplication();
    await expect(t.services.incomeDocuments.receive(ref, [{ ...slip(60_000), sizeBytes: 2_000_000 }])).rejects.toMatchObject({ code: AppErrorCode.INVALID_FIELD_VALUE });
    await expect(t.services.incomeDocuments.receive(ref, Array.from({ length: 21 }, () => slip(60_000)))).rejects.toMatchObject({ code: AppErrorCode.INVALID_FIELD_VALUE });
    expect(await t.services.incomeDocuments.of(id)).toEqual([]);
  });

  it('when two documents verify different incomes at once, then the lower one decides', async () => {
    const { ref, id } = await decidedApplication('9002', 100_000);
    await t.services.incomeDocuments.receive(ref, [slip(90_000), slip(30_000, 'BANK_STATEMENT')]);
    await t.services.incomeDocuments.verify(id);
    expect((await approvalOf(ref)).rejection?.description).toMatch(/₹30,000 \(bank statement DOC-/);
  });

  it('when an application is already decided, then a document is recorded and verified but changes nothing', async () => {
    const { ref, id } = await decidedApplication('1234', 100_000);
    expect((await approvalOf(ref)).state).toBe('APPROVED');
    await t.services.incomeDocuments.receive(ref, [slip(10_000)]);
    await t.services.incomeDocuments.verify(id);
    expect((await approvalOf(ref)).state).toBe('APPROVED');
  });
});
