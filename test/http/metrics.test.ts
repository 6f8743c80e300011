import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MetricsServer } from '../../src/lib/metrics/metrics-server';
import { loadConfig } from '../../src/lib/config';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { PATHS, applicationStatus, readyToSubmit, submitReady } from '../support/journey';
import { samples } from '../support/prometheus-text';

const ROOT = path.resolve(__dirname, '../..');
const ALERTS = path.join(ROOT, 'ops/prometheus/alerts.yml');
const PROMETHEUS = path.join(ROOT, 'ops/prometheus/prometheus.yml');
const DASHBOARD = path.join(ROOT, 'ops/grafana/credit-partner.json');
const PROMTOOL = process.env.PROMTOOL_PATH ?? 'promtool';

/** promtool's answer: its exit status and everything it wrote (scripts/ensure-tools.sh installs it). */
function promtool(args: string[], input?: string): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL, args, { input, encoding: 'utf8', cwd: ROOT });
  if (run.error) throw new Error(`promtool could not be run (bash scripts/ensure-tools.sh installs it): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The metric names a scrape declares (`# TYPE`), histograms with their _bucket, _sum and _count series. */
function declaredNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

/** The metric names an expression uses (ours and the process defaults), PromQL functions and labels aside. */
function metricNamesIn(expr: string): string[] {
  return [...expr.replace(/\{[^}]*\}/g, '').matchAll(/\b(credit_partner_\w+|process_\w+|nodejs_\w+)\b/g)].map((m) => m[1]);
}

describe('alert rules and scrape configuration', () => {
  it('promtool check rules finds ops/prometheus/alerts.yml clean, and check config the scrape configuration', () => {
    const rules = promtool(['check', 'rules', ALERTS]);
    expect(rules).toEqual({ status: 0, output: expect.stringContaining('SUCCESS: 7 rules found') });
    const config = promtool(['check', 'config', PROMETHEUS]);
    expect(config).toEqual({ status: 0, output: expect.stringContaining('is valid prometheus config file syntax') });
  });
});

describe('GET /metrics after a whole Google Pay loan', () => {
  let t: TestApp;
  let metrics: MetricsServer;
  let scrape: string;
  let partnerId: string;

  beforeAll(async () => {
    t = await startTestApp();
    metrics = await MetricsServer.start(t.services.metrics.registry, 0, '127.0.0.1');
    const ready = await readyToSubmit(t, { monthlyIncomeRupees: 50_000 });
    await submitReady(t, ready);
    await eventually(() => applicationStatus(t, ready.gid), (s) => s.applicationState === 'DISBURSED');
    partnerId = t.services.sandbox!.gpayPartnerId;
    const res = await fetch(`http://127.0.0.1:${metrics.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    scrape = await res.text();
    // For a look at the live output: METRICS_SCRAPE_OUT=/tmp/scrape.txt npx jest test/http/metrics.test.ts
    if (process.env.METRICS_SCRAPE_OUT) fs.writeFileSync(process.env.METRICS_SCRAPE_OUT, scrape);
  }, 90_000);
  afterAll(async () => {
    await metrics?.close();
    await t?.stop();
  });

  it('is not served on the partner port: GET /metrics there is 404', async () => {
    await t.http().get('/metrics').expect(404);
    const other = await fetch(`http://127.0.0.1:${metrics.port}/anything`);
    expect(other.status).toBe(404);
  });

  it('promtool check metrics finds the live output clean', () => {
    expect(promtool(['check', 'metrics'], scrape)).toEqual({ status: 0, output: '' });
  });

  it("counts the journey's requests by surface, operation (the route, never a raw path), partner and status, with latencies", () => {
    const requests = samples(scrape, 'credit_partner_http_requests_total');
    const count = (operationPath: string) =>
      requests.filter((s) => s.labels.surface === 'gpay' && s.labels.operation === `POST ${operationPath}` && s.labels.partner === partnerId && s.labels.status === '200')
        .reduce((sum, s) => sum + s.value, 0);
    expect(count(PATHS.approveUser)).toBe(1);
    expect(count(PATHS.submit)).toBe(1);
    expect(count(PATHS.initiateChallenge)).toBe(2);
    expect(count(PATHS.getApprovalStatus)).toBeGreaterThanOrEqual(1);
    expect(count(PATHS.getStatus)).toBeGreaterThanOrEqual(1);
    // The sandbox's phone and bank pages are their own surface; no label holds an id.
    expect(requests.some((s) => s.labels.surface === 'sandbox' && s.labels.operation === 'GET /sandbox/sms-outbox')).toBe(true);
    for (const sample of requests) {
      expect(['gpay', 'ocen', 'sandbox', 'borrower', 'other']).toContain(sample.labels.surface);
      expect(sample.labels.operation).not.toMatch(/GAPP-|otp_|OFR|\?/);
    }
    const latency = samples(scrape, 'credit_partner_http_request_duration_seconds_count')
      .find((s) => s.labels.operation === `POST ${PATHS.submit}`);
    expect(latency?.value).toBe(1);
  });

  it('shows the credit decision, the jobs, the queue, the outbox, OTP, the pool and the adapters', () => {
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples(scrape, name).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
    expect(value('credit_partner_credit_decision_seconds_count', { outcome: 'APPROVED' })).toBe(1);
    expect(value('credit_partner_job_duration_seconds_count', { job: 'approval.decide', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(value('credit_partner_job_duration_seconds_count', { job: 'loan.disburse', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    for (const state of ['waiting', 'active', 'delayed', 'failed']) expect(samples(scrape, 'credit_partner_queue_jobs').some((s) => s.labels.state === state)).toBe(true);
    expect(samples(scrape, 'credit_partner_outbox_lag_seconds')).toHaveLength(1);
    expect(value('credit_partner_otp_sent_total')).toBeGreaterThanOrEqual(2);
    expect(value('credit_partner_db_pool_clients', { pool: 'transactions', state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(value('credit_partner_adapter_calls_total', { port: 'bureau', method: 'check', outcome: 'ok' })).toBe(1);
    expect(value('credit_partner_adapter_calls_total', { port: 'rail', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(value('credit_partner_adapter_calls_total', { port: 'sms', method: 'send', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(samples(scrape, 'process_cpu_user_seconds_total')).toHaveLength(1);
  });

  it('the Grafana dashboard parses and every expression of it and of the alert rules names a series the server declares', () => {
    const declared = declaredNames(scrape);
    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(15);
    const alertNames = metricNamesIn(fs.readFileSync(ALERTS, 'utf8'));
    const unknown = [...exprs.flatMap(metricNamesIn), ...alertNames].filter((name) => !declared.has(name));
    expect(unknown).toEqual([]);
    expect(alertNames.length).toBeGreaterThan(0);
  });
});

describe('METRICS_PORT', () => {
  it('defaults to 9464, takes 0 for a free port, and is refused on the partner port', () => {
    expect(loadConfig({}).metrics).toEqual({ port: 9464, host: undefined });
    expect(loadConfig({ METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' }).metrics).toEqual({ port: 0, host: '127.0.0.1' });
    expect(() => loadConfig({ PORT: '8080', METRICS_PORT: '8080' })).toThrow(/METRICS_PORT must differ from PORT/);
  });
});
