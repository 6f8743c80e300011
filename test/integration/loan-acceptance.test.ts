import { randomBytes } from 'node:crypto';
import { AppErrorCode } from '../../src/core/errors';
import { ApplicationRef } from '../../src/core/application/application';
import { applicationState } from '../../src/core/application/application-state';
import { ApplicationRepository } from '../../src/core/application/application.repository';
import { emiMicros } from '../../src/core/money/emi';
import { loanCharges } from '../../src/core/loan/charges';
import { PhoneNumber } from '../../src/core/shared/identity';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { newPhone, panWith } from '../support/journey';

/**
 * LoanAcceptanceService against a real database, without any protocol in front of it: the acceptance OTP sent to
 * the application's phone, the signature (IN_PROGRESS → SIGNED, the terms fixed in a submission) and the grant
 * (SIGNED → GRANTED), with their preconditions and the OTP's limits.
 */

const PARTNER = 'partner-accept';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ partners: [{ id: PARTNER, displayName: 'Partner', protocol: 'OCEN_4' }] });
});
afterAll(() => t.stop());

const rupees = (n: number) => BigInt(n) * 1_000_000n;

/** An approved application (its credit decision made by the worker). */
async function approvedApplication(phone: PhoneNumber = newPhone()): Promise<{ ref: ApplicationRef; phone: PhoneNumber; offerId: string }> {
  const ref = { partnerId: PARTNER, externalReference: `REF-${randomBytes(6).toString('hex')}` };
  await t.services.approvals.open({
    ...ref,
    productId: 'PERSONAL_LOAN',
    requestedAmountMicros: rupees(100_000),
    loanPurpose: 'OTHER',
    phone,
    applicant: {
      fullName: 'Asha Rao', emailAddress: 'asha@example.com', pan: panWith('1234'), dateOfBirth: '1990-05-15', addresses: [],
      employment: { employerName: '', totalWorkExperienceYears: '', type: 'SALARIED', monthlyIncomeMicros: rupees(50_000).toString() },
      residence: { timeAtCurrentResidence: '', ownership: 'RENTED' }, enabledFlags: [],
    },
  });
  const status = await eventually(() => t.services.approvals.status(ref), (s) => s.state !== 'IN_PROCESS');
  expect(status.state).toBe('APPROVED');
  return { ref, phone, offerId: status.offerId! };
}

/** An approved application whose borrower chose ₹1,00,000 over 12 months in the current offer, and was shown its Key Fact Statement. */
async function withChosenTerms(phone: PhoneNumber = newPhone(), options: { keyFacts?: boolean } = {}): Promise<{ ref: ApplicationRef; phone: PhoneNumber; offerId: string }> {
  const approved = await approvedApplication(phone);
  await t.services.offers.accept({ ...approved.ref, offerId: approved.offerId, amountMicros: rupees(100_000), tenureMonths: 12 });
  if (options.keyFacts ?? true) await t.services.acceptance.issueKeyFacts(approved.ref);
  return approved;
}

async function approveKyc(ref: ApplicationRef, offerId: string): Promise<void> {
  await t.services.kyc.initiate(ref, offerId);
  await t.services.kyc.complete(ref, 'APPROVED');
  await eventually(async () => (await t.services.kyc.current(ref))?.state, (state) => state === 'APPROVED');
}

/** The code of the newest SMS to `phone`, once `count` messages were sent to it. */
async function newestOtp(phone: PhoneNumber, count = 1): Promise<{ code: string; text: string }> {
  const messages = await eventually(() => t.services.sandbox!.sms.read(`${phone.countryCode}${phone.nationalNumber}`), (m) => m.length >= count);
  return { code: /^(\d{6}) /.exec(messages[0].text)![1], text: messages[0].text };
}

const wrongOf = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
const applicationOf = (ref: ApplicationRef) => new ApplicationRepository(t.services.db).get(ref);
const attemptsOf = async (sessionKey: string) => (await t.services.db.query<{ attempts: number }>(`SELECT attempts FROM otp_challenge WHERE id = $1`, [sessionKey]))[0].attempts;

