import { isDependencyUnavailable } from './unavailable';

/**
 * An outside service's failure, as an adapter reports it: `retryable` says whether the same call, sent again with
 * the same reference, may succeed (the service was unreachable, too slow, overloaded, or answered 5xx/429), or
 * whether it will fail the same way (the service refused the request: 4xx). The core honours it: a job whose
 * adapter failed `retryable: false` is not tried again (README "Adapters").
 *
 * Any error with a boolean `retryable` property is classified by it, so an adapter package need not import this
 * class: `Object.assign(new Error('…'), { retryable: false })` is as good.
 */
export class AdapterError extends Error {
  readonly retryable: boolean;
  /** The outside service's HTTP status, when it answered one. */
  readonly status?: number;

  constructor(message: string, options: { retryable: boolean; status?: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AdapterError';
    this.retryable = options.retryable;
    if (options.status !== undefined) this.status = options.status;
  }
}

/** `retry`: the same call may succeed later. `final`: it will fail again. `unclassified`: the error does not say. */
export type AdapterErrorClass = 'retry' | 'final' | 'unclassified';

/**
 * How the core reads an adapter's error: by its `retryable` property when it has one; a network failure or
 * timeout (connection refused or reset, `fetch failed`, an aborted or timed-out call, Redis or PostgreSQL
 * unreachable) is `retry`; anything else is `unclassified` (treated as `retry`, within the job's attempts).
 */
export function classifyAdapterError(err: unknown): AdapterErrorClass {
  const retryable = explicitRetryable(err);
  if (retryable !== undefined) return retryable ? 'retry' : 'final';
  if (isNetworkFailure(err) || isDependencyUnavailable(err)) return 'retry';
  return 'unclassified';
}

/** The `retryable` an adapter put on the error, or on an error it caused (up to three `cause`s down); undefined when none did. */
export function explicitRetryable(err: unknown, depth = 0): boolean | undefined {
  if (!err || typeof err !== 'object' || depth > 3) return undefined;
  const { retryable, cause } = err as { retryable?: unknown; cause?: unknown };
  return typeof retryable === 'boolean' ? retryable : explicitRetryable(cause, depth + 1);
}

function isNetworkFailure(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const { name, message, code, cause } = err as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError') return true;
  if (typeof code === 'string' && code.startsWith('UND_ERR')) return true;
  if (name === 'TypeError' && message === 'fetch failed') return true;
  return isNetworkFailure(cause, depth + 1);
}
