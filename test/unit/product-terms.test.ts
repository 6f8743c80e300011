import { contingentChargesOf } from '../../src/core/kfs/kfs';
import { ManualClock } from '../../src/lib/clock';
import { Product, foreclosureChargeRateE5, riskBandFor } from '../../src/core/product/product';
import { ProductCatalog } from '../../src/core/product/product-catalog';
import { ProductRepository } from '../../src/core/product/product.repository';

const rupees = (n: bigint) => n * 1_000_000n;
const bands = {
  riskBands: [
    { band: 'A', minMonthlyIncomeMicros: rupees(100_000n), interestRateE5: 1_200_000 },
    { band: 'B', minMonthlyIncomeMicros: rupees(40_000n), interestRateE5: 1_600_000 },
    { band: 'C', minMonthlyIncomeMicros: 0n, interestRateE5: 2_200_000 },
  ],
};

describe("a product version's risk bands", () => {
  it.each([
    [rupees(250_000n), 'A'],
    [rupees(100_000n), 'A'],
    [rupees(99_999n), 'B'],
    [rupees(40_000n), 'B'],
    [rupees(15_000n), 'C'],
  ])('when the monthly income is %p micros, then the band is %s (the first whose minimum is met)', (income, band) => {
    expect(riskBandFor(bands, income).band).toBe(band);
  });
  it('when no band has a minimum the income meets, then the last band applies', () => {
    expect(riskBandFor({ riskBands: bands.riskBands.slice(0, 2) }, rupees(1_000n)).band).toBe('B');
  });
  it('when a version has no band, then there is no rate to offer', () => {
    expect(() => riskBandFor({ riskBands: [] }, rupees(50_000n))).toThrow(RangeError);
  });
});

describe('contingent charges of a product version', () => {
  const version = { penalChargeMicros: rupees(500n), bounceChargeMicros: rupees(500n), foreclosureChargeRateE5: 200_000 };
  it('when the rate is FIXED, then the KFS states its penal, bounce and foreclosure charges', () => {
    expect(contingentChargesOf({ ...version, rateType: 'FIXED' })).toEqual(version);
  });
  it('when the rate is FLOATING, then no foreclosure charge applies whatever the version states', () => {
    expect(foreclosureChargeRateE5({ rateType: 'FLOATING', foreclosureChargeRateE5: 200_000 })).toBe(0);
    expect(contingentChargesOf({ ...version, rateType: 'FLOATING' })).toEqual({ ...version, foreclosureChargeRateE5: 0 });
  });
});

describe('the product catalogue', () => {
  const version = (n: number) => ({ id: 'P', version: n }) as Product;
  function catalogue() {
    let current = 1;
    const reads = { current: 0, pinned: 0 };
    const repository = {
      find: async (id: string) => (reads.current++, id === 'P' ? version(current) : null),
      findVersion: async (id: string, n: number) => (reads.pinned++, id === 'P' && n <= current ? version(n) : null),
    } as unknown as ProductRepository;
    const clock = new ManualClock();
    return { catalog: new ProductCatalog(repository, clock, 5_000), clock, reads, addVersion: () => current++ };
  }

  it('when a new version becomes current, then the catalogue answers it once its cache expires', async () => {
    const { catalog, clock, addVersion } = catalogue();
    expect((await catalog.find('P'))!.version).toBe(1);
    addVersion();
    expect((await catalog.find('P'))!.version).toBe(1);
    clock.advance(5_001);
    expect((await catalog.find('P'))!.version).toBe(2);
  });

  it('when a pinned version is read again, then it comes from the cache (a version never changes); an unknown one is not kept', async () => {
    const { catalog, reads } = catalogue();
    expect((await catalog.findVersion('P', 1))!.version).toBe(1);
    expect((await catalog.findVersion('P', 1))!.version).toBe(1);
    expect(await catalog.findVersion('P', 7)).toBeNull();
    expect(await catalog.findVersion('P', 7)).toBeNull();
    expect(reads.pinned).toBe(3);
  });
});
