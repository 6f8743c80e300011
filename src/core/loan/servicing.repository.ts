import { Database } from '../../lib/db/database';
import { ApplicationRef } from '../application/application';
import { ConditionDecision, LoanChargeRecord, Repayment, ServicedInstalment, StoredServicedLoan } from './servicing';

const day = (date: Date) => date.toISOString().slice(0, 10);
const dateOf = (isoDate: string) => new Date(`${isoDate}T00:00:00Z`);

const LOAN_INCLUDE = {
  loan: {
    include: {
      instalments: { orderBy: { sequence: 'asc' as const } },
      repayments: { orderBy: [{ requestedAt: 'desc' as const }, { id: 'desc' as const }] },
      charges: { orderBy: [{ leviedOn: 'asc' as const }, { createdAt: 'asc' as const }, { id: 'asc' as const }] },
    },
    omit: { accountTokenHash: true, accountTokenCiphertext: true },
  },
};

type ApplicationWithLoan = {
  id: string;
  externalReference: string;
  lenderReference: string;
  requestedAmountMicros: bigint;
  loan: (Omit<StoredServicedLoan, 'loanId' | 'applicationId' | 'externalReference' | 'lenderReference' | 'requestedAmountMicros' | 'instalments' | 'repayments' | 'charges' | 'disbursedOn' | 'closedOn' | 'mandateCancelledOn'> & {
    id: string;
    disbursedOn: Date;
    closedOn: Date | null;
    mandateCancelledOn: Date | null;
    instalments: Array<Omit<ServicedInstalment, 'dueDate' | 'accruesFrom' | 'accrualBaseOn'> & { dueDate: Date; accruesFrom: Date; accrualBaseOn: Date | null }>;
    repayments: Array<Omit<Repayment, 'valueDate'> & { valueDate: Date | null }>;
    charges: Array<Omit<LoanChargeRecord, 'leviedOn'> & { leviedOn: Date }>;
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
    disbursedOn: day(loan.disbursedOn),
    daysPastDue: loan.daysPastDue,
    assetClass: loan.assetClass,
    closedOn: loan.closedOn ? day(loan.closedOn) : null,
    closure: loan.closure,
    mandateCancelledOn: loan.mandateCancelledOn ? day(loan.mandateCancelledOn) : null,
    createdAt: loan.createdAt,
    instalments: loan.instalments.map((line) => ({
      sequence: line.sequence,
      dueDate: day(line.dueDate),
      emiMicros: line.emiMicros,
      principalMicros: line.principalMicros,
      interestMicros: line.interestMicros,
      principalPaidMicros: line.principalPaidMicros,
      interestPaidMicros: line.interestPaidMicros,
      accruesFrom: day(line.accruesFrom),
      interestAccruedMicros: line.interestAccruedMicros,
      accrualBaseMicros: line.accrualBaseMicros,
      accrualBaseOn: line.accrualBaseOn ? day(line.accrualBaseOn) : null,
      status: line.status,
    })),
    repayments: loan.repayments.map(repaymentOf),
    charges: loan.charges.map((charge) => ({
      id: charge.id,
      kind: charge.kind,
      instalmentSequence: charge.instalmentSequence,
      leviedOn: day(charge.leviedOn),
      chargeMicros: charge.chargeMicros,
      gstMicros: charge.gstMicros,
      paidMicros: charge.paidMicros,
      reference: charge.reference,
    })),
  };
}

function repaymentOf(row: Omit<Repayment, 'valueDate'> & { valueDate: Date | string | null; createdAt?: Date; updatedAt?: Date }): Repayment {
  return {
    id: row.id,
    loanId: row.loanId,
    reference: row.reference,
    partnerPaymentId: row.partnerPaymentId,
    amountMicros: row.amountMicros,
    instalmentSequence: row.instalmentSequence,
    method: row.method,
    state: row.state,
    purpose: row.purpose,
    valueDate: row.valueDate === null ? null : typeof row.valueDate === 'string' ? row.valueDate : day(row.valueDate),
    prepaymentMicros: row.prepaymentMicros,
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

/** The product terms servicing applies to a loan (from the product version it pinned). */
export interface ServicingTerms {
  foreclosureChargeRateE5: number;
  rateType: 'FIXED' | 'FLOATING';
  gstRateE5: number;
  coolingOffDays: number;
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

  /**
   * The loan as applying a payment needs it, in one read by primary key: its instalments and charges, without its
   * repayments (`repayments` is empty).
   */
  async loanForPayment(loanId: string): Promise<StoredServicedLoan | null> {
    const row = await this.db.client.loanAccount.findUnique({
      where: { id: loanId },
      include: {
        instalments: LOAN_INCLUDE.loan.include.instalments,
        charges: LOAN_INCLUDE.loan.include.charges,
        application: { select: { id: true, externalReference: true, lenderReference: true, requestedAmountMicros: true } },
      },
      omit: LOAN_INCLUDE.loan.omit,
    });
    if (!row) return null;
    const { application, ...loan } = row;
    return servicedLoan({ ...application, loan: { ...loan, repayments: [] } } as unknown as ApplicationWithLoan);
  }

  async applicationIdOf(loanId: string): Promise<string | null> {
    const rows = await this.db.query<{ applicationId: string }>(`SELECT application_id AS "applicationId" FROM loan_account WHERE id = $1`, [loanId]);
    return rows[0]?.applicationId ?? null;
  }

  /** What is due on `asOf`: unpaid charges plus every live instalment due by then and not paid (servicing.service.ts duesOn, in SQL). */
  async dueOn(loanId: string, asOf: string): Promise<bigint> {
    const rows = await this.db.query<{ due: bigint }>(
      `SELECT (COALESCE((SELECT SUM(charge_micros + gst_micros - paid_micros) FROM loan_charge WHERE loan_id = $1), 0)
             + COALESCE((SELECT SUM(principal_micros - principal_paid_micros + interest_micros - interest_paid_micros) FROM loan_instalment
                         WHERE loan_id = $1 AND due_date <= $2::date AND status <> 'CANCELLED'), 0))::bigint AS due`,
      [loanId, asOf],
    );
    return rows[0].due;
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

  /** Records a new repayment (PENDING: its allocation is set when it SUCCEEDED). */
  async createRepayment(repayment: Repayment): Promise<void> {
    const { valueDate, ...rest } = repayment;
    await this.db.client.loanRepayment.create({ data: { ...rest, valueDate: valueDate ? dateOf(valueDate) : null } });
  }

  /** Changes an instalment's terms (a re-amortisation or a foreclosure reshapes the schedule). */
  async reshapeInstalment(loanId: string, sequence: number, terms: { dueDate?: string; principalMicros: bigint; interestMicros: bigint; emiMicros: bigint; accrualBase?: { micros: bigint; on: string } }): Promise<void> {
    await this.db.client.loanInstalment.update({
      where: { loanId_sequence: { loanId, sequence } },
      data: {
        principalMicros: terms.principalMicros,
        interestMicros: terms.interestMicros,
        emiMicros: terms.emiMicros,
        ...(terms.dueDate ? { dueDate: dateOf(terms.dueDate) } : {}),
        ...(terms.accrualBase ? { accrualBaseMicros: terms.accrualBase.micros, accrualBaseOn: dateOf(terms.accrualBase.on) } : {}),
      },
    });
  }

  async cancelInstalments(loanId: string, sequences: readonly number[]): Promise<void> {
    if (sequences.length === 0) return;
    await this.db.client.loanInstalment.updateMany({ where: { loanId, sequence: { in: [...sequences] } }, data: { status: 'CANCELLED' } });
  }

  async setInterestAccrued(loanId: string, sequence: number, interestAccruedMicros: bigint): Promise<void> {
    await this.db.client.loanInstalment.update({ where: { loanId_sequence: { loanId, sequence } }, data: { interestAccruedMicros } });
  }

  async addCharge(charge: Omit<LoanChargeRecord, 'paidMicros'> & { loanId: string }): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `INSERT INTO loan_charge (id, loan_id, kind, instalment_sequence, levied_on, charge_micros, gst_micros, reference)
       VALUES ($1, $2, $3::"ChargeKind", $4, $5::date, $6, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [charge.id, charge.loanId, charge.kind, charge.instalmentSequence, charge.leviedOn, charge.chargeMicros, charge.gstMicros, charge.reference],
    );
    return rows.length > 0;
  }

  async payCharge(id: string, micros: bigint): Promise<void> {
    await this.db.query(`UPDATE loan_charge SET paid_micros = paid_micros + $2 WHERE id = $1`, [id, micros]);
  }

  async setDelinquency(loanId: string, daysPastDue: number, assetClass: string): Promise<void> {
    await this.db.query(
      `UPDATE loan_account SET days_past_due = $2, asset_class = $3::"AssetClass", npa_since = CASE WHEN $3 = 'NPA' THEN npa_since ELSE NULL END, updated_at = now() WHERE id = $1`,
      [loanId, daysPastDue, assetClass],
    );
  }

  /** The terms of the loan's pinned product version that servicing applies (foreclosure, cooling-off, GST). */
  async servicingTerms(loanId: string): Promise<ServicingTerms> {
    const rows = await this.db.query<ServicingTerms>(
      `SELECT pv.foreclosure_charge_rate_e5 AS "foreclosureChargeRateE5", pv.rate_type AS "rateType", pv.gst_rate_e5 AS "gstRateE5",
         pv.cooling_off_days AS "coolingOffDays"
       FROM loan_account l JOIN product_version pv ON pv.product_id = l.product_id AND pv.version = l.product_version WHERE l.id = $1`,
      [loanId],
    );
    return rows[0];
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
