/**
 * The OCEN lender's KYC, loan agreement, loan acceptance by OTP and grant, over HTTP on the real server and the
 * fake network of test/support/ocen-lender-harness.ts: every callback is checked against the patched loan.json
 * and its signature verified; the OTP is read from the sandbox phone.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { LoanAgent } from '../support/ocen-network';
import { OcenLenderHarness, Received, ocenEnvelope, ocenLoanApplication, startOcenLender } from '../support/ocen-lender-harness';
import { TestApp, eventually } from '../support/test-app';

let harness: OcenLenderHarness;
let app: TestApp;
const agent = new LoanAgent('la-acc-one', { kid: 'la-acc-one-key' });
const other = new LoanAgent('la-acc-two');
const APP_TOKEN = 'FA+9qCX9VSu';

beforeAll(async () => {
  harness = await startOcenLender([agent, other]);
  app = harness.app;
});

afterAll(async () => {
  await harness?.stop();
});

/** A phone of its own per application, so the per-phone OTP limits of one test do not touch another. */
const newPhone = () => `9${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;

function valid(received: Received): Received {
  expect({ operation: received.path, signatureValid: received.signatureValid, schemaValid: received.schemaValid }).toEqual({ operation: received.path, signatureValid: true, schemaValid: true });
  return received;
}

async function exchange(operation: string, members: Record<string, unknown>): Promise<Record<string, any>> {
  return valid(await harness.ask(agent, operation, members)).body;
}

/** createLoan → generateOffers → setOffers (the 12-month offer): an application with chosen terms. */
async function withChosenOffer(phone = newPhone()): Promise<{ id: string; phone: string; offer: Record<string, any> }> {
  const id = `app-${randomUUID()}`;
  await exchange('loanApplications/createLoanRequest', { loanApplications: [ocenLoanApplication(id, '1234', { phone })] });
  const offered = await exchange('offers/generateOffersRequest', { loanApplicationIds: [id] });
  const offer = offered.loanApplications[0].offers.find((o: any) => o.terms.tenure.duration === 12);
  const set = await exchange('offers/setOffersRequest', { loanApplicationId: id, offer });
  expect(set.loanApplicationStatus).toBe('OFFER_ACCEPTED');
  return { id, phone, offer };
}

/** triggerKyc, the borrower finishing KYC on the sandbox page, and the bank's approval. */
async function completeKyc(id: string): Promise<void> {
  await exchange('kyc/triggerKycRequest', { loanApplicationId: id, kyc: {} });
  const done = await app.http().post(`/sandbox/applications/${id}/kyc/complete`).set('x-partner-id', agent.participantId).send({});
  expect(done.status).toBe(200);
  await eventually(async () => (await app.services.kyc.current({ partnerId: agent.participantId, externalReference: id }))?.state, (state) => state === 'APPROVED');
}

async function smsTo(phone: string, count: number): Promise<string[]> {
  const outbox = await eventually(
    async () => (await app.http().get(`/sandbox/sms-outbox?phone=91${phone}`).expect(200)).body.messages as Array<{ text: string }>,
    (messages) => messages.length >= count,
  );
  return outbox.map((m) => m.text);
}

async function applicationRow(id: string) {
  const [row] = await app.services.db.query<{ application_state: string; lender_reference: string; current_submission_id: string | null }>(
    `SELECT application_state, lender_reference, current_submission_id FROM application WHERE partner_id = $1 AND external_reference = $2`,
    [agent.participantId, id],
  );
  return row;
}

describe('OCEN KYC, loan agreement, acceptance by OTP and grant', () => {
  it('takes a loan application from the chosen offer to GRANTED: KYC by redirect, the agreement, the OTP (a wrong one first), the loan id', async () => {
    const { id, phone } = await withChosenOffer();

    const methods = await exchange('kyc/getKYCMethodsRequest', { loanApplicationId: id });
    expect(methods).not.toHaveProperty('response');
    expect(methods.kyc).toEqual({ individual: { isRequired: true, method: 'AADHAR_EKYC' }, business: { isRequired: false } });

    const early = await exchange('loanAcceptance/loanAgreementRequest', { loanApplicationId: id });
    expect(early.loanAgreement).toMatchObject({ status: 'ACTION_REQUIRED', actionRequired: [{ actionType: 'OTHER', reference: { object: 'kyc', value: 'NOT_STARTED' } }] });
    const tooEarly = await harness.post(agent, 'loanAcceptance/triggerLoanAcceptanceRequest', { ...ocenEnvelope(agent.participantId), loanApplicationId: id, credBlock: { type: 'OTP', data: { appToken: APP_TOKEN } } });
    expect(tooEarly.status).toBe(422);
    expect(tooEarly.body.error).toMatch(/^PRECONDITION_FAILED: KYC is not APPROVED/);

    const triggered = await exchange('kyc/triggerKycRequest', { loanApplicationId: id, kyc: {}, baRedirectURL: 'https://la.example/back' });
    expect(triggered).toMatchObject({ loanApplicationStatus: 'KYC_INITIATED', response: { status: 'SUCCESS' }, kyc: { individual: { status: 'PENDING' }, next: { type: 'REDIRECT' } } });
    expect(triggered.kyc.next.data.url).toMatch(/\/borrower\/kyc#authToken=[\w-]+\.[\w-]+\.[\w-]+$/);
    const kycRefNo = triggered.kyc.kycRefNo;
    expect(kycRefNo).toEqual(expect.any(String));

    const done = await app.http().post(`/sandbox/applications/${id}/kyc/complete`).set('x-partner-id', agent.participantId).send({});
    expect(done.body).toEqual({ kycState: 'AWAITING_APPROVAL' });
    await eventually(async () => (await app.services.kyc.current({ partnerId: agent.participantId, externalReference: id }))?.state, (state) => state === 'APPROVED');
    const status = await exchange('kyc/kycStatusRequest', { loanApplicationId: id, kyc: { kycRefNo } });
    expect(status).toMatchObject({ loanApplicationStatus: 'KYC_COMPLETED', kyc: { kycRefNo, individual: { status: 'SUCCESS' } } });

    const agreement = await exchange('loanAcceptance/loanAgreementRequest', { loanApplicationId: id, baRedirectURL: 'https://la.example/back' });
    expect(agreement).toMatchObject({ loanApplicationStatus: 'KYC_COMPLETED', loanAgreement: { status: 'AGREEMENT_READY', legalDocument: { type: 'TEXT' } } });
    const text: string = agreement.loanAgreement.legalDocument.data;
    for (const fact of ['Loan amount (sanctioned): ₹1,00,000.00', 'Tenure: 12 months', 'Interest rate: 16.00% per year', 'Annual percentage rate (APR)', 'EMI: ₹', 'Processing fee: ₹', 'plus GST ₹', 'Net amount disbursed: ₹', 'REPAYMENT SCHEDULE']) {
      expect(text).toContain(fact);
    }
    const again = await exchange('loanAcceptance/loanAgreementRequest', { loanApplicationId: id });
    expect(again.loanAgreement.legalDocument.data).toBe(text);

    const smsBefore = (await smsTo(phone, 0)).length;
    const acceptance = await exchange('loanAcceptance/triggerLoanAcceptanceRequest', { loanApplicationId: id, credBlock: { type: 'OTP', data: { appToken: APP_TOKEN } } });
    expect(acceptance).toMatchObject({ loanApplicationStatus: 'LOAN_AGREEMENT_INITIATED', credBlock: { data: { maskedPhoneNumber: `XXXXXX${phone.slice(-4)}` } } });
    const otpSessionKey: string = acceptance.credBlock.data.otpSessionKey;
    const [sms] = await smsTo(phone, smsBefore + 1);
    const lender = app.services.config.lenderName;
    const format = new RegExp(`^(\\d{6}) is the One Time Password \\(OTP\\) to complete the loan process with ${lender}\\. ${APP_TOKEN.replace('+', '\\+')}$`);
    expect(sms).toMatch(format);
    const otp = format.exec(sms)![1];
    const wrong = String((Number(otp) + 1) % 1_000_000).padStart(6, '0');

    const wrongRequest = { ...ocenEnvelope(agent.participantId), loanApplicationId: id, credBlock: { data: { otpSessionKey, otp: Number(wrong) } } };
    const wrongAck = await harness.post(agent, 'loanAcceptance/verifyLoanAcceptanceRequest', wrongRequest);
    expect(wrongAck.status).toBe(200);
    expect(wrongAck.body.error).toBe('0');
    const [incorrect] = await eventually(async () => harness.endpoint(agent).answering(wrongRequest.metadata.requestId), (r) => r.length > 0);
    expect(valid(incorrect).body).toMatchObject({ loanApplicationStatus: 'LOAN_AGREEMENT_INITIATED', credBlock: { data: { otpSessionKey, status: 'INCORRECT_OTP' } } });
    const attempts = async () => (await app.services.db.query<{ attempts: number }>(`SELECT attempts FROM otp_challenge WHERE id = $1`, [otpSessionKey]))[0].attempts;
    expect(await attempts()).toBe(1);
    const duplicate = await harness.post(agent, 'loanAcceptance/verifyLoanAcceptanceRequest', wrongRequest);
    expect(duplicate.body).toEqual(wrongAck.body);
    expect(await attempts()).toBe(1);
    expect((await applicationRow(id)).application_state).toBe('IN_PROGRESS');

    const signed = await exchange('loanAcceptance/verifyLoanAcceptanceRequest', { loanApplicationId: id, credBlock: { data: { otpSessionKey, otp: Number(otp) } } });
    expect(signed).toMatchObject({ loanApplicationStatus: 'LOAN_AGREEMENT_COMPLETED', credBlock: { data: { otpSessionKey, status: 'SUCCESS' } } });
    const row = await applicationRow(id);
    expect(row.application_state).toBe('SIGNED');
    const [submission] = await app.services.db.query<{ loan_amount_micros: bigint; tenure_months: number; tnc_acceptances: unknown }>(
      `SELECT loan_amount_micros, tenure_months, tnc_acceptances FROM loan_submission WHERE id = $1`, [row.current_submission_id],
    );
    expect(submission).toMatchObject({ loan_amount_micros: 100_000_000_000n, tenure_months: 12, tnc_acceptances: [
      { type: 'LOAN_AGREEMENT', version: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), acceptance: true },
      { type: 'KFS', version: expect.stringMatching(/^KFS[A-Z0-9]{16}$/), acceptance: true },
    ] });

    const granted = await exchange('grantLoan/grantLoanRequest', { loanApplicationId: id });
    expect(granted.loanDetails).toMatchObject({
      loanId: row.lender_reference,
      loanApplicationId: id,
      loanApplicationStatus: 'GRANTED',
      borrower: { primaryId: 'ABCDE1234F', primaryIdType: 'PAN', contactDetails: [{ type: 'PRIMARY', phone }] },
      offer: { terms: { sanctionedAmount: 100000, tenure: { duration: 12, unit: 'MONTH' } } },
    });
    const { startDate, endDate } = granted.loanDetails;
    expect(new Date(endDate).getTime() - new Date(startDate).getTime()).toBeGreaterThan(360 * 86_400_000);
    expect((await applicationRow(id)).application_state).toBe('GRANTED');
  });

  it('answers INVALID_SESSION for an unknown session and for a session of another application, and counts nothing', async () => {
    const phone = newPhone();
    const first = await withChosenOffer(phone);
    const second = await withChosenOffer(phone);
    await completeKyc(first.id);
    await completeKyc(second.id);
    await exchange('loanAcceptance/loanAgreementRequest', { loanApplicationId: first.id });
    const otherSession = await exchange('loanAcceptance/triggerLoanAcceptanceRequest', { loanApplicationId: second.id, credBlock: { type: 'OTP', data: {} } });
    const [sms] = await smsTo(phone, 1);
    expect(sms).toMatch(new RegExp(`^\\d{6} is the One Time Password \\(OTP\\) to complete the loan process with ${app.services.config.lenderName}\\.$`));
    const otp = Number(/^(\d{6})/.exec(sms)![1]);

    const unknown = await exchange('loanAcceptance/verifyLoanAcceptanceRequest', { loanApplicationId: first.id, credBlock: { data: { otpSessionKey: 'otp_nosuchsession', otp } } });
    expect(unknown.credBlock.data).toEqual({ otpSessionKey: 'otp_nosuchsession', status: 'INVALID_SESSION' });
    const crossed = await exchange('loanAcceptance/verifyLoanAcceptanceRequest', { loanApplicationId: first.id, credBlock: { data: { otpSessionKey: otherSession.credBlock.data.otpSessionKey, otp } } });
    expect(crossed.credBlock.data.status).toBe('INVALID_SESSION');
    expect((await applicationRow(first.id)).application_state).toBe('IN_PROGRESS');
    expect((await applicationRow(second.id)).application_state).toBe('IN_PROGRESS');
  });

  it('refuses a grant before the agreement is signed, and records nothing', async () => {
    const { id } = await withChosenOffer();
    const refused = await harness.post(agent, 'grantLoan/grantLoanRequest', { ...ocenEnvelope(agent.participantId), loanApplicationId: id });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/^LOAN_NOT_SIGNED: /);
    expect((await applicationRow(id)).application_state).toBe('IN_PROGRESS');
    expect(harness.endpoint(agent).about(id, 'grantLoanResponse')).toHaveLength(0);
  });

  it('does not let another loan agent trigger KYC or acceptance, or verify, on an application', async () => {
    const { id } = await withChosenOffer();
    for (const [operation, members] of [
      ['kyc/triggerKycRequest', { kyc: {} }],
      ['kyc/getKYCMethodsRequest', {}],
      ['loanAcceptance/triggerLoanAcceptanceRequest', { credBlock: { type: 'OTP', data: {} } }],
      ['loanAcceptance/verifyLoanAcceptanceRequest', { credBlock: { data: { otpSessionKey: 'otp_x', otp: 123456 } } }],
      ['grantLoan/grantLoanRequest', {}],
    ] as const) {
      const answer = await harness.post(other, operation, { ...ocenEnvelope(other.participantId), loanApplicationId: id, ...members });
      expect({ operation, status: answer.status, error: answer.body.error.split(':')[0] }).toEqual({ operation, status: 404, error: 'UNKNOWN_LOAN_APPLICATION' });
    }
    const kyc = await app.services.kyc.current({ partnerId: agent.participantId, externalReference: id });
    expect(kyc).toBeNull();
    expect(harness.endpoint(other).received.filter((r) => JSON.stringify(r.body).includes(id))).toHaveLength(0);
  });

  it('when the Key Fact Statement of the agreement has expired, then verifyLoanAcceptance is refused KFS_EXPIRED and the code is not counted', async () => {
    const { id, phone } = await withChosenOffer();
    await completeKyc(id);
    let sent = 0;
    const refusedWithout = async () => {
      const acceptance = await exchange('loanAcceptance/triggerLoanAcceptanceRequest', { loanApplicationId: id, credBlock: { type: 'OTP', data: {} } });
      const otpSessionKey: string = acceptance.credBlock.data.otpSessionKey;
      const [sms] = await smsTo(phone, ++sent);
      const otp = Number(/^(\d{6})/.exec(sms)![1]);
      return harness.post(agent, 'loanAcceptance/verifyLoanAcceptanceRequest', { ...ocenEnvelope(agent.participantId), loanApplicationId: id, credBlock: { data: { otpSessionKey, otp } } });
    };
    const none = await refusedWithout();
    expect(none.status).toBe(422);
    expect(none.body.error).toMatch(/^KFS_REQUIRED: /);

    await exchange('loanAcceptance/loanAgreementRequest', { loanApplicationId: id });
    const [kfs] = await app.services.db.query<{ id: string; valid_until: Date }>(
      `SELECT k.id, k.valid_until FROM key_fact_statement k JOIN application a ON a.id = k.application_id WHERE a.partner_id = $1 AND a.external_reference = $2`,
      [agent.participantId, id],
    );
    expect(kfs.valid_until.getTime()).toBeGreaterThan(app.clock.now().getTime() + 3 * 86_400_000 - 86_400_000);
    await app.services.db.prisma.keyFactStatement.update({ where: { id: kfs.id }, data: { validUntil: new Date(app.clock.now().getTime() - 1) } });
    const expired = await refusedWithout();
    expect(expired.status).toBe(422);
    expect(expired.body.error).toMatch(/^KFS_EXPIRED: /);
    expect((await applicationRow(id)).application_state).toBe('IN_PROGRESS');
  });
});
