import { Database } from '../../lib/db/database';
import { ApplicationRef } from '../application/application';
import { ConditionDecision, Repayment, ServicedInstalment, StoredServicedLoan } from './servicing';

const day = (date: Date) => date.toISOString().slice(0, 10);
const dateOf = (isoDate: string) => new Date(`${isoDate}T00:00:00Z`);

const LOAN_INCLUDE = {
  loan: {
    include: {
      instalments: { orderBy: { sequence: 'asc' as const } },
      repayments: { orderBy: [{ requestedAt: 'desc' as const }, { id: 'desc' as const }] },
    },
    omit: { accountTokenHash: true, accountTokenCiphertext: true },
  },
};

type ApplicationWithLoan = {
  id: string;
  externalReference: string;
  lenderReference: string;
  requestedAmountMicros: bigint;
  loan: (Omit<StoredServicedLoan, 'loanId' | 'applicationId' | 'externalReference' | 'lenderReference' | 'requestedAmountMicros' | 'instalments' | 'repayments'> & {
    id: string;
    instalments: Array<Omit<ServicedInstalment, 'dueDate'> & { dueDate: Date }>;
    repayments: Repayment[];
  }) | null;
};

function servicedLoan(row: ApplicationWithLoan): StoredServicedLoan | null {
  const loan = row.loan;
  if (!loan) return null;
  return {
    applicationId: row.id,
    externalReference: row.externalReference,
    lenderReference: row.lenderReference,
    requestedAmountMicros: row.requestedAmountMicros,
    loanId: loan.id,
    state: loan.state,
    sanctionedMicros: loan.sanctionedMicros,
    disbursedMicros: loan.disbursedMicros,
    interestRateE5: loan.interestRateE5,
    tenureMonths: loan.tenureMonths,
    emiMicros: loan.emiMicros,
    disbursedAt: loan.disbursedAt,
    createdAt: loan.createdAt,
    instalments: loan.instalments.map((line) => ({
      sequence: line.sequence,
      dueDate: day(line.dueDate),
      emiMicros: line.emiMicros,
      principalMicros: line.principalMicros,
      interestMicros: line.interestMicros,
      principalPaidMicros: line.principalPaidMicros,
      interestPaidMicros: line.interestPaidMicros,
      status: line.status,
    })),
    repayments: loan.repayments.map(repaymentOf),
  };
}

function repaymentOf(row: Repayment & { createdAt?: Date; updatedAt?: Date }): Repayment {
  return {
    id: row.id,
    loanId: row.loanId,
    reference: row.reference,
    partnerPaymentId: row.partnerPaymentId,
    amountMicros: row.amountMicros,
    instalmentSequence: row.instalmentSequence,
    method: row.method,
    state: row.state,
    principalMicros: row.principalMicros,
    interestMicros: row.interestMicros,
    penaltyMicros: row.penaltyMicros,
    excessMicros: row.excessMicros,
    providerReference: row.providerReference,
    failureReason: row.failureReason,
    requestedAt: row.requestedAt,
    completedAt: row.completedAt,
  };
}

/** Disbursed loans as servicing reads and changes them: instalments paid, repayments, condition changes (the money is in the ledger). */
export class ServicingRepository {
  constructor(private readonly db: Database) {}

  /** The partner's loan behind its application reference (another partner's is unknown); null before disbursement. */
  async loanOf(ref: ApplicationRef): Promise<StoredServicedLoan | null> {
    const row = await this.db.client.application.findUnique({
      where: { partnerId_externalReference: { partnerId: ref.partnerId, externalReference: ref.externalReference } },
      select: { id: true, externalReference: true, lenderReference: true, requestedAmountMicros: true, ...LOAN_INCLUDE },
    });
    return row ? servicedLoan(row as unknown as ApplicationWithLoan) : null;
  }

