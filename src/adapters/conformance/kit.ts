import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { OutsideCall, OutsideCallInTransactionError, asIfInTransaction, asOutsideCall } from '../../lib/db/database';
import { classifyAdapterError } from '../../lib/adapter-error';
import { AdapterContext, PORT_NAMES, PORT_TITLES, PortName, Ports } from '../ports';
import { LoadedAdapterModule, composeAdapters, guardedPort } from '../modules';
import { KitCalls, KitFailure, Skip, describe, show } from './checks';
import { PORT_SPECS } from './port-specs';

export type Outcome = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  outcome: Outcome;
  detail: string;
}

export interface PortReport {
  port: PortName;
  title: string;
  suppliedBy: string;
  checks: CheckResult[];
}

export interface KitReport {
  modules: string[];
  ports: PortReport[];
  /** Ports none of the modules supplies (not checked). */
  unsupplied: PortName[];
  timeoutMs: number;
  passed: number;
  failed: number;
  skipped: number;
}

export interface KitOptions {
  modules: LoadedAdapterModule[];
  /** The context the modules are given. The kit wraps its `fetch` and `redis` to watch the calls and inject faults. */
  context: AdapterContext;
  /** Every call must settle within this (the adapter's own timeout must be shorter). */
  timeoutMs: number;
  /** Only these ports (default: every port the modules supply). */
  ports?: PortName[];
  /** A Redis client that cannot reach Redis, for the fault of an adapter keeping state in Redis; the kit closes it. */
  unreachableRedis?: () => Redis;
}

class KitTimeout extends Error {
  constructor(readonly method: string, readonly ms: number) {
    super(`${method} did not settle within ${ms} ms`);
  }
}

/** A fault the kit answers an HTTP call with, and the class the adapter's error must have. */
const HTTP_FAULTS = [
  { name: 'connection refused', expected: 'retry' },
  { name: 'no answer (timeout)', expected: 'retry' },
  { name: 'HTTP 503', expected: 'retry', status: 503 },
  { name: 'HTTP 429', expected: 'retry', status: 429 },
  { name: 'HTTP 400', expected: 'final', status: 400 },
] as const;

type HttpFault = (typeof HTTP_FAULTS)[number];

/** What the kit's `fetch` does to the calls going through it. */
interface FetchMode {
  fault?: HttpFault;
  /** The service acts on the call, and its answer is lost on the way back. */
  dropAnswers?: boolean;
}

