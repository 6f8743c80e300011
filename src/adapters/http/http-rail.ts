import { AdapterError } from '../../lib/adapter-error';
import { isWholePaise, rupeesText } from '../../core/money/money';
import { DisbursementRail, RailAnswer, TransferOrder } from '../../core/loan/disbursement-rail';
import { SignedJsonClient, malformed } from './signed-json-client';

/**
 * The generic HTTP disbursement rail (docs/http-adapters.md): `POST {RAIL_HTTP_URL}/transfers` with the order and
 * `Idempotency-Key: <reference>`; `GET {RAIL_HTTP_URL}/transfers/{reference}` for the answer to a transfer taken
 * earlier, 404 when none was. Both answer `{"reference", "status": "SUCCEEDED", "utr"}` or `{…, "status": "FAILED",
 * "reason"}` once the transfer is final, and `202 {"reference", "status": "PENDING"}` before: a retryable error
 * here, so that the job asks the status again later (never sends the transfer twice).
 */
export class HttpDisbursementRail implements DisbursementRail {
  static readonly TITLE = 'disbursement rail';

  constructor(private readonly client: SignedJsonClient) {}

  async transfer(order: TransferOrder): Promise<RailAnswer> {
    if (!isWholePaise(order.amountMicros) || order.amountMicros <= 0n) {
      throw new AdapterError(`The transfer ${order.reference} is not a positive whole number of paise`, { retryable: false });
    }
    const { status, body } = await this.client.call({
      method: 'POST',
      path: '/transfers',
      idempotencyKey: order.reference,
      body: {
        reference: order.reference,
        amount: rupeesText(order.amountMicros),
        currency: 'INR',
        beneficiaryPanLast4: order.beneficiaryPanLast4,
        ...(order.beneficiary ? { beneficiary: order.beneficiary } : {}),
      },
    });
    return answerOf(order.reference, status, body);
  }

  async status(reference: string): Promise<RailAnswer | null> {
    const { status, body } = await this.client.call({ method: 'GET', path: `/transfers/${encodeURIComponent(reference)}`, answers: [404] });
    if (status === 404) return null;
    return answerOf(reference, status, body);
  }
}

function answerOf(reference: string, httpStatus: number, body: unknown): RailAnswer {
  const answer = body as { reference?: unknown; status?: unknown; utr?: unknown; reason?: unknown } | null;
  if (answer?.reference !== reference) throw malformed(HttpDisbursementRail.TITLE, 'another reference');
  if (httpStatus === 202 || answer.status === 'PENDING') {
    throw new AdapterError(`The ${HttpDisbursementRail.TITLE} took the transfer ${reference} but has not settled it yet`, { retryable: true, status: httpStatus });
  }
  if (answer.status === 'SUCCEEDED' && typeof answer.utr === 'string' && answer.utr.length > 0) return { status: 'SUCCEEDED', utr: answer.utr };
  if (answer.status === 'FAILED' && typeof answer.reason === 'string') return { status: 'FAILED', reason: answer.reason };
  throw malformed(HttpDisbursementRail.TITLE, 'an unknown status');
}
