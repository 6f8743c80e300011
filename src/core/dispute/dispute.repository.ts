import { Database, isUniqueViolation } from '../../lib/db/database';
import { AppError, AppErrorCode } from '../errors';
import { Dispute, DisputeSubject } from './dispute';

/** The application a dispute may be about, as the partner named it. */
export interface DisputeSubjectRow {
  applicationId: string;
  applicationState: string;
  /** Set once the borrower signed (a payout that failed leaves the application REJECTED with it). */
  currentSubmissionId: string | null;
  loanId: string | null;
}

export type NewDispute = Omit<Dispute, 'applicationReference' | 'lenderReference' | 'resolution' | 'acknowledgedAt' | 'closedAt' | 'createdAt' | 'updatedAt'>;

const SELECT = {
  id: true,
  partnerId: true,
  partnerReference: true,
  applicationId: true,
  loanId: true,
  raisedBy: true,
  category: true,
  description: true,
  evidenceUrl: true,
  state: true,
  resolution: true,
  acknowledgedAt: true,
  closedAt: true,
  createdAt: true,
  updatedAt: true,
  application: { select: { externalReference: true, lenderReference: true } },
} as const;

type Row = { application: { externalReference: string; lenderReference: string } } & Omit<Dispute, 'applicationReference' | 'lenderReference'>;

const disputeOf = ({ application, ...row }: Row): Dispute => ({ ...row, applicationReference: application.externalReference, lenderReference: application.lenderReference });

/** Disputes; their state changes go through the transition writer (src/core/state). */
export class DisputeRepository {
  constructor(private readonly db: Database) {}

  /** The partner's application the subject names, with its loan account if any; another partner's is not found. */
  async subject(partnerId: string, subject: DisputeSubject): Promise<DisputeSubjectRow | null> {
    const where = subject.kind === 'LOAN' ? { partnerId, lenderReference: subject.lenderReference } : { partnerId, externalReference: subject.externalReference };
    const row = await this.db.client.application.findFirst({ where, select: { id: true, applicationState: true, currentSubmissionId: true, loan: { select: { id: true } } } });
    return row ? { applicationId: row.id, applicationState: row.applicationState, currentSubmissionId: row.currentSubmissionId, loanId: row.loan?.id ?? null } : null;
  }

  async byPartnerReference(partnerId: string, partnerReference: string): Promise<Dispute | null> {
    const row = await this.db.client.dispute.findUnique({ where: { partnerId_partnerReference: { partnerId, partnerReference } }, select: SELECT });
    return row ? disputeOf(row) : null;
  }

  async byId(id: string): Promise<Dispute | null> {
    const row = await this.db.client.dispute.findUnique({ where: { id }, select: SELECT });
    return row ? disputeOf(row) : null;
  }

  /** Open disputes (RAISED or ACKNOWLEDGED), oldest first: the staff's queue. */
  async open(limit: number): Promise<Dispute[]> {
    const rows = await this.db.client.dispute.findMany({ where: { state: { in: ['RAISED', 'ACKNOWLEDGED'] } }, orderBy: { createdAt: 'asc' }, take: limit, select: SELECT });
    return rows.map(disputeOf);
  }

  /** Inserts the dispute; CONCURRENT_MODIFICATION when another request inserted one with the same partner reference meanwhile. */
  async create(dispute: NewDispute): Promise<void> {
    try {
      await this.db.client.dispute.create({ data: dispute });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError(AppErrorCode.CONCURRENT_MODIFICATION, `Dispute ${dispute.partnerReference} was raised by another request at the same moment`);
      throw err;
    }
  }
}
