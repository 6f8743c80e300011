import { isDependencyUnavailable } from '../../lib/unavailable';

/** Whether an error means a dependency (PostgreSQL, Redis) could not be reached or did not answer in time: worth a 503 and a retry. */
export function isConnectivityError(err: unknown): boolean {
  return isDependencyUnavailable(err);
}
