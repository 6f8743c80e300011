import fs from 'node:fs';
import path from 'node:path';
import { Context, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { ExportResult, ExportResultCode, TraceState } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, IdGenerator, NodeTracerProvider, ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node';
import { projectRoot } from '../paths';
import { scrub } from '../scrub';
import type { SpanAttributes, SpanHandle, SpanKindName, SpanOrigin, TracingBackend } from './backend';
import { newSpanId, newTraceId } from './w3c';

/**
 * The OpenTelemetry SDK behind src/lib/trace.ts, loaded only when an OTLP endpoint is configured: a tracer
 * provider (not registered as the global one: nothing else in the process records spans), a batch span
 * processor (OTEL_BSP_* settings) and the OTLP/HTTP JSON exporter (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION
 * are read by the exporter itself). The sampler is the SDK's (OTEL_TRACES_SAMPLER, default parentbased_always_on:
 * a caller's unsampled trace is not recorded).
 */
export interface OtelSettings {
  tracesUrl: string;
  serviceName: string;
  /** `api` or `worker` (resource attribute `credit_partner.role`). */
  role: string;
  /** Told when a batch of spans could not be exported (the spans are dropped; the service is unaffected). */
  onExportFailure?: (error: Error | undefined) => void;
}

const KINDS: Record<SpanKindName, SpanKind> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  consumer: SpanKind.CONSUMER,
  internal: SpanKind.INTERNAL,
};

export function createOtelBackend(settings: OtelSettings): TracingBackend {
  // A root span of a given trace (an id received without a span) takes its trace id from here, handed over
  // synchronously just before the span is started.
  let givenTraceId: string | undefined;
  const ids: IdGenerator = {
    generateTraceId: () => givenTraceId ?? newTraceId(),
    generateSpanId: newSpanId,
  };
  // OTEL_RESOURCE_ATTRIBUTES adds to (and may override) the SDK's defaults; the name, version and role are ours.
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ 'service.name': settings.serviceName, 'service.version': packageVersion(), 'credit_partner.role': settings.role }));
  const exporter = reporting(new OTLPTraceExporter({ url: settings.tracesUrl }), settings.onExportFailure);
  const provider = new NodeTracerProvider({ resource, idGenerator: ids, spanProcessors: [new BatchSpanProcessor(exporter)] });
  const tracer = provider.getTracer('credit-partner');

  return {
    start(name, kind, origin: SpanOrigin, attributes?: SpanAttributes) {
      let context: Context = ROOT_CONTEXT;
      if (origin.parent) {
        context = trace.setSpanContext(ROOT_CONTEXT, {
          traceId: origin.parent.traceId,
          spanId: origin.parent.spanId,
          traceFlags: origin.parent.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
          isRemote: origin.parent.remote,
          traceState: origin.parent.tracestate ? new TraceState(origin.parent.tracestate) : undefined,
        });
      } else {
        givenTraceId = origin.traceId;
      }
      try {
        return handle(tracer.startSpan(name, { kind: KINDS[kind], attributes }, context));
      } finally {
        givenTraceId = undefined;
      }
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

function handle(span: Span): SpanHandle {
  const context = span.spanContext();
  let ended = false;
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    sampled: (context.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
    setAttributes: (attributes) => span.setAttributes(attributes),
    end(outcome = {}) {
      if (ended) return;
      ended = true;
      if (outcome.name) span.updateName(outcome.name);
      if (outcome.attributes) span.setAttributes(outcome.attributes);
      if (outcome.error !== undefined) {
        const error = outcome.error instanceof Error ? outcome.error : undefined;
        span.setAttribute('error.type', error?.name ?? typeof outcome.error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error ? scrub(error.message) : undefined });
      } else if (outcome.failed) {
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}

/** The exporter, telling `onFailure` of each batch it could not send. */
function reporting(inner: SpanExporter, onFailure: OtelSettings['onExportFailure']): SpanExporter {
  if (!onFailure) return inner;
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      inner.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) onFailure(result.error);
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

function packageVersion(): string {
  try {
    return String((JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}
