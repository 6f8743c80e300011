/**
 * Consent through the sandbox account aggregator and additional documents, over the OCEN lender surface: the
 * real server (PostgreSQL, Redis, worker) and the fake network of test/support/ocen-network.ts. Every callback is
 * checked against the patched loan.json and its signature verified (test/support/ocen-lender-harness.ts).
 * Persona 9002 (PAN digits) has a thin bureau file: its income is to be verified (ACTION_REQUIRED).
 */
import { randomUUID } from 'node:crypto';
import { LoanAgent } from '../support/ocen-network';
import { AgentEndpoint, OcenLenderHarness, Received, ocenEnvelope, ocenLoanApplication, startOcenLender } from '../support/ocen-lender-harness';
import { TestApp, eventually } from '../support/test-app';

let world: OcenLenderHarness;
let app: TestApp;
const agent = new LoanAgent('la-consent-one');
const other = new LoanAgent('la-consent-two');
let endpoint: AgentEndpoint;
let otherEndpoint: AgentEndpoint;

beforeAll(async () => {
  world = await startOcenLender([agent, other]);
  app = world.app;
  endpoint = world.endpoint(agent);
  otherEndpoint = world.endpoint(other);
});

afterAll(async () => {
  await world?.stop();
});

const VUA = '9876543210@sandbox-aa';

async function send(operation: string, body: Record<string, unknown>, from = agent) {
  return world.post(from, operation, { ...ocenEnvelope(from.participantId), ...body });
}

/** Sends a request and answers its callback (by the request's requestId), checked: signed and schema-valid. */
async function ask(operation: string, body: Record<string, unknown>): Promise<Received> {
  const callback = await world.ask(agent, operation, body, { response: operation.replace(/Request$/, 'Response') });
  expect(callback).toMatchObject({ signatureValid: true, schemaValid: true });
  return callback;
}

/** A loan application for ₹1,00,000 (PAN digits pick the sandbox persona), answered PROCESSING. */
async function createLoan(panDigits: string): Promise<string> {
  const id = `app-${randomUUID()}`;
  const created = await ask('loanApplications/createLoanRequest', { loanApplications: [ocenLoanApplication(id, panDigits)] });
  expect(created.body.loanApplications[0].loanApplicationStatus).toBe('PROCESSING');
  return id;
}

const generateOffers = async (id: string) => (await ask('offers/generateOffersRequest', { loanApplicationIds: [id] })).body.loanApplications[0];
const consentStatus = async (handle: string) => (await ask('consent/statusRequest', { consentHandle: handle })).body;

/** An inline JSON document (base64), as OCEN's Document carries it. */
function jsonDocument(content: Record<string, unknown>, reference = `doc-${randomUUID()}`) {
  return { source: 'USER', sourceIdentifier: 'BORROWER', format: 'JSON', reference, type: 'OTHER', isDataInline: true, data: Buffer.from(JSON.stringify(content)).toString('base64') };
}

/** The lender's application id behind the agent's loanApplicationId. */
const applicationIdOf = async (loanApplicationId: string) => (await app.services.approvals.status({ partnerId: agent.participantId, externalReference: loanApplicationId })).applicationId;

/** Waits until the lender has the consent READY and its summary applied. */
async function consentSettled(loanApplicationId: string) {
  const applicationId = await applicationIdOf(loanApplicationId);
  await eventually(() => app.services.consents.latestFor(applicationId), (c) => c?.state === 'READY' && !c.summaryPending);
}

