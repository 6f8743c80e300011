/**
 * W3C Trace Context through the server (README "Traces"), with tracing off (no OTLP endpoint): every answer, on
 * every surface, carries a `traceparent` that continues the caller's trace (or starts one); work staged in the
 * outbox, the worker's job and the calls it makes to the outside (an SMS gateway, an OCEN loan agent's callback
 * endpoint) carry the request's trace id. Spans and their export: trace-export.test.ts.
 */
import { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { PATHS, newPhone } from '../support/journey';
import { HttpRecorder } from '../support/http-recorder';
import { OcenLenderHarness, ocenEnvelope, ocenLoanApplication, startOcenLender } from '../support/ocen-lender-harness';
import { LoanAgent } from '../support/ocen-network';
import { HttpSmsSender } from '../../src/adapters/sms/http-sms-sender';
import { measuredPort, noMetrics } from '../../src/lib/metrics/metrics';
import { tracedPort } from '../../src/lib/trace';
import type { SmsSender } from '../../src/core/challenge/sms-sender';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;
const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
const callerTraceparent = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;

/** An answer's `traceparent`, split; it fails the test when the header is missing or malformed. */
function answered(headers: Record<string, unknown>): { traceId: string; spanId: string; flags: string } {
  const header = String(headers.traceparent ?? '');
  const match = TRACEPARENT.exec(header);
  if (!match) throw new Error(`the answer's traceparent is not a version-00 W3C traceparent: "${header}"`);
  return { traceId: match[1], spanId: match[2], flags: match[3] };
}

/** The JSON log lines written so far. */
const lines: Array<Record<string, any>> = [];
const logDestination = { write: (line: string) => void lines.push(JSON.parse(line)) };

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ logDestination, env: { LOG_LEVEL: 'debug' } });
});
afterAll(() => t?.stop());

const getStatus = () => t.call(PATHS.getStatus, { googleApplicationId: `GAPP-${randomUUID()}` });

