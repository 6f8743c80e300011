/**
 * Issue 7's acceptance journey: a test loan agent on a fake OCEN network (auth service, registry, analytics service
 * and its own callback endpoint, test/support/ocen-lender-harness.ts) drives one whole OCEN 4.0 loan on the real
 * server (PostgreSQL, Redis, worker), from createLoan through an account-aggregator consent (whose bank-statement
 * summary decides the thin-file borrower's income verification) to DISBURSEMENT_COMPLETED, and reads it back with getloan,
 * loanStatementSummary, loanStatement and listloans. Every request carries the auth service's token and a detached
 * JWS of its bytes; every callback must validate against the patched loan.json and verify against our key at
 * /.well-known/jwks.json; the analytics service must have heard of each request and response, and of the payout.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { OcenLenderHarness, ReceivedCallback, ocenEnvelope, ocenLoanApplication, startOcenLender } from '../support/ocen-lender-harness';
import { eventually } from '../support/test-app';
import { validateOutgoing } from '../../src/protocols/ocen/ocen-schemas';
import { HEARTBEAT_EVENT_TYPES, OCEN_EVENT_TYPES, heartbeatProblem } from '../../src/protocols/ocen/ocen-analytics';

const AGENT = 'la-journey';
const APP_TOKEN = 'FA+9qCX9VSu';
let harness: OcenLenderHarness;

beforeAll(async () => {
  harness = await startOcenLender([AGENT, 'la-journey-other'], { analytics: true });
});

afterAll(async () => {
  await harness?.stop();
});

/** What the agent was sent, per request: every callback is kept to be checked at the end. */
const answers: ReceivedCallback[] = [];

/** Sends one signed, token-bearing request (its ack must be "0") and answers the callback answering it (by requestId). */
async function call(operation: string, members: Record<string, unknown>): Promise<Record<string, any>> {
  const answer = await harness.ask(harness.agent(AGENT).agent, operation, members, { timeoutMs: 60_000 });
  answers.push(answer);
  return answer.body;
}