describe('consent through the sandbox account aggregator', () => {
  it('when the borrower approves the consent at the AA, then the consent goes PENDING → READY and the thin-file application (9002) is OFFERED', async () => {
    const id = await createLoan('9002');

    const handed = await ask('consent/consentHandleRequest', { loanApplicationIds: [id], consent: { consentFetchType: 'ONETIME', vua: VUA } });
    expect(handed.body.loanApplicationIds).toEqual([id]);
    const consent = handed.body.consent;
    expect(consent).toEqual({ consentFetchType: 'ONETIME', vua: VUA, consentHandle: expect.stringMatching(/^SBXAA-/), consentStatus: 'PENDING', url: expect.stringContaining(`/sandbox/aa/consents/${consent.consentHandle}`) });

    expect((await consentStatus(consent.consentHandle)).consent).toMatchObject({ consentHandle: consent.consentHandle, consentStatus: 'PENDING' });
    expect(await generateOffers(id)).toMatchObject({ loanApplicationStatus: 'CONSENT_INITIATED', offers: [] });

    const page = await app.http().get(new URL(consent.url).pathname);
    expect(page.body).toMatchObject({ handle: consent.consentHandle, status: 'PENDING', fetchType: 'ONETIME' });
    const decided = await app.http().post(`/sandbox/aa/consents/${consent.consentHandle}/decision`).send({ outcome: 'APPROVED' });
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe('ACTIVE');

    const notified = await send('consent/journeyNotify', { loanApplicationIds: [id], consent: { consentHandle: consent.consentHandle, consentStatus: 'READY' } });
    expect(notified.body.error).toBe('0');
    await consentSettled(id);
    const status = await consentStatus(consent.consentHandle);
    expect(status).toMatchObject({ loanApplicationIds: [id], consent: { consentHandle: consent.consentHandle, consentStatus: 'READY' }, response: { status: 'SUCCESS' } });

    const offered = await generateOffers(id);
    expect(offered.loanApplicationStatus).toBe('OFFERED');
    expect(offered.offers.length).toBeGreaterThan(0);
    expect(offered.offers[0].terms).toMatchObject({ sanctionedAmount: 100000 });
    // journeyNotify is only acked: no callback answers it.
    expect(endpoint.received.filter((r) => r.path.includes('journeyNotify'))).toHaveLength(0);
  });

  it('when the borrower rejects the consent, then statusRequest says FAILED and generateOffers CONSENT_REJECTED', async () => {
    const id = await createLoan('9002');
    const { consent } = (await ask('consent/consentHandleRequest', { loanApplicationIds: [id], consent: { consentFetchType: 'PERIODIC', vua: VUA } })).body;
    await app.http().post(`/sandbox/aa/consents/${consent.consentHandle}/decision`).send({ outcome: 'REJECTED' }).expect(200);
    const applicationId = await applicationIdOf(id);
    await eventually(() => app.services.consents.latestFor(applicationId), (c) => c?.state === 'FAILED');
    expect((await consentStatus(consent.consentHandle)).consent).toMatchObject({ consentStatus: 'FAILED', consentFetchType: 'PERIODIC', description: expect.stringContaining('REJECTED') });
    expect(await generateOffers(id)).toMatchObject({ loanApplicationStatus: 'CONSENT_REJECTED', offers: [] });
  });

  it('when another loan agent names the consent handle, or asks a consent for an application not its own, then it is refused and learns nothing', async () => {
    const id = await createLoan('9002');
    const { consent } = (await ask('consent/consentHandleRequest', { loanApplicationIds: [id], consent: { vua: VUA } })).body;

    const status = await send('consent/statusRequest', { consentHandle: consent.consentHandle }, other);
    expect(status.status).toBe(404);
    expect(status.body.error).toMatch(/^UNKNOWN_CONSENT: /);
    const unknown = await send('consent/statusRequest', { consentHandle: 'SBXAA-000000000000000000000000' }, other);
    expect(unknown.body.error.split(':')[0]).toBe('UNKNOWN_CONSENT');
    const notify = await send('consent/journeyNotify', { loanApplicationIds: [id], consent: { consentHandle: consent.consentHandle } }, other);
    expect(notify.status).toBe(404);
    const handle = await send('consent/consentHandleRequest', { loanApplicationIds: [id], consent: { vua: VUA } }, other);
    expect(handle.status).toBe(404);
    expect(handle.body.error).toMatch(/^UNKNOWN_LOAN_APPLICATION: /);
    expect(otherEndpoint.received.filter((r) => JSON.stringify(r.body).includes(id) || JSON.stringify(r.body).includes(consent.consentHandle))).toHaveLength(0);

    const elsewhere = await createLoan('1234');
    const mismatch = await send('consent/journeyNotify', { loanApplicationIds: [elsewhere], consent: { consentHandle: consent.consentHandle } });
    expect(mismatch.status).toBe(400);
  });
});

