/**
 * The envelope of an authenticated OCEN request: its originator is the caller, and its timestamp is within the
 * replay window, read leniently (ISO-8601 with or without zone, epoch milliseconds).
 */
import { checkEnvelope, readOcenTimestamp } from '../../src/protocols/ocen/ocen-auth';
import { OcenAuthError } from '../../src/protocols/ocen/ocen-auth-error';

const now = new Date('2026-12-03T10:00:00.000Z');
const WINDOW = 5 * 60_000;
const caller = { participantId: 'la-1' };
const body = (metadata: Record<string, unknown>) => ({ metadata: { version: '4.0.0alpha', traceId: 't', requestId: 'r', ...metadata } });

function reasonOf(metadata: Record<string, unknown>): string | undefined {
  try {
    checkEnvelope(caller, body(metadata), now, WINDOW);
    return undefined;
  } catch (err) {
    if (err instanceof OcenAuthError) {
      expect(err.status).toBe(401);
      return err.reason;
    }
    throw err;
  }
}

describe('checkEnvelope', () => {
  it.each<[string, string, Record<string, unknown>]>([
    ['the caller as originator and a fresh timestamp', 'accepted', { originatorParticipantId: 'la-1', timestamp: '2026-12-03T10:01:00Z' }],
    ['no originator (the caller is taken as originator)', 'accepted', { timestamp: '2026-12-03T09:59:00Z' }],
    ['no timestamp (documented: accepted)', 'accepted', { originatorParticipantId: 'la-1' }],
    ['another participant as originator', 'ORIGINATOR_MISMATCH', { originatorParticipantId: 'la-2', timestamp: now.toISOString() }],
    ['a numeric originator that is another participant', 'ORIGINATOR_MISMATCH', { originatorParticipantId: 7 }],
    ['a timestamp 6 minutes old', 'TIMESTAMP_OUT_OF_WINDOW', { timestamp: '2026-12-03T09:54:00Z' }],
    ['a timestamp 6 minutes ahead', 'TIMESTAMP_OUT_OF_WINDOW', { timestamp: '2026-12-03T10:06:00Z' }],
    ['a timestamp 4 minutes old, in IST', 'accepted', { timestamp: '2026-12-03T15:26:00+05:30' }],
    ['epoch milliseconds as text', 'accepted', { timestamp: String(now.getTime() - 60_000) }],
    ['epoch milliseconds a day old', 'TIMESTAMP_OUT_OF_WINDOW', { timestamp: now.getTime() - 86_400_000 }],
    ['a zoneless time read as UTC', 'accepted', { timestamp: '2026-12-03T10:02:00' }],
    ['a zoneless time read as IST', 'accepted', { timestamp: '2026-12-03T15:32:00.123456' }],
    ['a zoneless time an hour off either way', 'TIMESTAMP_OUT_OF_WINDOW', { timestamp: '2026-12-03T11:00:00' }],
    ['a timestamp that is not a time', 'TIMESTAMP_UNREADABLE', { timestamp: 'yesterday' }],
  ])('when the envelope has %s, then it is %s', (_what, outcome, metadata) => {
    expect(reasonOf(metadata) ?? 'accepted').toBe(outcome);
  });

  it('when a zoned timestamp is read, then it means one instant; a zoneless one means UTC or IST', () => {
    expect(readOcenTimestamp('2026-12-03T10:00:00+0530')).toEqual([Date.parse('2026-12-03T04:30:00Z')]);
    expect(readOcenTimestamp('2026-12-03 10:00:00')).toEqual([Date.parse('2026-12-03T10:00:00Z'), Date.parse('2026-12-03T04:30:00Z')]);
    expect(readOcenTimestamp('1764756000')).toEqual([1764756000000]);
    expect(readOcenTimestamp({})).toBeUndefined();
  });
});
