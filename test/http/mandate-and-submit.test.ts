import type request from 'supertest';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { expectError } from '../support/expect-error';
import {
  PATHS, Phone, applicationStatus, applyAndDecide, challenge, completeKyc, completeMandate, keyFactStatement, newPhone, panWith, readyToSubmit, submitData,
} from '../support/journey';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());


// ---------------------------------------------------------------------------------------------------------------
// Money, computed here independently of src/core/money: exact rationals in paise, rounded half-up.

/** n / d rounded half-up, for n ≥ 0 and d > 0. */
const halfUp = (n: bigint, d: bigint) => (2n * n + d) / (2n * d);

/**
 * Reducing-balance EMI in paise: P·r·(1+r)^n / ((1+r)^n − 1) with r = annualPercent / 1200, evaluated exactly
 * as the fraction P·a·(1200+a)^n / (1200·((1200+a)^n − 1200^n)) and rounded half-up to the paisa.
 */
function referenceEmiPaise(principalRupees: number, annualPercent: number, months: number): bigint {
  const p = BigInt(principalRupees) * 100n;
  const a = BigInt(annualPercent);
  const grown = (1200n + a) ** BigInt(months);
  const base = 1200n ** BigInt(months);
  return halfUp(p * a * grown, 1200n * (grown - base));
}
const paiseToMicros = (paise: bigint) => paise * 10_000n;
const micros = (value: bigint) => ({ currencyCode: 'INR', amountMicros: value.toString() });

// ---------------------------------------------------------------------------------------------------------------

type Proof = { tokenReferenceId: string; otp: string };
type Ready = Awaited<ReturnType<typeof readyToSubmit>>;
type SubmitBody = ReturnType<typeof submitData>;

const initiateMandate = (gid: string) => t.call(PATHS.initiateRepaymentSetup, { googleApplicationId: gid });
const completeMandateStep = (gid: string, body: Record<string, unknown> = {}) => t.http().post(`/sandbox/applications/${gid}/repayment-setup/complete`).send(body);
const getAuthToken = (gid: string, type: string) => t.call(PATHS.getAuthToken, { googleApplicationId: gid, authTokenContext: { type } });
const submit = (body: unknown) => t.call(PATHS.submit, body);

async function approved() {
  const applied = await applyAndDecide(t, { monthlyIncomeRupees: 50_000 });
  if (!applied.offerId) throw new Error(`not approved: ${JSON.stringify(applied.decision)}`);
  return { ...applied, offerId: applied.offerId };
}

async function applicationIdOf(gid: string): Promise<string> {
  return (await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid } })).id;
}

/** The application's mandate in force. */
async function mandateIdOf(gid: string): Promise<string> {
  const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid }, include: { currentMandate: true } });
  if (!application.currentMandate) throw new Error(`no current mandate for ${gid}`);
  return application.currentMandate.id;
}

/** The sandbox's plain JSON error `{error: {code, message, fields?}}` with this HTTP status and code. */
function expectSandboxError(res: request.Response, status: number, code: string) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  expect(res.body.error.message).toEqual(expect.any(String));
  expect(res.body).not.toHaveProperty('errorResponse');
}

/** The Key Fact Statement of ₹50,000 for 6 months, issued once per offer. */
const kfsOf50k = new Map<string, Promise<string>>();
function kfs50k(ready: { gid: string; offerId: string }): Promise<string> {
  if (!kfsOf50k.has(ready.offerId)) kfsOf50k.set(ready.offerId, keyFactStatement(t, ready.gid, ready.offerId, 50_000, 6).then((kfs) => kfs.kfsId as string));
  return kfsOf50k.get(ready.offerId)!;
}

/** ₹50,000 for 6 months at the offer's rate, with its Key Fact Statement accepted: a valid submission. */
const validBody = async (ready: { gid: string; offerId: string; phone: Phone; rateE5: number }, proof: Proof) =>
  submitData(ready.gid, ready.offerId, ready.phone, proof, { amountRupees: 50_000, tenureMonths: 6, rateE5: ready.rateE5, kfsId: await kfs50k(ready) });

