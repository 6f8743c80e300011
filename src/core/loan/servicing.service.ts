import { randomUUID } from 'node:crypto';
import { randomToken } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { UnitOfWork } from '../../lib/db/database';
import { invalidField, notFound, precondition } from '../errors';
import { ApplicationRef } from '../application/application';
import { formatRupees, isWholePaise, sumMicros } from '../money/money';
import { istDate, isValidIsoDate } from '../shared/dates';
import { IdentityHasher } from '../shared/identity';
import { TransitionWriter } from '../state/transition-writer';
import { InstalmentBalance, RepaymentAllocation, allocateRepayment, remainingOf, statusAfter } from './allocation';
import { repaymentEntries } from './loan-ledger';
import { loanState } from './loan-state';
import { CollectionAccount, RepaymentCollector } from './repayment-collector';
import { repaymentState } from './repayment-state';
import { Ledger } from '../ledger/ledger';
import { StatementLine } from '../ledger/statement';
import { ConditionDecision, LoanFigures, Repayment, ServicedLoan, StoredServicedLoan } from './servicing';
import { ServicingRepository } from './servicing.repository';

export interface RepaymentRequest extends ApplicationRef {
  /** Positive, whole paise. */
  amountMicros: bigint;
  /** How the borrower pays (UPI, NETBANKING, ...), recorded as asked. */
  method: string;
  /** The partner's own id of the payment (unique per loan). */
  partnerPaymentId?: string;
  /** The instalment the partner says it pays: recorded; the allocation is oldest due first all the same. */
  instalmentSequence?: number;
}

export type ProviderAnswer = { status: 'SUCCEEDED'; providerReference: string } | { status: 'FAILED'; reason: string };

export interface ConditionChangeRequest extends ApplicationRef {
  changedCondition: string;
  /** YYYY-MM-DD. */
  requestedDate: string;
  amountMicros: bigint;
}

/** How far (calendar days, later only) the next instalment's due date may be moved, once per loan, without the operations team. */
export const MAX_DUE_DATE_SHIFT_DAYS = 15;

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/**
 * The summary figures of a loan: the amounts paid, the principal pending and the amount repaid from its ledger
 * balances; the interest still to come and the next instalment from its schedule (no rounding: every amount is
 * whole paise).
 */
export function loanFigures(loan: ServicedLoan): LoanFigures {
  const lines = loan.instalments;
  return {
    principalPaidMicros: loan.balances.principalRepaidMicros,
    interestPaidMicros: loan.balances.interestRepaidMicros,
    penaltyPaidMicros: loan.balances.chargesRepaidMicros,
    principalPendingMicros: loan.balances.principalOutstandingMicros,
    interestPendingMicros: sumMicros(lines.map((l) => l.interestMicros - l.interestPaidMicros)),
    repaidMicros: loan.balances.collectedMicros,
    nextInstalment: lines.find((l) => remainingOf(l) > 0n) ?? null,
    endDate: lines[lines.length - 1].dueDate,
  };
}

/**
 * INTERIM (until this service allocates by business date through allocateRepayment with the loan's real dues):
 * today's behaviour, oldest instalment first, each one's interest then principal, future instalments included,
 * built from allocateRepayment one instalment at a time (each valued on its own due date, so it is "current
 * dues" and nothing is prepaid).
 */
function allocateWholeSchedule(amountMicros: bigint, instalments: readonly (InstalmentBalance & { dueDate: string })[]): RepaymentAllocation {
  if (amountMicros <= 0n) throw new RangeError('a repayment must be a positive amount');
  const total: RepaymentAllocation = { charges: [], lines: [], prepaymentMicros: 0n, excessMicros: amountMicros, chargesMicros: 0n, interestMicros: 0n, principalMicros: 0n };
  for (const line of [...instalments].sort((a, b) => a.sequence - b.sequence)) {
    if (total.excessMicros === 0n || remainingOf(line) === 0n) continue;
    const one = allocateRepayment(total.excessMicros, { asOf: line.dueDate, charges: [], instalments: [line], principalOutstandingMicros: line.principalMicros - line.principalPaidMicros });
    total.lines.push(...one.lines);
    total.interestMicros += one.interestMicros;
    total.principalMicros += one.principalMicros;
    total.excessMicros = one.excessMicros;
  }
  return total;
}

/** What is left to pay of the whole loan (every instalment's remaining principal and interest). */
export const outstandingOf = (loan: Pick<ServicedLoan, 'instalments'>) => sumMicros(loan.instalments.map(remainingOf));

