import { annotateSpan, inSpan, outgoingTraceHeaders } from '../../lib/trace';

/** A JSON answer from a network service: its status and parsed body (undefined when it was not JSON). */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** Why a network service could not be asked (unreachable, timed out, or an answer too large to read). */
export class OcenHttpError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OcenHttpError';
  }
}

const MAX_ANSWER_BYTES = 256 * 1024;

/**
 * One HTTP exchange with an OCEN network service (registry, auth service): bounded in time and in answer size,
 * no redirects followed (a redirect is an answer like any other, for the caller to refuse). A client span of the
 * current trace; the request carries its `traceparent`.
 */
export function requestJson(url: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; timeoutMs: number }): Promise<JsonAnswer> {
  return inSpan(init.method, 'client', { 'http.request.method': init.method, 'server.address': hostOf(url) }, () => exchange(url, init));
}

const hostOf = (url: string): string | undefined => {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
};

async function exchange(url: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; timeoutMs: number }): Promise<JsonAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: { accept: 'application/json', ...init.headers, ...outgoingTraceHeaders() },
      body: init.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(init.timeoutMs),
    });
  } catch (err) {
    throw new OcenHttpError(`${init.method} ${url} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  annotateSpan({ 'http.response.status_code': response.status });
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_ANSWER_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw new OcenHttpError(`${init.method} ${url}: the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw new OcenHttpError(`${init.method} ${url}: the answer could not be read`, { cause: err });
  }
  if (Buffer.byteLength(text) > MAX_ANSWER_BYTES) throw new OcenHttpError(`${init.method} ${url}: the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}
