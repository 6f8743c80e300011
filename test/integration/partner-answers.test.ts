import { randomUUID } from 'node:crypto';
import { AppErrorCode } from '../../src/core/errors';
import { AnswerChannel, AnswerDelivery, DeliveryOutcome, answerJob } from '../../src/core/lending/partner-answers';
import { requestFingerprint } from '../../src/core/lending/partner-requests';
import { TestApp, eventually, startTestApp } from '../support/test-app';

/**
 * The core's answer-intent machinery is protocol-neutral: a surface other than OCEN (here a test surface whose
 * partners speak GPAY) opens its own channel, and its partners' requests are accepted idempotently with the answer
 * owed, the answer built once by that channel in the worker and delivered, the same bytes, until delivered.
 */

const PARTNER = 'surface-partner';

let t: TestApp;
const built: Array<{ operation: string; context: unknown }> = [];
const deliveries: AnswerDelivery[] = [];
/** Delivery attempts to refuse (as a partner's 503 would be) before one is taken. */
let refuseNext = 0;

const channel: AnswerChannel = {
  protocol: 'GPAY',
  surface: 'test-surface',
  job: answerJob('test-surface.callback'),
  async build(answer, context) {
    built.push({ operation: answer.operation, context });
    return { answers: answer.requestId, context, builtAt: answer.now.toISOString(), nonce: randomUUID() };
  },
  async deliver(delivery): Promise<DeliveryOutcome> {
    deliveries.push(delivery);
    if (refuseNext > 0) {
      refuseNext -= 1;
      return { delivered: false, error: 'HTTP 503' };
    }
    return { delivered: true };
  },
};

beforeAll(async () => {
  t = await startTestApp({ partners: [{ id: PARTNER, displayName: 'A partner of another surface', protocol: 'GPAY' }] });
  t.services.answers.open(channel);
  t.services.jobs.register(channel.job, t.services.answers);
});
afterAll(() => t.stop());

const request = (requestId: string, body: unknown) => ({
  partnerId: PARTNER,
  requestId,
  operation: 'test:ask',
  fingerprint: requestFingerprint(body),
  answeredWith: 'test/answer',
});

describe('PartnerRequests and PartnerAnswers on a channel of another surface', () => {
  it('when a request is accepted with an answer owed, then the channel builds it once and delivers the same bytes until one attempt is taken', async () => {
    const requestId = `req-${randomUUID()}`;
    const subject = `S-${randomUUID()}`;
    refuseNext = 1;
    let worked = 0;
    const outcome = await t.services.requests.accept(request(requestId, { n: 1 }), async () => {
      worked += 1;
      return { answer: { ack: 'accepted' }, owed: { operation: 'test/answer', subjects: [subject], context: { n: 1 } } };
    });
    expect(outcome).toEqual({ answer: { ack: 'accepted' }, replayed: false });
    expect(worked).toBe(1);

    const [row] = await eventually(() => t.services.answers.builtAbout(subject, PARTNER), (rows) => rows[0]?.deliveredAt != null, 20_000);
    const mine = deliveries.filter((d) => d.requestId === requestId);
    expect(mine.length).toBe(2);
    expect(mine[1].bytes.equals(mine[0].bytes)).toBe(true);
    expect(built.filter((b) => JSON.stringify(b.context) === '{"n":1}')).toHaveLength(1);
    expect(row).toMatchObject({ operation: 'test/answer', partnerId: PARTNER, requestId, attempts: 2, lastError: null });
    expect(row.body).toEqual(JSON.parse(mine[0].bytes.toString('utf8')));
  });

  it('when the same request comes again, then the first answer is replayed, the work of the duplicate is told it holds no claim (it is rolled back), and the stored answer is delivered once more', async () => {
    const requestId = `req-${randomUUID()}`;
    const subject = `S-${randomUUID()}`;
    const work = async () => ({ answer: { ack: 'first' }, owed: { operation: 'test/answer', subjects: [subject], context: { n: 2 } } });
    await t.services.requests.accept(request(requestId, { n: 2 }), work);
    await eventually(() => t.services.answers.builtAbout(subject, PARTNER), (rows) => rows[0]?.deliveredAt != null, 20_000);

    const claims: boolean[] = [];
    const again = await t.services.requests.accept(request(requestId, { n: 2 }), async (claimed) => {
      claims.push(await claimed);
      return { answer: { ack: 'second' }, owed: { operation: 'test/answer', subjects: [subject], context: { n: 'never owed' } } };
    });
    expect(again).toEqual({ answer: { ack: 'first' }, replayed: true });

    const mine = await eventually(async () => deliveries.filter((d) => d.requestId === requestId), (found) => found.length === 2, 20_000);
    expect(mine[1].bytes.equals(mine[0].bytes)).toBe(true);
    expect(built.filter((b) => JSON.stringify(b.context) === '{"n":2}')).toHaveLength(1);
    expect(claims).toEqual([false]);
    expect(built.filter((b) => JSON.stringify(b.context).includes('never owed'))).toHaveLength(0);
  });

  it('when a used request id comes with a different request, then it is refused REQUEST_ID_REUSED and the first answer stays the one replayed', async () => {
    const requestId = `req-${randomUUID()}`;
    await t.services.requests.accept(request(requestId, { n: 3 }), async () => ({ answer: { ack: 'ok' } }));
    await expect(t.services.requests.accept(request(requestId, { n: 4 }), async () => ({ answer: { ack: 'other' } })))
      .rejects.toMatchObject({ code: AppErrorCode.REQUEST_ID_REUSED });
    expect(await t.services.requests.accept(request(requestId, { n: 3 }), async () => ({ answer: { ack: 'again' } }))).toEqual({ answer: { ack: 'ok' }, replayed: true });
  });
});
