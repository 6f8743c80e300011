/** Whether an error means a dependency (PostgreSQL, Redis) could not be reached: worth a 503 and a retry. */
export function isConnectivityError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'P1001', 'P1002', 'P1017', 'P2024', 'RATE_LIMIT_UNAVAILABLE'].includes(e?.code ?? '') ||
    /ECONNREFUSED|Connection terminated|connect ETIMEDOUT/.test(e?.message ?? '')
  );
}