/** After a refused submission: still IN_PROGRESS, nothing signed, the OTP not consumed. */
async function expectNothingSubmitted(gid: string, proof?: Proof) {
  expect((await applicationStatus(t, gid)).applicationState).toBe('IN_PROGRESS');
  expect(await t.services.db.prisma.loanSubmission.count({ where: { application: { externalReference: gid } } })).toBe(0);
  if (proof) {
    const row = await t.services.db.prisma.otpChallenge.findUniqueOrThrow({ where: { id: proof.tokenReferenceId } });
    expect(row.consumedAt).toBeNull();
  }
}

describe('initiateRepaymentSetup', () => {
  it('when an approved application starts the mandate, then it gets a 60-second link and the mandate is PENDING; again gives a fresh link', async () => {
    const { gid, decision } = await approved();
    const res = await initiateMandate(gid);
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data.partnerApplicationReferenceId).toBe(decision.partnerApplicationReferenceId);
    expect(data.urlToken).toEqual(expect.stringMatching(/^\S{16,}$/));
    expect(data.authCode).toEqual(expect.stringMatching(/^\S+$/));
    expect(typeof data.expirationTime.epochMillis).toBe('string');
    const serverTime = Number(res.body.responseHeader.responseTimestamp.epochMillis);
    expect(Math.abs(Number(data.expirationTime.epochMillis) - (serverTime + 60_000))).toBeLessThanOrEqual(2_000);
    expect((await applicationStatus(t, gid)).repaymentSetup).toEqual({ state: 'PENDING' });

    const again = await initiateMandate(gid);
    expect(again.status).toBe(200);
    expect(again.body.data.urlToken).not.toBe(data.urlToken);
    expect(again.body.data.authCode).not.toBe(data.authCode);
    expect((await applicationStatus(t, gid)).repaymentSetup.state).toBe('PENDING');
    expect((await t.services.transitions.history('repayment_mandate', await mandateIdOf(gid))).map((h) => h.toState)).toEqual(['PENDING']);
  });

  it('when the user authorises the mandate, then it becomes ACTIVE, and neither initiate nor complete can move it again', async () => {
    const { gid } = await approved();
    await initiateMandate(gid).expect(200);
    const completed = await completeMandateStep(gid);
    expect(completed.status).toBe(200);
    expect(completed.body).toEqual({ repaymentSetupState: 'PENDING' });
    await eventually(() => applicationStatus(t, gid), (s) => s.repaymentSetup.state === 'ACTIVE');

    expectError(await initiateMandate(gid), 400, 'PRECONDITION_VIOLATION', 'PRECONDITION_FAILED');
    expectSandboxError(await completeMandateStep(gid), 400, 'ILLEGAL_STATE_TRANSITION');
    expectSandboxError(await completeMandateStep(gid, { outcome: 'REJECTED' }), 400, 'ILLEGAL_STATE_TRANSITION');
    expect((await applicationStatus(t, gid)).repaymentSetup.state).toBe('ACTIVE');
    expect((await t.services.transitions.history('repayment_mandate', await mandateIdOf(gid))).map((h) => h.toState)).toEqual(['PENDING', 'ACTIVE']);
  });

  it('when the user declines the mandate, then it is FAILED, and initiating again makes it PENDING (FAILED → PENDING)', async () => {
    const { gid } = await approved();
    await initiateMandate(gid).expect(200);
    await completeMandateStep(gid, { outcome: 'REJECTED' }).expect(200);
    await eventually(() => applicationStatus(t, gid), (s) => s.repaymentSetup.state === 'FAILED');
    expect((await applicationStatus(t, gid)).applicationState).toBe('IN_PROGRESS');

    const retry = await initiateMandate(gid);
    expect(retry.status).toBe(200);
    expect(retry.body.data.urlToken).toEqual(expect.any(String));
    expect((await applicationStatus(t, gid)).repaymentSetup.state).toBe('PENDING');
    const history = await t.services.transitions.history('repayment_mandate', await mandateIdOf(gid));
    expect(history.map((h) => [h.fromState, h.toState])).toEqual([
      [null, 'PENDING'],
      ['PENDING', 'FAILED'],
      ['FAILED', 'PENDING'],
    ]);

    await completeMandateStep(gid).expect(200);
    await eventually(() => applicationStatus(t, gid), (s) => s.repaymentSetup.state === 'ACTIVE');
  });

  it('when the application was REJECTED by the bureau (9001), then repayment setup cannot start', async () => {
    const { gid, decision } = await applyAndDecide(t, { pan: panWith('9001') });
    expect(decision.applicationState).toBe('REJECTED');
    expectError(await initiateMandate(gid), 400, 'PRECONDITION_VIOLATION', 'PRECONDITION_FAILED');
    expect((await applicationStatus(t, gid)).repaymentSetup.state).toBe('NOT_STARTED');
  });
});

