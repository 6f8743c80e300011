/**
 * The OCEN `/disbursement/` group over HTTP, from a granted loan to its payout: setRepaymentPlan (the bank's
 * mandate page) → the borrower authorises it (sandbox) → setRepaymentPlanStatus → setDisbursementAccount →
 * triggerDisbursement → triggerDisbursementStatus. Real server, fake network (test/support/ocen-lender-harness.ts);
 * every callback is checked against the patched loan.json and its signature.
 */
import { randomUUID } from 'node:crypto';
import { LoanAgent } from '../support/ocen-network';
import { AgentEndpoint, OcenLenderHarness, Received, ocenEnvelope, ocenLoanApplication, startOcenLender } from '../support/ocen-lender-harness';
import { GrantedLoan, grantedApplication } from '../support/ocen-loan-fixtures';
import { eventually } from '../support/test-app';
import { newPhone } from '../support/journey';

let world: OcenLenderHarness;
const agent = new LoanAgent('la-one');
const other = new LoanAgent('la-two');
let endpoint: AgentEndpoint;

beforeAll(async () => {
  world = await startOcenLender([agent, other]);
  endpoint = world.endpoint(agent);
});
afterAll(() => world?.stop());

const post = (from: LoanAgent, operation: string, body: Record<string, unknown>, requestId = randomUUID()) =>
  world.post(from, operation, { ...ocenEnvelope(from.participantId, { requestId }), ...body });

const ACCOUNT = { accountDataType: 'ACCOUNT', id: 'acc-1', data: { accountType: 'SAVING', accountIFSC: 'HDFC0001234', accountNumber: '50100012345678', accountHolderName: 'Asha Rao' } };
/** A plan under an id this lender never gave: refused by setRepaymentPlan, or by the checks before it. */
const FOREIGN_PLAN = { id: 'PLAN-EMI-1', automatic: true, scheduleType: 'RECURRING', noOfInstallment: 12, totalAmount: 108876.47 };
const rupees = (micros: bigint) => Number(micros) / 1_000_000;

/** A loan application of `la-one` (a phone of its own) opened through createLoan and brought to GRANTED by the core (test fixture). */
async function grantedLoan(): Promise<{ id: string; loan: GrantedLoan; plan: typeof FOREIGN_PLAN }> {
  const id = `app-${randomUUID()}`;
  expect((await post(agent, 'loanApplications/createLoanRequest', { loanApplications: [ocenLoanApplication(id, '1234', { phone: newPhone().nationalNumber })] })).body.error).toBe('0');
  await endpoint.callbackAbout(id, 'createLoanResponse');
  const ref = { partnerId: agent.participantId, externalReference: id };
  const loan = await grantedApplication(world.app.services, ref);
  // The repayment plan of the chosen offer, under the id generateOffersResponse and grantLoanResponse list it by.
  const offer = (await world.app.services.offers.current(ref))!;
  return { id, loan, plan: { ...FOREIGN_PLAN, id: `${offer.id}-${loan.tenureMonths}M-EMI` } };
}

/**
 * The answer to a payout request waits for the worker's payout (OcenNotReady, retried with the queue's back-off of
 * 0.5 s doubling): on a loaded machine it can take more than one 15 s wait.
 */
const PAYOUT_ANSWER_MS = 45_000;

/** Sends a request, expects its ack, and waits for its (valid, signed) callback. */
async function ask(operation: string, response: string, id: string, body: Record<string, unknown>): Promise<Received> {
  const requestId = randomUUID();
  const ack = await post(agent, operation, body, requestId);
  expect({ status: ack.status, error: ack.body.error }).toEqual({ status: 200, error: '0' });
  const answer = await eventually(async () => endpoint.about(id, response).filter((r) => r.body.metadata.requestId === requestId), (r) => r.length > 0, PAYOUT_ANSWER_MS);
  expect(answer[0]).toMatchObject({ schemaValid: true, signatureValid: true });
  return answer[0];
}

const applicationRow = async (id: string) =>
  (await world.app.services.db.prisma.application.findUnique({ where: { partnerId_externalReference: { partnerId: agent.participantId, externalReference: id } } }))!;

const mandateState = async (id: string) => (await world.app.services.mandates.current(await applicationRow(id)))?.state;

const reportedAt = async (applicationId: string) =>
  (await world.app.services.db.query<{ reported_at: Date | null }>('SELECT reported_at FROM disbursement WHERE application_id = $1', [applicationId]))[0]?.reported_at;