/**
 * Servicing of a disbursed loan: reading it (summary, statement, a borrower's loans), repayments (intent →
 * provider's answer → applied to the loan) and requests to change the repayment conditions.
 *
 * A repayment that SUCCEEDED is applied in the same transaction as its move (allocation.ts: oldest due first,
 * interest before principal): instalments paid (PARTIALLY_PAID / PAID), its ledger entries posted (the interest it
 * pays booked as earned if it was not yet, then the repayment shared out over the receivables: entries.ts), and
 * the loan CLOSED once nothing is left to pay. Every balance of a loan read here comes from the ledger.
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
  ) {}

  /** The partner's disbursed loan (NOT_FOUND for another partner's, or before disbursement), its balances from the ledger. */
  async loan(ref: ApplicationRef): Promise<ServicedLoan> {
    const loan = await this.repository.loanOf(ref);
    if (!loan) throw notFound('loan');
    return (await this.withBalances([loan]))[0];
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
   * Records the intent of a repayment (PENDING) and names its payment page. Refused: a closed loan
   * (PRECONDITION_FAILED), an amount that is not positive whole paise or more than is left to pay, an instalment
   * that does not exist or is paid, a payment id already used for the loan (INVALID_FIELD_VALUE).
   */
  async trigger(request: RepaymentRequest): Promise<{ repayment: Repayment; paymentUrl: string }> {
    return this.uow.transaction(async () => {
      const found = await this.loan(request);
      await this.repository.lockLoan(found.loanId);
      const loan = await this.loan(request);
      if (loan.state === 'CLOSED') throw precondition('The loan is closed: nothing is left to pay');
      if (request.amountMicros <= 0n || !isWholePaise(request.amountMicros)) throw invalidField('repaymentAmount', 'The amount must be a positive number of rupees with at most two decimals');
      const outstanding = outstandingOf(loan);
      if (request.amountMicros > outstanding) throw invalidField('repaymentAmount', `The amount is more than is left to pay (${formatRupees(outstanding)})`);
      if (request.instalmentSequence !== undefined) {
        const line = loan.instalments.find((l) => l.sequence === request.instalmentSequence);
        if (!line || line.status === 'PAID') throw invalidField('instalmentNumber', `Instalment ${request.instalmentSequence} does not exist or is paid`);
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
      await this.transitions.recordInitial(repaymentState, repayment.id, 'PENDING', `${formatRupees(repayment.amountMicros)} by ${repayment.method}`);
      return { repayment, paymentUrl: this.collector.paymentUrl(repayment.reference) };
    });
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
   * loan in the same transaction (see the class comment).
   */
  async complete(reference: string, answer: ProviderAnswer): Promise<Repayment> {
    const found = await this.repaymentByReference(reference);
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
      const loan = (await this.repository.loanById(repayment.loanId))!;
      const allocation = allocateWholeSchedule(repayment.amountMicros, loan.instalments);
      for (const paid of allocation.lines) {
        const line = loan.instalments.find((l) => l.sequence === paid.sequence)!;
        const after = { ...line, principalPaidMicros: line.principalPaidMicros + paid.principalMicros, interestPaidMicros: line.interestPaidMicros + paid.interestMicros };
        after.status = statusAfter(after, line.status);
        Object.assign(line, after); // the loan read above now holds what is paid, for the outstanding check below
        await this.repository.payInstalment(loan.loanId, line.sequence, { principalPaidMicros: after.principalPaidMicros, interestPaidMicros: after.interestPaidMicros, status: after.status });
      }
      await this.postRepayment(repayment, allocation, istDate(now));
      await this.repository.setOutstandingPrincipal(loan.loanId, await this.ledger.balance('LOAN_PRINCIPAL', loan.loanId));
      const patch = {
        principalMicros: allocation.principalMicros,
        interestMicros: allocation.interestMicros,
        penaltyMicros: allocation.chargesMicros,
        excessMicros: allocation.excessMicros,
        providerReference: answer.providerReference,
        completedAt: now,
      };
      await this.transitions.move(repaymentState, repayment.id, 'PENDING', 'SUCCEEDED', patch, `provider reference ${answer.providerReference}`);
      if (outstandingOf(loan) === 0n && loan.state !== 'CLOSED') {
        await this.transitions.move(loanState, loan.loanId, loan.state, 'CLOSED', {}, `repaid in full (${repayment.reference})`);
      }
      return { ...repayment, ...patch, state: 'SUCCEEDED' };
    });
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
    const today = istDate(this.clock.now());
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

  /** Posts the repayment's ledger entries (repaymentEntries), in the caller's transaction. */
  private async postRepayment(repayment: Repayment, allocation: RepaymentAllocation, valueDate: string): Promise<void> {
    const receivable = await this.ledger.balance('INTEREST_RECEIVABLE', repayment.loanId);
    for (const entry of repaymentEntries(repayment, allocation, receivable, valueDate)) await this.ledger.post(entry);
  }
}