describe('every answer carries a traceparent', () => {
  const SURFACES: Array<[string, () => import('supertest').Test]> = [
    ['Google Pay-style API (an unknown application: 4xx)', getStatus],
    ['OCEN (no bearer token: 401 ack)', () => t.http().post('/v4.0.0alpha/loanDetails/getloanRequest').set('content-type', 'application/json').send('{}')],
    ['sandbox', () => t.http().get('/sandbox/sms-outbox?phone=919876543210')],
    ['borrower pages (no session)', () => t.http().get('/borrower/kyc')],
    ['health', () => t.http().get('/healthz')],
    ['no such endpoint (404)', () => t.http().get('/no/such/thing')],
  ];

  it.each(SURFACES)('when a request to %s carries a valid traceparent, then its answer continues that trace with a span id of its own', async (_surface, send) => {
    const res = await send().set('traceparent', callerTraceparent);
    const ours = answered(res.headers);
    expect(ours).toEqual({ traceId: CALLER_TRACE, spanId: expect.not.stringMatching(CALLER_SPAN), flags: '01' });
    expect(res.headers['x-trace-id']).toBe(CALLER_TRACE);
  });

  it('when a request carries no traceparent, then its answer starts a new valid trace (unsampled: nothing records it), one per request', async () => {
    const [first, second] = [answered((await getStatus()).headers), answered((await getStatus()).headers)];
    for (const ours of [first, second]) {
      expect(ours.traceId).not.toMatch(/^0+$/);
      expect(ours.spanId).not.toMatch(/^0+$/);
      expect(ours.flags).toBe('00');
    }
    expect(second.traceId).not.toBe(first.traceId);
  });

  const INVALID: Array<[string, string]> = [
    ['upper-case hex', `00-${CALLER_TRACE.toUpperCase()}-${CALLER_SPAN}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${CALLER_SPAN}-01`],
    ['an all-zero parent id', `00-${CALLER_TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${CALLER_TRACE}-${CALLER_SPAN}-01`],
    ['version 00 with a field more', `00-${CALLER_TRACE}-${CALLER_SPAN}-01-extra`],
    ['a short trace id', `00-${CALLER_TRACE.slice(1)}-${CALLER_SPAN}-01`],
    ['two headers joined', `${callerTraceparent}, 00-${'1'.repeat(32)}-${CALLER_SPAN}-01`],
    ['garbage', 'not-a-traceparent'],
  ];

  it.each(INVALID)('when a request carries a traceparent with %s, then it is replaced by a new trace, and its tracestate dropped', async (_what, header) => {
    const res = await getStatus().set('traceparent', header).set('tracestate', 'vendor=abc');
    const ours = answered(res.headers);
    expect(ours.traceId).not.toBe(CALLER_TRACE);
    expect(ours.flags).toBe('00');
    expect(res.headers.tracestate).toBeUndefined();
  });

  it('when a later version of traceparent arrives (fields appended), then its known fields are continued', async () => {
    const ours = answered((await getStatus().set('traceparent', `01-${CALLER_TRACE}-${CALLER_SPAN}-01-future`)).headers);
    expect(ours).toMatchObject({ traceId: CALLER_TRACE, flags: '01' });
  });

  it('when a request carries a valid tracestate, then the answer carries it on (normalised), and a malformed one is dropped whole', async () => {
    const kept = await getStatus().set('traceparent', callerTraceparent).set('tracestate', 'congo=t61rcWkgMzE, rojo=00f067aa0ba902b7');
    expect(kept.headers.tracestate).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    const dropped = await getStatus().set('traceparent', callerTraceparent).set('tracestate', 'congo=t61rcWkgMzE,BAD KEY=1');
    expect(answered(dropped.headers).traceId).toBe(CALLER_TRACE);
    expect(dropped.headers.tracestate).toBeUndefined();
  });

  it('when a request carries the X-Trace-Id of earlier releases (a UUID) and no traceparent, then its trace is that id', async () => {
    const uuid = randomUUID();
    const ours = answered((await getStatus().set('x-trace-id', uuid)).headers);
    expect(ours.traceId).toBe(uuid.replace(/-/g, ''));
  });

  it('when a body is refused before it is read (413, Content-Length over the limit), then the refusal carries the caller\'s trace too', async () => {
    const server = await t.listen();
    try {
      const head = await new Promise<string>((resolve, reject) => {
        const socket = new Socket();
        let text = '';
        socket.on('data', (data: Buffer) => {
          text += data.toString('latin1');
          if (text.includes('\r\n\r\n')) {
            socket.destroy();
            resolve(text.split('\r\n\r\n')[0]);
          }
        });
        socket.on('error', reject);
        socket.connect(server.port, '127.0.0.1', () =>
          socket.write(`POST ${PATHS.getStatus} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${400 * 1024}\r\ntraceparent: ${callerTraceparent}\r\n\r\n`));
      });
      expect(head).toMatch(/^HTTP\/1\.1 413 /);
      const header = /\r\ntraceparent: (\S+)/i.exec(head)?.[1];
      expect(answered({ traceparent: header }).traceId).toBe(CALLER_TRACE);
    } finally {
      await server.close();
    }
  });

  it('when a request is answered, then its access log line names the trace and span of the answer', async () => {
    const res = await getStatus().set('traceparent', callerTraceparent);
    const ours = answered(res.headers);
    const line = await eventually(async () => lines.find((l) => l.msg === 'request' && l.spanId === ours.spanId), (found) => found !== undefined);
    expect(line).toMatchObject({ traceId: CALLER_TRACE, spanId: ours.spanId, status: res.status });
  });
});