describe('the borrower\'s mandate page on OCEN', () => {
  /** setRepaymentPlan, then the page opened from the paymentUrl: the token and code are in its fragment, not its query. */
  async function openedPage(id: string, loanId: string, plan: typeof FOREIGN_PLAN) {
    const answer = await ask('disbursement/setRepaymentPlanRequest', 'setRepaymentPlanResponse', id, { loanApplicationId: id, loanId, plan, hasCollectionSupport: false });
    const url = new URL(answer.body.plan.paymentUrl);
    expect(url.search).toBe('');
    const fragment = new URLSearchParams(url.hash.slice(1));
    return world.app.services.mandates.openByLink(fragment.get('urlToken')!, fragment.get('authCode')!);
  }
  const planStatus = (id: string, loanId: string, plan: typeof FOREIGN_PLAN) =>
    ask('disbursement/setRepaymentPlanStatusRequest', 'setRepaymentPlanStatusResponse', id, { loanApplicationId: id, loanId, plan, paymentMethod: { id: 'pm-1', status: 'INACTIVE' } });

  it('when the borrower authorises on the page, then the ceiling is the signed EMI over the signed tenure and setRepaymentPlanStatus reports the plan ACTIVE', async () => {
    const { id, loan, plan } = await grantedLoan();
    const opened = await openedPage(id, loan.lenderReference, plan);
    expect(opened.applicationId).toBe(loan.applicationId);
    const submission = await world.app.services.db.prisma.loanSubmission.findFirstOrThrow({ where: { applicationId: loan.applicationId } });
    const terms = await world.app.services.mandates.termsForPage(opened.applicationId);
    expect(terms).toMatchObject({ basis: 'SIGNED_TERMS', maxAmountMicros: submission.emiMicros * 2n, instalments: loan.tenureMonths, frequency: 'MONTHLY', state: 'PENDING' });

    expect(await world.app.services.mandates.authorise(opened.applicationId, { method: 'UPI_AUTOPAY', vpa: 'asha.rao@okbank' })).toMatchObject({ outcome: 'AUTHORISED', state: 'ACTIVE' });
    const status = await planStatus(id, loan.lenderReference, plan);
    expect(status.body).toMatchObject({ loanApplicationStatus: 'REPAYMENT_SETUP_COMPLETED', plan: { status: 'ACTIVE' }, paymentMethod: { status: 'ACTIVE' } });
  }, 60_000);

  it('when the rail declines on the page, then setRepaymentPlanStatus reports the setup FAILED', async () => {
    const { id, loan, plan } = await grantedLoan();
    const opened = await openedPage(id, loan.lenderReference, plan);
    expect(await world.app.services.mandates.authorise(opened.applicationId, { method: 'UPI_AUTOPAY', vpa: 'asha.rao@fail' })).toMatchObject({ outcome: 'DECLINED', state: 'FAILED' });
    const status = await planStatus(id, loan.lenderReference, plan);
    expect(status.body).toMatchObject({ loanApplicationStatus: 'REPAYMENT_SETUP_FAILED', plan: { status: 'INACTIVE' }, paymentMethod: { status: 'INACTIVE' } });
  }, 60_000);
});

