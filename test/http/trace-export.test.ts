/**
 * Span export over OTLP/HTTP (README "Traces"): with OTEL_EXPORTER_OTLP_ENDPOINT set (here a local HTTP server that
 * records what it is sent, as JSON), the server span of a request, the job it staged, the adapter call the job made
 * and an OCEN callback arrive as one trace, each span the child of the one before; the outgoing calls carry the
 * client span as their parent. Without the setting, the SDK is not even loaded.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { PATHS, newPhone } from '../support/journey';
import { HttpRecorder } from '../support/http-recorder';
import { OcenLenderHarness, ocenEnvelope, ocenLoanApplication, startOcenLender } from '../support/ocen-lender-harness';
import { LoanAgent } from '../support/ocen-network';
import { loadConfig } from '../../src/lib/config';
import { flushTracing, startTracing, stopTracing, tracedPort, tracingEnabled } from '../../src/lib/trace';
import { measuredPort, noMetrics } from '../../src/lib/metrics/metrics';
import { HttpSmsSender } from '../../src/adapters/sms/http-sms-sender';
import type { SmsSender } from '../../src/core/challenge/sms-sender';

/** A span as OTLP/HTTP JSON carries it, with its resource's attributes. */
interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status?: { code?: number };
  resource: Record<string, unknown>;
}

const KIND = { SERVER: 2, CLIENT: 3, CONSUMER: 5 };

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
const valueOf = (value: AnyValue): unknown => value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.boolValue ?? value.doubleValue);
const attributesOf = (list: Array<{ key: string; value: AnyValue }> = []) => Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

let collector: HttpRecorder;

/** Every span the collector was sent so far (after exporting what has ended). */
async function exported(): Promise<ExportedSpan[]> {
  await flushTracing();
  return collector.requests.flatMap((request) => {
    expect(request).toMatchObject({ method: 'POST', path: '/v1/traces', headers: { 'content-type': 'application/json' } });
    const body = JSON.parse(request.body.toString('utf8'));
    return body.resourceSpans.flatMap((rs: any) => {
      const resource = attributesOf(rs.resource?.attributes);
      return rs.scopeSpans.flatMap((ss: any) => ss.spans.map((s: any) => ({ ...s, attributes: attributesOf(s.attributes), resource })));
    });
  });
}

