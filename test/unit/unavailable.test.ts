import { DatabaseError } from 'pg';
import { isDependencyUnavailable } from '../../src/lib/unavailable';
import { AdapterError, classifyAdapterError } from '../../src/lib/adapter-error';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

/** The DriverAdapterError of @prisma/adapter-pg: the driver's error, mapped, as its `cause` (captured from a role over its CONNECTION LIMIT). */
const driverAdapterError = (originalCode: string | undefined, kind: string) =>
  Object.assign(new Error(kind), { name: 'DriverAdapterError', cause: { originalCode, originalMessage: 'too many connections for role "app"', kind, cause: 'too many connections for role "app"' } });
/** A PrismaClientKnownRequestError as Prisma 7 raises it through the pg adapter: no `cause`, the driver error in `meta.driverAdapterError`. */
const prismaFull = (code: string, message: string) =>
  Object.assign(new Error(message), { name: 'PrismaClientKnownRequestError', code, meta: { modelName: 'Partner', driverAdapterError: driverAdapterError('53300', 'TooManyConnections') } });

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
    ['Prisma: PostgreSQL out of connections (P2037, the driver error in meta)', prismaFull('P2037', 'Too many database connections opened: too many connections for role "app"')],
    ['Prisma: a raw statement on a full PostgreSQL (P2010, code 53300)', prismaFull('P2010', 'Raw query failed. Code: `53300`. Message: `too many connections for role "app"`')],
    ['a driver adapter error alone (TooManyConnections)', driverAdapterError('53300', 'TooManyConnections')],
    ['a driver adapter error of an unreachable server', driverAdapterError(undefined, 'DatabaseNotReachable')],
  ])('%s is an outage', (_name, err) => {
    expect(isDependencyUnavailable(err)).toBe(true);
  });

  it.each([
    ['Prisma: a unique violation (its driver error in meta)', Object.assign(new Error('Unique constraint failed'), { code: 'P2002', meta: { driverAdapterError: driverAdapterError('23505', 'UniqueConstraintViolation') } })],
    ['a unique violation', Object.assign(new DatabaseError('duplicate key value violates unique constraint', 0, 'error'), { code: '23505' })],
    ['a programming error', new TypeError('Cannot read properties of undefined')],
    ['a Redis script error', new Error('ERR Error running script')],
    ['not an error at all', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('%s is not', (_name, err) => {
    expect(isDependencyUnavailable(err)).toBe(false);
  });
});

describe('an outside service\'s failure, as its adapter classified it', () => {
  it('when an adapter says a failure is retryable, then it is an outage (503); when it says final, then it is not, whatever its cause', () => {
    const refused = withCode('connect ECONNREFUSED 10.0.0.1:443', 'ECONNREFUSED');
    expect(isDependencyUnavailable(new AdapterError('The rail answered HTTP 503', { retryable: true, status: 503 }))).toBe(true);
    expect(isDependencyUnavailable(new AdapterError('The rail answered HTTP 400', { retryable: false, status: 400, cause: refused }))).toBe(false);
    expect(isDependencyUnavailable(Object.assign(new Error('from a package that does not import AdapterError'), { retryable: true }))).toBe(true);
  });

  it('when an adapter error is classified, then its retryable decides; a network failure or timeout thrown as it is counts as retry; anything else is unclassified', () => {
    expect(classifyAdapterError(new AdapterError('refused', { retryable: false }))).toBe('final');
    expect(classifyAdapterError(new Error('wrapped', { cause: Object.assign(new Error('x'), { retryable: false }) }))).toBe('final');
    expect(classifyAdapterError(new TypeError('fetch failed', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') }))).toBe('retry');
    expect(classifyAdapterError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe('retry');
    expect(classifyAdapterError(new Error('bureau answered 400'))).toBe('unclassified');
  });
});