/** Runs the checks on each port the modules supply (README "Adapters", the conformance kit), into a report. */
export async function verifyAdapters(options: KitOptions): Promise<KitReport> {
  const run = randomBytes(4).toString('hex');
  const mode: FetchMode = {};
  const usage = { fetch: 0, redis: 0 };
  const context = instrumentedContext(options.context, mode, usage);
  const composed = composeAdapters(options.modules, context);
  const wanted = options.ports ?? PORT_NAMES;
  const supplied = PORT_NAMES.filter((port) => wanted.includes(port) && composed.ports[port]);
  const reports: PortReport[] = [];
  let unreachable: Redis | undefined;
  try {
    for (const port of supplied) {
      const spec = PORT_SPECS[port]();
      const adapter = composed.ports[port] as Ports[typeof port];
      const checks: CheckResult[] = [];
      const timings: Array<{ method: string; ms: number }> = [];
      const refusals: string[] = [];
      let counter = 0;
      const call = async <T>(method: string, fn: () => Promise<T> | T): Promise<T> => {
        const record: OutsideCall = { call: `${port}.${method}`, transactionsRefused: 0 };
        const started = performance.now();
        try {
          return await within(options.timeoutMs, `${port}.${method}`, () => (spec.local ? fn() : asOutsideCall(record.call, fn, record)));
        } finally {
          timings.push({ method, ms: Math.round(performance.now() - started) });
          if (record.transactionsRefused) refusals.push(`${record.call} (${record.transactionsRefused})`);
        }
      };
      const calls: KitCalls = {
        call,
        ref: (label) => `KIT-${run}-${port}-${label}-${++counter}`,
        callLosingAnswer: async (method, fn) => {
          const before = usage.fetch;
          mode.dropAnswers = true;
          try {
            await call(method, fn);
          } catch (err) {
            if (usage.fetch === before) throw err;
            if (classifyAdapterError(err) !== 'retry') throw new KitFailure(`a lost answer must fail retryable, but ${method} threw ${describe(err)} (${classifyAdapterError(err)})`);
            return 'its HTTP answer dropped on the way back';
          } finally {
            mode.dropAnswers = false;
          }
          if (usage.fetch > before) throw new KitFailure(`${method} answered although its HTTP answer was dropped: a lost answer must be an error (retryable)`);
          return 'its answer discarded (the adapter makes no HTTP call through the context)';
        },
      };
      const usageBefore = { ...usage };
      for (const behaviour of spec.behaviours) checks.push(await runCheck(behaviour.name, () => behaviour.run(adapter as never, calls)));
      const usedFetch = usage.fetch > usageBefore.fetch;
      const usedRedis = usage.redis > usageBefore.redis;

      checks.push(timeCheck(options.timeoutMs, timings));
      checks.push(await runCheck('errors are classified: retry (unreachable, no answer, 5xx, 429) or final (4xx)', async () => {
        if (!spec.probe) throw new Skip('pure and local: it calls nothing outside, so nothing can fail');
        const seen: string[] = [];
        if (usedFetch) {
          for (const fault of HTTP_FAULTS) {
            mode.fault = fault;
            const before = usage.fetch;
            try {
              const answer = await call(spec.probeMethod!, () => spec.probe!(adapter as never, calls.ref('fault')));
              seen.push(`${fault.name} → answered ${show(answer)} ✗`);
              throw new KitFailure(`answered ${show(answer)} to ${fault.name} instead of throwing (${seen.join('; ')})`);
            } catch (err) {
              if (err instanceof KitFailure) throw err;
              if (usage.fetch === before) throw new KitFailure(`made no HTTP call for ${fault.name} although it did before`);
              if (err instanceof KitTimeout) throw new KitFailure(`did not give up on a service that never answers within ${options.timeoutMs} ms: give each call a timeout (AbortSignal.timeout)`);
              const got = classifyAdapterError(err);
              if (got !== fault.expected) {
                throw new KitFailure(`${fault.name} must be ${fault.expected}, but ${spec.probeMethod} threw ${describe(err)}, ${got === 'unclassified' ? 'unclassified (throw AdapterError with retryable)' : got}`);
              }
              seen.push(`${fault.name} → ${got}`);
            } finally {
              mode.fault = undefined;
            }
          }
        }
        if (usedRedis) {
          if (!options.unreachableRedis) throw new Skip('keeps state in Redis, but the kit was given no unreachable Redis to fail it with');
          unreachable ??= options.unreachableRedis();
          const broken = unreachable;
          const faulty = composeAdapters(options.modules, Object.create(context, { redis: { get: () => broken } }) as AdapterContext).ports[port];
          try {
            await call(spec.probeMethod!, () => spec.probe!(faulty as never, calls.ref('redis-fault')));
            throw new KitFailure('answered although its Redis was unreachable');
          } catch (err) {
            if (err instanceof KitFailure) throw err;
            const got = classifyAdapterError(err);
            if (got !== 'retry') throw new KitFailure(`Redis unreachable must be retry, but ${spec.probeMethod} threw ${describe(err)}, ${got}`);
            seen.push('Redis unreachable → retry');
          }
        }
        if (!seen.length) throw new Skip('calls nothing outside through the context (no fetch, no Redis), so nothing can be made to fail');
        return seen.join(', ');
      }));
      checks.push(await runCheck('no call inside a transaction, and none opened by the adapter', async () => {
        if (spec.local) throw new Skip('pure and local: the core may call it inside a transaction');
        if (refusals.length) throw new KitFailure(`opened a database transaction during ${refusals.join(', ')}: an adapter must not use the server's database`);
        let reached = 0;
        const spy = new Proxy(adapter as object, {
          get(target, property, receiver) {
            const value = Reflect.get(target, property, receiver) as unknown;
            if (typeof value !== 'function') return value;
            return (...args: unknown[]) => {
              reached++;
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        }) as Ports[typeof port];
        const guarded = guardedPort(port, spy);
        try {
          await asIfInTransaction(() => spec.probe!(guarded as never, calls.ref('in-transaction')));
        } catch (err) {
          if (err instanceof OutsideCallInTransactionError && reached === 0) return `the server refuses ${spec.probeMethod} inside a transaction before it reaches the adapter; the adapter opened none`;
          throw new KitFailure(`a call inside a transaction reached the adapter or failed otherwise: ${describe(err)}`);
        }
        throw new KitFailure(`${spec.probeMethod} ran inside a transaction: the server's guard did not refuse it`);
      }));
      reports.push({ port, title: PORT_TITLES[port], suppliedBy: composed.suppliedBy[port]!, checks });
    }
  } finally {
    unreachable?.disconnect();
  }
  const all = reports.flatMap((report) => report.checks);
  return {
    modules: composed.modules,
    ports: reports,
    unsupplied: PORT_NAMES.filter((port) => wanted.includes(port) && !composed.ports[port]),
    timeoutMs: options.timeoutMs,
    passed: all.filter((check) => check.outcome === 'pass').length,
    failed: all.filter((check) => check.outcome === 'fail').length,
    skipped: all.filter((check) => check.outcome === 'skip').length,
  };
}

async function runCheck(name: string, run: () => Promise<string>): Promise<CheckResult> {
  try {
    return { name, outcome: 'pass', detail: await run() };
  } catch (err) {
    if (err instanceof Skip) return { name, outcome: 'skip', detail: err.message };
    if (err instanceof KitFailure) return { name, outcome: 'fail', detail: err.message };
    if (err instanceof KitTimeout) return { name, outcome: 'fail', detail: err.message };
    return { name, outcome: 'fail', detail: `threw ${describe(err)}` };
  }
}

function timeCheck(timeoutMs: number, timings: Array<{ method: string; ms: number }>): CheckResult {
  const name = `answers within ${timeoutMs} ms`;
  if (!timings.length) return { name, outcome: 'skip', detail: 'no call was made' };
  const late = timings.filter((timing) => timing.ms >= timeoutMs);
  const slowest = timings.reduce((a, b) => (b.ms > a.ms ? b : a));
  if (late.length) return { name, outcome: 'fail', detail: `${late.map((timing) => timing.method).join(', ')} took ${timeoutMs} ms or more` };
  return { name, outcome: 'pass', detail: `${timings.length} calls, the slowest ${slowest.method} in ${slowest.ms} ms` };
}

async function within<T>(ms: number, method: string, fn: () => Promise<T> | T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new KitTimeout(method, ms)), ms)));
  try {
    return await Promise.race([Promise.resolve().then(fn), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The context as the modules see it in the kit: its `fetch` counts the calls and, when asked, answers them with a
 * fault or drops their answers; its `redis` counts the commands.
 */
function instrumentedContext(base: AdapterContext, mode: FetchMode, usage: { fetch: number; redis: number }): AdapterContext {
  const fetcher: typeof fetch = async (input, init) => {
    usage.fetch++;
    const fault = mode.fault;
    if (fault?.name === 'connection refused') throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    if (fault?.name === 'no answer (timeout)') {
      return new Promise<Response>((_, reject) => {
        const signal = init?.signal;
        if (signal) signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    if (fault && 'status' in fault) return new Response(JSON.stringify({ error: { code: 'KIT_FAULT', message: fault.name } }), { status: fault.status, headers: { 'content-type': 'application/json' } });
    const response = await base.fetch(input, init);
    if (mode.dropAnswers) {
      await response.arrayBuffer();
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    }
    return response;
  };
  let watched: Redis | undefined;
  return Object.create(base, {
    fetch: { value: fetcher, enumerable: true },
    redis: {
      enumerable: true,
      get: () =>
        (watched ??= new Proxy(base.redis, {
          get(target, property) {
            const value = Reflect.get(target, property, target) as unknown;
            if (typeof value !== 'function' || property === 'constructor') return value;
            return (...args: unknown[]) => {
              usage.redis++;
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        })),
    },
  }) as AdapterContext;
}
