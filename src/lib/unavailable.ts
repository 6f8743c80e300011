const CODES = new Set([
  // The network: refused, reset, timed out, unreachable, a name that does not resolve.
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  // PostgreSQL shutting down, starting up or full.
  '57P01', '57P02', '57P03', '53300',
  // Prisma: server unreachable, connect timed out, connection closed, pool timed out, too many connections.
  'P1001', 'P1002', 'P1017', 'P2024', 'P2037',
  // A rate limit that fails closed while Redis cannot be reached (RateLimitUnavailableError).
  'RATE_LIMIT_UNAVAILABLE',
  // A key in an HSM that cannot be reached (KeyUnavailableError, src/lib/keys.ts).
  'KEY_UNAVAILABLE',
]);

/**
 * The kinds of @prisma/adapter-pg's DriverAdapterError (its `cause.kind`) that mean PostgreSQL could not be
 * had: Prisma 7 raises them with no `cause` of its own, the driver error in `meta.driverAdapterError`.
 */
const ADAPTER_KINDS = new Set(['TooManyConnections', 'DatabaseNotReachable', 'DatabaseDoesNotExist', 'ConnectionClosed', 'SocketTimeout', 'TlsConnectionError']);

const MESSAGES = new RegExp(
  [
    'ECONNREFUSED', 'ECONNRESET', 'connect ETIMEDOUT',
    // pg and pg-pool
    'Connection terminated', 'Query read timeout', 'too many connections', 'Code: `53300`', 'timeout expired', 'timeout exceeded when trying to connect', 'not queryable',
    // ioredis
    'Connection is closed', "Stream isn't writeable", 'Command timed out', 'Socket timeout', 'max retries per request',
  ].join('|'),
  'i',
);

/**
 * Whether an error means that PostgreSQL or Redis could not be reached or did not answer in time: refused
 * (PostgreSQL out of connections too, however Prisma wraps it: P2037, `meta.driverAdapterError`),
 * reset, dropped, timed out (see the connect and statement timeouts in the Configuration), or a server that
 * is shutting down or starting up; or an outside service whose adapter says the call may be retried
 * (`retryable: true`, an AdapterError). Such a failure is temporary: a request is answered 503 and may be
 * retried with the same requestId. A job waits for PostgreSQL or Redis without using up its attempts; an outside
 * service's failure uses one, with the queue's backoff (JobWorker).
 */
export function isDependencyUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const { code, message, name, cause, meta, kind, originalCode, retryable } = err as Record<string, unknown>;
  // An outside service's failure as its adapter classified it (src/lib/adapter-error.ts): retryable is an outage.
  if (typeof retryable === 'boolean') return retryable;
  if (typeof code === 'string' && (CODES.has(code) || code.startsWith('08'))) return true;
  // The driver's error as @prisma/adapter-pg maps it (a DriverAdapterError's cause).
  if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
  if (typeof originalCode === 'string' && (CODES.has(originalCode) || originalCode.startsWith('08'))) return true;
  if (name === 'MaxRetriesPerRequestError') return true;
  if (typeof message === 'string' && MESSAGES.test(message)) return true;
  const adapterError = meta && typeof meta === 'object' ? (meta as { driverAdapterError?: unknown }).driverAdapterError : undefined;
  return isDependencyUnavailable(adapterError, depth + 1) || isDependencyUnavailable(cause, depth + 1);
}
