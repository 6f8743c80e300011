import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { assertOutsideTransaction } from '../../lib/db/database';
import { BureauVerdict, CreditBureau } from '../../core/approval/credit-bureau';
import { CkycRecord, CkycRegistry } from '../../core/kyc/ckyc-registry';
import { DisbursementRail, RailAnswer, TransferOrder } from '../../core/loan/disbursement-rail';
import { SmsSender } from '../../core/challenge/sms-sender';
import { CollectionAccount, RepaymentCollector } from '../../core/loan/repayment-collector';
import { personaOf } from './personas';

/** The sandbox phone: messages are kept in Redis for an hour, newest first, readable at GET /sandbox/sms-outbox. */
export class SandboxSmsOutbox implements SmsSender {
  static readonly TTL_SECONDS = 3600;
  static readonly KEEP = 50;

  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  async send(message: { to: string; text: string; messageId: string }): Promise<void> {
    assertOutsideTransaction('The SMS gateway');
    const first = await this.redis.set(`${this.prefix}:sandbox:sms-sent:${message.messageId}`, '1', 'EX', SandboxSmsOutbox.TTL_SECONDS, 'NX');
    if (first !== 'OK') return;
    const key = this.listKey(message.to);
    await this.redis
      .multi()
      .lpush(key, JSON.stringify({ to: message.to, text: message.text, sentAt: Date.now() }))
      .ltrim(key, 0, SandboxSmsOutbox.KEEP - 1)
      .expire(key, SandboxSmsOutbox.TTL_SECONDS)
      .exec();
  }

  async read(to: string): Promise<Array<{ to: string; text: string; sentAt: number }>> {
    const items = await this.redis.lrange(this.listKey(to), 0, -1);
    return items.map((item) => JSON.parse(item));
  }

  private listKey(to: string): string {
    return `${this.prefix}:sandbox:sms:${to}`;
  }
}

/**
 * The sandbox stand-ins for the outside world. Like the real services, each refuses to be called while a
 * database transaction is open on the caller's path: that would hold row locks across a network call.
 */
export class SandboxBureau implements CreditBureau {
  async check(applicant: { pan: string }): Promise<BureauVerdict> {
    assertOutsideTransaction('The credit bureau');
    const persona = personaOf(applicant.pan);
    if (persona === '9001') return 'ADVERSE_RECORD';
    if (persona === '9002') return 'THIN_FILE';
    return 'CLEAN';
  }
}

/** A registry where everyone but persona 9004 has a record; the KIN and record are derived from the PAN. */
export class SandboxCkycRegistry implements CkycRegistry {
  private readonly byId = new Map<string, { dateOfBirth: string }>();

  async search(query: { pan: string; dateOfBirth: string }): Promise<string | null> {
    assertOutsideTransaction('The CKYC registry');
    if (personaOf(query.pan) === '9004') return null;
    const digest = createHash('sha256').update(`ckyc:${query.pan.toUpperCase()}`).digest();
    const kin = (digest.readBigUInt64BE(0) % 10n ** 13n).toString().padStart(13, '0');
    const cKycId = `5${kin}`;
    this.byId.set(cKycId, { dateOfBirth: query.dateOfBirth });
    return cKycId;
  }

  async download(cKycId: string): Promise<CkycRecord | null> {
    assertOutsideTransaction('The CKYC registry');
    if (!/^\d{14}$/.test(cKycId)) return null;
    const dateOfBirth = this.byId.get(cKycId)?.dateOfBirth ?? '1990-01-01';
    return {
      gender: 'FEMALE',
      dateOfBirth,
      email: 'sandbox.user@example.com',
      name: { salutation: 'MRS', firstName: 'NAMRTA', middleName: 'NIMESH', lastName: 'SHAH', fullName: 'MRS NAMRTA NIMESH SHAH' },
      father: { salutation: 'MR', firstName: 'HARISH', middleName: 'KUMAR', lastName: 'SHAH', fullName: 'MR HARISH KUMAR SHAH' },
      mother: { salutation: 'MRS', firstName: 'MEENA', lastName: 'SHAH', fullName: 'MRS MEENA SHAH' },
      addresses: [
        {
          addressLine1: '101, Sandbox Residency',
          addressLine2: 'MG Road',
          postalCode: '560001',
          city: 'Bengaluru',
          state: 'Karnataka',
          country: 'IN',
          addressTags: ['RESIDENTIAL_ADDRESS', 'COMMUNICATION_ADDRESS'],
        },
      ],
    };
  }
}

