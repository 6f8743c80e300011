import type { Ack, Metadata } from '../../generated/ocen-v3/ocen-v3-types';

/** v3's `ack` (Core/ack.json): `error` "0" when the request is accepted, else `CODE: reason`. */
export type V3Ack = Ack;

/** Why a request is not accepted: the ack's `error` is `CODE: message`, answered with `status`; nothing is recorded. */
export class V3Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'V3Refusal';
  }
}

/** The `metadata` (Core/metadata.json) of a message we send: our org id, the request's traceId, our clock. */
export function ourMetadata(orgId: string, traceId: string, now: Date): Metadata {
  return { version: '3.2', orgId, timestamp: now.toISOString(), traceId };
}

const ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Why `timestamp` (a request's `metadata.timestamp`) is outside the replay window; undefined when it is inside
 * (or absent: v3 marks it optional). Juspay's reference: ISO-8601 with a zone; without one it is IST (+05:30).
 */
export function timestampProblem(timestamp: unknown, now: Date, windowMs: number): string | undefined {
  if (timestamp === undefined) return undefined;
  const text = typeof timestamp === 'string' ? timestamp.trim() : '';
  const at = Date.parse(ZONE.test(text) ? text : `${text}+05:30`);
  if (!text || Number.isNaN(at)) return `metadata.timestamp ${JSON.stringify(timestamp)} is not an ISO-8601 time (e.g. ${now.toISOString()})`;
  if (Math.abs(at - now.getTime()) > windowMs) return `metadata.timestamp is more than ${Math.round(windowMs / 1000)} s from this server's time, ${now.toISOString()}`;
  return undefined;
}
