/**
 * Issue 14, item 7: the compose topology, run as processes on this machine (no container engine here). Two API
 * processes (RUN_WORKER=false) and two workers, started from the built code through the image's entry point
 * (scripts/docker-entrypoint.sh, after its `keys ensure` and `migrate` one-shots, as compose.yaml orders them),
 * share one PostgreSQL database, one Redis prefix and one key folder. 50 Google Pay journeys and 20 OCEN loans
 * run at once, each request sent to the next API in turn, so every journey crosses from one API to the other at
 * every step. Then: every loan paid out exactly once (the sandbox rail's book in Redis, the database's rows and
 * transitions), every OCEN callback delivered exactly once (at the loan agents' endpoints and in partner_callback),
 * and the /metrics of the four processes adding up to what was sent: the requests of each API to the requests the
 * test sent it, by surface, operation, partner and status, and the jobs of both workers to the outbox's messages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { Redis } from 'ioredis';
import { builtCode } from '../support/built-code';
import { createTestDatabase, queryDatabase } from '../support/databases';
import { ServerProcess } from '../support/server-process';
import { TEST_TIMEOUTS } from '../support/test-app';
import { FakeAuthService, FakeRegistry, LoanAgent } from '../support/ocen-network';
import { AgentEndpoint, ocenEnvelope, ocenLoanApplication, ocenNetworkEnv } from '../support/ocen-lender-harness';
import { uniquePan } from '../support/ocen-loan-fixtures';
import { PATHS, Phone, approveUserData, inr, newApplicationId, newPhone, panWith, submitData } from '../support/journey';
import { samples, total } from '../support/prometheus-text';
import { importParticipantKey } from '../../src/protocols/ocen/detached-jws';
import { loadConfig } from '../../src/lib/config';
import { freePort } from '../support/free-port';

jest.setTimeout(480_000);

const ROOT = path.resolve(__dirname, '../..');
const ENTRYPOINT = ['sh', 'scripts/docker-entrypoint.sh'];
const GPAY_JOURNEYS = 50;
const OCEN_LOANS = 20;
const AGENTS = ['la-scale-a', 'la-scale-b'];
/** How often a journey asks again while it waits for the worker (a state, an SMS): gently, 70 journeys poll at once. */
const POLL_MS = 300;
/** The longest one step of a journey may wait for the worker (a noisy machine; the payout's answer backs off). */
const STEP_MS = 120_000;
/** The longest the queue may take to fall quiet after the last journey. */
const QUIET_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Set when the test ends: journeys still waiting give up at once instead of outliving it. */
let ended = false;

/** How many times a request answered 503 is sent in all. */
const MAX_TRIES = 8;

type Surface = 'gpay' | 'ocen' | 'sandbox' | 'other';

/**
 * One request on a connection of its own (no keep-alive: a connection the server closes as idle just when the
 * client reuses it would fail a request without an answer, which neither side could count).
 */
function exchange(port: number, request: { method: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = { ...request.headers, ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }) };
    const req = httpRequest({ host: '127.0.0.1', port, method: request.method, path: request.path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(`${request.method} ${request.path} on port ${port}: ${err.code ?? err.message}`)));
    req.end(request.body);
  });
}

/** The HTTP client of the test: each request to the next API in turn, counted as the server labels it. */
class RoundRobin {
  private next = 0;
  /** Requests answered, by API index, then by `surface|operation|partner|status` (the labels of credit_partner_http_requests_total). */
  readonly answered: Array<Map<string, number>>;

  constructor(readonly ports: number[]) {
    this.answered = ports.map(() => new Map());
  }

