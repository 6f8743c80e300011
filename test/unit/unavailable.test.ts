import { DatabaseError } from 'pg';
import { isDependencyUnavailable } from '../../src/lib/unavailable';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('what counts as a dependency outage (503, and a job that waits instead of failing)', () => {
  it.each([
    ['PostgreSQL refusing', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a connection reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a pooled connection not had in time', new Error('timeout exceeded when trying to connect')],
    ['a connection not opened in time', new Error('Connection terminated due to connection timeout', { cause: new Error('timeout expired') })],
    ['a statement unanswered in time', new Error('Query read timeout')],
    ['a connection dropped mid-statement', new Error('Connection terminated unexpectedly')],
    ['PostgreSQL shutting down', withCode('terminating connection due to administrator command', '57P01')],
    ['PostgreSQL starting up', withCode('the database system is starting up', '57P03')],
    ['Prisma: server closed the connection', withCode('Server has closed the connection.', 'P1017')],
    ['Redis down (no offline queue)', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['a Redis command unanswered in time', new Error('Command timed out')],
    ['a Redis connection closed', new Error('Connection is closed.')],
  ])('%s is an outage', (_name, err) => {
    expect(isDependencyUnavailable(err)).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new DatabaseError('duplicate key value violates unique constraint', 0, 'error'), { code: '23505' })],
    ['a programming error', new TypeError('Cannot read properties of undefined')],
    ['a Redis script error', new Error('ERR Error running script')],
    ['not an error at all', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('%s is not', (_name, err) => {
    expect(isDependencyUnavailable(err)).toBe(false);
  });
});
