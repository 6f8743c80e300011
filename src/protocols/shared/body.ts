import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { ProtocolError, ProtocolErrorCode } from './protocol-error';

export const BODY_LIMIT_BYTES = 64 * 1024;
/** An application/jose body may be larger: its payload, once opened, is held to BODY_LIMIT_BYTES like a JSON body. */
export const JOSE_BODY_LIMIT_BYTES = 128 * 1024;

/** How long a refused connection is still drained (so the client reads its 413) before it is cut. */
const LINGER_MS = 500;

/** The refusal of a body over `limit` bytes, shaped as body-parser's (`entity.too.large`), so every surface maps it as before. */
export function tooLarge(limit: number, length?: number): Error {
  return Object.assign(new Error(`request entity too large (over ${limit} bytes)`), { type: 'entity.too.large', status: 413, statusCode: 413, expose: true, limit, length });
}

/**
 * Bounds `parser` (express.raw, express.urlencoded, multer: anything that reads the request) to `limit` bytes on
 * the wire, answering at once: a declared Content-Length over the limit is refused before anything is read, and a
 * body (chunked, or longer than declared) as soon as it passes the limit. The parsers' own limits stop parsing
 * there too, but they then read the rest of the request before answering (a 50 MB body read to its end, an
 * endless one never answered). The refusal (`tooLarge`, 413) is answered with `Connection: close`, and the
 * connection is cut shortly after the answer, whatever the client still sends.
 */
export function limitBody(limit: number, parser: RequestHandler): RequestHandler {
  return (req, res, next) => {
    let settled = false;
    const once = (err?: unknown) => {
      if (settled) return;
      settled = true;
      req.off('data', count);
      next(err);
    };
    const refuse = (length?: number) => {
      if (!res.headersSent) res.setHeader('Connection', 'close');
      closeAfterAnswer(req, res);
      once(tooLarge(limit, length));
    };
    let received = 0;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        req.unpipe();
        refuse(received);
      }
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return refuse(declared);
    parser(req, res, once);
    // Counted only once the parser reads the body (a parser that skips the request leaves it unread).
    if (!settled && req.listenerCount('data') > 0 && !req.readableEnded) req.on('data', count);
  };
}

/** Once `res` is answered, the connection is drained a little (so the answer is read, not reset) and then cut. */
function closeAfterAnswer(req: Request, res: Response): void {
  const socket = req.socket;
  res.once('finish', () => {
    req.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
}

type EdgeRequest = Request & { rawBody?: Buffer; joseBody?: string };

/** The JSON body's bytes as they arrived (of a signed request: the verified payload), kept for signature checks and logs. */
export function rawBodyOf(req: Request): Buffer | undefined {
  return (req as EdgeRequest).rawBody;
}

/** The compact JOSE text of an application/jose request (on a surface that accepts it), not yet opened. */
export function joseBodyOf(req: Request): string | undefined {
  return (req as EdgeRequest).joseBody;
}

const JOSE_CONTENT_TYPE = /^\s*application\/jose\s*(;|$)/i;
const isJose = (req: Request) => JOSE_CONTENT_TYPE.test(req.headers['content-type'] ?? '');

/** Control characters other than tab, line feed and carriage return (NUL included). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** A UTF-16 surrogate without its other half (JSON's `"\ud800"` parses to one; it is not text). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Printable ASCII, tab, LF and CR: nearly every string of a request, checked by one cheap pattern. */
const PLAIN = /^[\x20-\x7E\t\n\r]*$/;

const wellFormed = (text: string) => PLAIN.test(text) || (!CONTROL.test(text) && !LONE_SURROGATE.test(text));

/** How deeply objects and arrays may nest in a request: four times as deep as any schema goes. */
export const MAX_NESTING = 32;

type Visit = { value: unknown; path: string; depth: number } | { key: string; owner: string };

/**
 * The first problem of a parsed request value, in document order: the wire path of an ill-formed string
 * (member names included), or `tooDeep` when objects and arrays nest deeper than MAX_NESTING. Iterative, so a
 * body nested 30,000 levels deep is refused, not a stack overflow.
 */
export function inspectText(root: unknown, rootPath: string): { illFormedAt?: string; tooDeep?: true } {
  const stack: Visit[] = [{ value: root, path: rootPath, depth: 0 }];
  while (stack.length) {
    const visit = stack.pop()!;
    if ('key' in visit) {
      if (!wellFormed(visit.key)) return { illFormedAt: visit.owner || 'body' };
      continue;
    }
    const { value, path, depth } = visit;
    if (typeof value === 'string') {
      if (!wellFormed(value)) return { illFormedAt: path };
    } else if (value && typeof value === 'object') {
      if (depth >= MAX_NESTING) return { tooDeep: true };
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
      } else {
        const entries = Object.entries(value);
        for (let i = entries.length - 1; i >= 0; i--) {
          const [key, member] = entries[i];
          stack.push({ value: member, path: path ? `${path}.${key}` : key, depth: depth + 1 }, { key, owner: path });
        }
      }
    }
  }
  return {};
}

function illFormed(field: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.ILL_FORMED_TEXT, `${field} holds NUL, a lone surrogate or a control character`, [field]);
}