describe('getAuthToken REPAYMENT_SETUP', () => {
  it('when the mandate is PENDING, then the token is issued for the repayment-setup page only', async () => {
    const { gid } = await approved();
    await initiateMandate(gid).expect(200);
    const res = await getAuthToken(gid, 'REPAYMENT_SETUP');
    expect(res.status).toBe(200);
    expect(res.body.data.authToken.split('.')).toHaveLength(3);
    expect(res.body.data.redirectionUrl).toMatch(/\/borrower\/repayment-setup$/);
    const claims = await t.services.authTokens.verify(res.body.data.authToken, 'REPAYMENT_SETUP');
    expect(claims.applicationId).toBe(await applicationIdOf(gid));
    await expect(t.services.authTokens.verify(res.body.data.authToken, 'KYC')).rejects.toThrow();
  });

  it('when there is no mandate, or it is already ACTIVE, then getAuthToken REPAYMENT_SETUP is a PRECONDITION_VIOLATION', async () => {
    const { gid } = await approved();
    expectError(await getAuthToken(gid, 'REPAYMENT_SETUP'), 400, 'PRECONDITION_VIOLATION', 'PRECONDITION_FAILED');
    await completeMandate(t, gid);
    expectError(await getAuthToken(gid, 'REPAYMENT_SETUP'), 400, 'PRECONDITION_VIOLATION', 'PRECONDITION_FAILED');
  });
});

describe('submit: steps not done', () => {
  it('when KYC is not approved (mandate only), then submit is a PRECONDITION_VIOLATION and the OTP survives for later', async () => {
    const applied = await approved();
    await completeMandate(t, applied.gid);
    const ready = { ...applied, rateE5: 1_600_000 };
    const proof = await challenge(t, applied.phone, 'submitApplicationContext');
    expectError(await submit(await validBody(ready, proof)), 400, 'PRECONDITION_VIOLATION', 'PRECONDITION_FAILED');
    await expectNothingSubmitted(applied.gid, proof);

    await completeKyc(t, applied.gid, applied.offerId);
    const res = await submit(await validBody(ready, proof));
    expect(res.status).toBe(200);
    expect(res.body.data.applicationState).toBe('SUBMITTED');
  });

  it('when the mandate is not ACTIVE (KYC only, then PENDING), then submit is a PRECONDITION_VIOLATION', async () => {
    const applied = await approved();
    await completeKyc(t, applied.gid, applied.offerId);
    const ready = { ...applied, rateE5: 1_600_000 };
    const proof = await challenge(t, applied.phone, 'submitApplicationContext');
    expectError(await submit(await validBody(ready, proof)), 400, 'PRECONDITION_VIOLATION', 'PRECONDITION_FAILED');
    await initiateMandate(applied.gid).expect(200);
    expectError(await submit(await validBody(ready, proof)), 400, 'PRECONDITION_VIOLATION', 'PRECONDITION_FAILED');
    await expectNothingSubmitted(applied.gid, proof);
  });
});

