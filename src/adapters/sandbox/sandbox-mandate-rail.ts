import { createHash } from 'node:crypto';
import { keepFirstAnswer } from './sandbox-adapters';
import { Redis } from 'ioredis';
import { assertOutsideTransaction } from '../../lib/db/database';
import { AccountCheck, AccountCheckAnswer, MandateOrder, MandateRail, MandateRailAnswer } from '../../core/mandate/mandate-rail';

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
 * Idempotent by reference, across processes: the first answer to a reference is kept in Redis (under the queue
 * prefix, for a week) and given again; `calls` and `checks` count what each reference was sent, so a test can
 * prove an authorisation was sent once.
 */
export class SandboxMandateRail implements MandateRail {
  static readonly TTL_SECONDS = 7 * 24 * 3600;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly holderOf: (reference: string) => Promise<string | null>,
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
    else answer = { outcome: 'AUTHORISED', umrn: `SBOX${(BigInt(`0x${createHash('sha256').update(order.reference).digest('hex').slice(0, 15)}`) % 10n ** 16n).toString().padStart(16, '0')}` };
    return this.keep(this.key('mandate', order.reference), answer);
  }

  async status(reference: string): Promise<MandateRailAnswer | { outcome: 'UNKNOWN' }> {
    assertOutsideTransaction('The mandate rail');
    const answer = await this.redis.hget(this.key('mandate', reference), 'answer');
    return answer ? (JSON.parse(answer) as MandateRailAnswer) : { outcome: 'UNKNOWN' };
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

  private key(kind: 'check' | 'mandate', reference: string): string {
    return `${this.prefix}:sandbox:mandate-rail:${kind}:${reference}`;
  }
}

/** The payer the sandbox's "the user finished the mandate" shortcut authorises with: a UPI address, declined for REJECTED. */
export function sandboxMandatePayer(outcome: 'APPROVED' | 'REJECTED'): { method: 'UPI_AUTOPAY'; vpa: string } {
  return { method: 'UPI_AUTOPAY', vpa: outcome === 'APPROVED' ? 'sandbox.borrower@upi' : 'sandbox.borrower@fail' };
}
