/**
 * Issue 15's acceptance for OCEN v3: a v3 test loan agent (test/support/ocen-v3-agent.ts), onboarded bilaterally,
 * drives one whole loan on the real server (PostgreSQL, Redis, worker) over `/v3/...`, from
 * createLoanApplications to the disbursement, and reads it back with listLoans, loanStatement, getLoan and
 * LoanSummary. Every request is a signed flattened JWS (RS512); every ack and callback must verify with our RSA
 * key at /.well-known/jwks.json, and every callback must be valid against the official v3 schemas (patched).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { OcenV3Harness, V3Callback, V3LoanAgent, openSigned, startOcenV3Lender } from '../support/ocen-v3-agent';
import { eventually } from '../support/test-app';
import { setBusinessDate } from '../support/business-date';

const AGENT = 'lsp-v3-journey';
const APP_TOKEN = 'FA+9qCX9VSu';
let harness: OcenV3Harness;

beforeAll(async () => {
  harness = await startOcenV3Lender(AGENT);
});

afterAll(async () => {
  await harness?.stop();
});

const answers: V3Callback[] = [];

async function call(operation: string, members: Record<string, unknown>): Promise<Record<string, any>> {
  const answer = await harness.ask(operation, members, 60_000);
  answers.push(answer);
  return answer.message;
}

/**
 * `call`, again while it is refused PRECONDITION_FAILED (a refusal records nothing): for a step that waits on the
 * worker (KYC reviewed, the mandate confirmed).
 */
async function callWhenReady(operation: string, members: Record<string, unknown>): Promise<Record<string, any>> {
  let answer: Record<string, any> | undefined;
  await eventually(
    async () => {
      try {
        answer = await call(operation, members);
        return true;
      } catch (err) {
        if (!/PRECONDITION_FAILED/.test((err as Error).message)) throw err;
        return false;
      }
    },
    (done) => done,
    30_000,
  );
  return answer!;
}

/** A v3 loan application (Loan Application/BulkCreateLoanApplicationRequest): persona by the PAN's digits. */
function v3LoanApplication(id: string, phone: string) {
  return {
    createdDate: new Date().toISOString(),
    loanApplicationId: id,
    type: 'PERSONAL',
    borrower: {
      primaryId: 'ABCDE1234F',
      primaryIdType: 'PAN',
      category: 'INDIVIDUAL',
      name: 'Asha Rao',
      contactDetails: [{ type: 'PRIMARY', phone, email: 'asha@example.com' }],
      extensibleData: { dateOfBirth: '1990-04-01', monthlyIncome: '50000', employmentType: 'SALARIED' },
    },
    collaterals: [],
    guarantors: [],
    applicants: [],
    terms: { requestedAmount: '100000', currency: 'INR' },
  };
}