/**
 * A surface's body handling: at most 64 KiB, read as raw bytes (kept as `rawBody`, for signatures), then
 * parsed as JSON. A POST must say Content-Type application/json; anything else is refused before parsing.
 * Every string of the request (body, query, path) is checked once, here, for NUL, lone surrogates and control
 * characters: such a request is a 400, never reaches a service and is never stored. So is a body nested deeper
 * than MAX_NESTING levels, before any recursive code (validation, fingerprints) sees it.
 *
 * With `jose`, an application/jose body (at most 128 KiB) is kept as text for the surface's message check
 * (jose-envelope.ts), which hands the opened payload back through `acceptJsonPayload`: the same checks.
 */
export function jsonBody(options: { jose?: boolean } = {}): RequestHandler[] {
  const raw = limitBody(BODY_LIMIT_BYTES, express.raw({ type: () => true, limit: BODY_LIMIT_BYTES }));
  const rawJose = options.jose ? limitBody(JOSE_BODY_LIMIT_BYTES, express.raw({ type: () => true, limit: JOSE_BODY_LIMIT_BYTES })) : undefined;
  const read: RequestHandler = rawJose ? (req, res, next) => (isJose(req) ? rawJose : raw)(req, res, next) : raw;
  const mediaTypes = options.jose ? 'application/json (or application/jose, signed)' : 'application/json';
  const parse = (req: Request, _res: Response, next: NextFunction) => {
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      return next(new ProtocolError(ProtocolErrorCode.MALFORMED_REQUEST, 'The path is not valid percent-encoded UTF-8'));
    }
    if (!wellFormed(path)) return next(illFormed('path'));
    const badQuery = inspectText(req.query, 'query').illFormedAt;
    if (badQuery) return next(illFormed(badQuery));
    const body = req.body;
    if (!Buffer.isBuffer(body)) return next();
    (req as EdgeRequest).rawBody = body;
    if (body.length === 0) {
      req.body = {};
      return next();
    }
    const jose = rawJose !== undefined && isJose(req);
    if (!jose && !req.is('application/json')) {
      return next(new ProtocolError(ProtocolErrorCode.UNSUPPORTED_MEDIA_TYPE, `Send the body as Content-Type: ${mediaTypes}`));
    }
    const charset = /charset=([^;]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.trim().toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8') {
      return next(new ProtocolError(ProtocolErrorCode.MALFORMED_REQUEST, 'Unsupported body encoding; send UTF-8 JSON'));
    }
    if (jose) {
      (req as EdgeRequest).joseBody = body.toString('utf8').trim();
      req.body = {};
      return next();
    }
    next(acceptJsonPayload(req, body));
  };
  return [read, parse];
}

/**
 * Parses `bytes` as the request's JSON body and checks its text: the body of a plain request, or the verified
 * payload of a signed one. Returns the refusal, if any (the parsed body is kept even then: errors echo its requestId).
 */
export function acceptJsonPayload(req: Request, bytes: Buffer): ProtocolError | undefined {
  (req as EdgeRequest).rawBody = bytes;
  try {
    req.body = JSON.parse(bytes.toString('utf8'));
  } catch {
    req.body = {};
    return new ProtocolError(ProtocolErrorCode.MALFORMED_REQUEST, 'The request body is not valid JSON');
  }
  if (req.body === null || typeof req.body !== 'object') {
    return new ProtocolError(ProtocolErrorCode.MALFORMED_REQUEST, 'The request body must be a JSON object');
  }
  const inspected = inspectText(req.body, '');
  if (inspected.illFormedAt) return illFormed(inspected.illFormedAt);
  if (inspected.tooDeep) return new ProtocolError(ProtocolErrorCode.MALFORMED_REQUEST, `The request body nests objects and arrays deeper than ${MAX_NESTING} levels`);
  return undefined;
}

/** Body-parser's own refusals (size, encoding) as protocol errors. */
export function fromBodyParserError(err: unknown): ProtocolError | undefined {
  const e = err as { type?: string; status?: number; limit?: number };
  if (e?.type === 'entity.too.large') return new ProtocolError(ProtocolErrorCode.PAYLOAD_TOO_LARGE, `The request body is larger than ${(e.limit ?? BODY_LIMIT_BYTES) / 1024} KiB`);
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new ProtocolError(ProtocolErrorCode.MALFORMED_REQUEST, 'Unsupported body encoding; send UTF-8 JSON');
  }
  if (e?.status && e.status >= 400 && e.status < 500) return new ProtocolError(ProtocolErrorCode.MALFORMED_REQUEST, 'The request could not be read');
  return undefined;
}