interface Refusal {
  name: string;
  status: number;
  code: string;
  reason?: string;
  /** The wire paths the error names (fieldViolations). */
  fields?: string[];
  mutate: (body: SubmitBody, ready: Ready) => void | Promise<void>;
}

const setAmount = (body: SubmitBody, amountMicros: bigint) => {
  body.loanApplicationDetails.loanAmount = micros(amountMicros);
};
const setTenure = (body: SubmitBody, months: number) => {
  body.loanApplicationDetails.tenure = { periodType: 'MONTH', length: months };
};
const shiftEmi = (body: SubmitBody, deltaMicros: bigint) => {
  body.loanApplicationDetails.calculatedEmiAmount = micros(BigInt(body.loanApplicationDetails.calculatedEmiAmount.amountMicros) + deltaMicros);
};

const AMOUNT = 'data.loanApplicationDetails.loanAmount.amountMicros';
const TENURE = 'data.loanApplicationDetails.tenure.length';
const EMI = 'data.loanApplicationDetails.calculatedEmiAmount';
const CONSENTS = 'data.tncAcceptanceMetadata';

const REFUSALS: Refusal[] = [
  { name: 'the amount is above the offer maximum (₹1,05,000 > ₹1,00,000)', status: 400, code: 'INVALID_FIELD_VALUE', reason: 'INVALID_FIELD_VALUE', fields: [AMOUNT], mutate: (b) => setAmount(b, 105_000_000_000n) },
  { name: 'the amount is below the offer minimum (₹5,000 < ₹10,000)', status: 400, code: 'INVALID_FIELD_VALUE', reason: 'INVALID_FIELD_VALUE', fields: [AMOUNT], mutate: (b) => setAmount(b, 5_000_000_000n) },
  { name: 'the amount is not on the ₹5,000 step (₹52,500)', status: 400, code: 'INVALID_FIELD_VALUE', reason: 'INVALID_FIELD_VALUE', fields: [AMOUNT], mutate: (b) => setAmount(b, 52_500_000_000n) },
  { name: 'the amount has paise (₹50,000.50)', status: 400, code: 'INVALID_FIELD_VALUE', reason: 'INVALID_FIELD_VALUE', fields: [AMOUNT], mutate: (b) => setAmount(b, 50_000_500_000n) },
  { name: 'the amount is a fraction of a paisa', status: 400, code: 'INVALID_FIELD_VALUE', reason: 'INVALID_FIELD_VALUE', fields: [AMOUNT], mutate: (b) => setAmount(b, 50_000_000_001n) },
  { name: 'the tenure is not on the 6-month step (7)', status: 400, code: 'INVALID_FIELD_VALUE', reason: 'INVALID_FIELD_VALUE', fields: [TENURE], mutate: (b) => setTenure(b, 7) },
  { name: 'the tenure is above the maximum (48)', status: 400, code: 'INVALID_FIELD_VALUE', reason: 'INVALID_FIELD_VALUE', fields: [TENURE], mutate: (b) => setTenure(b, 48) },
  { name: 'the EMI is ₹1.01 above the bank\'s', status: 400, code: 'INVALID_FIELD_VALUE', reason: 'EMI_MISMATCH', fields: [EMI], mutate: (b) => shiftEmi(b, 1_010_000n) },
  { name: 'the EMI is ₹1.01 below the bank\'s', status: 400, code: 'INVALID_FIELD_VALUE', reason: 'EMI_MISMATCH', fields: [EMI], mutate: (b) => shiftEmi(b, -1_010_000n) },
  {
    name: 'MITC is not accepted (missing)',
    status: 400,
    code: 'PRECONDITION_VIOLATION',
    reason: 'CONSENT_REQUIRED',
    fields: [CONSENTS],
    mutate: (b) => {
      b.tncAcceptanceMetadata = b.tncAcceptanceMetadata.filter((c) => c.type !== 'MITC');
    },
  },
  {
    name: 'USER_DATA_SHARING_CONSENT is declined',
    status: 400,
    code: 'PRECONDITION_VIOLATION',
    reason: 'CONSENT_REQUIRED',
    fields: [CONSENTS],
    mutate: (b) => {
      b.tncAcceptanceMetadata = b.tncAcceptanceMetadata.map((c) => (c.type === 'USER_DATA_SHARING_CONSENT' ? { ...c, acceptance: false } : c));
    },
  },
  {
    name: 'the OTP was issued for userApprovalContext',
    status: 400,
    code: 'PRECONDITION_VIOLATION',
    reason: 'CHALLENGE_CONTEXT_MISMATCH',
    mutate: async (b, ready) => {
      const wrongStep = await challenge(t, ready.phone, 'userApprovalContext');
      b.challenge = { tokenReferenceId: wrongStep.tokenReferenceId, tokens: [{ type: 'SMS_OTP', value: wrongStep.otp }] };
    },
  },
  {
    name: 'the userIdentifier is another phone',
    status: 400,
    code: 'PRECONDITION_VIOLATION',
    reason: 'CHALLENGE_CONTEXT_MISMATCH',
    fields: ['data.userIdentifier'],
    mutate: (b) => {
      b.userIdentifier = { phoneNumber: newPhone() };
    },
  },
  {
    name: "the OTP and userIdentifier are another phone's (signed by someone else)",
    status: 400,
    code: 'PRECONDITION_VIOLATION',
    reason: 'CHALLENGE_CONTEXT_MISMATCH',
    fields: ['data.userIdentifier'],
    mutate: async (b) => {
      const stranger = newPhone();
      const theirs = await challenge(t, stranger, 'submitApplicationContext');
      b.userIdentifier = { phoneNumber: stranger };
      b.challenge = { tokenReferenceId: theirs.tokenReferenceId, tokens: [{ type: 'SMS_OTP', value: theirs.otp }] };
    },
  },
  { name: 'the offerId is unknown', status: 404, code: 'INVALID_IDENTIFIER', reason: 'NOT_FOUND', fields: ['data.offerId'], mutate: (b) => void (b.offerId = 'OFRUNKNOWN000') },
  { name: 'the productId is another product', status: 400, code: 'INVALID_FIELD_VALUE', fields: ['data.productId'], mutate: (b) => void (b.productId = 'OTHER_PRODUCT') },
];

