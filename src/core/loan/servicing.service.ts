import { randomUUID } from 'node:crypto';
import { randomToken } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { UnitOfWork } from '../../lib/db/database';
import { invalidField, notFound, precondition } from '../errors';
import { ApplicationRef } from '../application/application';
import { formatRupees, isWholePaise, sumMicros } from '../money/money';
import { addDays, daysBetween, isValidIsoDate } from '../shared/dates';
import { BusinessClock } from '../shared/business-clock';
import { IdentityHasher } from '../shared/identity';
import { TransitionWriter } from '../state/transition-writer';
import { aprOfFlows } from '../money/apr';
import { accruedInterestTo } from './accrual';
import { LoanDues, RepaymentAllocation, allocateRepayment, dueNowMicros, remainingOf } from './allocation';
import { coolingOffExit } from './cooling-off';
import { daysPastDue } from './delinquency';
import { ForeclosureQuote, foreclosureQuote } from './foreclosure';
import { reamortise } from './reamortise';
import { loanState } from './loan-state';
import { CollectionAccount, RepaymentCollector } from './repayment-collector';
import { repaymentState } from './repayment-state';
import { Ledger } from '../ledger/ledger';
import { chargeEntry, interestEntry, ledgerKeys } from '../ledger/entries';
import { repaymentEntries } from './loan-ledger';
import { StatementLine } from '../ledger/statement';
import { ConditionDecision, LoanChargeRecord, LoanClosure, LoanFigures, Repayment, RepaymentPurpose, ServicedInstalment, ServicedLoan, StoredServicedLoan } from './servicing';
import { ServicingRepository } from './servicing.repository';

export interface RepaymentRequest extends ApplicationRef {
  /** Positive, whole paise. */
  amountMicros: bigint;
  /** How the borrower pays (UPI, NETBANKING, ...), recorded as asked. */
  method: string;
  /** The partner's own id of the payment (unique per loan). */
  partnerPaymentId?: string;
  /** The instalment the partner says it pays: recorded; the allocation is the one order all the same. */
  instalmentSequence?: number;
  /** What the payment is for (default DUES; see LoanServicingService.trigger). */
  purpose?: RepaymentPurpose;
}

export type ProviderAnswer = { status: 'SUCCEEDED'; providerReference: string } | { status: 'FAILED'; reason: string };

export interface ConditionChangeRequest extends ApplicationRef {
  changedCondition: string;
  /** YYYY-MM-DD. */
  requestedDate: string;
  amountMicros: bigint;
}

/** Money received outside the payment page (a mandate debit): applied at once. */
export interface ReceivedPayment {
  loanId: string;
  amountMicros: bigint;
  /** Ours, unique: the collection's reference. */
  reference: string;
  method: string;
  /** YYYY-MM-DD. */
  valueDate: string;
  providerReference: string;
  purpose: RepaymentPurpose;
}

/** A charge to levy: recorded once under its id, with its CHARGE entry. */
export interface ChargeToLevy {
  loanId: string;
  kind: LoanChargeRecord['kind'];
  instalmentSequence: number | null;
  valueDate: string;
  chargeMicros: bigint;
  gstMicros: bigint;
  reference: string;
  narration: string;
}

/**
 * What it costs to pay the loan off on `validOn` (valid to the end of that business day): principal outstanding,
 * interest accrued to the day and not paid (never interest of days to come), unpaid charges, the product's
 * foreclosure charge with its GST (none on a floating-rate loan, none when the product states none), less what
 * the borrower paid beyond their dues.
 */
export type PayoffQuote = ForeclosureQuote;

/** What returning the loan within the cooling-off period costs: principal plus proportionate interest at the APR, no charge. */
export interface CoolingOffQuote {
  validOn: string;
  lastDay: string;
  withinPeriod: boolean;
  daysHeld: number;
  aprE5: number;
  principalMicros: bigint;
  interestMicros: bigint;
  totalMicros: bigint;
}

/** Told when a repayment closed a loan, in that repayment's transaction (the servicing layer cancels the mandate and refunds any excess). */
export interface LoanClosedListener {
  loanClosed(loanId: string, closure: LoanClosure, closedOn: string): Promise<void>;
}

/** How far (calendar days, later only) the next instalment's due date may be moved, once per loan, without the operations team. */
export const MAX_DUE_DATE_SHIFT_DAYS = 15;

const live = (line: ServicedInstalment) => line.status !== 'CANCELLED';
const chargeLeft = (charge: LoanChargeRecord) => charge.chargeMicros + charge.gstMicros - charge.paidMicros;

