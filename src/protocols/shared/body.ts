import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { ProtocolError, ProtocolErrorCode } from './protocol-error';

export const BODY_LIMIT_BYTES = 64 * 1024;

/** The body exactly as it arrived, kept for signature checks. */
export function rawBodyOf(req: Request): Buffer | undefined {
  return (req as Request & { rawBody?: Buffer }).rawBody;
}

/**
 * A surface's body handling: at most 64 KiB, read as raw bytes (kept as `rawBody`, for signatures), then
 * parsed as JSON. A POST must say Content-Type application/json; anything else is refused before parsing.
 */
export function jsonBody(): RequestHandler[] {
  const raw = express.raw({ type: () => true, limit: BODY_LIMIT_BYTES });
  const parse = (req: Request, _res: Response, next: NextFunction) => {
    const body = req.body;
    if (!Buffer.isBuffer(body)) return next();
    (req as Request & { rawBody?: Buffer }).rawBody = body;
    if (body.length === 0) {
      req.body = {};
      return next();
    }
    if (!req.is('application/json')) {
      return next(new ProtocolError(ProtocolErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Send the body as Content-Type: application/json'));
    }
    const charset = /charset=([^;]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.trim().toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8') {
      return next(new ProtocolError(ProtocolErrorCode.MALFORMED_REQUEST, 'Unsupported body encoding; send UTF-8 JSON'));
    }
    try {
      req.body = JSON.parse(body.toString('utf8'));
    } catch {
      return next(new ProtocolError(ProtocolErrorCode.MALFORMED_REQUEST, 'The request body is not valid JSON'));
    }
    if (req.body === null || typeof req.body !== 'object') {
      return next(new ProtocolError(ProtocolErrorCode.MALFORMED_REQUEST, 'The request body must be a JSON object'));
    }
    next();
  };
  return [raw, parse];
}

/** Body-parser's own refusals (size, encoding) as protocol errors. */
export function fromBodyParserError(err: unknown): ProtocolError | undefined {
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.too.large') return new ProtocolError(ProtocolErrorCode.PAYLOAD_TOO_LARGE, 'The request body is larger than 64 KiB');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new ProtocolError(ProtocolErrorCode.MALFORMED_REQUEST, 'Unsupported body encoding; send UTF-8 JSON');
  }
  if (e?.status && e.status >= 400 && e.status < 500) return new ProtocolError(ProtocolErrorCode.MALFORMED_REQUEST, 'The request could not be read');
  return undefined;
}