describe('submit: refused requests leave the application IN_PROGRESS and the OTP unused', () => {
  it.each(REFUSALS.map((r) => [r.name, r] as const))('when %s, then submit is refused', async (_name, refusal) => {
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    const body = await validBody(ready, proof);
    await refusal.mutate(body, ready);

    const refused = await submit(body);
    expectError(refused, refusal.status, refusal.code, refusal.reason);
    if (refusal.fields) expect(refused.body.errorResponse.fieldViolations).toEqual(refusal.fields);
    await expectNothingSubmitted(ready.gid, proof);

    // The same tokenReferenceId and code still sign the corrected application.
    const corrected = await submit(await validBody(ready, proof));
    expect(corrected.status).toBe(200);
    expect(corrected.body.data).toEqual({ applicationState: 'SUBMITTED', partnerApplicationReferenceId: expect.any(String) });
  });

  it("when another application's offerId is sent, then it is 404", async () => {
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    const other = await approved();
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    expectError(await submit({ ...(await validBody(ready, proof)), offerId: other.offerId }), 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
    await expectNothingSubmitted(ready.gid, proof);
  });

  it('when the EMI is ₹0.99 off, then it is within the ₹1 tolerance and accepted', async () => {
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    const body = await validBody(ready, proof);
    shiftEmi(body, 990_000n);
    const res = await submit(body);
    expect(res.status).toBe(200);
    expect(res.body.data.applicationState).toBe('SUBMITTED');
  });

  it('when the offer has expired (73 hours later), then submit is OFFER_EXPIRED', async () => {
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    const body = await validBody(ready, proof);
    const later = 73 * 3_600_000;
    t.clock.advance(later);
    try {
      expectError(await submit(body), 400, 'PRECONDITION_VIOLATION', 'OFFER_EXPIRED');
      await expectNothingSubmitted(ready.gid, proof);
    } finally {
      t.clock.advance(-later);
    }
    // Back inside the validity window, the very same OTP still signs.
    expect((await submit(await validBody(ready, proof))).status).toBe(200);
  });

  it('when the application is submitted twice (new requestId, new OTP), then the second is a PRECONDITION_VIOLATION', async () => {
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    const first = await submit(await validBody(ready, await challenge(t, ready.phone, 'submitApplicationContext')));
    expect(first.status).toBe(200);
    const secondProof = await challenge(t, ready.phone, 'submitApplicationContext');
    expectError(await submit(await validBody(ready, secondProof)), 400, 'PRECONDITION_VIOLATION', 'PRECONDITION_FAILED');
    expect(await t.services.db.prisma.loanSubmission.count({ where: { application: { externalReference: ready.gid } } })).toBe(1);
    const second = await t.services.db.prisma.otpChallenge.findUniqueOrThrow({ where: { id: secondProof.tokenReferenceId } });
    expect(second.consumedAt).toBeNull();
  });
});

describe('EMI and the loan account', () => {
  it('the reference EMI of ₹1,00,000 at 16% for 12 months is ₹9,073.09', () => {
    const emi = referenceEmiPaise(100_000, 16, 12);
    const r = 0.16 / 12;
    const float = (100_000 * r * (1 + r) ** 12) / ((1 + r) ** 12 - 1);
    expect(Math.abs(Number(emi) / 100 - float)).toBeLessThan(0.005);
    expect(emi).toBe(907_309n);
  });

  it('when ₹1,00,000 is borrowed at 16% for 12 months, then the bank accepts exactly the reference EMI and services it', async () => {
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    expect(ready.rateE5).toBe(1_600_000);
    const emi = paiseToMicros(referenceEmiPaise(100_000, 16, 12));
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    const body = submitData(ready.gid, ready.offerId, ready.phone, proof, { amountRupees: 100_000, tenureMonths: 12, rateE5: ready.rateE5, kfsId: ready.kfsId });

    body.loanApplicationDetails.calculatedEmiAmount = micros(emi + 1_010_000n);
    const tooHigh = await submit(body);
    expectError(tooHigh, 400, 'INVALID_FIELD_VALUE', 'EMI_MISMATCH');
    expect(tooHigh.body.errorResponse.errorDescription).toContain('₹9,073.09');
    body.loanApplicationDetails.calculatedEmiAmount = micros(emi - 1_010_000n);
    expectError(await submit(body), 400, 'INVALID_FIELD_VALUE', 'EMI_MISMATCH');

    body.loanApplicationDetails.calculatedEmiAmount = micros(emi);
    expect((await submit(body)).status).toBe(200);
    const status = await eventually(() => applicationStatus(t, ready.gid), (s) => s.applicationState === 'DISBURSED');
    const account = await t.call(PATHS.getAccount, { accountToken: status.accountToken });
    expect(account.status).toBe(200);
    expect(account.body.data.loan.emiAmount).toEqual({ currencyCode: 'INR', amountMicros: '9073090000' });
  });

  it('when ₹50,000 is disbursed over 6 months, then the recorded payout is net of 2% fee + 18% GST and the schedule is exact', async () => {
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    expect((await submit(await validBody(ready, proof))).status).toBe(200);
    const status = await eventually(() => applicationStatus(t, ready.gid), (s) => s.applicationState === 'DISBURSED');
    expect(status.accountToken).toEqual(expect.any(String));

    // The payout was recorded as an intent, paid once by the rail, and its success (with the UTR) recorded.
    const disbursement = await t.services.db.prisma.disbursement.findUniqueOrThrow({ where: { applicationId: await applicationIdOf(ready.gid) } });
    expect(disbursement).toMatchObject({ state: 'SUCCEEDED', amountMicros: 48_820_000_000n, attempts: 1, failureReason: null, completedAt: expect.any(Date) });
    expect(disbursement.utr).toEqual(expect.any(String));
    expect((await t.services.transitions.history('disbursement', disbursement.id)).map((h) => h.toState)).toEqual(['REQUESTED', 'SUCCEEDED']);

    const res = await t.call(PATHS.getAccount, { accountToken: status.accountToken });
    expect(res.status).toBe(200);
    const loan = res.body.data.loan;
    expect(loan.sanctionedAmount).toEqual({ currencyCode: 'INR', amountMicros: '50000000000' });
    // Fee 2% of ₹50,000 = ₹1,000 (above the ₹500 minimum); GST 18% of it = ₹180; payout ₹48,820.
    expect(loan.disbursedAmount).toEqual({ currencyCode: 'INR', amountMicros: '48820000000' });
    expect(loan.interestRateE5).toBe('1600000');
    expect(loan.tenure).toEqual({ periodType: 'MONTH', length: 6 });
    expect(loan.outstandingPrincipal.amountMicros).toBe('50000000000');

    const emi = paiseToMicros(referenceEmiPaise(50_000, 16, 6));
    expect(loan.emiAmount.amountMicros).toBe(emi.toString());

    type Line = { dueDate: string; emiAmount: { amountMicros: string }; principal: { amountMicros: string }; interest: { amountMicros: string }; status: string };
    const schedule = loan.schedule as Line[];
    expect(schedule).toHaveLength(6);
    for (const line of schedule) {
      for (const amount of [line.emiAmount, line.principal, line.interest]) {
        expect(typeof amount.amountMicros).toBe('string');
        expect(amount.amountMicros).toMatch(/^\d+$/);
        expect(amount).toEqual({ currencyCode: 'INR', amountMicros: amount.amountMicros });
      }
      expect(BigInt(line.principal.amountMicros) + BigInt(line.interest.amountMicros)).toBe(BigInt(line.emiAmount.amountMicros));
      expect(line.status).toBe('DUE');
    }
    const principalSum = schedule.reduce((sum, line) => sum + BigInt(line.principal.amountMicros), 0n);
    expect(principalSum).toBe(50_000_000_000n);

    // Independently: each month's interest is the opening balance × 16% / 12, half-up to the paisa; every line
    // but the last pays the EMI; the last pays off the remaining balance exactly.
    let balancePaise = 5_000_000n;
    schedule.forEach((line, index) => {
      const interestPaise = halfUp(balancePaise * 16n, 1200n);
      expect(line.interest.amountMicros).toBe(paiseToMicros(interestPaise).toString());
      const last = index === schedule.length - 1;
      const principalPaise = last ? balancePaise : emi / 10_000n - interestPaise;
      expect(line.principal.amountMicros).toBe(paiseToMicros(principalPaise).toString());
      if (!last) expect(line.emiAmount.amountMicros).toBe(emi.toString());
      balancePaise -= principalPaise;
    });
    expect(balancePaise).toBe(0n);
    // Due dates are monthly and ascending.
    const dates = schedule.map((line) => line.dueDate);
    expect(dates).toEqual([...dates].sort());
    expect(new Set(dates.map((d) => d.slice(0, 7))).size).toBe(6);
  });
});
