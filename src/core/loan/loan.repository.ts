import { Database } from '../../lib/db/database';
import { Disbursement, LoanAccount, Payout } from './loan';
import { StoredAccountToken } from './account-token';

const DISBURSEMENT = { id: true, applicationId: true, submissionId: true, reference: true, amountMicros: true, state: true, attempts: true, requestedAt: true, lastAttemptAt: true } as const;

/** Loan accounts with their schedules, and disbursements. */
export class LoanRepository {
  constructor(private readonly db: Database) {}

  /** Creates the account with its schedule (its money is posted to the ledger by the caller, in the same transaction). */
  async createAccount(account: LoanAccount & StoredAccountToken): Promise<void> {
    const { instalments, disbursedOn, ...row } = account;
    await this.db.client.loanAccount.create({ data: { ...row, disbursedOn: new Date(`${disbursedOn}T00:00:00Z`) } });
    await this.db.client.loanInstalment.createMany({
      data: instalments.map((line) => ({
        loanId: account.id,
        sequence: line.sequence,
        dueDate: new Date(`${line.dueDate}T00:00:00Z`),
        emiMicros: line.emiMicros,
        principalMicros: line.principalMicros,
        interestMicros: line.interestMicros,
        accruesFrom: new Date(`${line.accruesFrom}T00:00:00Z`),
        status: line.status,
      })),
    });
  }

  /**
   * The product and version a loan opened for the application pins: the application's product and the version its
   * current offer was made under. Null when the application has no current offer.
   */
  async pinnedProductOf(applicationId: string): Promise<{ productId: string; productVersion: number } | null> {
    const [row] = await this.db.query<{ productId: string; productVersion: number }>(
      `SELECT a.product_id AS "productId", o.product_version AS "productVersion" FROM application a JOIN offer o ON o.id = a.current_offer_id WHERE a.id = $1`,
      [applicationId],
    );
    return row ?? null;
  }

  /** The account whose token has this keyed hash, only if its application belongs to this partner. */
  async accountForPartner(partnerId: string, accountTokenHash: string): Promise<LoanAccount | null> {
    const found = await this.db.client.loanAccount.findFirst({
      where: { accountTokenHash, application: { partnerId } },
      include: { instalments: { orderBy: { sequence: 'asc' } } },
      omit: { accountTokenHash: true, accountTokenCiphertext: true },
    });
    if (!found) return null;
    const { instalments, disbursedOn, ...loan } = found;
    return {
      ...loan,
      disbursedOn: disbursedOn.toISOString().slice(0, 10),
      instalments: instalments.map((line) => ({
        sequence: line.sequence,
        dueDate: line.dueDate.toISOString().slice(0, 10),
        emiMicros: line.emiMicros,
        principalMicros: line.principalMicros,
        interestMicros: line.interestMicros,
        accruesFrom: line.accruesFrom.toISOString().slice(0, 10),
        status: line.status,
      })),
    };
  }

  async disbursementOf(applicationId: string): Promise<Disbursement | null> {
    return this.db.client.disbursement.findUnique({ where: { applicationId }, select: DISBURSEMENT });
  }

  /** The payout of an application as it stands: its state, the rail's UTR or failure, and when it ended. */
  async payoutOf(applicationId: string): Promise<Payout | null> {
    return this.db.client.disbursement.findUnique({
      where: { applicationId },
      select: { reference: true, amountMicros: true, state: true, utr: true, failureReason: true, requestedAt: true, completedAt: true, reportedAt: true },
    });
  }

  /** Marks a successful payout as reported (to the network's analytics); true only for the first to mark it. */
  async markReported(applicationId: string, at: Date): Promise<boolean> {
    const { count } = await this.db.client.disbursement.updateMany({ where: { applicationId, state: 'SUCCEEDED', reportedAt: null }, data: { reportedAt: at } });
    return count === 1;
  }

  async createDisbursement(disbursement: Omit<Disbursement, 'attempts' | 'lastAttemptAt'>): Promise<void> {
    await this.db.client.disbursement.create({ data: disbursement });
  }

  /** Counts a call to the rail (or a retry scheduled by the reconciler) at `at`. */
  async markAttempt(id: string, at: Date, countAttempt: boolean): Promise<void> {
    await this.db.client.disbursement.update({ where: { id }, data: { lastAttemptAt: at, ...(countAttempt ? { attempts: { increment: 1 } } : {}) } });
  }

  /** Disbursements whose rail answer was never recorded, last tried before `before`. */
  async unansweredSince(before: Date, limit: number): Promise<Disbursement[]> {
    return this.db.client.disbursement.findMany({
      where: { state: 'REQUESTED', OR: [{ lastAttemptAt: null }, { lastAttemptAt: { lt: before } }] },
      select: DISBURSEMENT,
      orderBy: { requestedAt: 'asc' },
      take: limit,
    });
  }
}
