import type { TraceParent } from './w3c';

/** Span attributes: values of a bounded set, never personal data (an undefined value is left out). */
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

export type SpanKindName = 'server' | 'client' | 'consumer' | 'internal';

/** Where a span starts: under a parent span (ours, or a caller's), or as the root of a given or a new trace. */
export interface SpanOrigin {
  /** `remote`: the parent is another process's (a caller's, or the request's that staged a job). */
  parent?: TraceParent & { tracestate?: string; remote: boolean };
  /** A root span's trace id (without a parent): a trace id received without a span, e.g. from an earlier release. */
  traceId?: string;
}

/** A started span of the exporting backend. */
export interface SpanHandle {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  setAttributes(attributes: SpanAttributes): void;
  /** Ends the span (once; later calls do nothing), renamed and with more attributes if given; `error` marks it failed. */
  end(outcome?: { name?: string; attributes?: SpanAttributes; error?: unknown; failed?: boolean }): void;
}

/** The span recorder behind src/lib/trace.ts while tracing is on (tracing/otel.ts, the only user of OpenTelemetry). */
export interface TracingBackend {
  start(name: string, kind: SpanKindName, origin: SpanOrigin, attributes?: SpanAttributes): SpanHandle;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}