describe('a whole OCEN loan, driven by a loan agent over the network', () => {
  const id = `la-loan-${randomUUID()}`;
  const phone = `9${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
  // Persona 9002: a thin bureau file, so the income is verified, here by the bank-statement summary of an AA consent.
  const application = { ...ocenLoanApplication(id, '9002'), borrower: { ...ocenLoanApplication(id, '9002').borrower, contactDetails: [{ type: 'PRIMARY', phone, email: 'asha@example.com' }] } };

  it('goes from createLoan to DISBURSEMENT_COMPLETED, then reads the loan back', async () => {
    const created = await call('loanApplications/createLoanRequest', { loanApplications: [application] });
    expect(created.loanApplications[0]).toMatchObject({ loanApplicationId: id, loanApplicationStatus: 'PROCESSING' });

    const waiting = await call('offers/generateOffersRequest', { loanApplicationIds: [id] });
    expect(waiting.loanApplications[0].loanApplicationStatus).toBe('ACTION_REQUIRED');

    const handed = await call('consent/consentHandleRequest', { loanApplicationIds: [id], consent: { consentFetchType: 'ONETIME', vua: `${phone}@sandbox-aa` } });
    const { consentHandle } = handed.consent;
    expect(handed.consent).toMatchObject({ consentStatus: 'PENDING', url: expect.stringContaining(consentHandle) });
    await harness.app.http().post(`/sandbox/aa/consents/${consentHandle}/decision`).send({ outcome: 'APPROVED' }).expect(200);
    const ready = await eventually(() => call('consent/statusRequest', { consentHandle }), (answer) => answer.consent.consentStatus === 'READY', 30_000);
    expect(ready.loanApplicationIds).toEqual([id]);

    const offered = await eventually(
      () => call('offers/generateOffersRequest', { loanApplicationIds: [id] }),
      (answer) => answer.loanApplications[0].loanApplicationStatus !== 'CONSENT_RECEIVED',
      30_000,
    );
    expect(offered.loanApplications[0].loanApplicationStatus).toBe('OFFERED');
    const offer = offered.loanApplications[0].offers.find((o: any) => o.terms.tenure.duration === 12);
    expect(offer.terms).toMatchObject({ sanctionedAmount: 100000, interestRate: 16, currency: 'INR' });

    const chosen = await call('offers/setOffersRequest', { loanApplicationId: id, offer });
    expect(chosen.loanApplicationStatus).toBe('OFFER_ACCEPTED');

    const methods = await call('kyc/getKYCMethodsRequest', { loanApplicationId: id });
    expect(methods.kyc.individual).toMatchObject({ isRequired: true });
    const kyc = await call('kyc/triggerKycRequest', { loanApplicationId: id, kyc: {}, baRedirectURL: 'https://la.example/kyc-done' });
    expect(kyc).toMatchObject({ loanApplicationStatus: 'KYC_INITIATED', kyc: { next: { type: 'REDIRECT', data: { url: expect.stringMatching(/^https?:\/\//) } } } });
    await harness.app.http().post(`/sandbox/applications/${id}/kyc/complete`).set('x-partner-id', AGENT).send({}).expect(200);
    const kycDone = await eventually(
      () => call('kyc/kycStatusRequest', { loanApplicationId: id, kyc: { kycRefNo: kyc.kyc.kycRefNo } }),
      (answer) => answer.loanApplicationStatus === 'KYC_COMPLETED',
      30_000,
    );
    expect(kycDone.kyc.individual.status).toBe('SUCCESS');

    const agreement = await call('loanAcceptance/loanAgreementRequest', { loanApplicationId: id });
    expect(agreement.loanAgreement.status).toBe('AGREEMENT_READY');

    const triggered = await call('loanAcceptance/triggerLoanAcceptanceRequest', { loanApplicationId: id, credBlock: { type: 'OTP', data: { appToken: APP_TOKEN } } });
    expect(triggered.loanApplicationStatus).toBe('LOAN_AGREEMENT_INITIATED');
    const [sms] = await eventually(
      async () => (await harness.app.http().get(`/sandbox/sms-outbox?phone=91${phone}`).expect(200)).body.messages as Array<{ text: string }>,
      (messages) => messages.length > 0,
    );
    const format = new RegExp(`^(\\d{6}) is the One Time Password \\(OTP\\) to complete the loan process with ${harness.app.services.config.lenderName}\\. ${APP_TOKEN.replace('+', '\\+')}$`);
    expect(sms.text).toMatch(format);
    const verified = await call('loanAcceptance/verifyLoanAcceptanceRequest', {
      loanApplicationId: id,
      credBlock: { data: { otpSessionKey: triggered.credBlock.data.otpSessionKey, otp: Number(format.exec(sms.text)![1]) } },
    });
    expect(verified).toMatchObject({ loanApplicationStatus: 'LOAN_AGREEMENT_COMPLETED', credBlock: { data: { status: 'SUCCESS' } } });

    const granted = await call('grantLoan/grantLoanRequest', { loanApplicationId: id });
    expect(granted.loanDetails).toMatchObject({ loanApplicationId: id, loanApplicationStatus: 'GRANTED' });
    const loanId: string = granted.loanDetails.loanId;

    const plan = offer.repayment.plans[0];
    const setUp = await call('disbursement/setRepaymentPlanRequest', { loanApplicationId: id, loanId, plan, hasCollectionSupport: false });
    expect(setUp).toMatchObject({ loanApplicationStatus: 'REPAYMENT_SETUP_INITIATED', plan: { status: 'PENDING_AUTH', paymentUrl: expect.any(String) } });
    await harness.app.http().post(`/sandbox/applications/${id}/repayment-setup/complete`).set('x-partner-id', AGENT).send({ outcome: 'APPROVED' }).expect(200);
    const mandate = await eventually(
      () => call('disbursement/setRepaymentPlanStatusRequest', { loanApplicationId: id, loanId, plan, paymentMethod: setUp.paymentMethod }),
      (answer) => answer.plan.status === 'ACTIVE',
      30_000,
    );
    expect(mandate.loanApplicationStatus).toBe('REPAYMENT_SETUP_COMPLETED');

    const account = await call('disbursement/setDisbursementAccountRequest', {
      loanApplicationId: id,
      loanId,
      account: { accountDataType: 'ACCOUNT', status: 'ACTIVE', data: { accountType: 'SAVING', accountIFSC: 'HDFC0000001', accountNumber: '50100012345678', accountHolderName: 'Asha Rao' } },
    });
    expect(account.loanApplicationStatus).toBe('SET_DISBURSEMENT_ACCOUNT_COMPLETED');

    const payment = { id: 'payout-1', totalAmount: offer.terms.netDisbursedAmount, status: 'PENDING_AUTH', paymentMethodType: 'NETBANKING' };
    const paid = await call('disbursement/triggerDisbursementRequest', { loanId, payment });
    expect(paid).toMatchObject({ loanApplicationStatus: 'DISBURSEMENT_COMPLETED', loanId, payment: { status: 'SUCCESS', txnRefNo: expect.any(String) } });
    const payout = await call('disbursement/triggerDisbursementStatusRequest', { loanId, payment });
    expect(payout).toMatchObject({ loanApplicationStatus: 'DISBURSEMENT_COMPLETED', payment: { status: 'SUCCESS', txnRefNo: paid.payment.txnRefNo } });

    const loan = await call('loanDetails/getloanRequest', { loanId });
    expect(loan).toMatchObject({ loanId, summary: { amountDisbursed: expect.any(String), principalPending: '100000.00' } });
    const summary = await call('loanDetails/loanStatementSummaryRequest', { loanId });
    expect(summary.summary).toEqual(loan.summary);
    const statement = await call('loanDetails/loanStatementRequest', { loanId });
    expect(statement.accountStatement.length).toBeGreaterThan(0);
    expect(statement.accountStatement.at(-1).closingBalance).toBe('100000.00');
    const listed = await call('loanDetails/listloansRequest', { borrower: application.borrower });
    expect(listed.loans.map((l: any) => l.loanId)).toEqual([loanId]);

    const otherAgent = harness.agent('la-journey-other');
    const peek = await harness.post(otherAgent.agent, 'loanDetails/getloanRequest', { ...ocenEnvelope(otherAgent.agent.participantId), loanId });
    expect(peek.status).toBe(404);
    expect(peek.body.error).toMatch(/^UNKNOWN_LOAN: /);
  });

  it('sent every answer schema-valid and signed with the key at /.well-known/jwks.json', () => {
    expect(answers.length).toBeGreaterThanOrEqual(21);
    const problems = answers.flatMap((a) => {
      const operation = a.path.replace(/^\/ocen\/v4\.0\.0alpha\//, '') as Parameters<typeof validateOutgoing>[0];
      const schema = validateOutgoing(operation, a.body);
      return [...(a.signatureValid ? [] : [`${operation}: signature`]), ...(schema.valid ? [] : schema.violations.map((v) => `${operation}: ${v.path} ${v.message}`))];
    });
    expect(problems).toEqual([]);
    expect(new Set(answers.map((a) => a.path)).size).toBe(21);
  });

  it('lists every answer about the loan application at /sandbox/ocen/callbacks, newest first, as sent', async () => {
    const { body } = await harness.app.http().get('/sandbox/ocen/callbacks').query({ loanApplicationId: id, participantId: AGENT }).expect(200);
    const listed = body.callbacks as Array<{ builtAt: string; body: unknown; deliveredAt: string | null }>;
    expect(listed).toHaveLength(answers.length);
    expect(listed.map((c) => c.builtAt)).toEqual([...listed.map((c) => c.builtAt)].sort().reverse());
    expect(listed.every((c) => c.deliveredAt !== null)).toBe(true);
    expect(JSON.stringify(listed[0].body)).toBe(answers.at(-1)!.bytes.toString('utf8'));
  });

  it('told the analytics service of each request, each response and the payout, every heartbeat valid against hb.json and of a type it defines', async () => {
    const analytics = harness.analytics!;
    const reported = answers.filter((a) => OCEN_EVENT_TYPES[a.path.replace(/^\/ocen\/v4\.0\.0alpha\//, '')]).length;
    const heartbeats = await eventually(
      async () => analytics.received.filter((p) => p.path === '/ocen/v4/event').map((p) => p.body as { event: { eventType: string } }),
      (sent) => sent.filter((h) => h.event.eventType.endsWith('_RESPONSE')).length >= reported,
      30_000,
    );
    const events = heartbeats.map((h) => h.event.eventType);
    expect(events.filter((t) => t.endsWith('_REQUEST')).length).toBeGreaterThanOrEqual(reported);
    expect(events).toEqual(expect.arrayContaining(['CREATE_LOAN_APPLICATION_REQUEST', 'GRANT_LOAN_RESPONSE']));
    expect(events.filter((t) => !HEARTBEAT_EVENT_TYPES.has(t))).toEqual([]);
    expect(heartbeats.map(heartbeatProblem).filter(Boolean)).toEqual([]);
    const metric = analytics.received.find((p) => p.path === '/ocen/v4/metrics/lender/loanDisbursementMetric');
    expect(metric?.body).toMatchObject({ loanApplicationId: id, metrics: [{ amount: expect.any(Number), tenure: { days: expect.any(Number) }, interestRate: 16 }] });
    expect(analytics.received.every((p) => p.authorization?.startsWith('Bearer '))).toBe(true);
  });
});