  async loanById(loanId: string): Promise<StoredServicedLoan | null> {
    const row = await this.db.client.application.findFirst({
      where: { loan: { id: loanId } },
      select: { id: true, externalReference: true, lenderReference: true, requestedAmountMicros: true, ...LOAN_INCLUDE },
    });
    return row ? servicedLoan(row as unknown as ApplicationWithLoan) : null;
  }

  /** The partner's disbursed loans of the borrower whose PAN has this keyed hash, disbursed within [from, to] when given, oldest first. */
  async loansOfBorrower(partnerId: string, panHash: string, disbursed: { from?: Date; to?: Date } = {}): Promise<StoredServicedLoan[]> {
    const rows = await this.db.client.application.findMany({
      where: { partnerId, panHash, loan: { is: { disbursedAt: { gte: disbursed.from, lte: disbursed.to } } } },
      select: { id: true, externalReference: true, lenderReference: true, requestedAmountMicros: true, ...LOAN_INCLUDE },
      orderBy: { createdAt: 'asc' },
    });
    return rows.flatMap((row) => servicedLoan(row as unknown as ApplicationWithLoan) ?? []);
  }

  /** Locks the loan account for the rest of the transaction (repayments and condition changes of one loan run one after the other). */
  async lockLoan(loanId: string): Promise<void> {
    await this.db.query(`SELECT id FROM loan_account WHERE id = $1 FOR UPDATE`, [loanId]);
  }

  async createRepayment(repayment: Omit<Repayment, 'principalMicros' | 'interestMicros' | 'penaltyMicros' | 'excessMicros' | 'providerReference' | 'failureReason' | 'completedAt'>): Promise<void> {
    await this.db.client.loanRepayment.create({ data: repayment });
  }

  async repaymentByReference(reference: string): Promise<Repayment | null> {
    const row = await this.db.client.loanRepayment.findUnique({ where: { reference } });
    return row ? repaymentOf(row) : null;
  }

  /** A repayment of the loan by our reference or by the partner's payment id. */
  async repaymentOfLoan(loanId: string, id: string): Promise<Repayment | null> {
    const row = await this.db.client.loanRepayment.findFirst({ where: { loanId, OR: [{ reference: id }, { partnerPaymentId: id }] } });
    return row ? repaymentOf(row) : null;
  }

  async payInstalment(loanId: string, sequence: number, paid: { principalPaidMicros: bigint; interestPaidMicros: bigint; status: ServicedInstalment['status'] }): Promise<void> {
    await this.db.client.loanInstalment.update({ where: { loanId_sequence: { loanId, sequence } }, data: paid });
  }

  /** The loan_account column kept as a mirror of the ledger's LOAN_PRINCIPAL balance (read by nothing; dropped with loan_journal_entry). */
  async setOutstandingPrincipal(loanId: string, outstandingPrincipalMicros: bigint): Promise<void> {
    await this.db.client.loanAccount.update({ where: { id: loanId }, data: { outstandingPrincipalMicros } });
  }

  async moveInstalmentDue(loanId: string, sequence: number, dueDate: string): Promise<void> {
    await this.db.client.loanInstalment.update({ where: { loanId_sequence: { loanId, sequence } }, data: { dueDate: dateOf(dueDate) } });
  }

  async recordConditionChange(change: { id: string; loanId: string; changedCondition: string; requestedDate: string; requestedAmountMicros: bigint; previousDueDate?: string } & ConditionDecision): Promise<void> {
    await this.db.client.repaymentConditionChange.create({
      data: {
        id: change.id,
        loanId: change.loanId,
        changedCondition: change.changedCondition,
        requestedDate: dateOf(change.requestedDate),
        requestedAmountMicros: change.requestedAmountMicros,
        decision: change.decision,
        description: change.description,
        instalmentSequence: change.instalmentSequence ?? null,
        previousDueDate: change.previousDueDate ? dateOf(change.previousDueDate) : null,
      },
    });
  }

  async acceptedConditionChanges(loanId: string): Promise<number> {
    return this.db.client.repaymentConditionChange.count({ where: { loanId, decision: 'ACCEPTED' } });
  }
}