  /**
   * Sends the request to the next API and reads the answer. A 503 ("a dependency is unavailable; retry later with
   * the same requestId": a database or Redis call timed out on this shared machine) is sent again, unchanged, as
   * a partner does, after a pause, to the next API in turn; every answer is counted, the 503s too.
   */
  async send(request: { method: 'GET' | 'POST'; path: string; surface: Surface; operation: string; partner: string; headers?: Record<string, string>; body?: string; api?: number }) {
    for (let attempt = 1; ; attempt++) {
      const api = request.api ?? this.next++ % this.ports.length;
      const res = await exchange(this.ports[api], request);
      const text = res.text;
      const key = [request.surface, `${request.method} ${request.operation}`, request.partner, res.status].join('|');
      this.answered[api].set(key, (this.answered[api].get(key) ?? 0) + 1);
      if (res.status === 503 && attempt < MAX_TRIES && !ended) {
        await sleep(250 * attempt + Math.random() * 250);
        continue;
      }
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = text;
      }
      return { status: res.status, json };
    }
  }

  sentTo(api: number): number {
    return [...this.answered[api].values()].reduce((a, b) => a + b, 0);
  }
}


/** A count map as a plain object, keys in order (for comparing and printing). */
const sorted = (map: Map<string, number>) => Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));

/** Polls `probe` every POLL_MS (with a little jitter) until `done` holds; fails naming `what` after `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = STEP_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (ended) throw new Error(`${what}: the test ended`);
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms; last: ${JSON.stringify(value).slice(0, 500)}`);
    await sleep(POLL_MS + Math.random() * 100);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The deployment: one database, one Redis prefix, one key folder; keys and migrate one-shots, two APIs, two workers.

interface Running {
  name: string;
  process: ServerProcess;
  metricsPort: number;
}

const redisUrl = loadConfig({}).redisUrl;
const prefix = `cps-${randomBytes(5).toString('hex')}`;
const keysDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cp-scale-')), 'keys');
const documentsDir = path.join(path.dirname(keysDir), 'documents');
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
let auth: FakeAuthService | undefined;
let registry: FakeRegistry | undefined;
const agents = AGENTS.map((id) => new LoanAgent(id, { kid: `${id}-key` }));
const endpoints = new Map<string, AgentEndpoint>();
let lenderKey: Awaited<ReturnType<typeof importParticipantKey>> | undefined;
const apis: Running[] = [];
const workers: Running[] = [];
/** Every process started, ready or not, for afterAll to end. */
const processes: Array<{ name: string; process: ServerProcess }> = [];
let redis: Redis | undefined;
let client: RoundRobin;

function environment(): Record<string, string> {
  return {
    APP_ENV: 'sandbox',
    DATABASE_URL: database!.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    KEYS_DIR: keysDir,
    DOCUMENTS_DIR: documentsDir,
    // compose.yaml gives 10 and 8 against a PostgreSQL of max_connections=200; this machine's has 100, shared with
    // the test files running beside this one. Per process at most pool + 4, and a worker's payout claims 4 + 2 more.
    DATABASE_POOL_SIZE: '5',
    WORKER_CONCURRENCY: '4',
    METRICS_PORT: '0',
    METRICS_HOST: '127.0.0.1',
    ...TEST_TIMEOUTS,
    ...ocenNetworkEnv(auth!, registry!),
  };
}

function oneShot(args: string[]): string {
  const run = spawnSync(ENTRYPOINT[0], [...ENTRYPOINT.slice(1), ...args], { cwd: ROOT, env: { ...process.env, ...environment() }, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`credit-partner ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

beforeAll(async () => {
  await builtCode();
  database = await createTestDatabase();
  redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  [auth, registry] = await Promise.all([FakeAuthService.start(), FakeRegistry.start()]);
  for (const agent of agents) {
    const endpoint = new AgentEndpoint(async () => lenderKey!);
    await endpoint.up();
    registry.register(agent, { baseUrl: endpoint.baseUrl });
    endpoints.set(agent.participantId, endpoint);
  }

  // compose.yaml: `keys ensure` and `migrate` first, then the four long-running containers, all at once.
  expect(JSON.parse(oneShot(['keys', 'ensure']))).toMatchObject({ generated: keysDir });
  expect(oneShot(['migrate'])).toBe('database is up to date\n');
  const ports = [await freePort(), await freePort()];
  const starting = [
    ...ports.map((port, i) => ({ name: `api-${i + 1}`, kind: 'api', env: { PORT: String(port), RUN_WORKER: 'false', PUBLIC_BASE_URL: `http://127.0.0.1:${ports[0]}` } })),
    ...[1, 2].map((n) => ({ name: `worker-${n}`, kind: 'worker', env: {} as Record<string, string> })),
  ].map(({ name, kind, env }) => ({ name, kind, process: ServerProcess.command([...ENTRYPOINT, kind], { ...environment(), ...env }) }));
  processes.push(...starting);
  for (const { name, kind, process: started } of starting) {
    const ready = await started.logged(kind === 'api' ? /^metrics at GET \/metrics$/ : /worker running/, 90_000);
    if (kind === 'api') await started.logged(/listening/, 90_000);
    (kind === 'api' ? apis : workers).push({ name, process: started, metricsPort: Number(ready.metricsPort) });
  }
  client = new RoundRobin(ports);
}, 300_000);