/**
 * A rail that pays everyone but persona 9005 (and a payout account whose number, or UPI handle, ends in 9005),
 * once per reference, and answers the same for the same
 * reference. It keeps its book in Redis (under the queue prefix, for a week), shared by every process, so a
 * test can count the transfers each reference was sent (`calls`) across crashes and restarts. A transfer is
 * taken (counted and booked) first and answered `answerDelayMs` later, like a slow bank: a worker killed in
 * between has paid without knowing it.
 */
export class SandboxRail implements DisbursementRail {
  static readonly TTL_SECONDS = 7 * 24 * 3600;

  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly answerDelayMs = 0) {}

  async transfer(order: TransferOrder): Promise<RailAnswer> {
    assertOutsideTransaction('The disbursement rail');
    const account = order.beneficiary?.type === 'ACCOUNT' ? order.beneficiary.accountNumber : order.beneficiary?.vpa.split('@')[0];
    const answer: RailAnswer =
      order.beneficiaryPanLast4 === '9005' || account?.endsWith('9005')
        ? { status: 'FAILED', reason: 'beneficiary account is closed' }
        : { status: 'SUCCEEDED', utr: createHash('sha256').update(order.reference).digest('hex').slice(0, 16).toUpperCase() };
    const kept = await keepFirstAnswer(this.redis, this.key(order.reference), answer, SandboxRail.TTL_SECONDS);
    if (this.answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.answerDelayMs));
    return kept;
  }

  async status(reference: string): Promise<RailAnswer | null> {
    assertOutsideTransaction('The disbursement rail');
    const answer = await this.redis.hget(this.key(reference), 'answer');
    return answer ? (JSON.parse(answer) as RailAnswer) : null;
  }

  /** How many transfers the rail was sent with this reference (status queries are not counted). */
  async calls(reference: string): Promise<number> {
    return Number((await this.redis.hget(this.key(reference), 'calls')) ?? 0);
  }

  private key(reference: string): string {
    return `${this.prefix}:sandbox:rail:${reference}`;
  }
}

/**
 * The sandbox payment provider for repayments: the payment page of a repayment is
 * `{PUBLIC_BASE_URL}/sandbox/repayments/{reference}` (GET shows it) and
 * `POST /sandbox/repayments/{reference}/complete` is the borrower paying there (the provider's answer).
 */
export class SandboxCollector implements RepaymentCollector {
  constructor(private readonly publicBaseUrl: string, private readonly lenderName: string) {}

  paymentUrl(reference: string): string {
    return `${this.publicBaseUrl}/sandbox/repayments/${encodeURIComponent(reference)}`;
  }

  account(): CollectionAccount {
    return { ifsc: 'SBOX0000001', maskedAccountNumber: 'XXXXXXXX4321', holderName: `${this.lenderName} loan collections`, vpa: 'loan.collections@sandbox' };
  }
}

/**
 * A sandbox outside service's idempotency, shared by every process: counts a call under `key` and keeps the first
 * answer given for it (for `ttlSeconds`); answers the kept one, so a retried reference gets what it got first.
 */
export async function keepFirstAnswer<A>(redis: Redis, key: string, answer: A, ttlSeconds: number): Promise<A> {
  const replies = await redis
    .multi()
    .hincrby(key, 'calls', 1)
    .hsetnx(key, 'answer', JSON.stringify(answer))
    .hget(key, 'answer')
    .expire(key, ttlSeconds)
    .exec();
  return JSON.parse(String(replies![2][1])) as A;
}
