import { Database, isUniqueViolation } from '../../lib/db/database';
import { Table } from '../../lib/db/table';
import { AppError, AppErrorCode } from '../errors';
import { Mandate, MandateAuthorisation, MandateDetails, NewMandateAuthorisation } from './mandate';

export interface MandateLinkHashes {
  urlTokenHash: string;
  authCodeHash: string;
  linkExpiresAt: Date;
}

const MANDATE = { id: true, applicationId: true, state: true, partnerCollects: true } as const;
const DETAILS = { ...MANDATE, mandateReference: true, failureReason: true } as const;

const AUTHORISATION = new Table<NewMandateAuthorisation>('mandate_authorisation', {
  id: 'id',
  mandateId: 'mandate_id',
  reference: 'reference',
  method: 'method',
  maskedPayer: 'masked_payer',
  payerHash: 'payer_hash',
  payerCiphertext: 'payer_ciphertext',
  maxAmountMicros: 'max_amount_micros',
  frequency: 'frequency',
  firstDebitDate: 'first_debit_date',
  lastDebitDate: 'last_debit_date',
  railCalls: 'rail_calls',
  requestedAt: 'requested_at',
  lastCalledAt: 'last_called_at',
});

/** A calendar date column (PostgreSQL DATE, read by Prisma as UTC midnight) as YYYY-MM-DD. */
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

  /** Inserts the authorisation; CONCURRENT_MODIFICATION when the mandate has another unanswered one (a partial unique index). */
  async createAuthorisation(authorisation: NewMandateAuthorisation): Promise<void> {
    const { sql, values } = AUTHORISATION.insert(authorisation);
    await this.db.write(sql, values, (err) =>
      isUniqueViolation(err) ? new AppError(AppErrorCode.CONCURRENT_MODIFICATION, 'Another authorisation of this mandate is awaiting the rail\'s answer') : err);
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

  /**
   * The four digits of the PAN (`panLast4`: characters 6–9) of the borrower whose mandate the rail authorised
   * with this UMRN; null when no authorisation has it. For the sandbox rail's personas (9006) only (it asks on
   * every debit; mandate_authorisation_umrn_idx keeps that one index look-up).
   */
  async panDigitsBehindUmrn(umrn: string): Promise<string | null> {
    const row = await this.db.client.mandateAuthorisation.findFirst({
      where: { umrn, outcome: 'AUTHORISED' },
      select: { mandate: { select: { application: { select: { panLast4: true } } } } },
    });
    return row?.mandate.application.panLast4 ?? null;
  }

  async countAuthorisations(mandateId: string): Promise<number> {
    return this.db.client.mandateAuthorisation.count({ where: { mandateId } });
  }

  /**
   * Counts one more sending of this unanswered authorisation to the rail, only if it was last sent at `lastCalledAt`
   * (so that of two requests resending it, one does); false when another did, or it was answered meanwhile.
   */
  async markRailCall(id: string, lastCalledAt: Date, at: Date): Promise<boolean> {
    const { count } = await this.db.client.mandateAuthorisation.updateMany({ where: { id, outcome: null, lastCalledAt }, data: { railCalls: { increment: 1 }, lastCalledAt: at } });
    return count === 1;
  }

  /** Records the rail's answer, only if none was recorded yet; false when another had recorded it first. */
  async answer(id: string, answer: { outcome: 'AUTHORISED'; umrn: string } | { outcome: 'DECLINED'; declineReason: string }, at: Date): Promise<boolean> {
    const { count } = await this.db.client.mandateAuthorisation.updateMany({ where: { id, outcome: null }, data: { ...answer, answeredAt: at } });
    return count === 1;
  }
}
