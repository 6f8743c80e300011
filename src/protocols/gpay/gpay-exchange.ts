import type { Request } from 'express';
import { Logger } from 'pino';
import { Partner } from '../../core/partner/partner';
import { Clock } from '../../lib/clock';
import { PartnerRequests, requestFingerprint } from '../../core/lending/partner-requests';
import { ProtocolError, ProtocolErrorCode } from '../shared/protocol-error';
import { droppedFields } from '../shared/dropped-fields';
import { rawBodyOf } from '../shared/body';
import { partnerOf } from '../shared/partner-auth';
import { parseInt64 } from './wire-values';
import { ErrorResponse, RequestHeader, ResponseHeader } from './wire/common';

export const SUPPORTED_MAJOR_VERSION = 1;

/** A business outcome carried as `errorResponse` with HTTP 200 (e.g. CKYC record not found). */
export class BusinessError {
  constructor(readonly errorResponse: ErrorResponse) {}
}

type Envelope<T> = { responseHeader: ResponseHeader; data?: T; errorResponse?: ErrorResponse };
type Body<TData> = { requestHeader: RequestHeader; data: TData };
type Handler<TData, TOut> = (data: TData, partner: Partner) => Promise<TOut | BusinessError>;
export type Answer<TOut> = Promise<{ responseHeader: ResponseHeader; data: TOut }>;

/**
 * Runs one call of the Google Pay-style API: checks the header, runs the handler and wraps its outcome in the
 * response envelope. Writes go through the core's PartnerRequests (requestId is the key): a retry
 * replays the first answer byte for byte. Reads (status polls, fetches) are not recorded: they change
 * nothing, so running them again is their idempotency.
 */
export class GpayExchange {
  constructor(
    private readonly requests: PartnerRequests,
    private readonly clock: Clock,
    private readonly timestampToleranceMs: number,
    private readonly logger: Logger,
  ) {}

  async write<TData, TOut>(operation: string, req: Request, body: Body<TData>, handler: Handler<TData, TOut>): Answer<TOut> {
    this.checkHeader(body.requestHeader, operation, req, body);
    return this.idempotentWrite(operation, req, body, handler);
  }

  /**
   * A write whose work needs an answer from the outside world first: `lookup` runs with no transaction
   * open (it must have no effect of its own: a replay runs it again), then the idempotent write.
   */
  async writeAfterLookup<TData, TLookup, TOut>(
    operation: string,
    req: Request,
    body: Body<TData>,
    lookup: (data: TData, partner: Partner) => Promise<TLookup>,
    handler: (found: TLookup) => Promise<TOut>,
  ): Answer<TOut> {
    this.checkHeader(body.requestHeader, operation, req, body);
    const found = await lookup(body.data, partnerOf(req));
    return this.idempotentWrite(operation, req, body, () => handler(found));
  }

  async read<TData, TOut>(operation: string, req: Request, body: Body<TData>, handler: Handler<TData, TOut>): Answer<TOut> {
    this.checkHeader(body.requestHeader, operation, req, body);
    return this.envelope(body.requestHeader, await handler(body.data, partnerOf(req))) as { responseHeader: ResponseHeader; data: TOut };
  }

  private async idempotentWrite<TData, TOut>(operation: string, req: Request, body: Body<TData>, handler: Handler<TData, TOut>): Answer<TOut> {
    const partner = partnerOf(req);
    const fingerprint = requestFingerprint({ protocolVersion: body.requestHeader.protocolVersion, data: body.data });
    const request = { partnerId: partner.id, requestId: body.requestHeader.requestId, operation, fingerprint };
    const { answer } = await this.requests.accept(request, async () => ({ answer: this.envelope(body.requestHeader, await handler(body.data, partner)) }));
    return answer as { responseHeader: ResponseHeader; data: TOut };
  }

  private envelope<TOut>(header: RequestHeader, outcome: TOut | BusinessError): Envelope<TOut> {
    return {
      responseHeader: { requestId: header.requestId, responseTimestamp: { epochMillis: String(this.clock.now().getTime()) } },
      ...(outcome instanceof BusinessError ? { errorResponse: outcome.errorResponse } : { data: outcome }),
    };
  }

  private checkHeader(header: RequestHeader, operation: string, req: Request, validated: unknown): void {
    if (header.protocolVersion.major !== SUPPORTED_MAJOR_VERSION) {
      throw new ProtocolError(ProtocolErrorCode.UNSUPPORTED_PROTOCOL_VERSION, `protocolVersion.major must be ${SUPPORTED_MAJOR_VERSION}`, ['requestHeader.protocolVersion.major']);
    }
    const sentAt = parseInt64(header.requestTimestamp.epochMillis, 'requestHeader.requestTimestamp.epochMillis');
    const now = this.clock.now().getTime();
    const skew = BigInt(now) - sentAt;
    const tolerance = BigInt(this.timestampToleranceMs);
    if (skew > tolerance || skew < -tolerance) {
      const seconds = sentAt > 0n && sentAt < 100_000_000_000n ? ' (this looks like seconds: send milliseconds)' : '';
      throw new ProtocolError(ProtocolErrorCode.REQUEST_TIMESTAMP_OUT_OF_RANGE, `requestTimestamp.epochMillis ${sentAt} must be within ±${this.timestampToleranceMs / 1000} s of the server time, now ${now} (${new Date(now).toISOString()}); it is milliseconds since 1970-01-01T00:00:00Z${seconds}`, [
        'requestHeader.requestTimestamp',
      ]);
    }
    if (this.logger.isLevelEnabled('debug')) {
      const raw = rawBodyOf(req);
      const dropped = raw ? droppedFields(JSON.parse(raw.toString('utf8')), validated) : [];
      if (dropped.length) this.logger.debug({ operation, requestId: header.requestId, dropped }, 'unknown fields dropped');
    }
  }
}
