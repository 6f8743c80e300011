import { AppError, AppErrorCode, notFound } from '../errors';
import { Clock } from '../../lib/clock';
import { NewPartner, Partner, PartnerDefinition, PartnerKey, partnerIdProblem, publicKeyProblem, smsTemplateProblem } from './partner';
import { PartnerRepository } from './partner.repository';

/** The OTP SMS of a partner with no template of its own. `{code}` is the OTP, `{lender}` this bank's name. */
export const DEFAULT_SMS_TEMPLATE = '{code} is the OTP for your loan application with {lender}. OTPs are SECRET. DO NOT disclose it to anyone. {lender} NEVER asks for OTP.';

/** How many look-ups are kept: `size` partners, and apart from them `negativeSize` ids found to be no partner's. */
export interface PartnerCacheBounds {
  size: number;
  negativeSize: number;
}

interface Entry {
  partner: Partner | null;
  until: number;
}

/**
 * The partners of this server. Every request is resolved to an ACTIVE partner here before any work.
 * Look-ups are cached for `cacheMs`, so a suspension made by another process (the CLI) takes effect within
 * that time (or at the first request after it, answered from the entry being refreshed), and at once in this one.
 * Whatever the traffic, one look-up per id is in flight: the requests that need it wait on that one; an expired
 * entry is answered while it is refreshed. The cache holds at most `bounds.size` partners and, apart, at most
 * `bounds.negativeSize` ids found to be no partner's (the least recently used go first), and an id no partner can
 * have (partnerIdProblem) is refused without a look-up: random X-Partner-Id values cost little and grow nothing.
 */
export class PartnerService {
  private readonly known = new Map<string, Entry>();
  private readonly unknown = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Partner | null>>();

  constructor(
    private readonly partners: PartnerRepository,
    private readonly clock: Clock,
    private readonly cacheMs: number,
    private readonly bounds: PartnerCacheBounds = { size: 1_000, negativeSize: 200 },
  ) {}

  /** How many partners and unknown ids are cached now. */
  get cacheSize(): { known: number; unknown: number } {
    return { known: this.known.size, unknown: this.unknown.size };
  }

  /** The ACTIVE partner with this id; PARTNER_UNKNOWN or PARTNER_SUSPENDED otherwise. */
  async resolve(id: string): Promise<Partner> {
    const partner = partnerIdProblem(id) ? null : await this.cached(id);
    if (!partner) throw new AppError(AppErrorCode.PARTNER_UNKNOWN, 'The caller is not a known partner of this server');
    if (partner.status !== 'ACTIVE') throw new AppError(AppErrorCode.PARTNER_SUSPENDED, `Partner ${partner.id} is suspended`);
    return partner;
  }

  /**
   * The partner, created from `enrolment` on its first call when it is unknown (a network approved it, e.g. an OCEN
   * registry's loan agent), so a known partner costs a cached look-up and no write. A suspended one is refused.
   */
  async resolveOrEnrol(enrolment: NewPartner): Promise<Partner> {
    return this.resolve(enrolment.id).catch(async (err: unknown) => {
      if (!(err instanceof AppError) || err.code !== AppErrorCode.PARTNER_UNKNOWN) throw err;
      await this.ensure([enrolment]);
      return this.resolve(enrolment.id);
    });
  }

  list(): Promise<Partner[]> {
    return this.partners.list();
  }

  async get(id: string): Promise<Partner> {
    const partner = await this.partners.find(id);
    if (!partner) throw notFound(`partner ${id}`);
    return partner;
  }

