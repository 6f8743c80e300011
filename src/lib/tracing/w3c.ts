import { randomFillSync } from 'node:crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` and `tracestate` headers, read and
 * written without any tracing library, so that the request path pays only for a regular expression and a few
 * random bytes when no exporter is configured.
 */

/** A position in a trace: the trace, the span that is working in it, whether that span is recorded. */
export interface TraceParent {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  spanId: string;
  /** The `sampled` trace flag: the span may be recorded (and so may its children). */
  sampled: boolean;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);
/** version-traceid-parentid-flags; a version above 00 may append more fields after a dash. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The header's trace position, or undefined when it is absent or malformed (a new trace is started then). */
export function parseTraceparent(header: string | string[] | undefined): TraceParent | undefined {
  if (typeof header !== 'string' || header.length < 55 || header.length > 512) return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(position: TraceParent): string {
  return `00-${position.traceId}-${position.spanId}-${position.sampled ? '01' : '00'}`;
}

const TRACESTATE_MEMBER = /^(?:[a-z0-9][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/**
 * The header's vendor entries, normalised (`key=value` joined by `,`), or undefined when absent, empty or
 * malformed (more than 32 entries, a key twice, a malformed entry): a malformed `tracestate` is dropped whole,
 * never passed on in part. Node joins repeated headers with ", ", which this reads as one list, as the spec asks.
 */
export function parseTracestate(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text || text.length > 4096) return undefined;
  const members = text.split(',').map((member) => member.trim()).filter(Boolean);
  if (members.length === 0 || members.length > 32) return undefined;
  const keys = new Set<string>();
  for (const member of members) {
    if (!TRACESTATE_MEMBER.test(member)) return undefined;
    const key = member.slice(0, member.indexOf('='));
    if (keys.has(key)) return undefined;
    keys.add(key);
  }
  return members.join(',');
}

/**
 * A trace id given in another form: 32 hex digits in either case, or a UUID (the trace ids of earlier releases,
 * still found in outbox messages and `X-Trace-Id` headers), as a W3C trace id; undefined for anything else.
 */
export function asTraceId(text: unknown): string | undefined {
  if (typeof text !== 'string' || (text.length !== 32 && text.length !== 36)) return undefined;
  const hex = (text.length === 36 && /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(text) ? text.replace(/-/g, '') : text).toLowerCase();
  return TRACE_ID.test(hex) && hex !== INVALID_TRACE_ID ? hex : undefined;
}

// Ids are cut from a pool of random hex digits, refilled 4 KiB of random bytes at a time (one system call and one
// conversion per ~300 requests; a substring is far cheaper than a conversion per id).
const bytes = Buffer.alloc(4096);
let pool = '';
let used = 0;

function randomHex(digits: number): string {
  if (used + digits > pool.length) {
    pool = randomFillSync(bytes).toString('hex');
    used = 0;
  }
  const hex = pool.slice(used, used + digits);
  used += digits;
  return hex;
}

export function newTraceId(): string {
  for (;;) {
    const id = randomHex(32);
    if (id !== INVALID_TRACE_ID) return id;
  }
}

export function newSpanId(): string {
  for (;;) {
    const id = randomHex(16);
    if (id !== INVALID_SPAN_ID) return id;
  }
}