describe('from a granted loan to its payout', () => {
  it('sets up the mandate, the account and pays out, each answer schema-valid, with the UTR in the end', async () => {
    const { id, loan, plan: chosenPlan } = await grantedLoan();
    const loanId = loan.lenderReference;

    const plan = await ask('disbursement/setRepaymentPlanRequest', 'setRepaymentPlanResponse', id, { loanApplicationId: id, loanId, plan: chosenPlan, hasCollectionSupport: false });
    expect(plan.body).toMatchObject({
      loanApplicationId: id,
      loanId,
      loanApplicationStatus: 'REPAYMENT_SETUP_INITIATED',
      plan: { id: chosenPlan.id, status: 'PENDING_AUTH', noOfInstallment: 12, paymentUrl: expect.stringMatching(/\/borrower\/repayment-setup#urlToken=[^&?]+&authCode=.+/) },
      paymentMethod: { type: 'ENACH', status: 'INACTIVE' },
      useCollectionSupport: false,
    });

    const completion = await world.app.http().post(`/sandbox/applications/${id}/repayment-setup/complete`).set('x-partner-id', agent.participantId).send({ outcome: 'APPROVED' });
    expect(completion.status).toBe(200);
    await eventually(() => mandateState(id), (state) => state === 'ACTIVE');

    const status = await ask('disbursement/setRepaymentPlanStatusRequest', 'setRepaymentPlanStatusResponse', id, { loanApplicationId: id, loanId, plan: chosenPlan, paymentMethod: { id: 'pm-1', status: 'INACTIVE' } });
    expect(status.body).toMatchObject({ loanApplicationStatus: 'REPAYMENT_SETUP_COMPLETED', plan: { status: 'ACTIVE' }, paymentMethod: { status: 'ACTIVE' } });
    expect(status.body.plan.paymentUrl).toBeUndefined();

    const account = await ask('disbursement/setDisbursementAccountRequest', 'setDisbursementAccountResponse', id, { loanApplicationId: id, loanId, account: ACCOUNT });
    expect(account.body).toMatchObject({
      loanApplicationStatus: 'SET_DISBURSEMENT_ACCOUNT_COMPLETED',
      account: { id: 'acc-1', accountDataType: 'ACCOUNT', data: { maskedAccountNumber: 'XXXXXXXXXX5678' }, status: 'ACTIVE' },
      isWorkingCapitalUndertakingDone: false,
      hasOtherWorkingCapitalAccount: false,
      isWorkingCapitalAccount: false,
      otherWorkingCapitalAccounts: [],
    });
    expect(account.bytes.toString()).not.toContain(ACCOUNT.data.accountNumber);

    const net = rupees(loan.netDisbursalMicros);
    const wrong = await post(agent, 'disbursement/triggerDisbursementRequest', { loanId, payment: { id: 'pay-1', totalAmount: net + 1, status: 'PENDING_AUTH', paymentMethodType: 'NETBANKING' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error).toMatch(/^AMOUNT_MISMATCH: /);
    expect((await applicationRow(id)).applicationState).toBe('GRANTED');

    const triggerBody = { loanId, payment: { id: 'pay-1', totalAmount: net, status: 'PENDING_AUTH', paymentMethodType: 'NETBANKING' } };
    const triggerRequest = { ...ocenEnvelope(agent.participantId), ...triggerBody };
    expect((await world.post(agent, 'disbursement/triggerDisbursementRequest', triggerRequest)).body.error).toBe('0');
    const paid = await endpoint.callbackAbout(loanId, 'triggerDisbursementResponse', 1, PAYOUT_ANSWER_MS);
    expect(paid).toMatchObject({ schemaValid: true, signatureValid: true });
    expect(paid.body).toMatchObject({
      loanApplicationId: id,
      loanId,
      loanApplicationStatus: 'DISBURSEMENT_COMPLETED',
      payment: { id: 'pay-1', status: 'SUCCESS', totalAmount: net, paymentMethodType: 'NETBANKING', txnRefNo: expect.stringMatching(/^[0-9A-F]{16}$/) },
    });
    const reported = await reportedAt(loan.applicationId);
    expect(reported).toBeInstanceOf(Date);

    const readBack = await ask('disbursement/triggerDisbursementStatusRequest', 'triggerDisbursementStatusResponse', loanId, { loanId, payment: { id: 'pay-1', totalAmount: net, status: 'PENDING_AUTH', paymentMethodType: 'NETBANKING' } });
    expect(readBack.body).toMatchObject({ loanApplicationStatus: 'DISBURSEMENT_COMPLETED', payment: { status: 'SUCCESS', txnRefNo: paid.body.payment.txnRefNo } });

    // The same request again: its stored answer is sent again, byte for byte; a new trigger is answered with the same payout. Reported once.
    expect((await world.post(agent, 'disbursement/triggerDisbursementRequest', triggerRequest)).body.error).toBe('0');
    const again = await endpoint.callbackAbout(loanId, 'triggerDisbursementResponse', 2, PAYOUT_ANSWER_MS);
    expect(again.bytes.equals(paid.bytes)).toBe(true);
    const second = await ask('disbursement/triggerDisbursementRequest', 'triggerDisbursementResponse', loanId, triggerBody);
    expect(second.body.payment).toMatchObject({ status: 'SUCCESS', txnRefNo: paid.body.payment.txnRefNo });
    expect(await reportedAt(loan.applicationId)).toEqual(reported);
    expect(Number((await world.app.services.db.query<{ n: string }>('SELECT count(*) AS n FROM disbursement WHERE application_id = $1', [loan.applicationId]))[0].n)).toBe(1);

    const callbacks = endpoint.received.filter((r) => r.body.loanApplicationId === id);
    expect(callbacks.map((r) => r.path.split('/').pop())).toEqual(expect.arrayContaining(['setRepaymentPlanResponse', 'setRepaymentPlanStatusResponse', 'setDisbursementAccountResponse', 'triggerDisbursementResponse', 'triggerDisbursementStatusResponse']));
    expect(callbacks.every((r) => r.schemaValid && r.signatureValid)).toBe(true);
   }, 120_000);

  it('answers FAILURE and DISBURSED_FAILED when the rail refuses the account (sandbox: a number ending in 9005), and reads it back', async () => {
    const { id, loan, plan } = await grantedLoan();
    const loanId = loan.lenderReference;
    await ask('disbursement/setRepaymentPlanRequest', 'setRepaymentPlanResponse', id, { loanApplicationId: id, plan, hasCollectionSupport: true });
    await world.app.http().post(`/sandbox/applications/${id}/repayment-setup/complete`).set('x-partner-id', agent.participantId).send({}).expect(200);
    await eventually(() => mandateState(id), (state) => state === 'ACTIVE');
    await ask('disbursement/setDisbursementAccountRequest', 'setDisbursementAccountResponse', id, { loanApplicationId: id, account: { ...ACCOUNT, data: { ...ACCOUNT.data, accountNumber: '50100012349005' } } });
    const payment = { id: 'pay-2', totalAmount: rupees(loan.netDisbursalMicros), status: 'PENDING_AUTH', paymentMethodType: 'NETBANKING' };
    const failed = await ask('disbursement/triggerDisbursementRequest', 'triggerDisbursementResponse', loanId, { loanId, payment });
    expect(failed.body).toMatchObject({ loanApplicationStatus: 'DISBURSED_FAILED', payment: { status: 'FAILURE' } });
    expect(failed.body.payment.txnRefNo).toBeUndefined();
    const readBack = await ask('disbursement/triggerDisbursementStatusRequest', 'triggerDisbursementStatusResponse', loanId, { loanId, payment });
    expect(readBack.body).toMatchObject({ loanApplicationStatus: 'DISBURSED_FAILED', payment: { status: 'FAILURE' } });
    expect(await reportedAt(loan.applicationId)).toBeNull();
   }, 120_000);

  it('answers REPAYMENT_SETUP_FAILED when the borrower declines the mandate, and refuses the payout until it is set up', async () => {
    const { id, loan, plan } = await grantedLoan();
    await ask('disbursement/setRepaymentPlanRequest', 'setRepaymentPlanResponse', id, { loanApplicationId: id, plan, hasCollectionSupport: true });
    await world.app.http().post(`/sandbox/applications/${id}/repayment-setup/complete`).set('x-partner-id', agent.participantId).send({ outcome: 'REJECTED' }).expect(200);
    await eventually(() => mandateState(id), (state) => state === 'FAILED');
    const status = await ask('disbursement/setRepaymentPlanStatusRequest', 'setRepaymentPlanStatusResponse', id, { loanApplicationId: id, plan, paymentMethod: { id: 'pm-1', status: 'INACTIVE' } });
    expect(status.body).toMatchObject({ loanApplicationStatus: 'REPAYMENT_SETUP_FAILED', plan: { status: 'INACTIVE' }, paymentMethod: { status: 'INACTIVE' }, useCollectionSupport: true });
    await ask('disbursement/setDisbursementAccountRequest', 'setDisbursementAccountResponse', id, { loanApplicationId: id, account: { accountDataType: 'VPA', data: { vpa: 'asharao@okbank' } } });
    const refused = await post(agent, 'disbursement/triggerDisbursementRequest', { loanId: loan.lenderReference, payment: { id: 'p', totalAmount: rupees(loan.netDisbursalMicros), status: 'PENDING_AUTH', paymentMethodType: 'UPI' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatch(/^PRECONDITION_FAILED: .*mandate/);
  });
});

describe('requests the group refuses', () => {
  it('refuses an invalid account, and a plan status before any plan', async () => {
    const { id } = await grantedLoan();
    const badIfsc = await post(agent, 'disbursement/setDisbursementAccountRequest', { loanApplicationId: id, account: { ...ACCOUNT, data: { ...ACCOUNT.data, accountIFSC: 'HDFC1234' } } });
    expect(badIfsc.status).toBe(400);
    expect(badIfsc.body.error).toMatch(/^INVALID_REQUEST: .*IFSC/);
    const early = await post(agent, 'disbursement/setRepaymentPlanStatusRequest', { loanApplicationId: id, plan: FOREIGN_PLAN, paymentMethod: { id: 'pm', status: 'INACTIVE' } });
    expect(early.status).toBe(422);
    expect(early.body.error).toMatch(/^REPAYMENT_SETUP_NOT_STARTED: /);
  });

  it('when the agent names a plan that is not the chosen offer\'s, then setRepaymentPlan is refused with the plan id to send, and no mandate is started', async () => {
    const { id, loan, plan } = await grantedLoan();
    for (const foreign of [FOREIGN_PLAN, { ...plan, id: plan.id.replace(/-\d+M-EMI$/, '-6M-EMI') }]) {
      const refused = await post(agent, 'disbursement/setRepaymentPlanRequest', { loanApplicationId: id, loanId: loan.lenderReference, plan: foreign, hasCollectionSupport: false });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatch(/^REPAYMENT_PLAN_UNKNOWN: /);
      expect(refused.body.error).toContain(`send plan "${plan.id}"`);
      expect(refused.body.error).toContain('loanDetails.offer.repayment.plans[0]');
    }
    expect(await mandateState(id)).toBeUndefined();
  });

  it('does not let another loan agent see or touch a loan application or a loan: the same refusal as for an unknown one', async () => {
    const { id, loan } = await grantedLoan();
    const loanId = loan.lenderReference;
    const payment = { id: 'p', totalAmount: rupees(loan.netDisbursalMicros), status: 'PENDING_AUTH', paymentMethodType: 'NETBANKING' };
    const attempts = [
      ['disbursement/setRepaymentPlanRequest', { loanApplicationId: id, plan: FOREIGN_PLAN, hasCollectionSupport: false }, 'UNKNOWN_LOAN_APPLICATION'],
      ['disbursement/setRepaymentPlanStatusRequest', { loanApplicationId: id, plan: FOREIGN_PLAN, paymentMethod: { id: 'pm', status: 'INACTIVE' } }, 'UNKNOWN_LOAN_APPLICATION'],
      ['disbursement/setDisbursementAccountRequest', { loanApplicationId: id, account: ACCOUNT }, 'UNKNOWN_LOAN_APPLICATION'],
      ['disbursement/triggerDisbursementRequest', { loanId, payment }, 'UNKNOWN_LOAN'],
      ['disbursement/triggerDisbursementStatusRequest', { loanId, payment }, 'UNKNOWN_LOAN'],
    ] as const;
    for (const [operation, body, code] of attempts) {
      const peek = await post(other, operation, body);
      expect({ operation, status: peek.status, code: peek.body.error.split(':')[0] }).toEqual({ operation, status: 404, code });
      const unknown = await post(other, operation, JSON.parse(JSON.stringify(body).replaceAll(id, `app-${randomUUID()}`).replaceAll(loanId, 'PAUNKNOWN0000')));
      expect({ operation, status: unknown.status, code: unknown.body.error.split(':')[0] }).toEqual({ operation, status: 404, code });
    }
    // Its own loan application with someone else's (or no such) loanId is refused too.
    const mismatch = await post(agent, 'disbursement/setRepaymentPlanRequest', { loanApplicationId: id, loanId: 'PAUNKNOWN0000', plan: FOREIGN_PLAN, hasCollectionSupport: false });
    expect(mismatch.status).toBe(404);
    expect(mismatch.body.error).toMatch(/^UNKNOWN_LOAN: /);

    const sandbox = await world.app.http().post(`/sandbox/applications/${id}/repayment-setup/complete`).set('x-partner-id', other.participantId).send({});
    expect(sandbox.status).toBe(404);
    expect(await mandateState(id)).toBeUndefined();
    expect(await world.app.services.payoutAccounts.summary(loan.applicationId)).toBeNull();
    expect((await applicationRow(id)).applicationState).toBe('GRANTED');
    expect(world.endpoint(other).received.filter((r) => JSON.stringify(r.body).includes(id))).toHaveLength(0);
  });
});
