import { ApplicationRef } from '../../src/core/application/application';
import { ApplicationRepository } from '../../src/core/application/application.repository';
import { Product, ProductTerms } from '../../src/core/product/product';
import { ProductRepository } from '../../src/core/product/product.repository';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { disbursedLoan, openOcenApplication } from '../support/ocen-loan-fixtures';

/**
 * Products as versioned data against a real database: a new version becomes the current one for new offers, while
 * an offer already made, its Key Fact Statement and the loan opened from it keep the version the offer pinned.
 */

const PARTNER = 'la-products';
const rupees = (n: number) => BigInt(n) * 1_000_000n;

let t: TestApp;
let products: ProductRepository;
beforeAll(async () => {
  // No product cache: a new version is read by the next credit decision.
  t = await startTestApp({ partners: [{ id: PARTNER, displayName: 'Loan agent', protocol: 'OCEN_4' }], env: { PRODUCT_CACHE_MS: '0' } });
  products = new ProductRepository(t.services.db);
});
afterAll(() => t.stop());

const termsOf = ({ id: _id, version: _version, effectiveFrom: _from, active: _active, ...terms }: Product): ProductTerms => terms;

async function decidedOffer(ref: ApplicationRef) {
  await eventually(() => t.services.approvals.status(ref), (s) => s.state !== 'IN_PROCESS');
  return (await t.services.offers.current(ref))!;
}

describe('product versions', () => {
  it('when a new version is added after an offer was made, then the offer, its KFS and its loan keep the version the offer pinned, and the next offer gets the new one', async () => {
    const version1 = (await products.find('PERSONAL_LOAN'))!;
    expect(version1).toMatchObject({ id: 'PERSONAL_LOAN', version: 1, rateType: 'FIXED', processingFeeMaxMicros: rupees(10_000), bounceChargeMicros: rupees(500), collectionRetryDays: [7] });

    // Salaried, ₹50,000 a month: band B, 16% under version 1.
    const first = await openOcenApplication(t, PARTNER);
    const offer1 = await decidedOffer(first);
    expect(offer1).toMatchObject({ productId: 'PERSONAL_LOAN', productVersion: 1, riskBand: 'B', interestRateE5: 1_600_000, processingFeeMaxMicros: rupees(10_000) });

    const version2 = await products.addVersion('PERSONAL_LOAN', {
      ...termsOf(version1),
      riskBands: version1.riskBands.map((b) => (b.band === 'B' ? { ...b, interestRateE5: 1_700_000 } : b)),
      processingFeeMaxMicros: rupees(1_500),
      bounceChargeMicros: rupees(600),
      penalChargeMicros: rupees(400),
      coolingOffDays: 5,
      collectionRetryDays: [3, 7],
    }, new Date());
    expect(version2).toBe(2);
    expect(await products.find('PERSONAL_LOAN')).toMatchObject({ version: 2, processingFeeMaxMicros: rupees(1_500), coolingOffDays: 5, collectionRetryDays: [3, 7] });
    expect(await products.findVersion('PERSONAL_LOAN', 1)).toEqual(version1);

    // The first application goes on to a loan under version 1: its fee (2% of ₹1,00,000 = ₹2,000, not capped at
    // version 2's ₹1,500), its KFS's charges and cooling-off, and the product version its account pins.
    const { applicationId } = await disbursedLoan(t.services, first);
    // Only the borrower's choice was recorded on the offer: its terms are as made.
    expect(await t.services.offers.current(first)).toEqual({ ...offer1, acceptedAmountMicros: rupees(100_000), acceptedTenureMonths: 12, acceptedAt: expect.any(Date) });
    const kfs1 = (await t.services.kfs.latestFor(applicationId))!;
    expect(kfs1.figures.fees[0].amountMicros).toBe(rupees(2_000));
    expect(kfs1.figures.contingentCharges).toEqual({ penalChargeMicros: rupees(500), bounceChargeMicros: rupees(500), foreclosureChargeRateE5: 200_000 });
    expect(kfs1.coolingOffDays).toBe(3);
    const [loan] = await t.services.db.query<{ productId: string; productVersion: number; interestRateE5: number }>(
      `SELECT product_id AS "productId", product_version AS "productVersion", interest_rate_e5 AS "interestRateE5" FROM loan_account WHERE application_id = $1`, [applicationId]);
    expect(loan).toEqual({ productId: 'PERSONAL_LOAN', productVersion: 1, interestRateE5: 1_600_000 });

    // A new application is offered version 2's terms.
    const second = await openOcenApplication(t, PARTNER);
    const offer2 = await decidedOffer(second);
    expect(offer2).toMatchObject({ productVersion: 2, riskBand: 'B', interestRateE5: 1_700_000, processingFeeMaxMicros: rupees(1_500) });
    await t.services.offers.accept({ ...second, offerId: offer2.id, amountMicros: rupees(100_000), tenureMonths: 12 });
    const kfs2 = (await t.services.acceptance.issueKeyFacts(second))!;
    expect(kfs2.figures.fees[0].amountMicros).toBe(rupees(1_500));
    expect(kfs2.figures.contingentCharges).toEqual({ penalChargeMicros: rupees(400), bounceChargeMicros: rupees(600), foreclosureChargeRateE5: 200_000 });
    expect(kfs2.coolingOffDays).toBe(5);
    expect((await new ApplicationRepository(t.services.db).get(second)).currentOfferId).toBe(offer2.id);
  });

  it('when a version states a foreclosure charge on a FLOATING rate, or a fee minimum above its maximum, then it is refused and the current version stays', async () => {
    const current = (await products.find('PERSONAL_LOAN'))!;
    await expect(products.addVersion('PERSONAL_LOAN', { ...termsOf(current), rateType: 'FLOATING', foreclosureChargeRateE5: 100_000 }, new Date())).rejects.toMatchObject({ code: '23514' });
    await expect(products.addVersion('PERSONAL_LOAN', { ...termsOf(current), processingFeeMinMicros: rupees(2_000), processingFeeMaxMicros: rupees(1_000) }, new Date())).rejects.toMatchObject({ code: '23514' });
    expect(await products.find('PERSONAL_LOAN')).toEqual(current);
  });

  it('when a FLOATING-rate version is added without a foreclosure charge, then it becomes current and states none', async () => {
    const current = (await products.find('PERSONAL_LOAN'))!;
    const version = await products.addVersion('PERSONAL_LOAN', { ...termsOf(current), rateType: 'FLOATING', foreclosureChargeRateE5: 0 }, new Date());
    expect(await products.find('PERSONAL_LOAN')).toMatchObject({ version, rateType: 'FLOATING', foreclosureChargeRateE5: 0 });
  });

  it('when a product is unknown, then neither its current version nor a pinned one is found, and no version can be added', async () => {
    const current = (await products.find('PERSONAL_LOAN'))!;
    expect(await products.find('NO_SUCH_PRODUCT')).toBeNull();
    expect(await products.findVersion('PERSONAL_LOAN', 999)).toBeNull();
    await expect(products.addVersion('NO_SUCH_PRODUCT', termsOf(current), new Date())).rejects.toThrow('Product NO_SUCH_PRODUCT does not exist');
  });
});
