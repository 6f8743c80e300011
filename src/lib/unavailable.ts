const CODES = new Set([
  // The network: refused, reset, timed out, unreachable, a name that does not resolve.
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  // PostgreSQL shutting down, starting up or full.
  '57P01', '57P02', '57P03', '53300',
  // Prisma: server unreachable, connect timed out, connection closed, pool timed out.
  'P1001', 'P1002', 'P1017', 'P2024',
  // A rate limit that fails closed while Redis cannot be reached (RateLimitUnavailableError).
  'RATE_LIMIT_UNAVAILABLE',
]);

const MESSAGES = new RegExp(
  [
    'ECONNREFUSED', 'ECONNRESET', 'connect ETIMEDOUT',
    // pg and pg-pool
    'Connection terminated', 'Query read timeout', 'timeout expired', 'timeout exceeded when trying to connect', 'not queryable',
    // ioredis
    'Connection is closed', "Stream isn't writeable", 'Command timed out', 'Socket timeout', 'max retries per request',
  ].join('|'),
  'i',
);

/**
 * Whether an error means that PostgreSQL or Redis could not be reached or did not answer in time: refused,
 * reset, dropped, timed out (see the connect and statement timeouts in the Configuration), or a server that
 * is shutting down or starting up. Such a failure is temporary: a request is answered 503 and may be
 * retried with the same requestId, and a job waits for the dependency instead of using up its attempts.
 */
export function isDependencyUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const { code, message, name, cause } = err as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown };
  if (typeof code === 'string' && (CODES.has(code) || code.startsWith('08'))) return true;
  if (name === 'MaxRetriesPerRequestError') return true;
  if (typeof message === 'string' && MESSAGES.test(message)) return true;
  return isDependencyUnavailable(cause, depth + 1);
}
