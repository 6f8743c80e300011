#!/usr/bin/env node
// `npm run bench`: throughput and latency of the partner API as ratios to a bare Express JSON echo on the same
// machine. Starts the built server (dist/) on a database and Redis key prefix of its own, prepares data through
// the wire API only, runs autocannon in the order echo, getStatus, echo, approveUser, echo, and compares each
// endpoint with the mean of the echo runs right before and after it, so drift of a noisy machine cancels out.
// Options (argv over env): --duration-s / BENCH_DURATION_S (default 10), --connections / BENCH_CONNECTIONS
// (default 50), --challenges / BENCH_CHALLENGES (default 15000: OTP challenges pre-issued for approveUser, more than 10 s of it uses),
// --only getStatus|approveUser (one endpoint between two echo runs), --worker in-process|separate (default
// in-process: `npm start`, API and worker in one process; separate: the API with RUN_WORKER=false plus
// `npm run worker`, the topology that scales them apart), --profile DIR (the server writes a V8 CPU
// profile into DIR when it stops; `node scripts/profile-summary.js FILE` names where the time went).
// --servicing N (issue 16): instead of the API bench, N active loans written straight into a fresh database of their
// own (migrated by the project's runner), then ONE business day: every close-of-business step and the day's
// collections (dist/src/servicing-bench-main.js); prints each step's time, the rows written and the trial balance.
// With it, --concurrency C (default 8) bounds the collections run at once, --date YYYY-MM-DD sets the business date
// (default 2027-03-15, a Monday), and --profile DIR profiles that process.
'use strict';

const { spawn } = require('node:child_process');
const { randomBytes, randomInt } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const autocannon = require('autocannon');
const { Redis } = require('ioredis');
const { Client } = require('pg');

const ROOT = path.resolve(__dirname, '..');
const POSTGRES_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = 'redis://127.0.0.1:6379';
const PATHS = {
  initiateChallenge: '/v1/financialservices/user/initiateChallenge',
  approveUser: '/v1/financialservices/credit/offer/approveUser',
  getApprovalStatus: '/v1/financialservices/credit/offer/getApprovalStatus',
  getStatus: '/v1/financialservices/credit/application/getStatus',
};
const STATUS_APPLICATIONS = 50;
const PREPARE_CONCURRENCY = 20;
/** README "OTP rules": a code is valid for 5 minutes. */
const CHALLENGE_VALIDITY_MS = 5 * 60_000;
const SERVER_START_TIMEOUT_MS = 120_000;
const DECISION_TIMEOUT_MS = 300_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function poll(what, probe, done, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

async function mapConcurrent(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

const roundRobin = (items) => {
  let next = 0;
  return () => items[next++ % items.length];
};

// ---------------------------------------------------------------------------------------------- options

function readOptions() {
  const { values } = parseArgs({
    options: {
      'duration-s': { type: 'string' },
      connections: { type: 'string' },
      challenges: { type: 'string' },
      only: { type: 'string' },
      worker: { type: 'string' },
      profile: { type: 'string' },
      servicing: { type: 'string' },
      concurrency: { type: 'string' },
      date: { type: 'string' },
    },
  });
  if (values.worker !== undefined && !['in-process', 'separate'].includes(values.worker)) throw new Error('--worker takes in-process or separate');
  if (values.only !== undefined && !['getStatus', 'approveUser'].includes(values.only)) throw new Error('--only takes getStatus or approveUser');
  const options = {
    durationS: positiveInteger('duration-s', values['duration-s'] ?? process.env.BENCH_DURATION_S, 10),
    connections: positiveInteger('connections', values.connections ?? process.env.BENCH_CONNECTIONS, 50),
    challenges: positiveInteger('challenges', values.challenges ?? process.env.BENCH_CHALLENGES, 15000),
    only: values.only,
    worker: values.worker ?? 'in-process',
    profileDir: values.profile === undefined ? undefined : path.resolve(values.profile),
    servicing: values.servicing === undefined ? undefined : positiveInteger('servicing', values.servicing, 0),
    concurrency: positiveInteger('concurrency', values.concurrency, 8),
    date: values.date ?? '2027-03-15',
  };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.date)) throw new Error(`--date takes YYYY-MM-DD, got "${options.date}"`);
  // autocannon hands every connection a share of `amount` and refuses a share of zero.
  if (options.challenges < options.connections) throw new Error('challenges must be at least the number of connections');
  return options;
}

