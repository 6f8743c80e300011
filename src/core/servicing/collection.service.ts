import { Sealer } from '../../lib/crypto';
import { UnitOfWork } from '../../lib/db/database';
import { SmsSender } from '../challenge/sms-sender';
import { LoanServicingService } from '../loan/servicing.service';
import { DebitAnswer, MandateRail } from '../mandate/mandate-rail';
import { formatRupees, percentOf } from '../money/money';
import { PhoneNumber, msisdn } from '../shared/identity';
import { Collection, CollectionRepository } from './collection.repository';

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * Told of a collection's milestones, each **in the transaction that records it** (so what it records, e.g. an
 * answer owed to the loan's partner, commits with the milestone or not at all): the pre-debit notice sent, and the
 * rail's answer to the debit (DEBITED: the repayment already applied; BOUNCED: the bounce charge already levied).
 */
export interface CollectionListener {
  noticeSent(collection: Collection): Promise<void>;
  debitAnswered(collection: Collection, outcome: 'DEBITED' | 'BOUNCED'): Promise<void>;
}

/** What became of a collection once the job ran. */
export type CollectionOutcome = 'DEBITED' | 'BOUNCED' | 'CANCELLED' | 'ALREADY_ANSWERED' | 'NOT_NOTIFIED';

/**
 * Mandate collections: the pre-debit notice and the debit of each scheduled collection (scheduled by the close
 * of business). The debit follows the rule of every outside call: the intent is recorded (PRESENTED, with the
 * amount still due) and committed, the rail is called with the collection's reference and no transaction open,
 * and its answer is recorded in a new transaction:
 *
 * - DEBITED: a repayment of the amount, applied to the loan like any other (the one allocation order of
 *   src/core/loan/allocation.ts), value date the debit date;
 * - BOUNCED: the product's bounce charge with its GST, levied on the debit date (a CHARGE entry); the close of
 *   business schedules the retry the product allows, with a new notice.
 *
 * A collection is presented once: a redelivered job finds it answered, or PRESENTED, in which case the rail's
 * status for its reference is asked before anything is sent again. A loan may have at most one live or
 * successful debit per instalment (a unique index), so an instalment is never debited twice.
 */