describe('accepting the loan agreement by OTP', () => {
  it('when KYC is not APPROVED, then no OTP is sent and a signature is refused, before any code is counted', async () => {
    const { ref } = await withChosenTerms();
    await expect(t.services.acceptance.requestAcceptance(ref)).rejects.toMatchObject({ code: AppErrorCode.PRECONDITION_FAILED, message: 'KYC is not APPROVED' });
    await expect(t.services.acceptance.sign(ref, { sessionKey: 'otp_none', code: '123456' }, 'v1')).rejects.toMatchObject({ code: AppErrorCode.PRECONDITION_FAILED });
    const application = await applicationOf(ref);
    expect(await t.services.db.query(`SELECT 1 FROM otp_challenge WHERE subject = $1`, [application.id])).toHaveLength(0);
    expect(application.applicationState).toBe('IN_PROGRESS');
  });

  it('when no terms were chosen in the offer, then no OTP is sent, even with KYC APPROVED', async () => {
    const { ref, offerId } = await approvedApplication();
    await approveKyc(ref, offerId);
    await expect(t.services.acceptance.requestAcceptance(ref)).rejects.toMatchObject({ code: AppErrorCode.PRECONDITION_FAILED, message: 'No terms were chosen in the current offer' });
  });

  it('when the borrower enters a wrong code, then it is refused and counted durably, the application stays IN_PROGRESS; the right code then signs with the chosen terms fixed, and stages no disbursement', async () => {
    const { ref, phone, offerId } = await withChosenTerms();
    await approveKyc(ref, offerId);
    const session = await t.services.acceptance.requestAcceptance(ref, 'AbC123xyz+/');
    expect(session).toMatchObject({ sessionKey: expect.stringMatching(/^otp_/), maskedPhone: `XXXXXX${phone.nationalNumber.slice(-4)}` });
    const before = await applicationOf(ref);
    expect(await t.services.acceptance.acceptanceOutstanding(before)).toBe(true);
    const { code, text } = await newestOtp(phone);
    expect(text).toBe(`${code} is the One Time Password (OTP) to complete the loan process with ${t.services.config.lenderName}. AbC123xyz+/`);

    await expect(t.services.acceptance.sign(ref, { sessionKey: session.sessionKey, code: wrongOf(code) }, 'v1')).rejects.toMatchObject({ code: AppErrorCode.CHALLENGE_INVALID });
    expect(await attemptsOf(session.sessionKey)).toBe(1);
    expect((await applicationOf(ref)).applicationState).toBe('IN_PROGRESS');

    const submission = await t.services.acceptance.sign(ref, { sessionKey: session.sessionKey, code }, 'sha256:abc');
    const offer = (await t.services.offers.current(ref))!;
    const charges = loanCharges(rupees(100_000), offer);
    expect(submission).toMatchObject({
      loanAmountMicros: rupees(100_000),
      tenureMonths: 12,
      interestRateE5: offer.interestRateE5,
      emiMicros: emiMicros({ principalMicros: rupees(100_000), annualRateE5: BigInt(offer.interestRateE5), tenureMonths: 12 }),
      processingFeeMicros: charges.processingFeeMicros,
      processingFeeGstMicros: charges.gstMicros,
      netDisbursalMicros: charges.netDisbursalMicros,
      tncAcceptances: [{ type: 'LOAN_AGREEMENT', version: 'sha256:abc', acceptance: true }, { type: 'KFS', version: expect.stringMatching(/^KFS[A-Z0-9]+$/), acceptance: true }],
    });
    const after = await applicationOf(ref);
    expect(after).toMatchObject({ applicationState: 'SIGNED', currentSubmissionId: submission.id });
    expect(await t.services.acceptance.acceptanceOutstanding(after)).toBe(false);
    const history = await t.services.db.prisma.stateTransition.findMany({ where: { entityId: after.id, aggregate: applicationState.machine.aggregate }, orderBy: { id: 'asc' }, select: { fromState: true, toState: true } });
    expect(history.at(-1)).toEqual({ fromState: 'IN_PROGRESS', toState: 'SIGNED' });
    const disbursements = (await t.services.db.prisma.outboxMessage.findMany({ where: { topic: 'loan.disburse' } }))
      .filter((row) => (row.payload as { data?: { applicationId?: string } }).data?.applicationId === after.id);
    expect(disbursements).toHaveLength(0);

    await expect(t.services.acceptance.sign(ref, { sessionKey: session.sessionKey, code }, 'sha256:abc')).rejects.toMatchObject({ code: AppErrorCode.PRECONDITION_FAILED });
  });

  it('when the session has had its 3 attempts, then even the right code is CHALLENGE_ATTEMPTS_EXHAUSTED', async () => {
    const { ref, phone, offerId } = await withChosenTerms();
    await approveKyc(ref, offerId);
    const session = await t.services.acceptance.requestAcceptance(ref);
    const { code } = await newestOtp(phone);
    for (let i = 0; i < 3; i++) {
      await expect(t.services.acceptance.sign(ref, { sessionKey: session.sessionKey, code: wrongOf(code) }, 'v1')).rejects.toMatchObject({ code: AppErrorCode.CHALLENGE_INVALID });
    }
    await expect(t.services.acceptance.sign(ref, { sessionKey: session.sessionKey, code }, 'v1')).rejects.toMatchObject({ code: AppErrorCode.CHALLENGE_ATTEMPTS_EXHAUSTED });
    const application = await applicationOf(ref);
    expect(application.applicationState).toBe('IN_PROGRESS');
    expect(await t.services.acceptance.acceptanceOutstanding(application)).toBe(false);
  });

  it('when a session of another application of the same phone is used, then it is CHALLENGE_CONTEXT_MISMATCH and nothing is signed', async () => {
    const phone = newPhone();
    const first = await withChosenTerms(phone);
    const second = await withChosenTerms(phone);
    await approveKyc(first.ref, first.offerId);
    await approveKyc(second.ref, second.offerId);
    const session = await t.services.acceptance.requestAcceptance(second.ref);
    const { code } = await newestOtp(phone);
    await expect(t.services.acceptance.sign(first.ref, { sessionKey: session.sessionKey, code }, 'v1')).rejects.toMatchObject({ code: AppErrorCode.CHALLENGE_CONTEXT_MISMATCH });
    expect((await applicationOf(first.ref)).applicationState).toBe('IN_PROGRESS');
    await t.services.acceptance.sign(second.ref, { sessionKey: session.sessionKey, code }, 'v1');
    expect((await applicationOf(second.ref)).applicationState).toBe('SIGNED');
  });
});

