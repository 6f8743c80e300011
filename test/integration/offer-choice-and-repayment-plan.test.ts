import { randomBytes } from 'node:crypto';
import { AppError, AppErrorCode } from '../../src/core/errors';
import { ApplicationRef } from '../../src/core/application/application';
import { Offer } from '../../src/core/offer/offer';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { newPhone, panWith } from '../support/journey';

/**
 * Two journey steps every surface calls, against a real database without a protocol in front: the partner's
 * choice among the offers it was shown (OfferService.choose) and the repayment plan of the chosen terms with the
 * start of its mandate (RepaymentPlans).
 */

const PARTNER = 'partner-a';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ partners: [{ id: PARTNER, displayName: 'Partner A', protocol: 'GPAY' }] });
});
afterAll(() => t.stop());

const rupees = (n: number) => BigInt(n) * 1_000_000n;

/** An application for ₹80,000 with its approved offer (₹10,000 to ₹1,00,000 in ₹5,000 steps, 6 to 36 months in 6s). */
async function approvedOffer(): Promise<{ ref: ApplicationRef; offer: Offer }> {
  const ref = { partnerId: PARTNER, externalReference: `REF-${randomBytes(6).toString('hex')}` };
  await t.services.approvals.open({
    ...ref,
    productId: 'PERSONAL_LOAN',
    requestedAmountMicros: rupees(80_000),
    loanPurpose: 'OTHER',
    phone: newPhone(),
    applicant: {
      fullName: 'Asha Rao',
      emailAddress: 'asha.rao@example.com',
      pan: panWith('1234'),
      dateOfBirth: '1990-05-15',
      addresses: [{ addressLine1: '101, Lake View Apartments', postalCode: '560038', city: 'Bengaluru', state: 'Karnataka', country: 'IN', addressTags: ['RESIDENTIAL_ADDRESS'] }],
      employment: { employerName: 'Acme Software', totalWorkExperienceYears: '12', type: 'SALARIED', monthlyIncomeMicros: rupees(50_000).toString() },
      residence: { timeAtCurrentResidence: '5', ownership: 'OWNED' },
      enabledFlags: [],
    },
  });
  const status = await eventually(() => t.services.approvals.status(ref), (s) => s.state !== 'IN_PROCESS');
  expect(status.state).toBe('APPROVED');
  return { ref, offer: (await t.services.offers.current(ref))! };
}

const storedChoice = async (offerId: string) =>
  t.services.db.prisma.offer.findUniqueOrThrow({ where: { id: offerId }, select: { acceptedAmountMicros: true, acceptedTenureMonths: true } });

describe('choosing one of the offers shown', () => {
  it('when the partner names the current offer, an allowed tenure and the amount offered, then the choice is recorded at that amount', async () => {
    const { ref, offer } = await approvedOffer();
    await expect(t.services.offers.choose({ ...ref, offerId: offer.id, tenureMonths: 18, amountMicros: rupees(80_000) })).resolves.toMatchObject({ acceptedAmountMicros: rupees(80_000), acceptedTenureMonths: 18 });
    expect(await storedChoice(offer.id)).toEqual({ acceptedAmountMicros: rupees(80_000), acceptedTenureMonths: 18 });
  });

  it('when the partner states no amount, then the amount offered for the request is recorded', async () => {
    const { ref, offer } = await approvedOffer();
    await t.services.offers.choose({ ...ref, offerId: offer.id, tenureMonths: 12 });
    expect(await storedChoice(offer.id)).toEqual({ acceptedAmountMicros: rupees(80_000), acceptedTenureMonths: 12 });
  });

  it('when the offer is another application\'s or unknown, the tenure is not offered, or the amount is not the one offered, then it is refused with OFFER_UNKNOWN and nothing is recorded', async () => {
    const { ref, offer } = await approvedOffer();
    const other = await approvedOffer();
    const refusals = [
      { offerId: other.offer.id, tenureMonths: 12 },
      { offerId: 'OFRNOSUCHOFFER', tenureMonths: 12 },
      { offerId: offer.id, tenureMonths: 9 },
      { offerId: offer.id, tenureMonths: 48 },
      { offerId: offer.id, tenureMonths: 12, amountMicros: rupees(85_000) },
      { offerId: offer.id, tenureMonths: 12, amountMicros: rupees(80_000) - 10_000n },
    ];
    for (const choice of refusals) {
      await expect(t.services.offers.choose({ ...ref, ...choice })).rejects.toMatchObject({ code: AppErrorCode.OFFER_UNKNOWN, fields: ['offerId'] });
    }
    expect(await storedChoice(offer.id)).toEqual({ acceptedAmountMicros: null, acceptedTenureMonths: null });
  });
});

describe('the repayment plan of the chosen terms', () => {
  it('when no terms were chosen, then there is no plan, and starting the mandate for any plan is refused with REPAYMENT_PLAN_UNKNOWN without an expected plan', async () => {
    const { ref, offer } = await approvedOffer();
    expect(await t.services.repaymentPlans.of(await t.services.facts.get(ref))).toBeNull();
    const refusal = await t.services.repaymentPlans.start(ref, { plan: { offerId: offer.id, tenureMonths: 12 } }).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ code: AppErrorCode.REPAYMENT_PLAN_UNKNOWN, details: {} });
  });

  it('when terms were chosen, then the plan is their monthly EMIs, ending on the last instalment\'s due date counted from the given day', async () => {
    const { ref, offer } = await approvedOffer();
    await t.services.offers.choose({ ...ref, offerId: offer.id, tenureMonths: 12 });
    const plan = await t.services.repaymentPlans.of(await t.services.facts.get(ref), new Date('2026-12-06T20:00:00Z'));
    expect(plan).toMatchObject({ offerId: offer.id, tenureMonths: 12, signed: false, principalMicros: rupees(80_000), instalments: 12, startDate: '2026-12-07', firstDueDate: '2027-01-07', lastDueDate: '2027-12-07', days: 365 });
    expect(plan!.interestMicros).toBeGreaterThan(0n);
    expect(plan!.totalMicros).toBe(plan!.principalMicros + plan!.interestMicros);
  });

  it('when the partner names another offer\'s or another tenure\'s plan, or none of ours, then starting the mandate is refused with the expected plan and no mandate exists', async () => {
    const { ref, offer } = await approvedOffer();
    const other = await approvedOffer();
    await t.services.offers.choose({ ...ref, offerId: offer.id, tenureMonths: 12 });
    for (const plan of [{ offerId: offer.id, tenureMonths: 18 }, { offerId: other.offer.id, tenureMonths: 12 }, null]) {
      await expect(t.services.repaymentPlans.start(ref, { plan })).rejects.toMatchObject({ code: AppErrorCode.REPAYMENT_PLAN_UNKNOWN, details: { expected: { offerId: offer.id, tenureMonths: 12 } } });
    }
    expect(await t.services.mandates.current(await t.services.facts.get(ref))).toBeNull();
  });
});
