/**
 * The sandbox mandate rail's collections (src/adapters/sandbox/sandbox-mandate-rail.ts): debits under a mandate,
 * their status and the mandate's cancellation. Persona 9006 (the PAN's digits) bounces the first debit of its
 * mandate, found through the container's wiring (the UMRN's authorisation → mandate → application). Real
 * PostgreSQL, Redis and worker.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import fc from 'fast-check';
import { SandboxMandateRail } from '../../src/adapters/sandbox/sandbox-mandate-rail';
import { DebitOrder } from '../../src/core/mandate/mandate-rail';
import { TestApp, startTestApp } from '../support/test-app';
import { applyAndDecide, completeMandate, panWith } from '../support/journey';

let t: TestApp;
let redis: Redis;
beforeAll(async () => {
  t = await startTestApp();
  redis = new Redis(t.services.config.redisUrl);
});
afterAll(async () => {
  redis?.disconnect();
  await t?.stop();
});

const rail = () => t.services.sandbox!.mandateRail;
const debitOf = (umrn: string, amountMicros = 4_780_000_000n): DebitOrder => ({
  reference: `COL-${randomUUID()}`, umrn, amountMicros, debitDate: '2027-03-05', narration: 'EMI 3 TEST',
});

/** A borrower with the PAN's digits given, approved, with an ACTIVE mandate: the UMRN the sandbox rail gave. */
async function activeMandate(digits: string): Promise<string> {
  const applied = await applyAndDecide(t, { pan: panWith(digits), monthlyIncomeRupees: 50_000 });
  if (!applied.offerId) throw new Error(`not approved: ${JSON.stringify(applied.decision)}`);
  await completeMandate(t, applied.gid);
  const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: applied.gid } });
  const authorisation = await t.services.db.prisma.mandateAuthorisation.findFirstOrThrow({ where: { mandateId: application.currentMandateId!, outcome: 'AUTHORISED' } });
  return authorisation.umrn!;
}

/** A sandbox rail of its own (a fresh key prefix), its persona lookup answering `persona` for every UMRN. */
function railWithPersona(persona: string | null): SandboxMandateRail {
  return new SandboxMandateRail(redis, `${t.services.config.queuePrefix}:debits-${randomUUID()}`, async () => null, async () => persona);
}

async function authorisedUmrn(on: SandboxMandateRail, maxAmountMicros = 10_000_000_000n): Promise<string> {
  const answer = await on.authorise({ method: 'UPI_AUTOPAY', vpa: 'asha@okbank', reference: `MDA-${randomUUID()}`, maxAmountMicros, frequency: 'MONTHLY', firstDebitDate: '2027-01-05', lastDebitDate: '2027-12-05' });
  if (answer.outcome !== 'AUTHORISED') throw new Error('not authorised');
  return answer.umrn;
}

describe('persona 9006 through the container', () => {
  it('when a 9006 borrower\'s mandate is debited, then the first debit bounces INSUFFICIENT_FUNDS and later ones (other references) are DEBITED', async () => {
    const umrn = await activeMandate('9006');
    const first = debitOf(umrn);
    expect(await rail().debit(first)).toEqual({ outcome: 'BOUNCED', code: 'INSUFFICIENT_FUNDS', reason: expect.any(String) });
    const retry = debitOf(umrn);
    expect(await rail().debit(retry)).toEqual({ outcome: 'DEBITED', railReference: expect.stringMatching(/^SBXD\d{16}$/) });
    expect(await rail().debit(debitOf(umrn))).toMatchObject({ outcome: 'DEBITED' });
    // The first reference asked again is still the bounce: one debit per reference.
    expect(await rail().debit(first)).toMatchObject({ outcome: 'BOUNCED', code: 'INSUFFICIENT_FUNDS' });
    expect(await rail().debitStatus(first.reference)).toMatchObject({ outcome: 'BOUNCED' });
    expect(await rail().debitCalls(first.reference)).toBe(2);
    expect(await rail().debitCalls(retry.reference)).toBe(1);
  });

  it('when any other borrower\'s mandate is debited, then the first debit is DEBITED', async () => {
    const umrn = await activeMandate('1234');
    expect(await rail().debit(debitOf(umrn))).toMatchObject({ outcome: 'DEBITED' });
  });
});