export class CollectionService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly collections: CollectionRepository,
    private readonly servicing: LoanServicingService,
    private readonly rail: MandateRail,
    private readonly sms: SmsSender,
    private readonly sealer: Sealer,
    private readonly lenderName: string,
    private readonly listener: CollectionListener = { noticeSent: async () => undefined, debitAnswered: async () => undefined },
  ) {}

  /** A collection by its id (null when there is none). */
  collection(id: string): Promise<Collection | null> {
    return this.collections.byId(id);
  }

  /** The loan's collections (scheduled, presented and answered), oldest first. */
  ofLoan(loanId: string): Promise<Collection[]> {
    return this.collections.ofLoan(loanId);
  }

  async present(collectionId: string): Promise<CollectionOutcome> {
    const intent = await this.uow.transaction(async () => {
      const collection = await this.collections.lock(collectionId);
      if (!collection || (collection.state !== 'SCHEDULED' && collection.state !== 'PRESENTED')) return null;
      if (collection.state === 'PRESENTED') return { collection, sentBefore: true };
      if (!collection.noticeDeliveredAt) return null; // the notice must reach the borrower first (the next run presents it)
      const due = await this.servicing.dueOn(collection.loanId, collection.debitDate);
      const amountMicros = min(collection.amountMicros, due);
      if (amountMicros <= 0n) {
        await this.collections.markCancelled(collectionId);
        return null;
      }
      await this.collections.markPresented(collectionId, amountMicros);
      return { collection: { ...collection, amountMicros }, sentBefore: false };
    });
    if (!intent) {
      const state = (await this.collections.byId(collectionId))?.state;
      return state === 'CANCELLED' ? 'CANCELLED' : state === 'SCHEDULED' ? 'NOT_NOTIFIED' : 'ALREADY_ANSWERED';
    }
    const { collection } = intent;
    const earlier = intent.sentBefore ? await this.rail.debitStatus(collection.reference) : null;
    const answer: DebitAnswer = earlier && earlier.outcome !== 'UNKNOWN'
      ? earlier
      : await this.rail.debit({
        reference: collection.reference,
        umrn: collection.umrn,
        amountMicros: collection.amountMicros,
        debitDate: collection.debitDate,
        narration: `EMI ${collection.instalmentSequence} ${this.lenderName}`.slice(0, 40),
      });
    return this.uow.transaction(async () => {
      const current = await this.collections.lock(collectionId);
      if (current?.state !== 'PRESENTED') return 'ALREADY_ANSWERED';
      if (answer.outcome === 'DEBITED') {
        const repayment = await this.servicing.receive({
          loanId: current.loanId,
          amountMicros: current.amountMicros,
          reference: current.reference,
          method: 'MANDATE',
          valueDate: current.debitDate,
          providerReference: answer.railReference,
          purpose: 'DUES',
        });
        await this.collections.markDebited(collectionId, answer.railReference, repayment.id);
        await this.listener.debitAnswered({ ...current, state: 'DEBITED', railReference: answer.railReference, repaymentId: repayment.id }, 'DEBITED');
        return 'DEBITED';
      }
      await this.collections.markBounced(collectionId, answer.code, answer.reason);
      const terms = await this.collections.bounceTerms(current.loanId);
      if (terms.chargeMicros > 0n) {
        await this.servicing.levyCharge({
          loanId: current.loanId,
          kind: 'BOUNCE',
          instalmentSequence: current.instalmentSequence,
          valueDate: current.debitDate,
          chargeMicros: terms.chargeMicros,
          gstMicros: percentOf(terms.chargeMicros, terms.gstRateE5),
          reference: current.reference,
          narration: `Bounce charge: the debit of instalment ${current.instalmentSequence} bounced (${answer.code})`,
        });
      }
      await this.listener.debitAnswered({ ...current, state: 'BOUNCED', bounceCode: answer.code, bounceReason: answer.reason }, 'BOUNCED');
      return 'BOUNCED';
    });
  }

  /**
   * Sends the pre-debit notice of a SCHEDULED collection by SMS, once: the gateway's idempotency reference is
   * `PDN<collection id>` whoever sends it (the job, or the sandbox clock running the day's work at once), and the
   * gateway's acceptance is recorded (a debit is not presented before it), with the listener told in that
   * transaction (the loan's partner is told where its protocol can be: CollectionNotices). A collection no longer scheduled, or
   * already notified, is not notified again.
   */
  async sendNotice(collectionId: string): Promise<void> {
    const collection = await this.collections.byId(collectionId);
    if (!collection || collection.state !== 'SCHEDULED' || collection.noticeDeliveredAt) return;
    const facts = await this.collections.noticeFacts(collection.loanId);
    if (facts?.phoneCiphertext) {
      const phone = JSON.parse(this.sealer.open(facts.phoneCiphertext, `application-phone:${facts.applicationId}`)) as PhoneNumber;
      await this.sms.send({ to: msisdn(phone), text: noticeText(collection, facts.lenderReference, this.lenderName), messageId: `PDN${collectionId}` });
    }
    await this.uow.transaction(async () => {
      const current = await this.collections.lock(collectionId);
      if (!current || current.noticeDeliveredAt) return; // told once, whoever sent it
      await this.collections.markNoticeDelivered(collectionId);
      await this.listener.noticeSent(current);
    });
  }

  /** The sandbox clock's shortcut: the day's notices and debits run now rather than by the worker (each idempotent). */
  async runDay(date: string): Promise<{ notices: number; debited: number; bounced: number }> {
    for (const id of await this.collections.dueForPresentation(date)) await this.present(id);
    for (const id of await this.collections.noticesToSend(date)) await this.sendNotice(id);
    return this.collections.dayCounts(date);
  }
}

/** The pre-debit notice: amount, date, the mandate (UMRN) and the loan, as the e-mandate framework asks. */
export function noticeText(collection: Pick<Collection, 'amountMicros' | 'debitDate' | 'umrn' | 'instalmentSequence'>, loanReference: string, lenderName: string): string {
  return `${lenderName}: ${formatRupees(collection.amountMicros)} for EMI ${collection.instalmentSequence} of loan ${loanReference} will be debited on ${collection.debitDate} under mandate ${collection.umrn}. Keep the balance in your account.`;
}
