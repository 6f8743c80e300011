import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of the generic HTTP adapters (docs/http-adapters.md), one header each way:
 *
 *     Credit-Partner-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
 *
 * A request's `v1` is the HMAC-SHA256, under the shared secret (its UTF-8 bytes), of
 * `<t>.<METHOD>.<path and query>.<body>` (the body exactly as sent; empty for a GET). An answer's `v1` is the
 * HMAC-SHA256 of `<t>.<the request's v1>.<HTTP status>.<body>`, which binds the answer to the request it answers.
 */
export const SIGNATURE_HEADER = 'credit-partner-signature';

/** How far a request's `t` may be from the receiver's clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const hmac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload, 'utf8').digest('hex');

export function requestSignature(secret: string, t: number, method: string, pathAndQuery: string, body: string): string {
  return hmac(secret, `${t}.${method.toUpperCase()}.${pathAndQuery}.${body}`);
}

export function answerSignature(secret: string, t: number, requestV1: string, status: number, body: string): string {
  return hmac(secret, `${t}.${requestV1}.${status}.${body}`);
}

/** The header's value for `t` and `v1`. */
export function signatureHeader(t: number, v1: string): string {
  return `t=${t},v1=${v1}`;
}

/** `t` and `v1` of a header value, or undefined when it is not of that form. */
export function parseSignatureHeader(value: string | null | undefined): { t: number; v1: string } | undefined {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec((value ?? '').trim());
  return match ? { t: Number(match[1]), v1: match[2] } : undefined;
}

/** Compares two hex signatures in constant time. */
export function sameSignature(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
