import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import type { SpanAttributes, SpanHandle, SpanKindName, SpanOrigin, TracingBackend } from './tracing/backend';
import { TraceParent, asTraceId, formatTraceparent, newSpanId, newTraceId, parseTraceparent, parseTracestate } from './tracing/w3c';

export type { SpanAttributes } from './tracing/backend';

/**
 * W3C Trace Context through the server, and its export.
 *
 * Every request continues the caller's trace (a valid `traceparent`: same trace id, our own span id, the caller's
 * span as parent, `tracestate` kept) or starts one; its answer carries our `traceparent`. The context lives in an
 * AsyncLocalStorage for the request's work: every log line written in it carries `traceId` and `spanId`
 * (logger.ts), every outbox message staged in it stores it (outbox.ts), and the worker runs each job as a child
 * span of the span that staged it, so a loan step reads as one trace: API → outbox → worker → callback, with
 * every adapter call (`tracedPort`) and outgoing HTTP call (`outgoingTraceHeaders`) inside it.
 *
 * Spans are recorded and exported only when `startTracing` was given an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT):
 * the OpenTelemetry SDK is loaded then, and only then (src/lib/tracing/otel.ts, the one module that imports it).
 * Otherwise ids are still made and propagated, which costs a regular expression and a few random bytes per request.
 */

/** A position in a trace, as it is propagated: trace id, the working span's id, sampled flag, vendor state. */
export interface TraceContext extends TraceParent {
  /** The caller's `tracestate`, passed on unchanged to our outgoing calls. */
  tracestate?: string;
}

/** The context of work in progress: its position, and its recorded span while tracing is on. */
export interface ActiveTrace extends TraceContext {
  /** The recorded span, while tracing is on. */
  span?: SpanHandle;
}

const store = new AsyncLocalStorage<ActiveTrace>();
let backend: TracingBackend | undefined;

/** The trace context of the work in progress, if any. */
export function currentTrace(): TraceContext | undefined {
  return store.getStore();
}

/** The W3C trace id (32 lowercase hex digits) of the work in progress, if any. */
export function currentTraceId(): string | undefined {
  return store.getStore()?.traceId;
}

/** The `traceparent` header value of a trace position. */
export const traceparentOf = (context: TraceParent): string => formatTraceparent(context);

/**
 * The headers to send with an outgoing HTTP call so that the callee continues this trace: `{ traceparent,
 * tracestate? }` for the current context (the span making the call is the parent), `{}` outside any trace.
 * Spread them into the call's headers: `fetch(url, { headers: { ...ownHeaders, ...outgoingTraceHeaders() } })`.
 * Adapters call it inside their port method, which `tracedPort` already runs in a client span of its own.
 */
export function outgoingTraceHeaders(): Record<string, string> {
  const context = store.getStore();
  if (!context) return {};
  return context.tracestate ? { traceparent: formatTraceparent(context), tracestate: context.tracestate } : { traceparent: formatTraceparent(context) };
}

/** Runs `fn` in a trace of its own with the given trace id (32 hex digits or a UUID; else a new one). No span is recorded. */
export function withTrace<T>(traceId: string, fn: () => T): T {
  return store.run({ traceId: asTraceId(traceId) ?? newTraceId(), spanId: newSpanId(), sampled: false }, fn);
}

function begin(kind: SpanKindName, name: string, origin: SpanOrigin, attributes?: SpanAttributes): ActiveTrace {
  const tracestate = origin.parent?.tracestate;
  if (!backend) return { traceId: origin.parent?.traceId ?? origin.traceId ?? newTraceId(), spanId: newSpanId(), sampled: origin.parent?.sampled ?? false, tracestate };
  const span = backend.start(name, kind, origin, attributes);
  return { traceId: span.traceId, spanId: span.spanId, sampled: span.sampled, tracestate, span };
}

/**
 * The server span of a request: a child of the caller's span when `traceparent` is valid (its `tracestate` kept),
 * else the root of a new trace (of the `X-Trace-Id` given, when that is a trace id or a UUID, as earlier releases
 * accepted). Run the request's work with `runInTrace`, answer with `traceparentOf`, end with `endTrace`.
 */
export function startServerTrace(headers: IncomingHttpHeaders, method: string): ActiveTrace {
  const parent = parseTraceparent(headers.traceparent);
  const origin: SpanOrigin = parent ? { parent: remoteParent(parent, parseTracestate(headers.tracestate)) } : { traceId: asTraceId(headers['x-trace-id']) };
  return begin('server', method, origin, { 'http.request.method': method });
}

// Built field by field: on Node 20 an object spread here measured several µs, more than all the rest of a request's tracing.
function remoteParent(parent: TraceParent, tracestate: string | undefined): NonNullable<SpanOrigin['parent']> {
  return { traceId: parent.traceId, spanId: parent.spanId, sampled: parent.sampled, tracestate, remote: true };
}

export function runInTrace<T>(context: ActiveTrace, fn: () => T): T {
  return store.run(context, fn);
}

/** Ends a context's span, renamed and with more attributes if given (nothing while tracing is off). */
export function endTrace(context: ActiveTrace, outcome?: Parameters<SpanHandle['end']>[0]): void {
  context.span?.end(outcome);
}

