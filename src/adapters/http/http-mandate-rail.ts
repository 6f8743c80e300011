import { AdapterError } from '../../lib/adapter-error';
import { isWholePaise, rupeesText } from '../../core/money/money';
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
import { SignedJsonClient, malformed } from './signed-json-client';

/** A bounce code: an upper-case token (INSUFFICIENT_FUNDS), as docs/http-adapters.md specifies. */
const BOUNCE_CODE = /^[A-Z0-9_]{1,64}$/;

/**
 * The generic HTTP mandate rail (docs/http-adapters.md, "Mandate rail"), every call signed and idempotent by
 * `Idempotency-Key: <reference>`:
 *
 * - `POST /account-checks` (penny-drop) → `{"reference", "outcome": "FOUND", "nameAtBank"}` or `NOT_FOUND`;
 * - `POST /mandates` → `AUTHORISED` with the `umrn`, or `DECLINED` with a `reason`; `GET /mandates/{reference}`
 *   the same answer, 404 when never taken;
 * - `POST /debits` → `DEBITED` with the rail's `railReference`, or `BOUNCED` with `code` and `reason`;
 *   `GET /debits/{reference}` the same answer, 404 when never taken;
 * - `POST /cancellations` → `CANCELLED`, or `NOT_FOUND` when the rail holds no mandate with the UMRN.
 *
 * A `202 {"status": "PENDING"}` (taken, not final yet) to any of them is a retryable error: the core asks the
 * status later and never sends the request twice.
 */
export class HttpMandateRail implements MandateRail {
  static readonly TITLE = 'mandate rail';

  constructor(private readonly client: SignedJsonClient) {}

  async verifyAccount(request: AccountCheck): Promise<AccountCheckAnswer> {
    const { status, body } = await this.client.call({
      method: 'POST',
      path: '/account-checks',
      idempotencyKey: request.reference,
      body: { reference: request.reference, accountNumber: request.accountNumber, ifsc: request.ifsc },
    });
    const answer = answerFor(request.reference, status, body, 'penny-drop');
    if (answer.outcome === 'FOUND' && typeof answer.nameAtBank === 'string' && answer.nameAtBank.length > 0) return { outcome: 'FOUND', nameAtBank: answer.nameAtBank };
    if (answer.outcome === 'NOT_FOUND') return { outcome: 'NOT_FOUND' };
    throw malformed(HttpMandateRail.TITLE, 'an unknown penny-drop outcome');
  }

  async authorise(order: MandateOrder): Promise<MandateRailAnswer> {
    if (!isWholePaise(order.maxAmountMicros) || order.maxAmountMicros <= 0n) {
      throw new AdapterError(`The mandate ${order.reference}'s maximum is not a positive whole number of paise`, { retryable: false });
    }
    const payer = order.method === 'UPI_AUTOPAY' ? { vpa: order.vpa } : { accountNumber: order.accountNumber, ifsc: order.ifsc };
    const { status, body } = await this.client.call({
      method: 'POST',
      path: '/mandates',
      idempotencyKey: order.reference,
      body: {
        reference: order.reference,
        method: order.method,
        ...payer,
        maxAmount: rupeesText(order.maxAmountMicros),
        currency: 'INR',
        frequency: order.frequency,
        firstDebitDate: order.firstDebitDate,
        lastDebitDate: order.lastDebitDate,
      },
    });
    return mandateAnswerOf(order.reference, status, body);
  }

  async status(reference: string): Promise<MandateRailAnswer | { outcome: 'UNKNOWN' }> {
    const { status, body } = await this.client.call({ method: 'GET', path: `/mandates/${encodeURIComponent(reference)}`, answers: [404] });
    if (status === 404) return { outcome: 'UNKNOWN' };
    return mandateAnswerOf(reference, status, body);
  }

  async debit(order: DebitOrder): Promise<DebitAnswer> {
    if (!isWholePaise(order.amountMicros) || order.amountMicros <= 0n) {
      throw new AdapterError(`The debit ${order.reference} is not a positive whole number of paise`, { retryable: false });
    }
    const { status, body } = await this.client.call({
      method: 'POST',
      path: '/debits',
      idempotencyKey: order.reference,
      body: { reference: order.reference, umrn: order.umrn, amount: rupeesText(order.amountMicros), currency: 'INR', debitDate: order.debitDate, narration: order.narration },
    });
    return debitAnswerOf(order.reference, status, body);
  }

  async debitStatus(reference: string): Promise<DebitAnswer | { outcome: 'UNKNOWN' }> {
    const { status, body } = await this.client.call({ method: 'GET', path: `/debits/${encodeURIComponent(reference)}`, answers: [404] });
    if (status === 404) return { outcome: 'UNKNOWN' };
    return debitAnswerOf(reference, status, body);
  }

  async cancel(request: MandateCancellation): Promise<MandateCancellationAnswer> {
    const { status, body } = await this.client.call({
      method: 'POST',
      path: '/cancellations',
      idempotencyKey: request.reference,
      body: { reference: request.reference, umrn: request.umrn },
    });
    const answer = answerFor(request.reference, status, body, 'cancellation');
    if (answer.outcome === 'CANCELLED' || answer.outcome === 'NOT_FOUND') return { outcome: answer.outcome };
    throw malformed(HttpMandateRail.TITLE, 'an unknown cancellation outcome');
  }
}

type WireAnswer = { reference?: unknown; status?: unknown; outcome?: unknown } & Record<string, unknown>;

/** The answer's body, once it is for this reference and final (a 202 or PENDING is retryable). */
function answerFor(reference: string, httpStatus: number, body: unknown, what: string): WireAnswer {
  const answer = body as WireAnswer | null;
  if (answer?.reference !== reference) throw malformed(HttpMandateRail.TITLE, 'another reference');
  if (httpStatus === 202 || answer.status === 'PENDING') {
    throw new AdapterError(`The ${HttpMandateRail.TITLE} took the ${what} ${reference} but has not answered it yet`, { retryable: true, status: httpStatus });
  }
  return answer;
}

function mandateAnswerOf(reference: string, httpStatus: number, body: unknown): MandateRailAnswer {
  const answer = answerFor(reference, httpStatus, body, 'mandate');
  if (answer.outcome === 'AUTHORISED' && typeof answer.umrn === 'string' && answer.umrn.length > 0) return { outcome: 'AUTHORISED', umrn: answer.umrn };
  if (answer.outcome === 'DECLINED' && typeof answer.reason === 'string') return { outcome: 'DECLINED', reason: answer.reason };
  throw malformed(HttpMandateRail.TITLE, 'an unknown mandate outcome');
}

function debitAnswerOf(reference: string, httpStatus: number, body: unknown): DebitAnswer {
  const answer = answerFor(reference, httpStatus, body, 'debit');
  if (answer.outcome === 'DEBITED' && typeof answer.railReference === 'string' && answer.railReference.length > 0) return { outcome: 'DEBITED', railReference: answer.railReference };
  if (answer.outcome === 'BOUNCED' && typeof answer.reason === 'string' && typeof answer.code === 'string' && BOUNCE_CODE.test(answer.code)) {
    return { outcome: 'BOUNCED', code: answer.code, reason: answer.reason };
  }
  throw malformed(HttpMandateRail.TITLE, 'an unknown debit outcome');
}
