import { Database } from '../../lib/db/database';
import { Mandate, MandateAuthorisation, MandateDetails, NewMandateAuthorisation } from './mandate';

export interface MandateLinkHashes {
  urlTokenHash: string;
  authCodeHash: string;
  linkExpiresAt: Date;
}

const MANDATE = { id: true, applicationId: true, state: true, partnerCollects: true } as const;
const DETAILS = { ...MANDATE, mandateReference: true, failureReason: true } as const;

/** A calendar date column (PostgreSQL DATE, read by Prisma as UTC midnight) and back. */
const asDate = (isoDate: string) => new Date(`${isoDate}T00:00:00Z`);
const isoOf = (date: Date) => date.toISOString().slice(0, 10);

type AuthorisationRow = Omit<MandateAuthorisation, 'firstDebitDate' | 'lastDebitDate'> & { firstDebitDate: Date; lastDebitDate: Date };
const authorisationOf = (row: AuthorisationRow): MandateAuthorisation => ({ ...row, firstDebitDate: isoOf(row.firstDebitDate), lastDebitDate: isoOf(row.lastDebitDate) });

export class MandateRepository {
  constructor(private readonly db: Database) {}

  async byId(id: string | null): Promise<Mandate | null> {
    return id ? this.db.client.repaymentMandate.findUnique({ where: { id }, select: MANDATE }) : null;
  }

  /** The mandate with its UMRN (once ACTIVE) and failure reason (once FAILED). */
  async details(id: string | null): Promise<MandateDetails | null> {
    return id ? this.db.client.repaymentMandate.findUnique({ where: { id }, select: DETAILS }) : null;
  }

  /** The mandate a repayment-setup link was handed out for, by the keyed hash of its urlToken (unique). */
  async byUrlTokenHash(urlTokenHash: string): Promise<(Mandate & MandateLinkHashes) | null> {
    return this.db.client.repaymentMandate.findUnique({ where: { urlTokenHash }, select: { ...MANDATE, urlTokenHash: true, authCodeHash: true, linkExpiresAt: true } });
  }

  async create(mandate: Mandate & MandateLinkHashes): Promise<void> {
    await this.db.client.repaymentMandate.create({ data: mandate });
  }

  async renewLink(id: string, link: MandateLinkHashes & { partnerCollects?: boolean }): Promise<void> {
    await this.db.client.repaymentMandate.update({ where: { id }, data: link });
  }

  async createAuthorisation(authorisation: NewMandateAuthorisation): Promise<void> {
    await this.db.client.mandateAuthorisation.create({
      data: { ...authorisation, firstDebitDate: asDate(authorisation.firstDebitDate), lastDebitDate: asDate(authorisation.lastDebitDate) },
    });
  }

  /** The mandate's authorisation the rail has not answered yet (at most one: a partial unique index). */
  async outstandingAuthorisation(mandateId: string): Promise<MandateAuthorisation | null> {
    const row = await this.db.client.mandateAuthorisation.findFirst({ where: { mandateId, outcome: null } });
    return row ? authorisationOf(row) : null;
  }

  /** The mandate's latest authorisation, answered or not. */
  async latestAuthorisation(mandateId: string): Promise<MandateAuthorisation | null> {
    const row = await this.db.client.mandateAuthorisation.findFirst({ where: { mandateId }, orderBy: { requestedAt: 'desc' } });
    return row ? authorisationOf(row) : null;
  }

  async countAuthorisations(mandateId: string): Promise<number> {
    return this.db.client.mandateAuthorisation.count({ where: { mandateId } });
  }

  /** Counts one more request sent to the rail for this authorisation. */
  async markRailCall(id: string): Promise<void> {
    await this.db.client.mandateAuthorisation.update({ where: { id }, data: { railCalls: { increment: 1 } } });
  }

  /** Records the rail's answer, only if none was recorded yet; false when another had recorded it first. */
  async answer(id: string, answer: { outcome: 'AUTHORISED'; umrn: string } | { outcome: 'DECLINED'; declineReason: string }, at: Date): Promise<boolean> {
    const { count } = await this.db.client.mandateAuthorisation.updateMany({ where: { id, outcome: null }, data: { ...answer, answeredAt: at } });
    return count === 1;
  }
}
