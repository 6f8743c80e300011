import { createHash } from 'node:crypto';
import { keepFirstAnswer } from './sandbox-adapters';
import { Redis } from 'ioredis';
import { assertOutsideTransaction } from '../../lib/db/database';
import {
  AccountCheck,
  AccountCheckAnswer,
  DebitAnswer,
  DebitOrder,
  MandateCancellation,
  MandateCancellationAnswer,
  MandateOrder,
  MandateRail,
  MandateRailAnswer,
} from '../../core/mandate/mandate-rail';

/** The name the sandbox bank answers for an account number ending in 0000: someone else's account. */
export const SANDBOX_OTHER_HOLDER = 'RAHUL SHARMA';

/**
 * The sandbox sponsor bank for repayment mandates (e-NACH, UPI Autopay). Deterministic:
 *
 * - **Penny-drop** (`verifyAccount`): an account number ending in `4040` does not exist (NOT_FOUND); one ending in
 *   `0000` is held by `RAHUL SHARMA` (a name mismatch); any other is held in the borrower's own name on record
 *   (`holderOf` the reference, as the container wires it; `SANDBOX ACCOUNT HOLDER` for a reference it cannot place).
 * - **Authorisation** (`authorise`): declined for a UPI address whose handle is `fail` (`anyone@fail`: the payer
 *   declined in the UPI app) and for an account number ending in `9005` (the payer's bank refused: account does not
 *   allow debits); any other is authorised with a UMRN derived from the reference: `SBOX` + 16 digits.
 *
 * - **Debits** (`debit`): a UMRN that is not the sandbox's (`SBOX` + 16 digits) or whose mandate was cancelled
 *   bounces MANDATE_NOT_ACTIVE; an amount above the mandate's ceiling (kept from `authorise`) bounces
 *   AMOUNT_EXCEEDS_MANDATE; for a borrower of persona 9006 (`personaOfMandate` the UMRN, as the container wires it:
 *   the PAN's digits 6–9 of the mandate's application) the first debit under the mandate bounces
 *   INSUFFICIENT_FUNDS and every later one (another reference) is DEBITED; any other is DEBITED with a rail
 *   reference derived from ours (`SBXD` + 16 digits).
 * - **Cancellation** (`cancel`): CANCELLED for a sandbox UMRN (again and again), NOT_FOUND for any other.
 *
 * Idempotent by reference, across processes: the first answer to a reference is kept in Redis (under the queue
 * prefix, for a week; what is kept per UMRN, its ceiling, first debit and cancellation, for two years) and given
 * again; `calls`, `checks` and `debitCalls` count what each reference was sent, so a test can prove an
 * authorisation or a debit was sent once.
 */
export class SandboxMandateRail implements MandateRail {
  static readonly TTL_SECONDS = 7 * 24 * 3600;
  /** How long what is kept per UMRN lives: longer than a sandbox loan, even with the business clock moved on. */
  static readonly MANDATE_TTL_SECONDS = 2 * 366 * 24 * 3600;