describe('additional documents for an application whose income is to be verified', () => {
  it('when generateOffers finds the income to be verified (9002), then it answers ACTION_REQUIRED; a salary slip sent with sendAdditionalDocuments then gets OFFERED', async () => {
    const id = await createLoan('9002');
    const pending = await generateOffers(id);
    expect(pending).toMatchObject({ loanApplicationStatus: 'ACTION_REQUIRED', offers: [], actionRequired: [{ actionType: 'ADD_DOCUMENT', reference: { object: 'loanApplication', value: id } }] });

    const answered = await ask('offers/sendAdditionalDocumentsRequest', {
      loanApplications: [{ loanApplicationId: id, additionalDocuments: [jsonDocument({ documentType: 'SALARY_SLIP', monthlyIncome: 60000 }, 'slip-2026-11')] }],
    });
    const [application] = answered.body.loanApplications;
    expect(application.loanApplicationStatus).toBe('OFFERED');
    expect(application.offers[0].terms).toMatchObject({ sanctionedAmount: 100000, currency: 'INR' });

    const rows = await app.services.db.query<Record<string, unknown>>('SELECT kind, reference, format, size_bytes AS "sizeBytes", verified FROM income_document d JOIN application a ON a.id = d.application_id WHERE a.external_reference = $1', [id]);
    expect(rows).toEqual([{ kind: 'SALARY_SLIP', reference: 'slip-2026-11', format: 'JSON', sizeBytes: expect.any(Number), verified: true }]);
  });

  it('when the documents verify no income, then the answer is still ACTION_REQUIRED; when a statement shows too little income, then REJECTED with the reason', async () => {
    const id = await createLoan('9002');
    const pan = { source: 'USER', sourceIdentifier: 'PAN', format: 'IMAGE', reference: 'pan-card', type: 'PAN', isDataInline: true, data: Buffer.from('not really an image').toString('base64') };
    const still = await ask('offers/sendAdditionalDocumentsRequest', { loanApplications: [{ loanApplicationId: id, additionalDocuments: [pan] }] });
    expect(still.body.loanApplications[0]).toMatchObject({ loanApplicationStatus: 'ACTION_REQUIRED', actionRequired: [expect.objectContaining({ actionType: 'ADD_DOCUMENT' })] });

    const statement = { ...jsonDocument({ monthlyIncome: 20000 }, 'stmt-1'), sourceIdentifier: 'BANK_STATEMENT' };
    const rejected = await ask('offers/sendAdditionalDocumentsRequest', { loanApplications: [{ loanApplicationId: id, additionalDocuments: [statement] }] });
    expect(rejected.body.loanApplications[0]).toMatchObject({
      loanApplicationStatus: 'REJECTED',
      offers: [],
      rejectionDetails: [{ reason: 'LOW_CREDIT_SCORE', description: expect.stringMatching(/supports at most ₹40,000/) }],
    });
  });

  it('when the loan agent pushes pledged documents (getAdditionalPledgedDocumentsResponse, only acked), then a salary slip among them decides the income verification', async () => {
    const id = await createLoan('9002');
    const pushed = await send('loanApplications/getAdditionalPledgedDocumentsResponse', {
      loanApplicationId: id,
      pledgedDocuments: { totalDocumentCount: 1, hasAdditionalDocuments: false, documents: [jsonDocument({ documentType: 'SALARY_SLIP', monthlyIncome: 75000 })] },
    });
    expect(pushed.status).toBe(200);
    expect(pushed.body.error).toBe('0');
    await eventually(() => app.services.approvals.status({ partnerId: agent.participantId, externalReference: id }), (s) => s.state !== 'INCOME_VERIFICATION');
    expect((await app.services.incomeDocuments.of(await applicationIdOf(id)))[0]).toMatchObject({ channel: 'PLEDGED_DOCUMENTS', verified: true });
    expect(await generateOffers(id)).toMatchObject({ loanApplicationStatus: 'OFFERED' });
  });

  it('refuses documents for another agent\'s application, and a request without documents', async () => {
    const id = await createLoan('9002');
    const foreign = await send('offers/sendAdditionalDocumentsRequest', { loanApplications: [{ loanApplicationId: id, additionalDocuments: [jsonDocument({ monthlyIncome: 1 })] }] }, other);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error).toMatch(/^UNKNOWN_LOAN_APPLICATION: /);
    const empty = await send('offers/sendAdditionalDocumentsRequest', { loanApplications: [{ loanApplicationId: id, additionalDocuments: [] }] });
    expect(empty.status).toBe(400);
  });
});

afterAll(() => {
  // Every callback this file caused was signed and matched the patched schema.
  for (const callback of [...endpoint.received, ...otherEndpoint.received]) expect(callback).toMatchObject({ signatureValid: true, schemaValid: true });
});
