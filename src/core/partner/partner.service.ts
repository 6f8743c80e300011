import { AppError, AppErrorCode, notFound } from '../errors';
import { Clock } from '../../lib/clock';
import { NewPartner, Partner, PartnerDefinition, PartnerKey, partnerIdProblem, publicKeyProblem, smsTemplateProblem } from './partner';
import { PartnerRepository } from './partner.repository';

/** The OTP SMS of a partner with no template of its own. `{code}` is the OTP, `{lender}` this bank's name. */
export const DEFAULT_SMS_TEMPLATE = '{code} is the OTP for your loan application with {lender}. OTPs are SECRET. DO NOT disclose it to anyone. {lender} NEVER asks for OTP.';

/**
 * The partners of this server. Every request is resolved to an ACTIVE partner here before any work.
 * Look-ups are cached for `cacheMs`, so a suspension made by another process (the CLI) takes effect within
 * that time, and at once in this one.
 */
export class PartnerService {
  private readonly cache = new Map<string, { partner: Partner | null; until: number }>();

  constructor(private readonly partners: PartnerRepository, private readonly clock: Clock, private readonly cacheMs: number) {}

  /** The ACTIVE partner with this id; PARTNER_UNKNOWN or PARTNER_SUSPENDED otherwise. */
  async resolve(id: string): Promise<Partner> {
    const partner = await this.cached(id);
    if (!partner) throw new AppError(AppErrorCode.PARTNER_UNKNOWN, 'The caller is not a known partner of this server');
    if (partner.status !== 'ACTIVE') throw new AppError(AppErrorCode.PARTNER_SUSPENDED, `Partner ${partner.id} is suspended`);
    return partner;
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
    for (const { id } of definitions) this.cache.delete(id);
    return outcome;
  }

  /**
   * Creates each partner that does not exist yet; existing ones are left as the bank configured them. Each is
   * looked up afresh next (a cached "unknown" is dropped, whoever created it).
   */
  async ensure(partners: NewPartner[]): Promise<void> {
    for (const partner of partners) {
      await this.partners.createIfAbsent(partner);
      this.cache.delete(partner.id);
    }
  }

  async suspend(id: string): Promise<void> {
    if (!(await this.partners.setStatus(id, 'SUSPENDED'))) throw notFound(`partner ${id}`);
    this.cache.delete(id);
  }

  async activate(id: string): Promise<void> {
    if (!(await this.partners.setStatus(id, 'ACTIVE'))) throw notFound(`partner ${id}`);
    this.cache.delete(id);
  }

  /** Adds a verification key (replacing one with the same kid); `retireKid` removes an old one. Several stay live. */
  async rotateKey(id: string, key: PartnerKey, retireKid?: string): Promise<Partner> {
    const partner = await this.get(id);
    const keyProblem = publicKeyProblem(key);
    if (keyProblem) throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, keyProblem);
    const keys = partner.jwks.keys.filter((k) => k.kid !== key.kid && k.kid !== retireKid);
    await this.partners.setKeys(id, [...keys, key]);
    this.cache.delete(id);
    return this.get(id);
  }

  private async cached(id: string): Promise<Partner | null> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit.partner;
    const partner = await this.partners.find(id);
    this.cache.set(id, { partner, until: now + this.cacheMs });
    return partner;
  }
}

/** A template must carry the code exactly once. */
export function assertSmsTemplate(template: string): void {
  const problem = smsTemplateProblem(template);
  if (problem) throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, problem);
}