/**
 * The summary figures of a loan: the amounts paid, the principal pending and the amount repaid from its ledger
 * balances; the interest still to come and the next instalment from its schedule (no rounding: every amount is
 * whole paise).
 */
export function loanFigures(loan: ServicedLoan): LoanFigures {
  const lines = loan.instalments.filter(live);
  return {
    principalPaidMicros: loan.balances.principalRepaidMicros,
    interestPaidMicros: loan.balances.interestRepaidMicros,
    penaltyPaidMicros: loan.balances.chargesRepaidMicros,
    principalPendingMicros: loan.balances.principalOutstandingMicros,
    interestPendingMicros: sumMicros(lines.map((l) => l.interestMicros - l.interestPaidMicros)),
    repaidMicros: loan.balances.collectedMicros,
    nextInstalment: lines.find((l) => remainingOf(l) > 0n) ?? null,
    endDate: lines[lines.length - 1]?.dueDate ?? loan.instalments[loan.instalments.length - 1].dueDate,
  };
}

/** What is due on `asOf`: unpaid charges plus every live instalment due by then and not paid (never interest of days to come). */
export function duesOn(loan: Pick<ServicedLoan, 'instalments' | 'charges' | 'balances'>, asOf: string): bigint {
  return dueNowMicros(duesOf(loan, asOf));
}

/** The loan's dues as allocation.ts reads them: its live instalments, its charges not fully paid, its principal outstanding. */
function duesOf(loan: Pick<ServicedLoan, 'instalments' | 'charges' | 'balances'>, asOf: string): LoanDues {
  return {
    asOf,
    charges: loan.charges.filter((c) => chargeLeft(c) > 0n).map((c) => ({ id: c.id, leviedOn: c.leviedOn, outstandingMicros: chargeLeft(c) })),
    instalments: loan.instalments.filter(live).map((l) => ({ sequence: l.sequence, dueDate: l.dueDate, principalMicros: l.principalMicros, interestMicros: l.interestMicros, principalPaidMicros: l.principalPaidMicros, interestPaidMicros: l.interestPaidMicros })),
    principalOutstandingMicros: loan.balances.principalOutstandingMicros,
  };
}

/**
 * Servicing of a disbursed loan: reading it (summary, statement, a borrower's loans), repayments of every kind
 * (intent → provider's answer → applied; or received from the mandate rail), charges, payoff quotes, and requests
 * to change the repayment conditions. Every balance of a loan read here comes from the ledger.
 *
 * **Applying a repayment** (in the transaction that records it, the loan locked), on the business date V:
 * 1. FORECLOSURE and COOLING_OFF_EXIT first reshape the schedule: the instalment of the current period falls due on
 *    V with every later instalment's principal and the interest of the days so far (cooling-off: the APR's
 *    proportionate interest), the later instalments are CANCELLED; a foreclosure levies the product's charge.
 * 2. The amount is shared out in the one order of allocation.ts: charges (oldest first), overdue interest, overdue
 *    principal, the dues of the day, then principal (a prepayment), the rest excess (refunded at closure).
 * 3. Interest paid that the daily accrual had not booked yet (a payment during its due day) is booked as earned
 *    first; then the REPAYMENT entry.
 * 4. A prepayment re-amortises the instalments to come (reamortise.ts): PREPAY_REDUCE_EMI keeps their number,
 *    PREPAY_REDUCE_TENURE (and DUES) keeps the EMI and drops instalments from the end.
 * 5. Arrears cleared: days past due 0, STANDARD, DELINQUENT → ACTIVE. Nothing left owed: CLOSED (the listener
 *    cancels the mandate and refunds any excess).
 */