describe('the sandbox rail\'s debits', () => {
  it('when a debit is presented again with the same reference, then it answers the first answer and debitStatus answers it too; UNKNOWN before', async () => {
    const on = railWithPersona(null);
    const order = debitOf(await authorisedUmrn(on));
    expect(await on.debitStatus(order.reference)).toEqual({ outcome: 'UNKNOWN' });
    const first = await on.debit(order);
    expect(first).toMatchObject({ outcome: 'DEBITED' });
    expect(await on.debit(order)).toEqual(first);
    expect(await on.debitStatus(order.reference)).toEqual(first);
    expect(await on.debitCalls(order.reference)).toBe(2);
  });

  it('when a debit is above the mandate\'s maximum, then it bounces AMOUNT_EXCEEDS_MANDATE; at the maximum it is DEBITED', async () => {
    const on = railWithPersona(null);
    const umrn = await authorisedUmrn(on, 5_000_000_000n);
    expect(await on.debit(debitOf(umrn, 5_000_010_000n))).toMatchObject({ outcome: 'BOUNCED', code: 'AMOUNT_EXCEEDS_MANDATE' });
    expect(await on.debit(debitOf(umrn, 5_000_000_000n))).toMatchObject({ outcome: 'DEBITED' });
  });

  it('when a 9006 mandate\'s first debit was above the maximum, then the first debit within it is the one that bounces for funds', async () => {
    const on = railWithPersona('9006');
    const umrn = await authorisedUmrn(on, 5_000_000_000n);
    expect(await on.debit(debitOf(umrn, 6_000_000_000n))).toMatchObject({ code: 'AMOUNT_EXCEEDS_MANDATE' });
    expect(await on.debit(debitOf(umrn))).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(await on.debit(debitOf(umrn))).toMatchObject({ outcome: 'DEBITED' });
  });

  it('when several first debits of a 9006 mandate are presented at once, then exactly one bounces for funds, whatever their number', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), async (n) => {
        const on = railWithPersona('9006');
        const umrn = await authorisedUmrn(on);
        const answers = await Promise.all(Array.from({ length: n }, () => on.debit(debitOf(umrn))));
        expect(answers.filter((a) => a.outcome === 'BOUNCED')).toHaveLength(1);
        expect(answers.filter((a) => a.outcome === 'DEBITED')).toHaveLength(n - 1);
      }),
      { numRuns: 10 },
    );
  });

  it('when the UMRN is not one the sandbox gave, then the debit bounces MANDATE_NOT_ACTIVE', async () => {
    expect(await railWithPersona(null).debit(debitOf('HDFC7000000012345678'))).toMatchObject({ outcome: 'BOUNCED', code: 'MANDATE_NOT_ACTIVE' });
  });
});

describe('the sandbox rail\'s cancellation', () => {
  it('when a mandate is cancelled, then CANCELLED each time (the same reference or another), and a later debit bounces MANDATE_NOT_ACTIVE', async () => {
    const on = railWithPersona(null);
    const umrn = await authorisedUmrn(on);
    const request = { reference: `CAN-${randomUUID()}`, umrn };
    expect(await on.cancel(request)).toEqual({ outcome: 'CANCELLED' });
    expect(await on.cancel(request)).toEqual({ outcome: 'CANCELLED' });
    expect(await on.cancel({ reference: `CAN-${randomUUID()}`, umrn })).toEqual({ outcome: 'CANCELLED' });
    expect(await on.debit(debitOf(umrn))).toMatchObject({ outcome: 'BOUNCED', code: 'MANDATE_NOT_ACTIVE' });
  });

  it('when the UMRN is not one the sandbox gave, then NOT_FOUND, the same when asked again', async () => {
    const on = railWithPersona(null);
    const request = { reference: `CAN-${randomUUID()}`, umrn: 'HDFC7000000012345678' };
    expect(await on.cancel(request)).toEqual({ outcome: 'NOT_FOUND' });
    expect(await on.cancel(request)).toEqual({ outcome: 'NOT_FOUND' });
  });
});
