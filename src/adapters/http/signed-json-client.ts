import { AdapterError } from '../../lib/adapter-error';
import { outgoingTraceHeaders } from '../../lib/trace';
import { SIGNATURE_HEADER, answerSignature, parseSignatureHeader, requestSignature, sameSignature, signatureHeader } from './signature';

export interface SignedServiceOptions {
  /** What the service is, in error messages ("credit bureau"). */
  title: string;
  /** Base URL, no trailing slash. */
  url: string;
  secret: string;
  timeoutMs: number;
  fetch: typeof fetch;
  /** Seconds since the epoch (the signature's `t`). */
  now?: () => number;
}

export interface SignedRequest {
  method: 'GET' | 'POST';
  /** Appended to the base URL: `/transfers`. */
  path: string;
  body?: unknown;
  idempotencyKey?: string;
  /** Statuses besides 2xx whose answer the caller acts on (signed, like a 2xx): a status look-up's 404. */
  answers?: number[];
}

/** Statuses after which the same request may succeed: a timeout, a conflicting request still in flight, too early, too many, and 5xx. */
const RETRYABLE = new Set([408, 409, 425, 429]);

/**
 * JSON over HTTP(S) to one outside service, signed both ways (./signature.ts), as docs/http-adapters.md specifies:
 * every call has a timeout (the answer's body included), a request's answer is taken only when its signature
 * verifies, and every failure is an AdapterError saying whether to retry: unreachable, timed out, 5xx, 408, 409,
 * 425, 429, an unsigned or malformed answer → retryable; any other 4xx, a redirect → final. The secret never
 * appears in a message.
 */
export class SignedJsonClient {
  constructor(private readonly options: SignedServiceOptions) {}

  /** The answer's status and parsed JSON body (null for an empty body). */
  async call(request: SignedRequest): Promise<{ status: number; body: unknown }> {
    const { title, url, secret, timeoutMs } = this.options;
    const target = new URL(`${url}${request.path}`);
    const text = request.body === undefined ? '' : JSON.stringify(request.body);
    const t = Math.floor(this.options.now ? this.options.now() : Date.now() / 1000);
    const v1 = requestSignature(secret, t, request.method, `${target.pathname}${target.search}`, text);
    const signal = AbortSignal.timeout(timeoutMs);
    let status: number;
    let answer: string;
    let signature: string | null;
    try {
      const response = await this.options.fetch(target, {
        method: request.method,
        headers: {
          accept: 'application/json',
          [SIGNATURE_HEADER]: signatureHeader(t, v1),
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(request.idempotencyKey ? { 'idempotency-key': request.idempotencyKey } : {}),
          ...outgoingTraceHeaders(),
        },
        ...(request.body === undefined ? {} : { body: text }),
        redirect: 'manual',
        signal,
      });
      status = response.status;
      signature = response.headers.get(SIGNATURE_HEADER);
      answer = await response.text();
    } catch (err) {
      const timedOut = signal.aborted || (err as Error)?.name === 'TimeoutError';
      throw new AdapterError(
        timedOut ? `The ${title} did not answer ${request.method} ${target.pathname} within ${timeoutMs} ms` : `The ${title} could not be reached (${describe(err)})`,
        { retryable: true, cause: err },
      );
    }
    const acted = (status >= 200 && status < 300) || (request.answers ?? []).includes(status);
    if (!acted) {
      const code = errorCode(answer);
      const what = `The ${title} answered ${request.method} ${target.pathname} with HTTP ${status}${code ? ` (${code})` : ''}`;
      if (status >= 500 || RETRYABLE.has(status)) throw new AdapterError(what, { retryable: true, status });
      throw new AdapterError(status >= 300 && status < 400 ? `${what}: redirects are not followed` : what, { retryable: false, status });
    }
    const signed = parseSignatureHeader(signature);
    if (!signed || !sameSignature(signed.v1, answerSignature(secret, signed.t, v1, status, answer))) {
      throw new AdapterError(`The ${title}'s answer (HTTP ${status}) is ${signed ? 'signed with another key' : 'not signed'}: not taken`, { retryable: true, status });
    }
    if (answer.trim() === '') return { status, body: null };
    try {
      return { status, body: JSON.parse(answer) as unknown };
    } catch {
      throw new AdapterError(`The ${title} answered HTTP ${status} with a body that is not JSON`, { retryable: true, status });
    }
  }
}

/** An error's code or name, never its whole message (which could carry a URL's credentials). */
function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } })?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return (err as Error)?.name ?? 'unknown error';
}

/** The service's own error code (`{"error": {"code": "…"}}`), when it is a plain token. */
function errorCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } })?.error?.code;
    return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** An answer that is not the contract's: the transfer or inquiry may have been taken, so it is retried (a rail asks its status first). */
export function malformed(title: string, what: string): AdapterError {
  return new AdapterError(`The ${title} answered with ${what}, which is not the contract's`, { retryable: true });
}