export class LoanServicingService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repository: ServicingRepository,
    private readonly transitions: TransitionWriter,
    private readonly collector: RepaymentCollector,
    private readonly identity: IdentityHasher,
    private readonly clock: Clock,
    private readonly ledger: Ledger,
    private readonly businessClock: BusinessClock,
    private readonly closedListener: LoanClosedListener = { loanClosed: async () => undefined },
  ) {}

  /** The partner's disbursed loan (NOT_FOUND for another partner's, or before disbursement), its balances from the ledger. */
  async loan(ref: ApplicationRef): Promise<ServicedLoan> {
    const loan = await this.repository.loanOf(ref);
    if (!loan) throw notFound('loan');
    return (await this.withBalances([loan]))[0];
  }

  /** A disbursed loan by its id, its balances from the ledger (NOT_FOUND for an unknown id). */
  async loanById(loanId: string): Promise<ServicedLoan> {
    const loan = await this.repository.loanById(loanId);
    if (!loan) throw notFound('loan');
    return (await this.withBalances([loan]))[0];
  }

  /** The application a loan was disbursed for (NOT_FOUND for an unknown loan). */
  async applicationIdOf(loanId: string): Promise<string> {
    const applicationId = await this.repository.applicationIdOf(loanId);
    if (!applicationId) throw notFound('loan');
    return applicationId;
  }

  /** The loan and its statement read from the ledger (borrowerStatement), value dates within [from, to] (YYYY-MM-DD, each optional). */
  async statement(ref: ApplicationRef, from?: string, to?: string): Promise<{ loan: ServicedLoan; entries: StatementLine[] }> {
    const loan = await this.loan(ref);
    return { loan, entries: await this.ledger.statement(loan.loanId, from, to) };
  }

  /** The partner's disbursed loans of the borrower with this PAN (matched by its keyed hash; never another partner's). */
  async loansOfBorrower(partnerId: string, pan: string, disbursed: { from?: Date; to?: Date } = {}): Promise<ServicedLoan[]> {
    return this.withBalances(await this.repository.loansOfBorrower(partnerId, this.identity.pan(pan), disbursed));
  }

  private async withBalances(loans: StoredServicedLoan[]): Promise<ServicedLoan[]> {
    const balances = await this.ledger.balancesOfLoans(loans.map((loan) => loan.loanId));
    return loans.map((loan) => ({ ...loan, balances: balances.get(loan.loanId)! }));
  }

  /** The account repayments are collected into. */
  collectionAccount(): CollectionAccount {
    return this.collector.account();
  }

  paymentUrl(repayment: Pick<Repayment, 'reference'>): string {
    return this.collector.paymentUrl(repayment.reference);
  }

  /**
   * Records the intent of a repayment (PENDING) and names its payment page. The amount and purpose are checked
   * against the loan on today's business date:
   * - DUES / PREPAY_REDUCE_EMI / PREPAY_REDUCE_TENURE: up to what pays the loan off; an amount that pays the whole
   *   loan off ahead of its schedule is a foreclosure (purpose FORECLOSURE, the day's quote);
   * - FORECLOSURE: exactly the day's payoff quote (foreclosureQuote);
   * - COOLING_OFF_EXIT: within the cooling-off period, exactly the cooling-off quote.
   * Refused: a closed loan (PRECONDITION_FAILED), an amount that is not positive whole paise or not what the
   * purpose needs, an instalment that does not exist or is paid, a payment id already used (INVALID_FIELD_VALUE).
   */
  async trigger(request: RepaymentRequest): Promise<{ repayment: Repayment; paymentUrl: string }> {
    return this.uow.transaction(async () => {
      const found = await this.loan(request);
      await this.repository.lockLoan(found.loanId);
      const loan = await this.loan(request);
      if (loan.state === 'CLOSED') throw precondition('The loan is closed: nothing is left to pay');
      if (request.amountMicros <= 0n || !isWholePaise(request.amountMicros)) throw invalidField('repaymentAmount', 'The amount must be a positive number of rupees with at most two decimals');
      const today = await this.businessClock.today();
      const purpose = await this.purposeOf(loan, request.purpose ?? 'DUES', request.amountMicros, today);
      if (request.instalmentSequence !== undefined) {
        const line = loan.instalments.find((l) => l.sequence === request.instalmentSequence);
        if (!line || line.status === 'PAID' || line.status === 'CANCELLED') throw invalidField('instalmentNumber', `Instalment ${request.instalmentSequence} does not exist or is paid`);
      }
      if (request.partnerPaymentId && (await this.repository.repaymentOfLoan(loan.loanId, request.partnerPaymentId))) {
        throw invalidField('paymentId', `A payment with id ${JSON.stringify(request.partnerPaymentId)} was already triggered for this loan`);
      }
      const repayment: Repayment = {
        id: randomUUID(),
        loanId: loan.loanId,
        reference: `RPY${randomToken(16)}`,
        partnerPaymentId: request.partnerPaymentId ?? null,
        amountMicros: request.amountMicros,
        instalmentSequence: request.instalmentSequence ?? null,
        method: request.method,
        state: 'PENDING',
        purpose,
        valueDate: null,
        prepaymentMicros: null,
        principalMicros: null,
        interestMicros: null,
        penaltyMicros: null,
        excessMicros: null,
        providerReference: null,
        failureReason: null,
        requestedAt: this.clock.now(),
        completedAt: null,
      };
      await this.repository.createRepayment(repayment);
      await this.transitions.recordInitial(repaymentState, repayment.id, 'PENDING', `${formatRupees(repayment.amountMicros)} by ${repayment.method} (${purpose})`);
      return { repayment, paymentUrl: this.collector.paymentUrl(repayment.reference) };
    });
  }

  /** The purpose the amount is applied under, or why it cannot be (see trigger). */
  private async purposeOf(loan: ServicedLoan, asked: RepaymentPurpose, amountMicros: bigint, today: string): Promise<RepaymentPurpose> {
    if (asked === 'COOLING_OFF_EXIT') {
      const quote = await this.coolingOffQuoteOf(loan, today);
      if (!quote.withinPeriod) throw precondition(`The cooling-off period ended on ${quote.lastDay}`);
      if (amountMicros !== quote.totalMicros) throw invalidField('repaymentAmount', `Leaving in the cooling-off period costs ${formatRupees(quote.totalMicros)} today (principal and interest at the APR for ${quote.daysHeld} days)`);
      return asked;
    }
    const quote = await this.payoffQuoteOf(loan, today);
    if (asked === 'FORECLOSURE') {
      if (amountMicros !== quote.totalMicros) throw invalidField('repaymentAmount', `Paying the loan off costs ${formatRupees(quote.totalMicros)} today (the foreclosure quote, valid to the end of ${quote.validOn})`);
      return asked;
    }
    const dues = duesOn(loan, today);
    const payoff = quote.totalMicros - quote.foreclosureChargeMicros - quote.foreclosureChargeGstMicros;
    if (amountMicros >= payoff && payoff > dues) {
      if (amountMicros === quote.totalMicros) return 'FORECLOSURE';
      throw invalidField('repaymentAmount', `The amount pays the loan off ahead of its schedule: a foreclosure, which costs ${formatRupees(quote.totalMicros)} today`);
    }
    if (amountMicros > payoff) throw invalidField('repaymentAmount', `The amount is more than is left to pay (${formatRupees(payoff)})`);
    return asked;
  }

  /** Today's foreclosure quote of the partner's loan (valid to the end of the business day). */
  async foreclosureQuote(ref: ApplicationRef): Promise<PayoffQuote> {
    const loan = await this.loan(ref);
    if (loan.state === 'CLOSED') throw precondition('The loan is closed: nothing is left to pay');
    return this.payoffQuoteOf(loan, await this.businessClock.today());
  }

  /** Today's cooling-off exit quote of the partner's loan. */
  async coolingOffQuote(ref: ApplicationRef): Promise<CoolingOffQuote> {
    const loan = await this.loan(ref);
    if (loan.state === 'CLOSED') throw precondition('The loan is closed: nothing is left to pay');
    return this.coolingOffQuoteOf(loan, await this.businessClock.today());
  }

  private async payoffQuoteOf(loan: ServicedLoan, asOf: string): Promise<PayoffQuote> {
    const terms = await this.repository.servicingTerms(loan.loanId);
    const lines = loan.instalments.filter(live);
    const dueInterest = sumMicros(lines.filter((l) => l.dueDate <= asOf).map((l) => l.interestMicros - l.interestPaidMicros));
    const current = lines.find((l) => l.dueDate > asOf);
    const accrued = current ? accruedInterestTo(current, asOf) - current.interestPaidMicros : 0n;
    const quote = foreclosureQuote({
      asOf,
      principalOutstandingMicros: loan.balances.principalOutstandingMicros,
      interestAccruedUnpaidMicros: dueInterest + (accrued > 0n ? accrued : 0n),
      chargesOutstandingMicros: sumMicros(loan.charges.map(chargeLeft)),
      excessMicros: loan.balances.excessMicros,
      foreclosureChargeRateE5: terms.foreclosureChargeRateE5,
      rateType: terms.rateType,
      gstRateE5: terms.gstRateE5,
    });
    return { ...quote, validOn: asOf };
  }

  private async coolingOffQuoteOf(loan: ServicedLoan, asOf: string): Promise<CoolingOffQuote> {
    const terms = await this.repository.servicingTerms(loan.loanId);
    const apr = aprOfFlows(loan.disbursedMicros, loan.instalments.filter(live).map((l) => l.emiMicros));
    const exit = coolingOffExit({ principalMicros: loan.sanctionedMicros, aprE5: apr.e5, disbursedOn: loan.disbursedOn, asOf, coolingOffDays: terms.coolingOffDays });
    const untouched = loan.balances.principalOutstandingMicros === loan.sanctionedMicros && loan.repayments.every((r) => r.state !== 'SUCCEEDED');
    return {
      validOn: asOf,
      lastDay: addDays(loan.disbursedOn, terms.coolingOffDays),
      withinPeriod: exit.withinPeriod && untouched,
      daysHeld: exit.daysHeld,
      aprE5: apr.e5,
      principalMicros: loan.sanctionedMicros,
      interestMicros: exit.interestMicros,
      totalMicros: exit.totalMicros,
    };
  }

  /** A repayment of the partner's loan, by our reference or the partner's payment id (NOT_FOUND otherwise). */
  async repayment(ref: ApplicationRef, id: string): Promise<Repayment> {
    const loan = await this.loan(ref);
    const repayment = await this.repository.repaymentOfLoan(loan.loanId, id);
    if (!repayment) throw notFound('payment', 'paymentId');
    return repayment;
  }

  /** A repayment by its reference alone (the payment page's capability). */
  async repaymentByReference(reference: string): Promise<Repayment> {
    const repayment = await this.repository.repaymentByReference(reference);
    if (!repayment) throw notFound('repayment reference');
    return repayment;
  }

  /**
   * The payment provider's answer for a repayment (its notification; in the sandbox, the completion endpoint).
   * The first answer counts: a repayment no longer PENDING is returned as it is. A success is applied to the
   * loan in the same transaction, on today's business date (see the class comment).
   */
  async complete(reference: string, answer: ProviderAnswer): Promise<Repayment> {
    const found = await this.repaymentByReference(reference);
    const today = await this.businessClock.today();
    return this.uow.transaction(async () => {
      await this.repository.lockLoan(found.loanId);
      const repayment = (await this.repository.repaymentByReference(reference))!;
      if (repayment.state !== 'PENDING') return repayment;
      const now = this.clock.now();
      if (answer.status === 'FAILED') {
        const patch = { failureReason: answer.reason, completedAt: now };
        await this.transitions.move(repaymentState, repayment.id, 'PENDING', 'FAILED', patch, answer.reason);
        return { ...repayment, ...patch, state: 'FAILED' };
      }
      const patch = await this.apply(repayment, today);
      const done = { ...patch, providerReference: answer.providerReference, completedAt: now };
      await this.transitions.move(repaymentState, repayment.id, 'PENDING', 'SUCCEEDED', done, `provider reference ${answer.providerReference}`);
      await this.afterApplied(repayment.loanId, repayment.purpose, today, repayment.reference);
      return { ...repayment, ...done, state: 'SUCCEEDED' };
    });
  }

  /**
   * Money the lender received itself (a mandate debit), applied at once **in the caller's transaction**: a
   * SUCCEEDED repayment under the payment's reference, applied on its value date like any other.
   */
  async receive(payment: ReceivedPayment): Promise<Repayment> {
    await this.repository.lockLoan(payment.loanId);
    const existing = await this.repository.repaymentByReference(payment.reference);
    if (existing) return existing;
    const now = this.clock.now();
    const repayment: Repayment = {
      id: randomUUID(), loanId: payment.loanId, reference: payment.reference, partnerPaymentId: null, amountMicros: payment.amountMicros,
      instalmentSequence: null, method: payment.method, state: 'PENDING', purpose: payment.purpose, valueDate: null, prepaymentMicros: null,
      principalMicros: null, interestMicros: null, penaltyMicros: null, excessMicros: null, providerReference: null, failureReason: null,
      requestedAt: now, completedAt: null,
    };
    await this.repository.createRepayment(repayment);
    await this.transitions.recordInitial(repaymentState, repayment.id, 'PENDING', `${formatRupees(payment.amountMicros)} by ${payment.method}`);
    const patch = await this.apply(repayment, payment.valueDate);
    const done = { ...patch, providerReference: payment.providerReference, completedAt: now };
    await this.transitions.move(repaymentState, repayment.id, 'PENDING', 'SUCCEEDED', done, `${payment.method} ${payment.providerReference}`);
    await this.afterApplied(payment.loanId, payment.purpose, payment.valueDate, payment.reference);
    return { ...repayment, ...done, state: 'SUCCEEDED' };
  }

  /** What is due on the loan on `asOf` (charges and every instalment due by then, unpaid): what a mandate debit may collect. */
  async dueOn(loanId: string, asOf: string): Promise<bigint> {
    return this.repository.dueOn(loanId, asOf);
  }

  /** Levies a charge **in the caller's transaction**: the loan_charge row and its CHARGE entry, once per id (kind, loan, reference). */
  async levyCharge(charge: ChargeToLevy): Promise<void> {
    const id = `${charge.kind.toLowerCase()}:${charge.loanId}:${charge.reference}`;
    const added = await this.repository.addCharge({ id, loanId: charge.loanId, kind: charge.kind, instalmentSequence: charge.instalmentSequence, leviedOn: charge.valueDate, chargeMicros: charge.chargeMicros, gstMicros: charge.gstMicros, reference: charge.reference });
    if (!added) return;
    await this.ledger.post(chargeEntry({ idempotencyKey: `charge:${id}`, loanId: charge.loanId, valueDate: charge.valueDate, reference: charge.reference, chargeMicros: charge.chargeMicros, gstMicros: charge.gstMicros, narration: charge.narration }));
  }

  /** Applies a PENDING repayment to its loan on `valueDate` (steps 1-4 of the class comment); answers the repayment's allocation fields. */
  private async apply(repayment: Repayment, valueDate: string) {
    const loanId = repayment.loanId;
    if (repayment.purpose === 'FORECLOSURE' || repayment.purpose === 'COOLING_OFF_EXIT') await this.reshapeForPayoff(loanId, repayment, valueDate);
    const loan = (await this.withBalances([(await this.repository.loanForPayment(loanId))!]))[0];
    const lines = loan.instalments.filter(live);
    const allocation = allocateRepayment(repayment.amountMicros, duesOf(loan, valueDate));
    let unbooked = 0n;
    for (const paid of allocation.lines) {
      const line = lines.find((l) => l.sequence === paid.sequence)!;
      const principalPaidMicros = line.principalPaidMicros + paid.principalMicros;
      const interestPaidMicros = line.interestPaidMicros + paid.interestMicros;
      if (interestPaidMicros > line.interestAccruedMicros) {
        unbooked += interestPaidMicros - line.interestAccruedMicros;
        await this.repository.setInterestAccrued(loanId, line.sequence, interestPaidMicros);
      }
      const left = line.principalMicros - principalPaidMicros + line.interestMicros - interestPaidMicros;
      const status = left === 0n ? 'PAID' : line.status === 'OVERDUE' ? 'OVERDUE' : 'PARTIALLY_PAID';
      await this.repository.payInstalment(loanId, line.sequence, { principalPaidMicros, interestPaidMicros, status });
    }
    for (const paid of allocation.charges) await this.repository.payCharge(paid.id, paid.micros);
    await this.postRepayment(repayment, allocation, unbooked, valueDate);
    if (allocation.prepaymentMicros > 0n) await this.reamortise(loan, allocation, repayment.purpose, valueDate);
    await this.repository.setOutstandingPrincipal(loanId, await this.ledger.balance('LOAN_PRINCIPAL', loanId));
    return {
      principalMicros: allocation.principalMicros,
      interestMicros: allocation.interestMicros,
      penaltyMicros: allocation.chargesMicros,
      excessMicros: allocation.excessMicros,
      prepaymentMicros: allocation.prepaymentMicros,
      valueDate,
    };
  }

  /**
   * FORECLOSURE / COOLING_OFF_EXIT: the instalment of the current period becomes due on `valueDate` with every later
   * instalment's principal and the interest of the days so far (cooling-off: the APR's proportionate interest);
   * the later instalments are CANCELLED; a foreclosure levies the product's foreclosure charge with its GST.
   */
  private async reshapeForPayoff(loanId: string, repayment: Repayment, valueDate: string): Promise<void> {
    const loan = (await this.withBalances([(await this.repository.loanById(loanId))!]))[0];
    const lines = loan.instalments.filter(live);
    const current = lines.find((l) => l.dueDate > valueDate);
    if (current) {
      const later = lines.filter((l) => l.sequence > current.sequence);
      const interest = repayment.purpose === 'COOLING_OFF_EXIT' ? (await this.coolingOffQuoteOf(loan, valueDate)).interestMicros : accruedInterestTo(current, valueDate);
      const principal = current.principalMicros + sumMicros(later.map((l) => l.principalMicros - l.principalPaidMicros));
      await this.repository.reshapeInstalment(loanId, current.sequence, { dueDate: valueDate, principalMicros: principal, interestMicros: interest, emiMicros: principal + interest });
      await this.repository.cancelInstalments(loanId, later.map((l) => l.sequence));
      if (current.interestAccruedMicros > interest) {
        // Booked beyond what the payoff charges (cooling-off at an APR below the accrual so far): reversed.
        await this.ledger.post(interestEntry({ idempotencyKey: `${ledgerKeys.interestOnRepayment(repayment.id)}:reversal`, loanId, valueDate, reference: repayment.reference, amountMicros: interest - current.interestAccruedMicros, narration: repayment.purpose === 'COOLING_OFF_EXIT' ? 'Interest not charged on leaving in the cooling-off period' : 'Interest booked beyond the payoff, reversed' }));
        await this.repository.setInterestAccrued(loanId, current.sequence, interest);
      }
    }
    if (repayment.purpose === 'FORECLOSURE') {
      const quote = await this.payoffQuoteOf(loan, valueDate);
      if (quote.foreclosureChargeMicros > 0n) {
        await this.levyCharge({ loanId, kind: 'FORECLOSURE', instalmentSequence: null, valueDate, chargeMicros: quote.foreclosureChargeMicros, gstMicros: quote.foreclosureChargeGstMicros, reference: repayment.reference, narration: 'Foreclosure charge' });
      }
    }
  }

  /** A prepayment re-amortises the instalments to come on the principal left (reamortise.ts). */
  private async reamortise(loan: ServicedLoan, allocation: RepaymentAllocation, purpose: RepaymentPurpose, valueDate: string): Promise<void> {
    const future = loan.instalments.filter((l) => live(l) && l.dueDate > valueDate && l.principalPaidMicros === 0n && l.interestPaidMicros === 0n);
    if (future.length === 0) return;
    const dueLinesPrincipal = allocation.principalMicros - allocation.prepaymentMicros;
    const oldPrincipal = loan.balances.principalOutstandingMicros - dueLinesPrincipal;
    const newPrincipal = oldPrincipal - allocation.prepaymentMicros;
    const reshaped = reamortise({
      newPrincipalMicros: newPrincipal,
      oldPrincipalMicros: oldPrincipal,
      annualRateE5: loan.interestRateE5,
      mode: purpose === 'PREPAY_REDUCE_EMI' ? 'REDUCE_EMI' : 'REDUCE_TENURE',
      currentEmiMicros: loan.emiMicros,
      asOf: valueDate,
      future: future.map((l) => ({ sequence: l.sequence, accruesFrom: l.accruesFrom, dueDate: l.dueDate, interestMicros: l.interestMicros })),
    });
    const running = future[0];
    for (const line of reshaped) {
      // The running instalment keeps the interest earned so far on the old balance; the rest accrues from today.
      const accrualBase = line.sequence === running.sequence && running.accruesFrom < valueDate ? { micros: accruedInterestTo(running, valueDate), on: valueDate } : undefined;
      await this.repository.reshapeInstalment(loan.loanId, line.sequence, { principalMicros: line.principalMicros, interestMicros: line.interestMicros, emiMicros: line.emiMicros, ...(accrualBase ? { accrualBase } : {}) });
    }
    const kept = new Set(reshaped.map((l) => l.sequence));
    await this.repository.cancelInstalments(loan.loanId, future.filter((l) => !kept.has(l.sequence)).map((l) => l.sequence));
  }

  /** Arrears cleared → ACTIVE and STANDARD; nothing left owed → CLOSED (the listener settles the rest). */
  private async afterApplied(loanId: string, purpose: RepaymentPurpose, valueDate: string, reference: string): Promise<void> {
    const loan = (await this.withBalances([(await this.repository.loanForPayment(loanId))!]))[0];
    const lines = loan.instalments.filter(live);
    const dpd = daysPastDue(lines.filter((l) => l.status === 'OVERDUE').map((l) => ({ ...l })), valueDate);
    if (dpd === 0 && (loan.daysPastDue > 0 || loan.assetClass !== 'STANDARD')) await this.repository.setDelinquency(loanId, 0, 'STANDARD');
    const owed = loan.balances.principalOutstandingMicros + loan.balances.interestReceivableMicros + loan.balances.chargesReceivableMicros;
    const unpaid = lines.some((l) => remainingOf(l) > 0n) || loan.charges.some((c) => chargeLeft(c) > 0n);
    if (owed <= 0n && !unpaid && loan.state !== 'CLOSED') {
      const closure: LoanClosure = purpose === 'FORECLOSURE' ? 'FORECLOSED' : purpose === 'COOLING_OFF_EXIT' ? 'COOLING_OFF_EXIT' : 'REPAID';
      await this.transitions.move(loanState, loanId, loan.state, 'CLOSED', { closedOn: valueDate, closure, daysPastDue: 0 }, `${closure.toLowerCase().replace(/_/g, ' ')} (${reference})`);
      await this.closedListener.loanClosed(loanId, closure, valueDate);
    } else if (loan.state === 'CLOSED' && loan.balances.excessMicros > 0n && loan.closure) {
      // A payment that completed after the loan closed (it was in flight): all of it is excess, refunded the same way.
      await this.closedListener.loanClosed(loanId, loan.closure, loan.closedOn ?? valueDate);
    } else if (dpd === 0 && loan.state === 'DELINQUENT') {
      await this.transitions.move(loanState, loanId, 'DELINQUENT', 'ACTIVE', {}, `arrears cleared (${reference})`);
    }
  }

  /**
   * A request to change the repayment conditions, decided by one policy and recorded whatever the decision:
   * ACCEPTED only for DATE_CHANGED of the next instalment not fully paid (not overdue), later by 1 to
   * MAX_DUE_DATE_SHIFT_DAYS days and still before the following instalment's due date, for the amount left on
   * that instalment, once per loan; no extra interest is charged for the move. Anything else is REJECTED with a
   * description saying why, and that it is referred to the bank's loan operations team.
   */
  async changeConditions(request: ConditionChangeRequest): Promise<ConditionDecision> {
    if (!isValidIsoDate(request.requestedDate)) throw invalidField('repaymentDate', 'repaymentDate must be a YYYY-MM-DD date');
    return this.uow.transaction(async () => {
      const found = await this.loan(request);
      await this.repository.lockLoan(found.loanId);
      const loan = await this.loan(request);
      const next = loanFigures(loan).nextInstalment;
      const decision = await this.decide(loan, request);
      await this.repository.recordConditionChange({
        id: randomUUID(),
        loanId: loan.loanId,
        changedCondition: request.changedCondition,
        requestedDate: request.requestedDate,
        requestedAmountMicros: request.amountMicros,
        ...decision,
        previousDueDate: decision.decision === 'ACCEPTED' ? next?.dueDate : undefined,
      });
      if (decision.decision === 'ACCEPTED') await this.repository.moveInstalmentDue(loan.loanId, decision.instalmentSequence!, decision.dueDate!);
      return decision;
    });
  }

  private async decide(loan: ServicedLoan, request: ConditionChangeRequest): Promise<ConditionDecision> {
    const referred = 'It is referred to the bank\'s loan operations team, who will contact the borrower.';
    const reject = (why: string): ConditionDecision => ({ decision: 'REJECTED', description: `${why} ${referred}` });
    if (request.changedCondition !== 'DATE_CHANGED') {
      return reject(`Only a one-time move of the next instalment's due date by up to ${MAX_DUE_DATE_SHIFT_DAYS} days is decided at once; ${request.changedCondition} is not.`);
    }
    if (loan.state === 'CLOSED') return reject('The loan is closed.');
    if ((await this.repository.acceptedConditionChanges(loan.loanId)) > 0) return reject('A due date of this loan was already moved once.');
    const next = loanFigures(loan).nextInstalment;
    if (!next) return reject('No instalment is left to pay.');
    const today = await this.businessClock.today();
    if (next.dueDate < today) return reject(`Instalment ${next.sequence} is overdue (due ${next.dueDate}).`);
    const left = remainingOf(next);
    if (request.amountMicros !== left) return reject(`The amount must stay what is left on instalment ${next.sequence} (${formatRupees(left)}); a change of amount is not decided at once.`);
    const shift = daysBetween(next.dueDate, request.requestedDate);
    if (shift < 1 || shift > MAX_DUE_DATE_SHIFT_DAYS) return reject(`Instalment ${next.sequence} (due ${next.dueDate}) may move 1 to ${MAX_DUE_DATE_SHIFT_DAYS} days later, not to ${request.requestedDate}.`);
    const following = loan.instalments.find((l) => l.sequence === next.sequence + 1);
    if (following && request.requestedDate >= following.dueDate) return reject(`The new date must come before instalment ${following.sequence} (due ${following.dueDate}).`);
    return {
      decision: 'ACCEPTED',
      description: `Instalment ${next.sequence} moves from ${next.dueDate} to ${request.requestedDate}; no extra interest is charged for the move, and no other instalment changes.`,
      instalmentSequence: next.sequence,
      dueDate: request.requestedDate,
    };
  }

  /** Posts the repayment's entries (loan-ledger.ts) in the caller's transaction. */
  private async postRepayment(repayment: Repayment, allocation: RepaymentAllocation, unbookedInterestMicros: bigint, valueDate: string): Promise<void> {
    for (const entry of repaymentEntries(repayment, allocation, unbookedInterestMicros, valueDate)) await this.ledger.post(entry);
  }
}