describe('granting the loan', () => {
  it('when the agreement is not signed, then the grant is PRECONDITION_FAILED; once signed it is GRANTED, and a second grant answers the same loan', async () => {
    const { ref, phone, offerId } = await withChosenTerms();
    await expect(t.services.acceptance.grant(ref)).rejects.toMatchObject({ code: AppErrorCode.PRECONDITION_FAILED });
    await approveKyc(ref, offerId);
    await expect(t.services.acceptance.grant(ref)).rejects.toMatchObject({ code: AppErrorCode.PRECONDITION_FAILED });
    const session = await t.services.acceptance.requestAcceptance(ref);
    const { code } = await newestOtp(phone);
    const submission = await t.services.acceptance.sign(ref, { sessionKey: session.sessionKey, code }, 'v1');

    const granted = await t.services.acceptance.grant(ref);
    expect(granted.application).toMatchObject({ applicationState: 'GRANTED', currentSubmissionId: submission.id });
    expect(granted.submission.id).toBe(submission.id);
    const again = await t.services.acceptance.grant(ref);
    expect(again.application.applicationState).toBe('GRANTED');
    const moves = await t.services.db.prisma.stateTransition.findMany({ where: { entityId: granted.application.id, aggregate: applicationState.machine.aggregate, toState: 'GRANTED' } });
    expect(moves).toHaveLength(1);
  });

  it('when a move skips the signature (IN_PROGRESS → GRANTED), then the transition table refuses it as ILLEGAL_STATE_TRANSITION', async () => {
    const { ref } = await withChosenTerms();
    const application = await applicationOf(ref);
    await expect(t.services.db.transaction(() => t.services.transitions.move(applicationState, application.id, 'IN_PROGRESS', 'GRANTED'))).rejects.toMatchObject({ code: AppErrorCode.ILLEGAL_STATE_TRANSITION });
    expect((await applicationOf(ref)).applicationState).toBe('IN_PROGRESS');
  });
});

describe('the Key Fact Statement a signature needs', () => {
  async function ready(options: { keyFacts?: boolean } = {}) {
    const chosen = await withChosenTerms(newPhone(), options);
    await approveKyc(chosen.ref, chosen.offerId);
    const session = await t.services.acceptance.requestAcceptance(chosen.ref);
    const { code } = await newestOtp(chosen.phone);
    return { ...chosen, session, code };
  }

  it('when the agreement (and so its KFS) was never produced, then the signature is KFS_REQUIRED and no code is counted', async () => {
    const { ref, session, code } = await ready({ keyFacts: false });
    await expect(t.services.acceptance.sign(ref, { sessionKey: session.sessionKey, code }, 'v1')).rejects.toMatchObject({ code: AppErrorCode.KFS_REQUIRED });
    expect(await attemptsOf(session.sessionKey)).toBe(0);
    expect((await applicationOf(ref)).applicationState).toBe('IN_PROGRESS');
  });

  it('when the KFS has expired, then the signature is KFS_EXPIRED and no code is counted; a fresh KFS lets the same code sign', async () => {
    const { ref, session, code } = await ready();
    const application = await applicationOf(ref);
    await t.services.db.prisma.keyFactStatement.updateMany({ where: { applicationId: application.id }, data: { validUntil: new Date(t.clock.now().getTime() - 1) } });
    await expect(t.services.acceptance.sign(ref, { sessionKey: session.sessionKey, code }, 'v1')).rejects.toMatchObject({ code: AppErrorCode.KFS_EXPIRED });
    expect(await attemptsOf(session.sessionKey)).toBe(0);

    const kfs = await t.services.acceptance.issueKeyFacts(ref);
    const submission = await t.services.acceptance.sign(ref, { sessionKey: session.sessionKey, code }, 'v1');
    expect(submission.tncAcceptances).toContainEqual({ type: 'KFS', version: kfs!.id, acceptance: true });
  });

  it('when the borrower chose other terms after the KFS was issued, then the signature is KFS_TERMS_MISMATCH', async () => {
    const { ref, offerId, session, code } = await ready();
    await t.services.offers.accept({ ...ref, offerId, amountMicros: rupees(50_000), tenureMonths: 6 });
    await expect(t.services.acceptance.sign(ref, { sessionKey: session.sessionKey, code }, 'v1')).rejects.toMatchObject({ code: AppErrorCode.KFS_TERMS_MISMATCH });
    expect(await attemptsOf(session.sessionKey)).toBe(0);
  });
});
