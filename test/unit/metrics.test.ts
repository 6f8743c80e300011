import { spawnSync } from 'node:child_process';
import { measuredPort } from '../../src/lib/metrics/metrics';
import { PrometheusMetrics } from '../../src/lib/metrics/prometheus';
import { surfaceOf } from '../../src/app';

const sample = async (metrics: PrometheusMetrics, line: RegExp) => (await metrics.registry.metrics()).split('\n').find((l) => line.test(l));

describe('measuredPort: every call through a port of the core counted by outcome, with its time', () => {
  class Bureau {
    readonly calls: string[] = [];
    async check(reference: string): Promise<string> {
      this.calls.push(reference);
      if (reference === 'down') throw new Error('bureau unreachable');
      return 'CLEAN';
    }
    name(): string {
      return 'sync';
    }
  }

  it('when a call resolves, rejects or returns, then it is counted ok or error, and the object behaves as before (this kept)', async () => {
    const metrics = new PrometheusMetrics();
    const bureau = new Bureau();
    const measured = measuredPort('bureau', bureau, metrics);
    await expect(measured.check('a')).resolves.toBe('CLEAN');
    await expect(measured.check('down')).rejects.toThrow('bureau unreachable');
    expect(measured.name()).toBe('sync');
    expect(bureau.calls).toEqual(['a', 'down']);
    expect(await sample(metrics, /^credit_partner_adapter_calls_total\{port="bureau",method="check",outcome="ok"\}/)).toMatch(/ 1$/);
    expect(await sample(metrics, /^credit_partner_adapter_calls_total\{port="bureau",method="check",outcome="error"\}/)).toMatch(/ 1$/);
    expect(await sample(metrics, /^credit_partner_adapter_call_duration_seconds_count\{port="bureau",method="name",outcome="ok"\}/)).toMatch(/ 1$/);
  });
});

describe('PrometheusMetrics', () => {
  it('when every series has a sample (refusals, exhausted jobs, pool waits, failed callbacks…), then promtool check metrics finds it clean', async () => {
    const metrics = new PrometheusMetrics();
    metrics.httpRequest({ surface: 'gpay', operation: 'POST /v1/x', partner: 'p', status: 503 }, 0.01);
    metrics.creditDecision('REJECTED', 2);
    metrics.job('loan.disburse', 'error', 0.5, true);
    metrics.callbackDelivery({ surface: 'ocen', operation: 'loanApplications/createResponse', outcome: 'error' }, 10);
    metrics.otpSent('userApprovalContext');
    metrics.otpVerificationFailed('mismatch');
    metrics.databasePoolWait('transactions', 0.2);
    metrics.rateLimited('partner');
    metrics.adapterCall({ port: 'rail', method: 'transfer', outcome: 'error' }, 1);
    metrics.payoutsNeedingOperator(2);
    metrics.gaugeOnScrape('queue_jobs', 'queue depth', ['state'], async () => [{ labels: { state: 'failed' }, value: 3 }]);
    let lag: number | undefined = 42;
    metrics.gaugeOnScrape('outbox_lag_seconds', 'lag', [], async () => {
      if (lag === undefined) throw new Error('PostgreSQL down');
      return [{ value: lag }];
    });
    expect(await metrics.registry.metrics()).toMatch(/^credit_partner_outbox_lag_seconds 42$/m);
    lag = undefined;
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^credit_partner_rate_limit_refusals_total\{limit="partner"\} 1$/m);
    expect(text).toMatch(/^credit_partner_job_exhausted_total\{job="loan.disburse"\} 1$/m);
    expect(text).toMatch(/^credit_partner_queue_jobs\{state="failed"\} 3$/m);
    expect(text).toMatch(/^credit_partner_payouts_needing_operator 2$/m);
    // A read that fails keeps the last value and is counted, rather than failing the scrape.
    expect(text).toMatch(/^credit_partner_outbox_lag_seconds 42$/m);
    // (counted as that scrape is read, so shown from the next one)
    expect(await metrics.registry.metrics()).toMatch(/^credit_partner_scrape_read_failures_total\{series="credit_partner_outbox_lag_seconds"\} 1$/m);
    const check = spawnSync(process.env.PROMTOOL_PATH ?? 'promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({ status: 0, output: '' });
  });

  it('two processes in one test run have registries of their own', async () => {
    const a = new PrometheusMetrics();
    const b = new PrometheusMetrics();
    a.rateLimited('partner');
    expect(await b.registry.metrics()).not.toMatch(/^credit_partner_rate_limit_refusals_total\{/m);
  });
});

describe('surfaceOf: the surface label from the path', () => {
  it.each([
    ['/v1/financialservices/credit/offer/approveUser', '', 'gpay'],
    ['/gp/v1/financialservices/credit/offer/approveUser', '/gp', 'gpay'],
    ['/v4.0.0alpha/loanApplications/create', '', 'ocen'],
    ['/v3/offer/generateOffersRequest', '', 'ocen-v3'],
    ['/sandbox/sms-outbox', '', 'sandbox'],
    ['/borrower/kyc', '/gp', 'borrower'],
    ['/healthz', '', 'other'],
    ['/metrics', '', 'other'],
  ])('%s (BASE_PATH %j) is %s', (path, basePath, surface) => {
    expect(surfaceOf(path, basePath)).toBe(surface);
  });
});
