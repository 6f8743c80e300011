/**
 * What the process measures, as a port: the domain (src/core), the protocols and the infrastructure report
 * events through this interface and never see the metrics library. The composition root passes the one
 * Prometheus implementation of the process (prometheus.ts); `noMetrics` stands in where nothing is measured.
 * Every label value given here must come from a bounded set (an operation or job name, a known partner id,
 * an outcome), never from a request's raw path or an identifier.
 */
export interface Metrics {
  /** An HTTP request answered: its surface, operation (route, not raw path), partner (or `unknown`), status. */
  httpRequest(labels: { surface: string; operation: string; partner: string; status: number }, seconds: number): void;
  /** A credit decision taken (`outcome`: APPROVED, REJECTED, INCOME_VERIFICATION), `seconds` after the application. */
  creditDecision(outcome: string, seconds: number): void;
  /** A queue job run by the worker: `ok`, or `error` (it will be retried unless `exhausted`). */
  job(name: string, outcome: 'ok' | 'error', seconds: number, exhausted?: boolean): void;
  /** A partner callback delivery attempt. */
  callbackDelivery(labels: { surface: string; operation: string; outcome: 'ok' | 'error' }, seconds: number): void;
  /** An OTP SMS handed to the SMS gateway. */
  otpSent(context: string): void;
  /** An OTP verification refused (`reason`: mismatch, expired, exhausted, locked). */
  otpVerificationFailed(reason: string): void;
  /** A database connection had to be waited for (every connection of `pool` busy). */
  databasePoolWait(pool: string, seconds: number): void;
  /** A rate limit refused an event. */
  rateLimited(limit: string): void;
  /** A call through a port of the core to the outside world (bureau, rail, SMS…). */
  adapterCall(labels: { port: string; method: string; outcome: 'ok' | 'error' }, seconds: number): void;
  /** Payouts the reconciler found without a rail answer past their tries (an operator is needed), at its last sweep. */
  payoutsNeedingOperator(count: number): void;
}

/** Measures nothing: for code built without a metrics registry (unit tests, one-off commands). */
export const noMetrics: Metrics = {
  httpRequest: () => undefined,
  creditDecision: () => undefined,
  job: () => undefined,
  callbackDelivery: () => undefined,
  otpSent: () => undefined,
  otpVerificationFailed: () => undefined,
  databasePoolWait: () => undefined,
  rateLimited: () => undefined,
  adapterCall: () => undefined,
  payoutsNeedingOperator: () => undefined,
};

/** Seconds since `started` (a `process.hrtime.bigint()` reading). */
export function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * Wraps a port object so that each of its methods is measured: calls, outcome (a rejected promise or a throw is
 * `error`) and duration, labelled with `port` and the method name. The object behaves as before otherwise.
 */
export function measuredPort<T extends object>(port: string, target: T, metrics: Metrics): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor') return value;
      return function measured(this: unknown, ...args: unknown[]) {
        const started = process.hrtime.bigint();
        const record = (outcome: 'ok' | 'error') => metrics.adapterCall({ port, method: property, outcome }, secondsSince(started));
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(this === receiver ? object : this, args);
        } catch (err) {
          record('error');
          throw err;
        }
        if (result instanceof Promise) {
          return result.then(
            (answer) => {
              record('ok');
              return answer;
            },
            (err: unknown) => {
              record('error');
              throw err;
            },
          );
        }
        record('ok');
        return result;
      };
    },
  });
}
