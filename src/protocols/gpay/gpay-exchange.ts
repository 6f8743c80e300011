import { createHash } from 'node:crypto';
import { AppError, AppErrorCode } from '../../core/errors';
import { Database } from '../../lib/db/database';
import { Clock } from '../../lib/clock';
import { parseInt64 } from './wire-values';
import { ErrorResponse, RequestHeader, ResponseHeader } from './wire/common';

export const SUPPORTED_MAJOR_VERSION = 1;

/** A business outcome carried as `errorResponse` with HTTP 200 (e.g. CKYC record not found). */
export class BusinessError {
  constructor(readonly errorResponse: ErrorResponse) {}
}

type Envelope<T> = { responseHeader: ResponseHeader; data?: T; errorResponse?: ErrorResponse };

/**
 * Runs one partner-API call: checks the header, then claims the requestId, runs the handler and stores the
 * answer in ONE transaction. A retry with the same requestId and body replays the stored answer byte for
 * byte; a concurrent duplicate waits on the claim and then replays; a different body is
 * IDEMPOTENCY_VIOLATION. A call that fails (4xx/5xx) rolls back with its claim, so its retry is processed
 * afresh, as Google's integrator APIs expect.
 */
export class GpayExchange {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly aggregatorId: string,
    private readonly timestampToleranceMs: number,
  ) {}

  async handle<TData, TOut>(
    operation: string,
    body: { requestHeader: RequestHeader; data: TData },
    handler: (data: TData, aggregatorId: string) => Promise<TOut | BusinessError>,
  ): Promise<{ responseHeader: ResponseHeader; data: TOut }> {
    const header = body.requestHeader;
    this.checkHeader(header);
    const fingerprint = createHash('sha256')
      .update(canonicalJson({ operation, protocolVersion: header.protocolVersion, data: body.data }))
      .digest('hex');
    const aggregatorId = this.aggregatorId;

    const stored = await this.db.transaction(async () => {
      const claimed = await this.db.client.$queryRaw<Array<{ id: bigint }>>`
        INSERT INTO idempotency_record (aggregator_id, request_id, operation, fingerprint, http_status, response_body)
        VALUES (${aggregatorId}, ${header.requestId}, ${operation}, ${fingerprint}, 0, '')
        ON CONFLICT (aggregator_id, request_id) DO NOTHING RETURNING id`;
      if (claimed.length === 0) {
        const previous = await this.db.client.idempotencyRecord.findUniqueOrThrow({
          where: { aggregatorId_requestId: { aggregatorId, requestId: header.requestId } },
        });
        if (previous.fingerprint !== fingerprint) {
          throw new AppError(AppErrorCode.IDEMPOTENCY_VIOLATION, `requestId ${header.requestId} was already used for a different request`);
        }
        return previous.responseBody;
      }
      const outcome = await handler(body.data, aggregatorId);
      const envelope: Envelope<TOut> = {
        responseHeader: { requestId: header.requestId, responseTimestamp: { epochMillis: String(this.clock.now().getTime()) } },
        ...(outcome instanceof BusinessError ? { errorResponse: outcome.errorResponse } : { data: outcome }),
      };
      const responseBody = JSON.stringify(envelope);
      await this.db.client.idempotencyRecord.update({ where: { id: claimed[0].id }, data: { httpStatus: 200, responseBody } });
      return responseBody;
    });
    return JSON.parse(stored) as { responseHeader: ResponseHeader; data: TOut };
  }

  private checkHeader(header: RequestHeader): void {
    if (header.protocolVersion.major !== SUPPORTED_MAJOR_VERSION) {
      throw new AppError(AppErrorCode.UNSUPPORTED_PROTOCOL_VERSION, `protocolVersion.major must be ${SUPPORTED_MAJOR_VERSION}`, [
        'requestHeader.protocolVersion.major',
      ]);
    }
    const sentAt = parseInt64(header.requestTimestamp.epochMillis, 'requestHeader.requestTimestamp.epochMillis');
    const skew = BigInt(this.clock.now().getTime()) - sentAt;
    const tolerance = BigInt(this.timestampToleranceMs);
    if (skew > tolerance || skew < -tolerance) {
      throw new AppError(AppErrorCode.REQUEST_TIMESTAMP_OUT_OF_RANGE, `requestTimestamp must be within ±${this.timestampToleranceMs / 1000} s of the server time`, [
        'requestHeader.requestTimestamp',
      ]);
    }
  }
}

/** JSON with object keys sorted, so that two equal bodies fingerprint the same whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