const spansOf = async (traceId: string) => (await exported()).filter((s) => s.traceId === traceId);
const one = (spans: ExportedSpan[], name: string) => {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one span "${name}", found ${found.length} among ${spans.map((s) => s.name).join(', ')}`);
  return found[0];
};
/** The trace as an indented tree under the caller's span, for the report. */
function tree(spans: ExportedSpan[], callerSpan: string): string {
  const lines: string[] = [`caller [${callerSpan}]`];
  const under = (parent: string, depth: number) => {
    for (const span of spans.filter((s) => s.parentSpanId === parent)) {
      lines.push(`${'  '.repeat(depth)}${span.name} [${span.spanId}]`);
      under(span.spanId, depth + 1);
    }
  };
  under(callerSpan, 1);
  return lines.join('\n');
}

describe('with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  let t: TestApp;
  let world: OcenLenderHarness;
  const agent = new LoanAgent('la-exported', { kid: 'la-exported-key' });

  beforeAll(async () => {
    collector = await HttpRecorder.start();
    // Before the services are built, as src/main.ts does, so that their adapters are traced.
    expect(await startTracing(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'credit-partner-test' }).tracing, 'api')).toBe(true);
    t = await startTestApp();
    world = await startOcenLender([agent]);
  });
  afterAll(async () => {
    await t?.stop();
    await world?.stop();
    await stopTracing();
    await collector?.close();
  });

  it('when a Google Pay step stages a job that calls an adapter, then the request, the job and the adapter call arrive as one trace, each the parent of the next, and the gateway is called with the adapter span as parent', async () => {
    const gateway = await HttpRecorder.start();
    const challenges = (t.services.challenges as unknown as { delivery: { sms: SmsSender } }).delivery;
    const sandboxSms = challenges.sms;
    challenges.sms = tracedPort('sms', measuredPort('sms', new HttpSmsSender(`${gateway.url}/send`, undefined), noMetrics));
    try {
      const traceId = randomUUID().replace(/-/g, '');
      const callerSpan = 'b7ad6b7169203331';
      const res = await t
        .call(PATHS.initiateChallenge, { userIdentifier: { phoneNumber: newPhone() }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } })
        .set('traceparent', `00-${traceId}-${callerSpan}-01`);
      expect(res.status).toBe(200);
      const serverSpanId = String(res.headers.traceparent).split('-')[2];

      const spans = await eventually(() => spansOf(traceId), (found) => found.some((s) => s.name === 'job challenge.deliver'));
      const server = one(spans, `POST ${PATHS.initiateChallenge}`);
      const job = one(spans, 'job challenge.deliver');
      const adapter = one(spans, 'sms.send');
      expect(server).toMatchObject({ spanId: serverSpanId, parentSpanId: callerSpan, kind: KIND.SERVER });
      expect(server.attributes).toMatchObject({
        'http.request.method': 'POST',
        'http.response.status_code': 200,
        'http.route': PATHS.initiateChallenge,
        'credit_partner.surface': 'gpay',
        'credit_partner.operation': `POST ${PATHS.initiateChallenge}`,
        'credit_partner.partner': expect.any(String),
      });
      expect(job).toMatchObject({ parentSpanId: server.spanId, kind: KIND.CONSUMER, attributes: { 'credit_partner.job': 'challenge.deliver', 'credit_partner.attempt': 1 } });
      expect(adapter).toMatchObject({ parentSpanId: job.spanId, kind: KIND.CLIENT, attributes: { 'credit_partner.port': 'sms', 'credit_partner.method': 'send' } });
      expect(server.resource).toMatchObject({ 'service.name': 'credit-partner-test', 'credit_partner.role': 'api' });
      expect(gateway.requests.map((r) => r.headers.traceparent)).toEqual([`00-${traceId}-${adapter.spanId}-01`]);
      process.stdout.write(`exported trace ${traceId} (Google Pay):\n${tree(spans, callerSpan)}\n`);
    } finally {
      challenges.sms = sandboxSms;
      await gateway.close();
    }
  });

  it('when a loan agent\'s request is answered by a callback, then the request, the callback job and the delivery arrive as one trace, and the agent receives the delivery span as parent', async () => {
    const callerSpan = '00f067aa0ba902b7';
    const traceId = randomUUID().replace(/-/g, '');
    const id = `app-${randomUUID()}`;
    const ack = await world.post(agent, 'loanApplications/createLoanRequest', { ...ocenEnvelope(agent.participantId), loanApplications: [ocenLoanApplication(id)] }, {
      headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
    });
    expect(ack.status).toBe(200);
    const callback = await world.endpoint(agent).callbackAbout(id, 'createLoanResponse');

    const spans = await eventually(() => spansOf(traceId), (found) => found.some((s) => s.name === 'job ocen.callback'));
    const server = one(spans, 'POST /v4.0.0alpha/loanApplications/createLoanRequest');
    const job = one(spans, 'job ocen.callback');
    const delivery = one(spans, 'POST loanApplications/createLoanResponse');
    expect(server).toMatchObject({ parentSpanId: callerSpan, kind: KIND.SERVER, attributes: { 'credit_partner.surface': 'ocen', 'ocen.participant_id': agent.participantId } });
    expect(job).toMatchObject({ parentSpanId: server.spanId, kind: KIND.CONSUMER });
    expect(delivery).toMatchObject({ parentSpanId: job.spanId, kind: KIND.CLIENT, attributes: { 'http.response.status_code': 200 } });
    expect(callback.headers.traceparent).toBe(`00-${traceId}-${delivery.spanId}-01`);
    process.stdout.write(`exported trace ${traceId} (OCEN):\n${tree(spans, callerSpan)}\n`);
  });

  it('when a request is refused (4xx), then its span carries the status and is not marked failed (only a 5xx or an unanswered request is)', async () => {
    const traceId = randomUUID().replace(/-/g, '');
    const res = await t.call(PATHS.getStatus, { googleApplicationId: `GAPP-${randomUUID()}` }).set('traceparent', `00-${traceId}-b7ad6b7169203331-01`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const [server] = await eventually(() => spansOf(traceId), (found) => found.length > 0);
    expect(server.attributes['http.response.status_code']).toBe(res.status);
    expect(server.status?.code ?? 0).not.toBe(2);
  });
});

describe('without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('when the server\'s modules are loaded and tracing is started without an endpoint, then nothing is recorded and the OpenTelemetry SDK is not even loaded', () => {
    const root = path.resolve(__dirname, '../..');
    const script = `
      const { loadConfig } = require('./src/lib/config');
      require('./src/app'); require('./src/container');
      const trace = require('./src/lib/trace');
      trace.startTracing(loadConfig({}).tracing, 'api').then((started) => {
        const request = trace.startServerTrace({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, 'GET');
        const port = trace.tracedPort('sms', { send: () => trace.outgoingTraceHeaders() });
        const headers = trace.runInTrace(request, () => port.send());
        // The API package alone (a no-op without an SDK) comes with Prisma's client; the SDK is what must stay out.
        const loaded = Object.keys(require.cache).filter((file) => file.includes('@opentelemetry') && !file.includes('@opentelemetry/api/'));
        process.stdout.write(JSON.stringify({ started, enabled: trace.tracingEnabled(), headers, loaded }));
      });`;
    const run = spawnSync(process.execPath, ['-r', './test/support/register-ts.js', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '' } });
    expect(run.stderr).toBe('');
    const outcome = JSON.parse(run.stdout);
    expect(outcome).toEqual({ started: false, enabled: false, headers: { traceparent: expect.stringMatching(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/) }, loaded: [] });
  });

  it('when OTEL_SDK_DISABLED=true, then no endpoint is used even if one is set; gRPC is refused at boot', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).tracing.tracesUrl).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toEqual({ tracesUrl: 'http://collector:4318/v1/traces', serviceName: 'credit-partner' });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/custom' }).tracing.tracesUrl).toBe('http://collector:4318/custom');
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL must be http\/json/);
    expect(tracingEnabled()).toBe(false);
  });
});
