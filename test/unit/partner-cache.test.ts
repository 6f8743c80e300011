/**
 * The partner look-up every request makes (PartnerService.resolve): one look-up in flight per partner, however
 * many requests wait on it; a stale entry answered while it is refreshed; a bounded cache, "no such partner"
 * answers bounded apart; an id that cannot be a partner's refused without any look-up.
 */
import { ManualClock } from '../../src/lib/clock';
import { PartnerService } from '../../src/core/partner/partner.service';
import { PartnerRepository } from '../../src/core/partner/partner.repository';
import { Partner } from '../../src/core/partner/partner';
import { AppError } from '../../src/core/errors';

const partner = (id: string): Partner => ({ id, displayName: id, protocol: 'GPAY', status: 'ACTIVE', jwks: { keys: [] }, callbackBaseUrl: null, smsTemplate: null, rateLimitPerMinute: null } as unknown as Partner);

/** A repository whose look-ups are counted and answered when the test says so. */
function slowRepository(known: string[]) {
  const finds: string[] = [];
  const waiting: Array<() => void> = [];
  const repository = {
    find: (id: string) => {
      finds.push(id);
      return new Promise<Partner | null>((resolve) => waiting.push(() => resolve(known.includes(id) ? partner(id) : null)));
    },
  } as unknown as PartnerRepository;
  const answerAll = async () => {
    while (waiting.length) waiting.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { repository, finds, answerAll };
}

describe('the partner cache', () => {
  it('sends one look-up for any number of concurrent cold requests for one partner', async () => {
    const { repository, finds, answerAll } = slowRepository(['app-one']);
    const service = new PartnerService(repository, new ManualClock(), 5_000);
    const resolving = Array.from({ length: 1_000 }, () => service.resolve('app-one'));
    const unknown = Array.from({ length: 1_000 }, () => service.resolve('app-none').catch((err: AppError) => err.code));
    await answerAll();
    expect((await Promise.all(resolving)).every((p) => p.id === 'app-one')).toBe(true);
    expect(new Set(await Promise.all(unknown))).toEqual(new Set(['PARTNER_UNKNOWN']));
    expect(finds.sort()).toEqual(['app-none', 'app-one']);
  });

  it('answers a stale entry at once while one refresh runs, and the refreshed one after it', async () => {
    const { repository, finds, answerAll } = slowRepository(['app-one']);
    const clock = new ManualClock();
    const service = new PartnerService(repository, clock, 5_000);
    const first = service.resolve('app-one');
    await answerAll();
    await first;
    clock.advance(6_000);
    const stale = await Promise.all(Array.from({ length: 100 }, () => service.resolve('app-one')));
    expect(stale).toHaveLength(100);
    expect(finds).toEqual(['app-one', 'app-one']);
    await answerAll();
    await service.resolve('app-one');
    expect(finds).toHaveLength(2);
  });

  it('stays bounded under random ids, and refuses an id no partner can have without a look-up', async () => {
    const { repository, finds, answerAll } = slowRepository(['app-one']);
    const service = new PartnerService(repository, new ManualClock(), 5_000, { size: 100, negativeSize: 20 });
    for (let i = 0; i < 5_000; i++) {
      const resolving = service.resolve(`random-${i}`).catch(() => undefined);
      await answerAll();
      await resolving;
    }
    const known = service.resolve('app-one');
    await answerAll();
    await known;
    expect(service.cacheSize).toEqual({ known: 1, unknown: 20 });
    const before = finds.length;
    const refused = await Promise.all(['', 'UPPER', 'x', 'a'.repeat(64), 'ünï', 'a b'].map((id) => service.resolve(id).catch((err: AppError) => err.code)));
    expect(new Set(refused)).toEqual(new Set(['PARTNER_UNKNOWN']));
    expect(finds.length).toBe(before);
  });
});