  /**
   * @param holderOf the borrower's name on record behind a mandate-rail reference (penny-drop answers)
   * @param personaOfMandate the sandbox persona digits (PAN digits 6–9, `9006`) of the borrower whose mandate has
   *   this UMRN; null when the UMRN names no mandate of this deployment (then no persona applies)
   */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly holderOf: (reference: string) => Promise<string | null>,
    private readonly personaOfMandate: (umrn: string) => Promise<string | null> = async () => null,
  ) {}

  async verifyAccount(request: AccountCheck): Promise<AccountCheckAnswer> {
    assertOutsideTransaction('The mandate rail');
    let answer: AccountCheckAnswer;
    if (request.accountNumber.endsWith('4040')) answer = { outcome: 'NOT_FOUND' };
    else if (request.accountNumber.endsWith('0000')) answer = { outcome: 'FOUND', nameAtBank: SANDBOX_OTHER_HOLDER };
    else answer = { outcome: 'FOUND', nameAtBank: ((await this.holderOf(request.reference)) ?? 'SANDBOX ACCOUNT HOLDER').toUpperCase() };
    return this.keep(this.key('check', request.reference), answer);
  }

  async authorise(order: MandateOrder): Promise<MandateRailAnswer> {
    assertOutsideTransaction('The mandate rail');
    let answer: MandateRailAnswer;
    if (order.method === 'UPI_AUTOPAY' && order.vpa.toLowerCase().endsWith('@fail')) answer = { outcome: 'DECLINED', reason: 'The payer declined the mandate in the UPI app' };
    else if (order.method === 'ENACH' && order.accountNumber.endsWith('9005')) answer = { outcome: 'DECLINED', reason: 'The payer\'s bank refused the mandate: the account does not allow debits' };
    else answer = { outcome: 'AUTHORISED', umrn: `SBOX${digitsOf(order.reference)}` };
    const kept = await this.keep(this.key('mandate', order.reference), answer);
    if (kept.outcome === 'AUTHORISED') {
      const key = this.key('umrn', kept.umrn);
      await this.redis.multi().hsetnx(key, 'maxAmountMicros', order.maxAmountMicros.toString()).expire(key, SandboxMandateRail.MANDATE_TTL_SECONDS).exec();
    }
    return kept;
  }

  async status(reference: string): Promise<MandateRailAnswer | { outcome: 'UNKNOWN' }> {
    assertOutsideTransaction('The mandate rail');
    const answer = await this.redis.hget(this.key('mandate', reference), 'answer');
    return answer ? (JSON.parse(answer) as MandateRailAnswer) : { outcome: 'UNKNOWN' };
  }

  async debit(order: DebitOrder): Promise<DebitAnswer> {
    assertOutsideTransaction('The mandate rail');
    const debitKey = this.key('debit', order.reference);
    const earlier = await this.redis.hget(debitKey, 'answer');
    if (earlier) return this.keep(debitKey, JSON.parse(earlier) as DebitAnswer);
    const umrnKey = this.key('umrn', order.umrn);
    const mandate = await this.redis.hgetall(umrnKey);
    let answer: DebitAnswer;
    if (!SANDBOX_UMRN.test(order.umrn) || mandate.cancelled) {
      answer = { outcome: 'BOUNCED', code: 'MANDATE_NOT_ACTIVE', reason: 'The mandate is not active at the payer\'s bank' };
    } else if (mandate.maxAmountMicros !== undefined && order.amountMicros > BigInt(mandate.maxAmountMicros)) {
      answer = { outcome: 'BOUNCED', code: 'AMOUNT_EXCEEDS_MANDATE', reason: 'The amount is above the mandate\'s maximum' };
    } else if (await this.firstUnderPersona9006(umrnKey, order)) {
      answer = { outcome: 'BOUNCED', code: 'INSUFFICIENT_FUNDS', reason: 'Insufficient funds in the payer\'s account' };
    } else {
      answer = { outcome: 'DEBITED', railReference: `SBXD${digitsOf(order.reference)}` };
    }
    return this.keep(debitKey, answer);
  }

  async debitStatus(reference: string): Promise<DebitAnswer | { outcome: 'UNKNOWN' }> {
    assertOutsideTransaction('The mandate rail');
    const answer = await this.redis.hget(this.key('debit', reference), 'answer');
    return answer ? (JSON.parse(answer) as DebitAnswer) : { outcome: 'UNKNOWN' };
  }

  async cancel(request: MandateCancellation): Promise<MandateCancellationAnswer> {
    assertOutsideTransaction('The mandate rail');
    let answer: MandateCancellationAnswer = { outcome: 'NOT_FOUND' };
    if (SANDBOX_UMRN.test(request.umrn)) {
      const key = this.key('umrn', request.umrn);
      await this.redis.multi().hset(key, 'cancelled', '1').expire(key, SandboxMandateRail.MANDATE_TTL_SECONDS).exec();
      answer = { outcome: 'CANCELLED' };
    }
    return this.keep(this.key('cancel', request.reference), answer);
  }

  /** How many debits the rail was presented with this reference (status queries are not counted). */
  async debitCalls(reference: string): Promise<number> {
    return Number((await this.redis.hget(this.key('debit', reference), 'calls')) ?? 0);
  }

  /**
   * Whether this debit is the first under a mandate of persona 9006: the first reference to claim the UMRN's first
   * debit (atomically, across processes) is; every other reference is not.
   */
  private async firstUnderPersona9006(umrnKey: string, order: DebitOrder): Promise<boolean> {
    if ((await this.personaOfMandate(order.umrn)) !== '9006') return false;
    const replies = await this.redis.multi().hsetnx(umrnKey, 'firstDebit', order.reference).hget(umrnKey, 'firstDebit').expire(umrnKey, SandboxMandateRail.MANDATE_TTL_SECONDS).exec();
    return String(replies![1][1]) === order.reference;
  }

  /** How many authorisations the rail was sent with this reference (status queries are not counted). */
  async calls(reference: string): Promise<number> {
    return Number((await this.redis.hget(this.key('mandate', reference), 'calls')) ?? 0);
  }

  /** How many penny-drops the rail was sent with this reference. */
  async checks(reference: string): Promise<number> {
    return Number((await this.redis.hget(this.key('check', reference), 'calls')) ?? 0);
  }

  /** Counts the call and keeps the first answer to the reference; answers the kept one. */
  private keep<A>(key: string, answer: A): Promise<A> {
    return keepFirstAnswer(this.redis, key, answer, SandboxMandateRail.TTL_SECONDS);
  }

  private key(kind: 'check' | 'mandate' | 'debit' | 'cancel' | 'umrn', reference: string): string {
    return `${this.prefix}:sandbox:mandate-rail:${kind}:${reference}`;
  }
}

/** The sandbox's UMRNs: `SBOX` + 16 digits. */
const SANDBOX_UMRN = /^SBOX\d{16}$/;

/** 16 digits derived from a reference (the same each time). */
function digitsOf(reference: string): string {
  return (BigInt(`0x${createHash('sha256').update(reference).digest('hex').slice(0, 15)}`) % 10n ** 16n).toString().padStart(16, '0');
}

/** The payer the sandbox's "the user finished the mandate" shortcut authorises with: a UPI address, declined for REJECTED. */
export function sandboxMandatePayer(outcome: 'APPROVED' | 'REJECTED'): { method: 'UPI_AUTOPAY'; vpa: string } {
  return { method: 'UPI_AUTOPAY', vpa: outcome === 'APPROVED' ? 'sandbox.borrower@upi' : 'sandbox.borrower@fail' };
}