afterAll(async () => {
  ended = true;
  await Promise.all(processes.map((running) => running.process.stop()));
  // What the processes warned of, for a failure's diagnosis (test-artifacts/ is git-ignored).
  fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
  for (const running of processes) {
    const warnings = running.process.log.filter((line) => !['trace', 'debug', 'info'].includes(String(line.level)));
    fs.writeFileSync(path.join(ROOT, `test-artifacts/scale-out-${running.name}.log`), warnings.map((line) => JSON.stringify(line)).join('\n'));
  }
  await Promise.all([auth?.close(), registry?.close(), ...[...endpoints.values()].map((endpoint) => endpoint.down())]);
  if (redis) {
    const keys: string[] = [];
    const stream = redis.scanStream({ match: `${prefix}:*`, count: 1000 });
    for await (const batch of stream) keys.push(...(batch as string[]));
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    redis.disconnect();
  }
  await database?.drop();
  fs.rmSync(path.dirname(keysDir), { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------
// The sandbox's phone and bank pages, shared by both protocols.

const SANDBOX_PARTNER = 'gpay';

async function smsMessages(msisdn: string): Promise<string[]> {
  const res = await client.send({ method: 'GET', path: `/sandbox/sms-outbox?phone=${msisdn}`, surface: 'sandbox', operation: '/sandbox/sms-outbox', partner: SANDBOX_PARTNER });
  if (res.status !== 200) throw new Error(`sms-outbox answered ${res.status}: ${JSON.stringify(res.json)}`);
  return (res.json.messages as Array<{ text: string }>).map((message) => message.text);
}

/** The borrower finishes a step on the bank's page (KYC or the mandate), as the partner's borrower (`partnerId`). */
async function completeOnPage(reference: string, step: 'kyc' | 'repayment-setup', partnerId: string): Promise<void> {
  const res = await client.send({
    method: 'POST',
    path: `/sandbox/applications/${reference}/${step}/complete`,
    surface: 'sandbox',
    operation: `/sandbox/applications/:reference/${step}/complete`,
    partner: partnerId,
    headers: { 'content-type': 'application/json', ...(partnerId === SANDBOX_PARTNER ? {} : { 'x-partner-id': partnerId }) },
    body: JSON.stringify({ outcome: 'APPROVED' }),
  });
  if (res.status !== 200) throw new Error(`${step}/complete of ${reference} answered ${res.status}: ${JSON.stringify(res.json)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// A Google Pay journey, from the OTP to a DISBURSED application with an ACTIVE loan account.

async function gpay(operationPath: string, data: unknown): Promise<any> {
  const res = await client.send({
    method: 'POST',
    path: operationPath,
    surface: 'gpay',
    operation: operationPath,
    partner: SANDBOX_PARTNER,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ requestHeader: { requestId: randomUUID(), requestTimestamp: { epochMillis: String(Date.now()) }, protocolVersion: { major: 1 } }, data }),
  });
  if (res.status !== 200) throw new Error(`${operationPath} answered ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json.data;
}

async function challenge(phone: Phone, context: 'userApprovalContext' | 'submitApplicationContext') {
  const msisdn = `${phone.countryCode}${phone.nationalNumber}`;
  const before = (await smsMessages(msisdn)).length;
  const started = await gpay(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { [context]: {} } });
  const format = new RegExp(started.tokenMetadata.smsOtpMetadata.format.messageRegex);
  const messages = await until(`the ${context} SMS to ${msisdn}`, () => smsMessages(msisdn), (texts) => texts.slice(0, texts.length - before).some((text) => format.test(text)));
  const otp = format.exec(messages.slice(0, messages.length - before).find((text) => format.test(text))!)![1];
  return { tokenReferenceId: started.tokenReferenceId as string, otp };
}

async function googlePayJourney(): Promise<{ gid: string; reference: string }> {
  const phone = newPhone();
  const gid = newApplicationId();
  await gpay(PATHS.approveUser, approveUserData(gid, phone, await challenge(phone, 'userApprovalContext'), { pan: panWith('1234') }));
  const status = () => gpay(PATHS.getStatus, { googleApplicationId: gid });
  const decision = await until(`the decision of ${gid}`, () => gpay(PATHS.getApprovalStatus, { googleApplicationId: gid }), (d) => d.applicationState !== 'IN_PROCESS');
  const offerId = decision.approvedStateContext?.offerId as string | undefined;
  if (!offerId) throw new Error(`${gid} was not approved: ${JSON.stringify(decision)}`);

  await gpay(PATHS.initiateKyc, { googleApplicationId: gid, offerId });
  await completeOnPage(gid, 'kyc', SANDBOX_PARTNER);
  await until(`the KYC of ${gid}`, status, (s) => s.kyc.state === 'APPROVED');
  await gpay(PATHS.initiateRepaymentSetup, { googleApplicationId: gid });
  await completeOnPage(gid, 'repayment-setup', SANDBOX_PARTNER);
  await until(`the mandate of ${gid}`, status, (s) => s.repaymentSetup.state === 'ACTIVE');

  const { offer } = await gpay(PATHS.fetchOffer, { offerId });
  const rateE5 = Number(offer.termCreditOfferDetails.interestStructure.fixed.interestCharge.percentageValueE5);
  const kfs = await gpay(PATHS.keyFactStatement, { googleApplicationId: gid, offerId, loanApplicationDetails: { loanAmount: inr(100_000), tenure: { periodType: 'MONTH', length: 12 } } });
  const proof = await challenge(phone, 'submitApplicationContext');
  const submitted = await gpay(PATHS.submit, submitData(gid, offerId, phone, proof, { amountRupees: 100_000, tenureMonths: 12, rateE5, kfsId: kfs.kfsId }));
  const paid = await until(`the payout of ${gid}`, status, (s) => s.applicationState !== 'SUBMITTED');
  if (paid.applicationState !== 'DISBURSED') throw new Error(`${gid} is ${paid.applicationState}, not DISBURSED`);
  const account = await gpay(PATHS.getAccount, { accountToken: paid.accountToken });
  if (account.accountState.state !== 'ACTIVE') throw new Error(`the loan account of ${gid} is ${account.accountState.state}`);
  return { gid, reference: submitted.partnerApplicationReferenceId as string };
}

// ---------------------------------------------------------------------------------------------------------------
// An OCEN loan, driven by a loan agent from createLoan to DISBURSEMENT_COMPLETED; each request's callback awaited.

/** Every OCEN request acked, by agent: its requestId and operation. */
const asked = new Map<string, Array<{ requestId: string; operation: string }>>(AGENTS.map((id) => [id, []]));
const tokens = new Map<string, Promise<string>>();

async function ask(agent: LoanAgent, operation: string, members: Record<string, unknown>): Promise<Record<string, any>> {
  const request = { ...ocenEnvelope(agent.participantId), ...members };
  const bytes = JSON.stringify(request);
  if (!tokens.has(agent.participantId)) tokens.set(agent.participantId, auth!.tokenFor(agent.participantId, { expiresInSec: 3600 }));
  const ack = await client.send({
    method: 'POST',
    path: `/v4.0.0alpha/${operation}`,
    surface: 'ocen',
    operation: `/v4.0.0alpha/${operation}`,
    partner: agent.participantId,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokens.get(agent.participantId)}`, 'x-jws-signature': agent.sign(bytes) },
    body: bytes,
  });
  if (ack.status !== 200 || ack.json?.error !== '0') throw new Error(`${operation} was refused: HTTP ${ack.status} ${JSON.stringify(ack.json)}`);
  asked.get(agent.participantId)!.push({ requestId: request.metadata.requestId, operation });
  const endpoint = endpoints.get(agent.participantId)!;
  const [callback] = await until(`the answer to ${operation} ${request.metadata.requestId}`, async () => endpoint.answering(request.metadata.requestId), (found) => found.length > 0);
  return callback.body;
}

/** Asks again (a fresh request each time) until the answer shows the state. */
async function askUntil(agent: LoanAgent, operation: string, members: Record<string, unknown>, done: (answer: Record<string, any>) => boolean): Promise<Record<string, any>> {
  return until(`${operation} of ${agent.participantId}`, () => ask(agent, operation, members), done);
}

async function ocenLoan(agent: LoanAgent): Promise<{ id: string; loanId: string }> {
  const id = `scale-${randomUUID()}`;
  const phone = newPhone().nationalNumber;
  const appToken = randomBytes(8).toString('base64url').slice(0, 11);
  const created = await ask(agent, 'loanApplications/createLoanRequest', { loanApplications: [ocenLoanApplication(id, '1234', { pan: uniquePan(), phone })] });
  if (created.loanApplications[0].loanApplicationStatus === 'REJECTED') throw new Error(`${id} was rejected`);
  const offered = await askUntil(agent, 'offers/generateOffersRequest', { loanApplicationIds: [id] }, (a) => a.loanApplications[0].loanApplicationStatus !== 'PROCESSING');
  const offer = offered.loanApplications[0].offers?.find((o: any) => o.terms.tenure.duration === 12);
  if (!offer) throw new Error(`${id} has no 12-month offer: ${JSON.stringify(offered.loanApplications[0])}`);
  await ask(agent, 'offers/setOffersRequest', { loanApplicationId: id, offer });

  const kyc = await ask(agent, 'kyc/triggerKycRequest', { loanApplicationId: id, kyc: {}, baRedirectURL: 'https://la.example/kyc-done' });
  await completeOnPage(id, 'kyc', agent.participantId);
  await askUntil(agent, 'kyc/kycStatusRequest', { loanApplicationId: id, kyc: { kycRefNo: kyc.kyc.kycRefNo } }, (a) => a.loanApplicationStatus === 'KYC_COMPLETED');

  await ask(agent, 'loanAcceptance/loanAgreementRequest', { loanApplicationId: id });
  const triggered = await ask(agent, 'loanAcceptance/triggerLoanAcceptanceRequest', { loanApplicationId: id, credBlock: { type: 'OTP', data: { appToken } } });
  const texts = await until(`the acceptance SMS of ${id}`, () => smsMessages(`91${phone}`), (found) => found.some((text) => text.endsWith(` ${appToken}`)));
  const otp = /^(\d{6}) /.exec(texts.find((text) => text.endsWith(` ${appToken}`))!)![1];
  const verified = await ask(agent, 'loanAcceptance/verifyLoanAcceptanceRequest', { loanApplicationId: id, credBlock: { data: { otpSessionKey: triggered.credBlock.data.otpSessionKey, otp: Number(otp) } } });
  if (verified.loanApplicationStatus !== 'LOAN_AGREEMENT_COMPLETED') throw new Error(`the agreement of ${id} is ${verified.loanApplicationStatus}`);
  const granted = await ask(agent, 'grantLoan/grantLoanRequest', { loanApplicationId: id });
  const loanId = granted.loanDetails.loanId as string;

  const plan = offer.repayment.plans[0];
  const setUp = await ask(agent, 'disbursement/setRepaymentPlanRequest', { loanApplicationId: id, loanId, plan, hasCollectionSupport: false });
  await completeOnPage(id, 'repayment-setup', agent.participantId);
  await askUntil(agent, 'disbursement/setRepaymentPlanStatusRequest', { loanApplicationId: id, loanId, plan, paymentMethod: setUp.paymentMethod }, (a) => a.plan.status === 'ACTIVE');
  await ask(agent, 'disbursement/setDisbursementAccountRequest', {
    loanApplicationId: id,
    loanId,
    account: { accountDataType: 'ACCOUNT', status: 'ACTIVE', data: { accountType: 'SAVING', accountIFSC: 'HDFC0000001', accountNumber: '50100012345678', accountHolderName: 'Asha Rao' } },
  });
  const paid = await ask(agent, 'disbursement/triggerDisbursementRequest', { loanId, payment: { id: 'payout-1', totalAmount: offer.terms.netDisbursedAmount, status: 'PENDING_AUTH', paymentMethodType: 'NETBANKING' } });
  if (paid.loanApplicationStatus !== 'DISBURSEMENT_COMPLETED') throw new Error(`the payout of ${id} is ${paid.loanApplicationStatus}`);
  return { id, loanId };
}

// ---------------------------------------------------------------------------------------------------------------

async function scrape(running: Running): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${running.metricsPort}/metrics`);
  if (res.status !== 200) throw new Error(`${running.name}'s /metrics answered ${res.status}`);
  return res.text();
}

/** Runs every task at once; fails with all their errors (not only the first) once each has ended. */
async function all<T>(tasks: Array<() => Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(tasks.map((task) => task()));
  const failed = settled.flatMap((s) => (s.status === 'rejected' ? [String((s.reason as Error)?.stack ?? s.reason)] : []));
  if (failed.length) throw new Error(`${failed.length} of ${tasks.length} journeys failed:\n${failed.slice(0, 5).join('\n\n')}`);
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

describe('two API processes and two workers on one PostgreSQL and Redis (the compose topology, from the built code)', () => {
  it('when 50 Google Pay journeys and 20 OCEN loans run at once across both APIs, then every loan is paid out once, every callback is delivered once, and the metrics of the four processes add up to what was sent', async () => {
    // Both APIs are ready and publish the same keys (one key folder): the agents verify callbacks with them.
    for (const api of [0, 1]) {
      const ready = await client.send({ api, method: 'GET', path: '/readyz', surface: 'other', operation: '/readyz', partner: 'unknown' });
      expect(ready).toMatchObject({ status: 200, json: { status: 'ready' } });
    }
    const jwks = await Promise.all([0, 1].map((api) => client.send({ api, method: 'GET', path: '/.well-known/jwks.json', surface: 'other', operation: '/.well-known/jwks.json', partner: 'unknown' })));
    expect(jwks[1].json).toEqual(jwks[0].json);
    lenderKey = await importParticipantKey(jwks[0].json.keys.find((k: { alg: string }) => k.alg === 'RS256'));

    const started = Date.now();
    const loans = await all<{ gid: string; reference: string } | { id: string; loanId: string }>([
      ...Array.from({ length: GPAY_JOURNEYS }, () => () => googlePayJourney()),
      ...Array.from({ length: OCEN_LOANS }, (_, i) => () => ocenLoan(agents[i % agents.length])),
    ]);
    const gpayLoans = loans.slice(0, GPAY_JOURNEYS) as Array<{ gid: string; reference: string }>;
    const ocenLoans = loans.slice(GPAY_JOURNEYS) as Array<{ id: string; loanId: string }>;
    const journeysMs = Date.now() - started;

    // The work the journeys left drains: nothing unpublished or queued, and every message of the outbox done (a
    // message due later, such as a KYC's expiry days ahead, is a job of another day and left out).
    const outbox = () => queryDatabase<{ topic: string; staged: string; unpublished: string }>(database!.url,
      `SELECT topic, count(*) AS staged, count(*) FILTER (WHERE published_at IS NULL) AS unpublished FROM outbox_message
       WHERE available_at <= now() GROUP BY topic ORDER BY topic`);
    let workerScrapes: string[] = [];
    const jobsDone = new Map<string, number>();
    const staged = new Map<string, number>();
    await until('the queue to fall quiet', async () => {
      workerScrapes = await Promise.all(workers.map(scrape));
      jobsDone.clear();
      for (const text of workerScrapes) {
        for (const { labels, value } of samples(text, 'credit_partner_job_duration_seconds_count')) {
          if (labels.outcome === 'ok') jobsDone.set(labels.job, (jobsDone.get(labels.job) ?? 0) + value);
        }
      }
      staged.clear();
      const rows = await outbox();
      for (const row of rows) staged.set(row.topic, Number(row.staged));
      const queued = ['waiting', 'active', 'delayed'].reduce((sum, state) => sum + total(workerScrapes[0], 'credit_partner_queue_jobs', { state }), 0);
      return { queued, unpublished: rows.reduce((sum, row) => sum + Number(row.unpublished), 0), staged: sorted(staged), done: sorted(jobsDone) };
    }, ({ queued, unpublished, staged: inOutbox, done }) => queued === 0 && unpublished === 0 && Object.entries(inOutbox).every(([topic, count]) => (done[topic] ?? 0) >= count), QUIET_MS);
    const [{ later }] = await queryDatabase<{ later: string }>(database!.url, 'SELECT count(*) AS later FROM outbox_message WHERE available_at > now()');
    const apiScrapes = await Promise.all(apis.map(scrape));

    // Every loan paid out exactly once: one DISBURSED application, one SUCCEEDED payout, one loan account and one
    // DISBURSED transition each, and one transfer per payout reference on the rail's book (kept in Redis, shared by
    // the workers: its count of transfers per reference is the bank's side of "exactly once").
    const applications = await queryDatabase<{ partner_id: string; external_reference: string; application_state: string; reference: string; payout: string; accounts: string; disbursed: string }>(database!.url, `
      SELECT a.partner_id, a.external_reference, a.application_state, d.reference, d.state AS payout,
             (SELECT count(*) FROM loan_account l WHERE l.application_id = a.id) AS accounts,
             (SELECT count(*) FROM state_transition s WHERE s.aggregate = 'application' AND s.entity_id = a.id AND s.to_state = 'DISBURSED') AS disbursed
      FROM application a LEFT JOIN disbursement d ON d.application_id = a.id`);
    expect(applications).toHaveLength(GPAY_JOURNEYS + OCEN_LOANS);
    expect(new Set(applications.map((a) => a.external_reference))).toEqual(new Set([...gpayLoans.map((l) => l.gid), ...ocenLoans.map((l) => l.id)]));
    const unlike = applications.filter((a) => a.application_state !== 'DISBURSED' || a.payout !== 'SUCCEEDED' || a.accounts !== '1' || a.disbursed !== '1');
    expect(unlike).toEqual([]);
    const railKeys: string[] = [];
    for await (const batch of redis!.scanStream({ match: `${prefix}:sandbox:rail:*`, count: 1000 })) railKeys.push(...(batch as string[]));
    const transfers = new Map(await Promise.all(railKeys.map(async (key) => [key.slice(`${prefix}:sandbox:rail:`.length), Number(await redis!.hget(key, 'calls'))] as const)));
    expect(new Set(transfers.keys())).toEqual(new Set(applications.map((a) => a.reference)));
    expect([...transfers].filter(([, calls]) => calls !== 1)).toEqual([]);
    expect(new Set(applications.filter((a) => a.partner_id === SANDBOX_PARTNER).map((a) => a.reference))).toEqual(new Set(gpayLoans.map((l) => `DSB${l.reference}`)));
    const railTransfers = workerScrapes.map((text) => total(text, 'credit_partner_adapter_calls_total', { port: 'rail', method: 'transfer', outcome: 'ok' }));
    expect(railTransfers.reduce((a, b) => a + b, 0)).toBe(GPAY_JOURNEYS + OCEN_LOANS);

    // Every OCEN callback delivered exactly once: one per request at its agent's endpoint (signed with the key both
    // APIs publish, valid against loan.json), none unasked; one partner_callback row each, delivered at the first try.
    const requests = [...asked.values()].flat();
    for (const [participantId, sent] of asked) {
      const received = endpoints.get(participantId)!.received;
      const perRequest = new Map<string, number>();
      for (const callback of received) perRequest.set(callback.body.metadata.requestId, (perRequest.get(callback.body.metadata.requestId) ?? 0) + 1);
      expect(received).toHaveLength(sent.length);
      expect(sent.filter(({ requestId }) => perRequest.get(requestId) !== 1)).toEqual([]);
      expect(received.filter((callback) => !callback.signatureValid || !callback.schemaValid).map((callback) => callback.path)).toEqual([]);
    }
    const callbackRows = await queryDatabase<{ operation: string; attempts: number; delivered_at: Date | null }>(database!.url, 'SELECT operation, attempts, delivered_at FROM partner_callback');
    expect(callbackRows).toHaveLength(requests.length);
    expect(callbackRows.filter((row) => row.attempts !== 1 || row.delivered_at === null)).toEqual([]);
    const deliveries = (outcome: string) => workerScrapes.reduce((sum, text) => sum + total(text, 'credit_partner_callback_deliveries_total', { surface: 'ocen', outcome }), 0);
    expect({ ok: deliveries('ok'), error: deliveries('error') }).toEqual({ ok: requests.length, error: 0 });

    // The metrics add up. Each API counted exactly the requests the test sent it, label for label (surface,
    // operation, partner, status), and each took half of them; the workers' jobs are the outbox's messages, topic
    // for topic (each job once: one run twice would count twice), and both workers took a share. A request refused
    // before its route is matched (a 503 while its partner is looked up) is labelled operation "unmatched", partner
    // "unknown": the answers other than 200 (the 503s a retried request met) are compared by surface and status.
    const folded = (entries: Iterable<[string, number]>) => {
      const found = new Map<string, number>();
      for (const [key, value] of entries) {
        const [surface, , , status] = key.split('|');
        const label = status === '200' ? key : [surface, '*', '*', status].join('|');
        found.set(label, (found.get(label) ?? 0) + value);
      }
      return sorted(found);
    };
    const byLabels = (text: string) =>
      samples(text, 'credit_partner_http_requests_total').map(({ labels, value }) => [[labels.surface, labels.operation, labels.partner, labels.status].join('|'), value] as [string, number]);
    apiScrapes.forEach((text, api) => expect(folded(byLabels(text))).toEqual(folded(client.answered[api])));
    const perApi = apiScrapes.map((text) => total(text, 'credit_partner_http_requests_total'));
    expect(perApi).toEqual([client.sentTo(0), client.sentTo(1)]);
    expect(Math.abs(perApi[0] - perApi[1])).toBeLessThanOrEqual(1);
    for (const text of apiScrapes) expect(total(text, 'credit_partner_job_duration_seconds_count')).toBe(0);

    expect(sorted(jobsDone)).toEqual(sorted(staged));
    const perWorker = workerScrapes.map((text) => total(text, 'credit_partner_job_duration_seconds_count', { outcome: 'ok' }));
    expect(perWorker.every((count) => count > 0)).toBe(true);
    expect(jobsDone.get('ocen.callback')).toBe(requests.length);
    expect(jobsDone.get('loan.disburse')).toBe(GPAY_JOURNEYS + OCEN_LOANS);

    const bySurface = new Map<string, number>();
    for (const text of apiScrapes) for (const { labels, value } of samples(text, 'credit_partner_http_requests_total')) bySurface.set(labels.surface, (bySurface.get(labels.surface) ?? 0) + value);
    const summary = {
      loans: { googlePay: gpayLoans.length, ocen: ocenLoans.length, railTransfersPerReference: [...new Set(transfers.values())] },
      requests: Object.fromEntries(apis.map((api, i) => [api.name, { answered: perApi[i], of503: total(apiScrapes[i], 'credit_partner_http_requests_total', { status: '503' }) }])),
      requestsBySurface: sorted(bySurface),
      jobs: Object.fromEntries(workers.map((worker, i) => [worker.name, perWorker[i]])),
      jobsByTopic: sorted(jobsDone),
      jobsDueLater: Number(later),
      railTransfers: Object.fromEntries(workers.map((worker, i) => [worker.name, railTransfers[i]])),
      callbacks: { requests: requests.length, delivered: deliveries('ok'), failedAttempts: deliveries('error'), byAgent: Object.fromEntries([...asked].map(([id, sent]) => [id, sent.length])) },
      journeysSeconds: Math.round(journeysMs / 100) / 10,
    };
    fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'test-artifacts/scale-out.json'), `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(`scale-out: ${JSON.stringify(summary)}\n`);
  });
});