describe('API → outbox → worker → outside world: one trace', () => {
  const initiateChallenge = () =>
    t.call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: newPhone() }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } });

  it('when a Google Pay step stages a job, then the outbox stores the request\'s span as the job\'s parent, and the worker\'s job logs carry the request\'s trace id under a span of their own', async () => {
    const traceId = randomUUID().replace(/-/g, '');
    const res = await initiateChallenge().set('traceparent', `00-${traceId}-${CALLER_SPAN}-01`);
    expect(res.status).toBe(200);
    const server = answered(res.headers);

    const [staged] = await t.services.db.read<{ id: string; topic: string; trace_parent: string; payload: { traceId: string } }>(
      `SELECT id, topic, trace_parent, payload FROM outbox_message WHERE trace_parent LIKE $1`, [`00-${traceId}-%`]);
    expect(staged).toMatchObject({ topic: 'challenge.deliver', trace_parent: `00-${traceId}-${server.spanId}-01`, payload: { traceId } });

    const done = await eventually(async () => lines.find((l) => l.msg === 'job done' && l.jobId === staged.id), (found) => found !== undefined);
    expect(done).toMatchObject({ topic: 'challenge.deliver', traceId });
    expect(done!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(done!.spanId).not.toBe(server.spanId);
  });

  it('when the job calls an HTTP adapter (the SMS gateway), then the gateway receives a traceparent of the request\'s trace id', async () => {
    const gateway = await HttpRecorder.start();
    const challenges = (t.services.challenges as unknown as { delivery: { sms: SmsSender } }).delivery;
    const sandboxSms = challenges.sms;
    // The production SMS adapter, wrapped as src/container.ts wraps every port, pointed at the local gateway.
    challenges.sms = tracedPort('sms', measuredPort('sms', new HttpSmsSender(`${gateway.url}/send`, 'gateway-token'), noMetrics));
    try {
      const traceId = randomUUID().replace(/-/g, '');
      const res = await initiateChallenge().set('traceparent', `00-${traceId}-${CALLER_SPAN}-01`).set('tracestate', 'bank=1');
      expect(res.status).toBe(200);
      const [sent] = await eventually(async () => gateway.requests.filter((r) => String(r.headers.traceparent).includes(traceId)), (found) => found.length > 0);
      const received = answered(sent.headers);
      expect(received).toMatchObject({ traceId, flags: '01' });
      expect([CALLER_SPAN, answered(res.headers).spanId]).not.toContain(received.spanId);
      expect(sent.headers).toMatchObject({ tracestate: 'bank=1', authorization: 'Bearer gateway-token' });
    } finally {
      challenges.sms = sandboxSms;
      await gateway.close();
    }
  });
});

describe('OCEN: request → outbox → worker → callback, one trace', () => {
  let world: OcenLenderHarness;
  const agent = new LoanAgent('la-traced', { kid: 'la-traced-key' });
  beforeAll(async () => {
    world = await startOcenLender([agent]);
  });
  afterAll(() => world?.stop());

  it('when a loan agent\'s request carries a traceparent, then our callback to it carries the same trace id with a span of ours, and the OCEN traceId is the network\'s, untouched', async () => {
    const id = `app-${randomUUID()}`;
    const request = { ...ocenEnvelope(agent.participantId), loanApplications: [ocenLoanApplication(id)] };
    const ack: Response = await world.post(agent, 'loanApplications/createLoanRequest', request, { headers: { traceparent: callerTraceparent } });
    expect(ack.status).toBe(200);
    expect(ack.body.traceId).toBe(request.metadata.traceId);
    const server = answered(ack.headers);
    expect(server.traceId).toBe(CALLER_TRACE);

    const callback = await world.endpoint(agent).callbackAbout(id, 'createLoanResponse');
    const sent = answered(callback.headers);
    expect(sent).toMatchObject({ traceId: CALLER_TRACE, flags: '01' });
    expect([CALLER_SPAN, server.spanId]).not.toContain(sent.spanId);
    expect(callback.body.metadata.traceId).toBe(request.metadata.traceId);
  });
});