/** Adds attributes to the current span (nothing while tracing is off). */
export function annotateSpan(attributes: SpanAttributes): void {
  store.getStore()?.span?.setAttributes(attributes);
}

/**
 * Runs `fn` in a child span of the current one (`kind` client for a call to the outside), ended when `fn`
 * settles, failed when it throws or rejects. While tracing is off, `fn` runs as it is, in the current context.
 */
export function inSpan<T>(name: string, kind: SpanKindName, attributes: SpanAttributes, fn: () => T): T {
  if (!backend) return fn();
  const parent = store.getStore();
  const active = begin(kind, name, parent ? { parent: { traceId: parent.traceId, spanId: parent.spanId, sampled: parent.sampled, tracestate: parent.tracestate, remote: false } } : {}, attributes);
  return settle(active, () => store.run(active, fn));
}

function settle<T>(active: ActiveTrace, fn: () => T): T {
  let result: T;
  try {
    result = fn();
  } catch (err) {
    active.span?.end({ error: err });
    throw err;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        active.span?.end();
        return value;
      },
      (err: unknown) => {
        active.span?.end({ error: err });
        throw err;
      },
    ) as T;
  }
  active.span?.end();
  return result;
}

/** A trace context as stored with an outbox message (the `traceparent` of the span that staged it). */
export interface StoredTrace {
  traceparent?: string | null;
  tracestate?: string | null;
  /** The trace id alone, as messages of earlier releases carry it (a UUID then). */
  traceId?: string | null;
}

/** The current context to store with work staged for later (undefined outside any trace). */
export function traceToStore(): { traceparent: string; tracestate?: string } | undefined {
  const context = store.getStore();
  if (!context) return undefined;
  return context.tracestate ? { traceparent: formatTraceparent(context), tracestate: context.tracestate } : { traceparent: formatTraceparent(context) };
}

/**
 * Runs `fn` as a span (`kind` consumer for a job) continuing a stored context: a child of the span that stored
 * it; of a message with only a trace id (earlier releases), the root of that trace; of one with none, the root
 * of a trace of `fallbackTraceId` (the message id, a UUID) so that every try of one job shares a trace.
 */
export function continueTrace<T>(stored: StoredTrace, fallbackTraceId: string, name: string, attributes: SpanAttributes, fn: () => Promise<T>): Promise<T> {
  const parent = parseTraceparent(stored.traceparent ?? undefined);
  const origin: SpanOrigin = parent
    ? { parent: remoteParent(parent, parseTracestate(stored.tracestate ?? undefined)) }
    : { traceId: asTraceId(stored.traceId) ?? asTraceId(fallbackTraceId) };
  const active = begin('consumer', name, origin, attributes);
  return settle(active, () => store.run(active, fn));
}

/**
 * Wraps a port object (an adapter: bureau, rail, SMS…) so that each method call is a client span named
 * `<port>.<method>`, the call's outgoing HTTP requests its children. Tracing must be started before the
 * services are built: while it is off, the port itself is returned (nothing is added to a call).
 */
export function tracedPort<T extends object>(port: string, target: T): T {
  if (!backend) return target;
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor') return value;
      return function traced(this: unknown, ...args: unknown[]) {
        const self = this === receiver ? object : this;
        return inSpan(`${port}.${property}`, 'client', { 'credit_partner.port': port, 'credit_partner.method': property }, () =>
          (value as (...a: unknown[]) => unknown).apply(self, args));
      };
    },
  });
}

/** What `startTracing` reads: config.tracing (src/lib/config.ts). */
export interface TracingSettings {
  tracesUrl: string | undefined;
  serviceName: string;
}

/**
 * Starts recording spans and exporting them over OTLP/HTTP (JSON) to `settings.tracesUrl`; does nothing without
 * one (no SDK loaded, no exporter, no timer). Call it once per process, before the services are built. `role`
 * (api, worker) is the resource attribute `credit_partner.role`; `warn` is told, at most once a minute, that spans
 * could not be exported.
 */
export async function startTracing(settings: TracingSettings, role: 'api' | 'worker', warn?: (fields: Record<string, unknown>, message: string) => void): Promise<boolean> {
  if (backend) return true;
  if (!settings.tracesUrl) return false;
  const { createOtelBackend } = await import('./tracing/otel');
  let lastWarned = 0;
  let failures = 0;
  backend = createOtelBackend({
    tracesUrl: settings.tracesUrl,
    serviceName: settings.serviceName,
    role,
    onExportFailure: (error) => {
      failures++;
      if (!warn || Date.now() - lastWarned < 60_000) return;
      warn({ err: error, failedBatches: failures, tracesUrl: settings.tracesUrl }, 'spans could not be exported; dropped');
      lastWarned = Date.now();
      failures = 0;
    },
  });
  return true;
}

export function tracingEnabled(): boolean {
  return backend !== undefined;
}

/** Exports the spans ended so far (a no-op while tracing is off). */
export async function flushTracing(): Promise<void> {
  await backend?.flush();
}

/** Exports what is left and stops recording (graceful shutdown); later spans are not recorded. */
export async function stopTracing(): Promise<void> {
  const stopping = backend;
  backend = undefined;
  await stopping?.shutdown();
}