  async add(partner: NewPartner): Promise<Partner> {
    const idProblem = partnerIdProblem(partner.id);
    if (idProblem) throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, idProblem);
    if (partner.smsTemplate !== undefined && partner.smsTemplate !== null) assertSmsTemplate(partner.smsTemplate);
    if (!(await this.partners.createIfAbsent(partner))) throw new AppError(AppErrorCode.PRECONDITION_FAILED, `Partner ${partner.id} exists already`);
    return this.get(partner.id);
  }

  /**
   * Creates or updates each defined partner (PARTNERS_FILE), in one transaction: a new one gets every field
   * (ACTIVE unless the definition says otherwise); an existing one gets the fields its definition lists.
   * Partners that are not defined are left alone. The definitions must have been validated
   * (parsePartnersFile).
   */
  async define(definitions: PartnerDefinition[]): Promise<{ created: string[]; updated: string[] }> {
    const outcome = await this.partners.upsertAll(definitions);
    for (const { id } of definitions) this.forget(id);
    return outcome;
  }

  /**
   * Creates each partner that does not exist yet; existing ones are left as the bank configured them. Each is
   * looked up afresh next (a cached "unknown" is dropped, whoever created it).
   */
  async ensure(partners: NewPartner[]): Promise<void> {
    for (const partner of partners) {
      await this.partners.createIfAbsent(partner);
      this.forget(partner.id);
    }
  }

  async suspend(id: string): Promise<void> {
    if (!(await this.partners.setStatus(id, 'SUSPENDED'))) throw notFound(`partner ${id}`);
    this.forget(id);
  }

  async activate(id: string): Promise<void> {
    if (!(await this.partners.setStatus(id, 'ACTIVE'))) throw notFound(`partner ${id}`);
    this.forget(id);
  }

  /** Adds a verification key (replacing one with the same kid); `retireKid` removes an old one. Several stay live. */
  async rotateKey(id: string, key: PartnerKey, retireKid?: string): Promise<Partner> {
    const partner = await this.get(id);
    const keyProblem = publicKeyProblem(key);
    if (keyProblem) throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, keyProblem);
    const keys = partner.jwks.keys.filter((k) => k.kid !== key.kid && k.kid !== retireKid);
    await this.partners.setKeys(id, [...keys, key]);
    this.forget(id);
    return this.get(id);
  }

  private cached(id: string): Promise<Partner | null> {
    const now = this.clock.now().getTime();
    const hit = this.known.get(id) ?? this.unknown.get(id);
    if (hit && hit.until > now) {
      // Used now: it goes last in its map (the least recently used are dropped first).
      const cache = hit.partner ? this.known : this.unknown;
      cache.delete(id);
      cache.set(id, hit);
      return Promise.resolve(hit.partner);
    }
    // Expired, but not long ago: answered as it was while one refresh runs (a failed refresh is tried again next time).
    if (hit && hit.until + this.cacheMs > now) {
      this.lookUp(id).catch(() => undefined);
      return Promise.resolve(hit.partner);
    }
    return this.lookUp(id);
  }

  /** The one look-up of `id` in flight, started if there is none. */
  private lookUp(id: string): Promise<Partner | null> {
    const running = this.inFlight.get(id);
    if (running) return running;
    const started = this.clock.now().getTime();
    const lookUp: Promise<Partner | null> = this.partners.find(id).then(
      (partner) => {
        // A change made meanwhile in this process (forget) outdates this answer: it is not kept.
        if (this.inFlight.get(id) === lookUp) this.remember(id, { partner, until: started + this.cacheMs });
        return partner;
      },
    ).finally(() => {
      if (this.inFlight.get(id) === lookUp) this.inFlight.delete(id);
    });
    this.inFlight.set(id, lookUp);
    return lookUp;
  }

  private remember(id: string, entry: Entry): void {
    this.forget(id);
    const [cache, bound] = entry.partner ? [this.known, this.bounds.size] : [this.unknown, this.bounds.negativeSize];
    cache.set(id, entry);
    // Maps keep insertion order: the first key is the one looked up longest ago.
    while (cache.size > bound) cache.delete(cache.keys().next().value!);
  }

  private forget(id: string): void {
    this.known.delete(id);
    this.unknown.delete(id);
    this.inFlight.delete(id);
  }
}

/** A template must carry the code exactly once. */
export function assertSmsTemplate(template: string): void {
  const problem = smsTemplateProblem(template);
  if (problem) throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, problem);
}