describe('a whole OCEN v3 loan, driven by a v3 loan agent', () => {
  const id = `lsp-loan-${randomUUID()}`;
  const phone = `9${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
  let disbursedLoanId = '';

  it('goes from createLoanApplications to the disbursement, then reads the loan back', async () => {
    const application = v3LoanApplication(id, phone);
    const created = await call('loanApplication/createLoanApplicationsRequest', { loanApplications: [application] });
    expect(created.loanApplications[0]).toMatchObject({ loanApplicationId: id, type: 'PERSONAL', terms: { requestedAmount: '100000.00', currency: 'INR' } });

    const offered = await call('offer/generateOffersRequest', { loanApplicationIds: [id] });
    expect(offered.loanApplications[0].loanApplicationStatus).toBe('OFFERED');
    const offer = offered.loanApplications[0].offers.find((o: any) => o.terms.tenure.duration === '12');
    expect(offer.terms).toMatchObject({ sanctionedAmount: '100000.00', interestRate: '16.00', currency: 'INR', totalAmount: expect.stringMatching(/^\d+\.\d{2}$/) });
    expect(offer.repayment.plans[0]).toMatchObject({ noOfInstallments: '12', scheduleType: 'RECURRING' });

    const chosen = await call('offer/setOfferRequest', { loanApplicationId: id, offer });
    expect(chosen).toMatchObject({ loanApplicationId: id, loanApplicationStatus: 'OFFER_ACCEPTED' });
    const kycAction = await call('offer/generateOffersRequest', { loanApplicationIds: [id] });
    expect(kycAction.loanApplications[0]).toMatchObject({ loanApplicationStatus: 'OFFER_ACCEPTED', actionRequired: { actionType: 'OTHER', url: expect.stringContaining('#authToken=') } });
    await harness.app.http().post(`/sandbox/applications/${id}/kyc/complete`).set('x-partner-id', AGENT).send({}).expect(200);

    const triggered = await callWhenReady('loan/triggerLoanAcceptanceRequest', { loanApplicationIds: [id], credBlock: { type: 'OTP', data: { appToken: APP_TOKEN } } });
    const { otpSessionKey } = triggered.credBlock.data;
    expect(otpSessionKey).toEqual(expect.any(String));
    const [sms] = await eventually(
      async () => (await harness.app.http().get(`/sandbox/sms-outbox?phone=91${phone}`).expect(200)).body.messages as Array<{ text: string }>,
      (messages) => messages.length > 0,
    );
    const otp = Number(/^(\d{6}) /.exec(sms.text)![1]);
    const verified = await call('loan/verifyLoanAcceptanceRequest', { credBlock: { type: 'OTP', data: { otpSessionKey, otp } } });
    expect(verified.credBlock.data.status).toBe('SUCCESS');

    const granted = await call('loan/grantLoanRequest', { loanApplicationId: id });
    expect(granted).toMatchObject({ loanStatus: 'GRANTED', terms: { sanctionedAmount: '100000.00' }, repayment: { plan: { noOfInstallments: '12' } } });
    const loanId: string = granted.loanId;
    disbursedLoanId = loanId;

    const plan = offer.repayment.plans[0];
    expect(granted.repayment.plan).toMatchObject({ id: plan.id, totalAmount: plan.totalAmount, principal: '100000.00' });
    const setUp = await call('repayment/setRepaymentPlanRequest', { loanApplicationId: id, loanId, plan });
    expect(setUp.plan).toMatchObject({ id: plan.id, noOfInstallments: '12', totalAmount: plan.totalAmount, status: 'PENDING_AUTH', paymentUrl: expect.any(String) });
    await harness.app.http().post(`/sandbox/applications/${id}/repayment-setup/complete`).set('x-partner-id', AGENT).send({ outcome: 'APPROVED' }).expect(200);

    const account = await call('disbursement/setDisbursementAccountRequest', {
      loanApplicationId: id,
      loanId,
      account: { accountDataType: 'ACCOUNT', status: 'ACTIVE', data: { accountType: 'SAVING', accountIFSC: 'HDFC0000001', accountNumber: '50100012345678' }, extensibleData: { accountHolderName: 'Asha Rao' } },
    });
    expect(account.account.data.maskedAccountNumber).toMatch(/5678$/);
    expect(JSON.stringify(account)).not.toContain('50100012345678');

    const payment = { id: 'payout-1', totalAmount: offer.disbursement.plans[0].totalAmount };
    const paid = await callWhenReady('disbursement/triggerDisbursementRequest', { loanId, payment });
    expect(paid.payment).toMatchObject({ id: 'payout-1', status: 'SUCCESS', totalAmount: payment.totalAmount, txnRefNo: expect.any(String) });
    const payout = await call('disbursement/triggerDisbursementStatusRequest', { loanId, payment: { id: 'payout-1' } });
    expect(payout.payment).toEqual(paid.payment);

    const listed = await call('loan/listLoansRequest', { borrower: application.borrower });
    expect(listed.loans.map((l: any) => l.loanId)).toEqual([loanId]);
    const statement = await call('loan/loanStatementRequest', { loanId });
    expect(statement.accountStatement.length).toBeGreaterThan(0);
    expect(statement.accountStatement.at(-1).closingBalance).toBe('100000.00');
    const loan = await call('loan/getLoanRequest', { loanId });
    expect(loan).toMatchObject({ loanId, loanStatus: 'GRANTED', terms: { sanctionedAmount: '100000.00' } });
    const summary = await call('loan/LoanSummaryRequest', { loanId });
    expect(summary.summary).toMatchObject({ principalPending: '100000.00', amountDisbursed: payment.totalAmount });

    const dispute = { id: `dsp-${randomUUID()}`, description: 'The borrower says the processing fee was deducted twice', url: 'https://lsp.example/evidence/1' };
    const raised = await call('loan/dispute/raiseDisputeRequest', { loanId, dispute });
    expect(raised.dispute).toEqual({ ...dispute, status: 'NEW' });
    const raisedAgain = await call('loan/dispute/raiseDisputeRequest', { loanId, dispute });
    expect(raisedAgain.dispute).toEqual(raised.dispute);
    const core = harness.app.services.disputes;
    const opened = await core.status(AGENT, dispute.id);
    await core.acknowledge(opened.id, { staffId: 'staff-1' });
    const processing = await call('loan/dispute/disputeStatusRequest', { dispute: { id: dispute.id } });
    expect(processing.dispute).toMatchObject({ id: dispute.id, status: 'PROCESSING' });
    await core.resolve(opened.id, { staffId: 'staff-1', resolution: 'The second deduction is refunded' });
    const resolved = await call('loan/dispute/disputeStatusRequest', { dispute: { id: dispute.id } });
    expect(resolved.dispute).toMatchObject({ id: dispute.id, status: 'RESOLVED', description: 'The second deduction is refunded' });
  });

  it('when the days run past instalment 1, then the LSP is told of the pre-debit notice and the debit (confirmRepaymentRequest); an instalment left unpaid makes the loan OVERDUE; paid off, it is COMPLETED with its closure date and no-dues certificate', async () => {
    const loanId = disbursedLoanId;
    expect(loanId).not.toBe('');
    const s = harness.app.services;
    const ref = { partnerId: AGENT, externalReference: id };
    const loanUuid = (await s.servicing.loan(ref)).loanId;
    const confirms = (reference: string) => harness.endpoint.received.filter((r) => r.path === '/lsp/v3/repayment/confirmRepaymentRequest' && r.message.payment?.id === reference);

    // Days run by the sandbox servicing clock until the debit of instalment 1: the notice, then the debit, each told.
    for (let day = 0; day < 45 && !(await s.collections.ofLoan(loanUuid)).some((c) => c.state === 'DEBITED'); day++) await s.servicingClock.advance(1);
    const debited = (await s.collections.ofLoan(loanUuid)).find((c) => c.state === 'DEBITED')!;
    const told = await eventually(async () => confirms(debited.reference), (r) => r.some((c) => c.message.payment.status === 'SUCCESS'));
    answers.push(...told);
    expect(told.map((c) => c.message.payment.status)).toEqual(['PENDING_AUTH', 'SUCCESS']);
    expect(told[1].message).toMatchObject({ loanId, response: { error: '0' }, payment: { id: debited.reference, installmentNumber: '1', paymentMethodType: 'ENACH', txnRefNo: debited.railReference } });
    const afterDebit = await call('loan/LoanSummaryRequest', { loanId });
    expect(afterDebit).toMatchObject({ loanStatus: 'GRANTED', summary: { currentRepayment: { id: debited.reference, status: 'SUCCESS' }, nextRepayment: { installmentNumber: '2' } } });

    // Straight to three days after instalment 2's due date, with only that day closed: nothing was debited for it.
    const second = (await s.servicing.loan(ref)).instalments[1];
    const late = new Date(Date.parse(`${second.dueDate}T00:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10);
    await setBusinessDate(harness.app, late);
    await s.closeOfBusiness.run(late);
    const position = await s.loanPositions.of(loanUuid);
    expect(position.daysPastDue).toBe(3);
    const overdue = await call('loan/LoanSummaryRequest', { loanId });
    expect(overdue.loanStatus).toBe('OVERDUE');
    expect(overdue.summary.nextRepayment).toMatchObject({ installmentNumber: '2', date: second.dueDate, status: 'PENDING_AUTH' });
    const rupees = (micros: bigint) => (Number(micros / 10_000n) / 100).toFixed(2);
    expect(overdue.summary.nextRepayment.totalAmount).toBe(rupees(position.nextDue!.amountMicros));
    expect(overdue.summary.nextRepayment.penalty).toBe(rupees(position.chargesOutstandingMicros));
    expect(overdue.summary.description).toContain('3 days past due');
    expect((await call('loan/getLoanRequest', { loanId })).loanStatus).toBe('OVERDUE');
    const statement = await call('loan/loanStatementRequest', { loanId });
    const accruals = statement.accountStatement.filter((t: any) => t.txnRefNo.startsWith('ACCRUAL-'));
    expect(accruals.length).toBeLessThanOrEqual(4);
    expect(accruals.length).toBeGreaterThan(0);

    // Paid off: a foreclosure at today's quote.
    const quote = await s.servicing.foreclosureQuote(ref);
    const { repayment } = await s.servicing.trigger({ ...ref, amountMicros: quote.totalMicros, method: 'UPI', purpose: 'FORECLOSURE' });
    await s.servicing.complete(repayment.reference, { status: 'SUCCEEDED', providerReference: 'SBX-FORECLOSE' });
    const closed = await s.servicing.loan(ref);
    expect(closed.state).toBe('CLOSED');
    const loan = await call('loan/getLoanRequest', { loanId });
    expect(loan).toMatchObject({ loanStatus: 'COMPLETED', endDate: closed.closedOn });
    const summary = await call('loan/LoanSummaryRequest', { loanId });
    expect(summary).toMatchObject({ loanStatus: 'COMPLETED', endDate: closed.closedOn, summary: { principalPending: '0.00', nextRepayment: { totalAmount: '0.00', status: 'SUCCESS', url: `${s.config.publicBaseUrl}${s.noDuesCertificateLinks.pathFor(closed.loanId)}` } } });
    expect((await call('loan/loanStatementRequest', { loanId })).accountStatement.at(-1).closingBalance).toBe('0.00');
  }, 180_000);

  it('when setRepaymentPlan names a plan that is not the chosen offer\'s, then it is refused naming the plan to send, and no mandate is started', async () => {
    const chooser = `lsp-plan-${randomUUID()}`;
    await call('loanApplication/createLoanApplicationsRequest', { loanApplications: [v3LoanApplication(chooser, `9${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`)] });
    const { offers } = (await call('offer/generateOffersRequest', { loanApplicationIds: [chooser] })).loanApplications[0];
    const twelve = offers.find((o: any) => o.terms.tenure.duration === '12');
    const other = offers.find((o: any) => o.terms.tenure.duration !== '12');
    await call('offer/setOfferRequest', { loanApplicationId: chooser, offer: twelve });
    const { key } = await harness.lenderKey();
    const foreignPlans = [other.repayment.plans[0], { ...twelve.repayment.plans[0], id: 'ANOTHER-LENDER-PLAN-7' }];
    for (const plan of foreignPlans) {
      const refused = await harness.post('repayment/setRepaymentPlanRequest', harness.agent.sign({ ...harness.envelope(), loanApplicationId: chooser, plan }));
      expect({ plan: plan.id, status: refused.status }).toEqual({ plan: plan.id, status: 422 });
      expect(openSigned(refused.body, key).message.error).toMatch(new RegExp(`^REPAYMENT_PLAN_UNKNOWN: .*send plan "${twelve.repayment.plans[0].id}"`));
    }
    expect((await harness.app.services.facts.of({ partnerId: AGENT, externalReference: chooser })).mandate).toBeNull();
    const setUp = await call('repayment/setRepaymentPlanRequest', { loanApplicationId: chooser, plan: twelve.repayment.plans[0] });
    expect(setUp.plan).toMatchObject({ id: twelve.repayment.plans[0].id, noOfInstallments: '12', totalAmount: twelve.repayment.plans[0].totalAmount, status: 'PENDING_AUTH' });
  });

  it('when a dispute names another loan or no id, then it is refused, and nothing is raised', async () => {
    const unknownLoan = await harness.post('loan/dispute/raiseDisputeRequest', harness.agent.sign({ ...harness.envelope(), loanId: 'NOT-A-LOAN', dispute: { id: 'dsp-x', description: 'x' } }));
    const { key } = await harness.lenderKey();
    expect(unknownLoan.status).toBe(404);
    expect(openSigned(unknownLoan.body, key).message.error).toMatch(/^NOT_FOUND: /);
    const noId = await harness.post('loan/dispute/raiseDisputeRequest', harness.agent.sign({ ...harness.envelope(), loanId: 'NOT-A-LOAN', dispute: { description: 'x' } }));
    expect(noId.status).toBe(400);
    await expect(harness.app.services.disputes.status(AGENT, 'dsp-x')).rejects.toThrow();
  });

  it('when the income is to be verified, then generateOffers asks for an AA consent, and once it is approved, offers', async () => {
    const thin = `lsp-thin-${randomUUID()}`;
    const thinPhone = `9${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
    const application = v3LoanApplication(thin, thinPhone);
    await call('loanApplication/createLoanApplicationsRequest', { loanApplications: [{ ...application, borrower: { ...application.borrower, primaryId: 'ABCDE9002F' } }] });
    const waiting = await call('offer/generateOffersRequest', { loanApplicationIds: [thin] });
    expect(waiting.loanApplications[0]).toMatchObject({ loanApplicationStatus: 'ACTION_REQUIRED', actionRequired: { reference: { object: 'loanApplication', value: thin } } });
    const handed = await call('consent/consentHandleRequest', { loanApplicationIds: [thin], consent: { consentFetchType: 'ONETIME', vua: `${thinPhone}@sandbox-aa` } });
    const { consentHandle } = handed.consent;
    expect(handed.consent).toMatchObject({ consentStatus: 'PENDING', url: expect.stringContaining(consentHandle) });
    await harness.app.http().post(`/sandbox/aa/consents/${consentHandle}/decision`).send({ outcome: 'APPROVED' }).expect(200);
    const ready = await eventually(() => call('consent/consentStatusRequest', { consent: { consentHandle } }), (answer) => answer.consent.consentStatus === 'READY', 30_000);
    expect(ready.consent.consentHandle).toBe(consentHandle);
    const offered = await eventually(
      () => call('offer/generateOffersRequest', { loanApplicationIds: [thin] }),
      (answer) => answer.loanApplications[0].loanApplicationStatus !== 'ACTION_REQUIRED',
      30_000,
    );
    expect(offered.loanApplications[0].loanApplicationStatus).toBe('OFFERED');
  });

  it('when a request is sent again with its requestId, then it gets the same ack and its answer again; with another body, 409 REQUEST_ID_REUSED', async () => {
    const { key } = await harness.lenderKey();
    const request = { ...harness.envelope(), loanApplicationIds: [id] };
    const first = await harness.post('offer/generateOffersRequest', harness.agent.sign(request));
    const again = await harness.post('offer/generateOffersRequest', harness.agent.sign(request));
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(openSigned(again.body, key).message).toEqual(openSigned(first.body, key).message);
    const delivered = await eventually(async () => harness.endpoint.received.filter((r) => r.message.requestId === request.requestId), (r) => r.length >= 2, 30_000);
    expect(delivered[1].message).toEqual(delivered[0].message);
    const reused = await harness.post('offer/generateOffersRequest', harness.agent.sign({ ...request, loanApplicationIds: [id, id] }));
    expect(reused.status).toBe(409);
    expect(openSigned(reused.body, key).message.error).toMatch(/^REQUEST_ID_REUSED: /);
  });

  it('sent every callback valid against the official v3 schemas and signed RS512 with the key at /.well-known/jwks.json', () => {
    expect(answers.length).toBeGreaterThanOrEqual(18);
    const problems = answers.flatMap((a) => [...(a.signatureValid ? [] : [`${a.path}: signature`]), ...a.schemaProblems.map((p) => `${a.path}: ${p}`)]);
    expect(problems).toEqual([]);
    expect(answers.every((a) => a.message.metadata.orgId && a.message.response.error === '0')).toBe(true);
  });
});

describe('who may call /v3', () => {
  const request = () => ({ ...harness.envelope(), loanApplicationIds: ['anything'] });

  it('when the request is not signed, then it is 401 UNSIGNED, with a signed ack', async () => {
    const answer = await harness.post('offer/generateOffersRequest', request());
    expect(answer.status).toBe(401);
    const { key, kid } = await harness.lenderKey();
    const ack = openSigned(answer.body, key, kid);
    expect(ack.valid).toBe(true);
    expect(ack.message.error).toMatch(/^UNSIGNED: /);
  });

  it('when the request is signed with a key not on file (same kid), then it is 401 SIGNATURE_INVALID', async () => {
    const foreign = new V3LoanAgent(AGENT, harness.agent.kid);
    const answer = await harness.post('offer/generateOffersRequest', foreign.sign(request()));
    expect(answer.status).toBe(401);
    const { key } = await harness.lenderKey();
    expect(openSigned(answer.body, key).message.error).toMatch(/^SIGNATURE_INVALID: /);
  });

  it('when the request names a kid not on file, or an orgId not onboarded, then it is 401 UNKNOWN_KEY', async () => {
    const { key } = await harness.lenderKey();
    const stranger = new V3LoanAgent(AGENT, 'another-kid');
    const unknownKid = await harness.post('offer/generateOffersRequest', stranger.sign(request()));
    expect(unknownKid.status).toBe(401);
    expect(openSigned(unknownKid.body, key).message.error).toMatch(/^UNKNOWN_KEY: /);
    const notOnboarded = new V3LoanAgent('lsp-unknown');
    const unknownOrg = await harness.post('offer/generateOffersRequest', notOnboarded.sign({ ...request(), metadata: { ...request().metadata, orgId: 'lsp-unknown' } }));
    expect(unknownOrg.status).toBe(401);
    expect(openSigned(unknownOrg.body, key).message.error).toMatch(/^UNKNOWN_KEY: /);
  });

  it('when a signed message is not valid against its schema, or the body is not JSON, then it is a 4xx with a signed ack, never a 500', async () => {
    const { key } = await harness.lenderKey();
    const cases: Array<[string, unknown, number, RegExp]> = [
      ['no loanApplicationIds', harness.agent.sign(harness.envelope()), 400, /^INVALID_REQUEST: .*loanApplicationIds/],
      ['ids of the wrong type', harness.agent.sign({ ...harness.envelope(), loanApplicationIds: [1, { a: 2 }] }), 400, /^INVALID_REQUEST: /],
      ['no metadata', harness.agent.sign({ requestId: 'r', loanApplicationIds: ['x'] }), 401, /^UNKNOWN_KEY: /],
      ['a stale timestamp', harness.agent.sign({ ...harness.envelope(), metadata: { ...harness.envelope().metadata, timestamp: '2020-01-01T00:00:00Z' }, loanApplicationIds: ['x'] }), 401, /^TIMESTAMP_OUT_OF_WINDOW: /],
      ['a payload that is not JSON', { payload: Buffer.from('nope').toString('base64url'), header: 'e30', signature: 'AA' }, 401, /^SIGNATURE_INVALID: /],
      ['a JSON array', [1, 2], 401, /^UNSIGNED: /],
    ];
    for (const [what, body, status, error] of cases) {
      const answer = await harness.post('offer/generateOffersRequest', body);
      expect({ what, status: answer.status }).toEqual({ what, status });
      expect({ what, error: openSigned(answer.body, key).message.error }).toEqual({ what, error: expect.stringMatching(error) });
    }
    const notJson = await harness.app.http().post('/v3/offer/generateOffersRequest').set('content-type', 'application/json').send('{"payload":');
    expect(notJson.status).toBe(400);
    const text = await harness.app.http().post('/v3/offer/generateOffersRequest').set('content-type', 'text/plain').send('hello');
    expect(text.status).toBe(415);
    const get = await harness.app.http().get('/v3/offer/generateOffersRequest');
    expect(get.status).toBe(405);
  });

  it('when a signed body was altered after signing, then it is 401 SIGNATURE_INVALID', async () => {
    const signed = harness.agent.sign(request());
    const tampered = { ...signed, payload: Buffer.from(JSON.stringify({ ...request(), loanApplicationIds: ['other'] })).toString('base64url') };
    const answer = await harness.post('offer/generateOffersRequest', tampered);
    expect(answer.status).toBe(401);
  });
});