function positiveInteger(name, raw, fallback) {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

// ---------------------------------------------------------------------------------------------- cleanup

const cleanups = [];
let cleaning;

/** Registers an undo step; they run in reverse order, once, whatever happened. */
function onCleanup(step) {
  cleanups.push(step);
}

function cleanup() {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      await step().catch((err) => console.error(`cleanup: ${err.message}`));
    }
  })();
  return cleaning;
}

// ---------------------------------------------------------------------------------------------- environment

async function withPostgres(work) {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 10_000, query_timeout: 60_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(name) {
  await withPostgres((client) => client.query(`CREATE DATABASE "${name}"`));
  onCleanup(() => withPostgres((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function deleteRedisKeys(prefix) {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 10_000, commandTimeout: 30_000, retryStrategy: () => null });
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 })) {
      if (keys.length) await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** A Node child process with its output in `logFile`; stopped by cleanup. */
function startChild(script, env, logFile, nodeArgs = []) {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  onCleanup(() => stopChild(child));
  return child;
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function waitForOk(child, url, init, logFile) {
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with code ${child.exitCode} while starting; see ${logFile}`);
    const ok = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) }).then((res) => res.ok, () => false);
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`${url} did not answer 200 within ${SERVER_START_TIMEOUT_MS / 1000} s; see ${logFile}`);
}

/** The real server as `npm start` runs it (migrations, API and worker), on a database and Redis prefix of its own. */
async function startServer(runId, logFile, { profileDir, worker }) {
  const databaseUrl = await createDatabase(`credit_partner_bench_${runId}`);
  const queuePrefix = `credit-partner-bench-${runId}`;
  onCleanup(() => deleteRedisKeys(queuePrefix));
  const port = await freePort();
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    PORT: String(port),
    APP_ENV: 'sandbox',
    LOG_LEVEL: 'info',
    // The bench relies on these defaults; a value inherited from the shell must not change them.
    BASE_PATH: '',
    RUN_WORKER: worker === 'in-process' ? 'true' : 'false',
  };
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = startChild(path.join(ROOT, 'dist/src/main.js'), env, logFile, nodeArgs);
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(child, `${url}/healthz`, {}, logFile);
  if (worker === 'separate') {
    const { PORT: _port, ...workerEnv } = env;
    startChild(path.join(ROOT, 'dist/src/worker-main.js'), { ...workerEnv, RUN_WORKER: 'true' }, logFile.replace(/server\.log$/, 'worker.log'));
  }
  return url;
}

async function startEcho(logFile) {
  const port = await freePort();
  const child = startChild(path.join(__dirname, 'bench-echo.js'), { PORT: String(port) }, logFile);
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(child, url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, logFile);
  return url;
}

// ---------------------------------------------------------------------------------------------- partner API

let requestCount = 0;

function envelope(data) {
  return {
    requestHeader: {
      requestId: `bench-${(requestCount++).toString(36)}`,
      requestTimestamp: { epochMillis: String(Date.now()) },
      protocolVersion: { major: 1 },
    },
    data,
  };
}

async function post(baseUrl, apiPath, data) {
  const res = await fetch(baseUrl + apiPath, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(envelope(data)),
    signal: AbortSignal.timeout(30_000),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`${apiPath} answered ${res.status}: ${JSON.stringify(body.errorResponse ?? body)}`);
  return body.data;
}

async function get(baseUrl, urlPath) {
  const res = await fetch(baseUrl + urlPath, { signal: AbortSignal.timeout(30_000) });
  if (res.status !== 200) throw new Error(`GET ${urlPath} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

const usedPhones = new Set();

/** A phone number not used before in this run: a phone gets at most 10 challenges, and its SMS must be ours alone. */
function newPhone() {
  for (;;) {
    const nationalNumber = `9${String(randomInt(1e9)).padStart(9, '0')}`;
    if (!usedPhones.has(nationalNumber)) {
      usedPhones.add(nationalNumber);
      return { countryCode: '91', nationalNumber };
    }
  }
}

const newApplicationId = () => `GAPP-${randomBytes(8).toString('hex')}`;

/** A PAN of the underwriting policy, not of a sandbox persona (those have the digits 9001–9005). */
const newPan = () => `${randomLetters(5)}1234${randomLetters(1)}`;
const randomLetters = (n) => Array.from({ length: n }, () => String.fromCharCode(65 + randomInt(26))).join('');

async function issueChallenge(baseUrl) {
  const phone = newPhone();
  const data = await post(baseUrl, PATHS.initiateChallenge, {
    userIdentifier: { phoneNumber: phone },
    challengeMechanism: [{ type: 'SMS_OTP' }],
    challengeContext: { userApprovalContext: {} },
  });
  return { phone, tokenReferenceId: data.tokenReferenceId, messageRegex: data.tokenMetadata.smsOtpMetadata.format.messageRegex };
}

/** The code from the sandbox phone; the SMS is sent asynchronously by the worker. */
async function readOtp(baseUrl, challenge) {
  const msisdn = challenge.phone.countryCode + challenge.phone.nationalNumber;
  const messages = await poll(
    `SMS to ${msisdn}`,
    async () => (await get(baseUrl, `/sandbox/sms-outbox?phone=${msisdn}`)).messages,
    (list) => list.length > 0,
    60_000,
  );
  const match = new RegExp(challenge.messageRegex).exec(messages[0].text);
  if (!match) throw new Error(`the SMS does not match the announced regex: ${messages[0].text}`);
  return { phone: challenge.phone, tokenReferenceId: challenge.tokenReferenceId, otp: match[1] };
}

/** The body of test/support/journey.ts approveUserData: a salaried 36-year-old whom the policy approves. */
function approveUserData(googleApplicationId, proof) {
  const address = { addressLine1: '101, Lake View Apartments', postalCode: '560038', city: 'Bengaluru', state: 'Karnataka', country: 'IN' };
  const inr = (rupees) => ({ currencyCode: 'INR', amountMicros: String(rupees * 1_000_000) });
  return {
    googleApplicationId,
    productId: 'PERSONAL_LOAN',
    challenge: { tokenReferenceId: proof.tokenReferenceId, tokens: [{ type: 'SMS_OTP', value: proof.otp }] },
    userIdentifier: { phoneNumber: proof.phone },
    loanDetails: { amount: inr(100_000), loanPurpose: 'HOME_RENOVATION' },
    user: {
      fullName: 'Asha Rao',
      emailAddress: 'asha.rao@example.com',
      type: 'NEW_TO_BANK',
      addresses: [{ ...address, addressTags: ['RESIDENTIAL_ADDRESS', 'COMMUNICATION_ADDRESS'] }],
      pan: newPan(),
      dateOfBirth: '1990-05-15',
      employmentInfo: {
        employerName: 'Acme Software',
        employerAddress: { ...address, companyName: 'Acme Software', addressTags: ['OFFICE_ADDRESS'] },
        workExperience: { totalWorkExperienceYears: '12' },
        income: { periodType: 'MONTH', value: inr(50_000) },
        employmentType: { salaried: {} },
      },
      residenceInfo: { timeAtCurrentResidence: '5', residenceOwnership: 'OWNED' },
      father: { firstName: 'Ravi', lastName: 'Rao', salutation: 'MR' },
    },
  };
}

async function waitUntilDecided(baseUrl, googleApplicationIds) {
  const deadline = Date.now() + DECISION_TIMEOUT_MS;
  await mapConcurrent(googleApplicationIds, PREPARE_CONCURRENCY, (googleApplicationId) =>
    poll(
      `decision of ${googleApplicationId}`,
      () => post(baseUrl, PATHS.getApprovalStatus, { googleApplicationId }),
      (status) => status.applicationState !== 'IN_PROCESS',
      Math.max(0, deadline - Date.now()),
    ),
  );
}

// ---------------------------------------------------------------------------------------------- data

/** Decided applications for getStatus. */
async function prepareStatusApplications(baseUrl) {
  const ids = await mapConcurrent(Array.from({ length: STATUS_APPLICATIONS }), PREPARE_CONCURRENCY, async () => {
    const proof = await readOtp(baseUrl, await issueChallenge(baseUrl));
    const googleApplicationId = newApplicationId();
    await post(baseUrl, PATHS.approveUser, approveUserData(googleApplicationId, proof));
    return googleApplicationId;
  });
  await waitUntilDecided(baseUrl, ids);
  return ids;
}

/** One OTP challenge per fresh phone, each for exactly one approveUser request. */
async function prepareChallenges(baseUrl, count) {
  const issuedAt = Date.now();
  // All are issued before any code is read, so the worker sends the SMS meanwhile instead of being waited for.
  const issued = await mapConcurrent(Array.from({ length: count }), PREPARE_CONCURRENCY, () => issueChallenge(baseUrl));
  const proofs = await mapConcurrent(issued, PREPARE_CONCURRENCY, (challenge) => readOtp(baseUrl, challenge));
  return { proofs, expiresAt: issuedAt + CHALLENGE_VALIDITY_MS };
}

// ---------------------------------------------------------------------------------------------- load

/** The echo gets the getStatus request byte for byte, so the client does the same work per request in both runs. */
function echoTarget(echoUrl, applicationIds) {
  const nextId = roundRobin(applicationIds);
  return { name: 'echo', baseline: true, url: echoUrl, path: PATHS.getStatus, data: () => ({ googleApplicationId: nextId() }) };
}

function getStatusTarget(baseUrl, applicationIds) {
  const nextId = roundRobin(applicationIds);
  return { name: 'getStatus', url: baseUrl, path: PATHS.getStatus, data: () => ({ googleApplicationId: nextId() }) };
}

/**
 * Each request uses one pre-issued challenge: autocannon builds exactly one request per request it sends, and
 * `amount` stops the run when they are used up. Afterwards the worker decides the accepted applications; the
 * next echo run must not compete with it, and as jobs run in order, the last ones decided means (nearly) all are.
 */
function approveUserTarget(baseUrl, challenges, durationS) {
  const accepted = [];
  return {
    name: 'approveUser',
    url: baseUrl,
    path: PATHS.approveUser,
    amount: challenges.proofs.length,
    data: (context) => {
      context.googleApplicationId = newApplicationId();
      return approveUserData(context.googleApplicationId, challenges.proofs.pop());
    },
    onOk: (context) => accepted.push(context.googleApplicationId),
    before: () => {
      if (Date.now() + durationS * 1000 > challenges.expiresAt) {
        throw new Error('the OTP challenges would expire during the approveUser run: use fewer --challenges or a shorter --duration-s');
      }
    },
    after: () => waitUntilDecided(baseUrl, accepted.slice(-PREPARE_CONCURRENCY)),
  };
}

/** One autocannon run; every request gets a fresh requestId and timestamp. */
function runLoad(target, { durationS, connections }) {
  const failures = new Map();
  const request = {
    method: 'POST',
    path: target.path,
    headers: { 'content-type': 'application/json' },
    // autocannon gives both callbacks of one request the same context.
    setupRequest: (req, context) => ({ ...req, body: JSON.stringify(envelope(target.data(context))) }),
    onResponse: (status, body, context) => {
      if (status >= 200 && status < 300) {
        target.onOk?.(context);
      } else {
        const reason = `${status} ${failureCode(body)}`.trim();
        failures.set(reason, (failures.get(reason) ?? 0) + 1);
      }
    },
  };
  return new Promise((resolve, reject) => {
    let timer;
    let timeUp = false;
    const instance = autocannon(
      { url: target.url, connections, duration: durationS, amount: target.amount, requests: [request] },
      (err, result) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve({ target, result, failures, ranOut: Boolean(target.amount) && !timeUp });
      },
    );
    // autocannon ignores `duration` when `amount` is set, so such a run is stopped here.
    if (target.amount) {
      timer = setTimeout(() => {
        timeUp = true;
        instance.stop();
      }, durationS * 1000);
    }
  });
}

function failureCode(body) {
  try {
    return JSON.parse(body).errorResponse?.paymentIntegratorErrorCode ?? '';
  } catch {
    return '';
  }
}

/** V8 CPU profiles time their samples on the same monotonic clock, so a run's window can be cut out of the server's profile. */
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);
const windows = [];

async function runAll(targets, options) {
  const runs = [];
  for (const target of targets) {
    await target.before?.();
    process.stdout.write(`  ${target.name} …`);
    const startUs = monotonicMicros();
    const run = await runLoad(target, options);
    windows.push({ name: target.name, startUs, endUs: monotonicMicros() });
    run.problem = problemOf(run);
    console.log(` ${run.result.requests.total} requests in ${run.result.duration} s${run.problem ? ` ⚠ ${run.problem}` : ''}`);
    runs.push(run);
    await target.after?.();
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------- report

/** Why a run's numbers are not those of successful requests over the whole duration, or undefined. */
function problemOf({ target, result, failures, ranOut }) {
  const reasons = [...failures].map(([reason, count]) => `${reason} ×${count}`);
  if (result.errors) reasons.push(`${result.errors} socket errors, of which ${result.timeouts} timeouts`);
  if (ranOut) reasons.push(`all ${target.amount} challenges were used before the time was up, so req/s is understated: raise --challenges`);
  return reasons.length ? `${target.name}: ${reasons.join('; ')}` : undefined;
}

function toRows(runs) {
  const rps = (run) => run.result.requests.mean;
  return runs.map((run, i) => ({
    endpoint: run.problem ? `${run.target.name} ⚠` : run.target.name,
    rps: rps(run),
    p50: run.result.latency.p50,
    p99: run.result.latency.p99,
    non2xx: run.result.non2xx,
    errors: run.result.errors,
    ratio: run.target.baseline ? undefined : rps(run) / ((rps(runs[i - 1]) + rps(runs[i + 1])) / 2),
  }));
}

const COLUMNS = [
  { title: 'endpoint', cell: (row) => row.endpoint },
  { title: 'req/s (mean)', cell: (row) => row.rps.toFixed(1) },
  { title: 'p50 ms', cell: (row) => String(row.p50) },
  { title: 'p99 ms', cell: (row) => String(row.p99) },
  { title: 'non-2xx', cell: (row) => String(row.non2xx) },
  { title: 'errors', cell: (row) => String(row.errors) },
  { title: 'ratio to echo', cell: (row) => (row.ratio === undefined ? '(baseline)' : `${row.ratio.toFixed(3)}×`) },
];

function textTable(rows) {
  const cells = [COLUMNS.map((c) => c.title), ...rows.map((row) => COLUMNS.map((c) => c.cell(row)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  const format = (line) => line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [format(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(format)].join('\n');
}

function markdownTable(rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  const align = COLUMNS.map((_, i) => (i === 0 ? '---' : '---:'));
  return [line(COLUMNS.map((c) => c.title)), line(align), ...rows.map((row) => line(COLUMNS.map((c) => c.cell(row))))].join('\n');
}

function machine(options) {
  const cpus = os.cpus();
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return (
    `${date}; ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}; Node ${process.version}, ${os.platform()} ${os.arch()}; ` +
    `${options.connections} connections, ${options.durationS} s per run; worker ${options.worker}`
  );
}

function printReport(runs, options) {
  const rows = toRows(runs);
  const problems = runs.filter((run) => run.problem).map((run) => `⚠ ${run.problem}`);
  console.log(`\n${machine(options)}\n\n${textTable(rows)}\n`);
  console.log(problems.length ? problems.join('\n') : 'every request of every run answered 2xx');
  console.log(`\nMarkdown:\n\n${machine(options)}\n\n${markdownTable(rows)}\n`);
}

// ---------------------------------------------------------------------------------------------- main

/** `--servicing N`: the servicing bench in a child process of its own, on a fresh database (boot migrates it). */
async function servicingBench(runId, options) {
  const databaseUrl = await createDatabase(`credit_partner_bench_${runId}`);
  const queuePrefix = `credit-partner-bench-${runId}`;
  onCleanup(() => deleteRedisKeys(queuePrefix));
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    APP_ENV: 'sandbox',
    LOG_LEVEL: 'warn',
    // For the bench's own set-up and counts over the whole book (the close of business's statements carry their own
    // 10-minute timeout whatever this is; requests keep the 500 ms default in production).
    DATABASE_QUERY_TIMEOUT_MS: '600000',
    DATABASE_POOL_SIZE: String(Math.max(options.concurrency + 2, 10)),
    BENCH_SERVICING_LOANS: String(options.servicing),
    BENCH_SERVICING_DATE: options.date,
    BENCH_SERVICING_CONCURRENCY: String(options.concurrency),
  };
  const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'dist/src/servicing-bench-main.js')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'inherit' });
  onCleanup(() => stopChild(child));
  const code = await new Promise((resolve) => child.once('exit', (exitCode) => resolve(exitCode ?? 1)));
  const cpus = os.cpus();
  const pg = await withPostgres((client) => client.query('SHOW server_version'));
  console.log(`machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; PostgreSQL ${pg.rows[0].server_version}`);
  if (options.profileDir) console.log(`CPU profile in ${options.profileDir}: node scripts/profile-summary.js ${options.profileDir}/CPU.*.cpuprofile`);
  return code;
}

async function main() {
  const options = readOptions();
  const runId = randomBytes(4).toString('hex');
  if (options.servicing !== undefined) {
    if (options.profileDir) fs.mkdirSync(options.profileDir, { recursive: true });
    console.log(`bench ${runId}: servicing of ${options.servicing} loans`);
    return servicingBench(runId, options);
  }
  const serverLog = path.join(os.tmpdir(), `credit-partner-bench-${runId}-server.log`);
  const echoLog = path.join(os.tmpdir(), `credit-partner-bench-${runId}-echo.log`);
  console.log(`bench ${runId}: server log ${serverLog}`);

  if (options.profileDir) fs.mkdirSync(options.profileDir, { recursive: true });
  const baseUrl = await startServer(runId, serverLog, options);
  const echoUrl = await startEcho(echoLog);

  console.log(`preparing ${STATUS_APPLICATIONS} decided applications and ${options.challenges} OTP challenges …`);
  const applicationIds = await prepareStatusApplications(baseUrl);
  const challenges = options.only === 'getStatus' ? { proofs: [] } : await prepareChallenges(baseUrl, options.challenges);

  const echo = echoTarget(echoUrl, applicationIds);
  const endpoints = [getStatusTarget(baseUrl, applicationIds), approveUserTarget(baseUrl, challenges, options.durationS)];
  const targets = [echo];
  for (const endpoint of endpoints.filter((e) => !options.only || e.name === options.only)) targets.push(endpoint, echo);
  console.log('running:');
  const runs = await runAll(targets, options);

  printReport(runs, options);
  if (options.profileDir) {
    const windowsFile = path.join(options.profileDir, `bench-${runId}-windows.json`);
    fs.writeFileSync(windowsFile, JSON.stringify(windows, null, 2));
    console.log(`the server writes its CPU profile into ${options.profileDir} as it stops; where one run's time went:`);
    console.log(`  node scripts/profile-summary.js ${options.profileDir}/CPU.*.cpuprofile --windows ${windowsFile} --run approveUser`);
  }
  return runs.some((run) => run.problem) ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up …`);
    cleanup().finally(() => process.exit(128 + os.constants.signals[signal]));
  });
}

main().then(
  (code) => cleanup().finally(() => process.exit(code)),
  (err) => {
    // After Ctrl-C the failure is only the children going away.
    if (!cleaning) console.error(`bench failed: ${err.stack ?? err}`);
    return cleanup().finally(() => process.exit(1));
  },
);
