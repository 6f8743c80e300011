import type { KeyObject } from 'node:crypto';
import { importParticipantKey } from './detached-jws';
import { OcenAuthError, OcenAuthReason } from './ocen-auth-error';
import { OcenHttpError, requestJson } from './ocen-http';
import type { OcenTokenSource } from './ocen-token';
import { isJsonObject, untrusted } from './ocen-wire';
import type { ParticipantRole } from './ocen-wire';

/**
 * What `GET /service/participant-roles/{id}` answers: ocen-registry.json's ParticipantRole (which that document
 * serves only inside other answers), with the `baseUrl` the official Java sample reads; `participantRole` is
 * sometimes an object `{name}` or `{role}` instead of the enum.
 */
type RegistryParticipantRole = Omit<ParticipantRole, 'participantRole'> & { participantRole: ParticipantRole['participantRole'] | { name: string; role: string }; baseUrl: string };

/**
 * The OCEN participant registry, as the official Java sample reads it:
 * `GET {OCEN_REGISTRY_URL}/service/participant-roles/{participantId}` with our bearer token answers
 * `{id, participantRole, publicKey, baseUrl, isApproved, participantRoleStatus, ...}`, where `publicKey` is the
 * participant's RSA public JWK as a JSON string (an object is accepted too) and `baseUrl` is where its
 * `...Response` callbacks go.
 *
 * `participant(id)` answers only an approved participant with a usable key; otherwise it throws OcenAuthError:
 * PARTICIPANT_UNKNOWN (HTTP 404 from the registry), PARTICIPANT_NOT_APPROVED (`isApproved` not true, or a
 * `participantRoleStatus` other than APPROVED), PARTICIPANT_KEY_UNUSABLE, or REGISTRY_UNAVAILABLE (503: the
 * registry could not be asked or answered something unusable; our token is dropped when it answers 401/403).
 *
 * Answers are cached per participant for `cacheMs` (an unknown participant for `negativeCacheMs`), so a key
 * rotated or an approval withdrawn in the registry takes effect within that time; REGISTRY_UNAVAILABLE is never
 * cached. Concurrent look-ups of one participant share one request.
 */
export interface OcenParticipant {
  id: string;
  /** e.g. LOAN_AGENT, LENDER (the registry's `participantRole`, whatever its shape). */
  role: string | undefined;
  /** The participant's RS256 verification key, and the kid its JWK names (if any). */
  publicKey: { key: KeyObject; kid: string | undefined };
  /** Where the participant hosts its endpoints (its `...Response` callbacks): an http(s) URL, or undefined if none is registered. */
  baseUrl: string | undefined;
}

export interface OcenRegistry {
  participant(participantId: string): Promise<OcenParticipant>;
  /** Forget what is cached of a participant (or of all). */
  forget(participantId?: string): void;
}

export interface OcenRegistryOptions {
  /** The registry's base URL, e.g. https://dev.ocen.network (the path /service/participant-roles/{id} is appended). */
  registryUrl: string;
  /** Our token, sent to the registry as a bearer token. */
  tokens?: OcenTokenSource;
  /** How long an answer is kept (default 5 minutes). */
  cacheMs?: number;
  /** How long "unknown participant" is kept (default 30 s, at most cacheMs). */
  negativeCacheMs?: number;
  /** Time limit of one registry request (default 5 s). */
  timeoutMs?: number;
  /** At most this many participants are cached; the oldest entry goes first (default 10,000). */
  maxEntries?: number;
  now?: () => number;
}

type Outcome = { participant: OcenParticipant } | { refusal: OcenAuthError };

const unavailable = (message: string) => new OcenAuthError(OcenAuthReason.REGISTRY_UNAVAILABLE, message);

export function createRegistryClient(options: OcenRegistryOptions): OcenRegistry {
  const base = options.registryUrl.replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 300_000;
  const negativeCacheMs = Math.min(options.negativeCacheMs ?? 30_000, cacheMs);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { outcome: Outcome; until: number }>();
  const pending = new Map<string, Promise<Outcome>>();

  async function lookUp(participantId: string): Promise<Outcome> {
    const headers: Record<string, string> = {};
    if (options.tokens) {
      try {
        headers.authorization = `Bearer ${await options.tokens.token()}`;
      } catch (err) {
        throw unavailable(`The registry could not be asked: no OCEN token (${err instanceof Error ? err.message : String(err)})`);
      }
    }
    let answer;
    try {
      answer = await requestJson(`${base}/service/participant-roles/${encodeURIComponent(participantId)}`, { method: 'GET', headers, timeoutMs });
    } catch (err) {
      throw unavailable(`The registry could not be asked: ${err instanceof OcenHttpError ? err.message : String(err)}`);
    }
    if (answer.status === 404) return { refusal: new OcenAuthError(OcenAuthReason.PARTICIPANT_UNKNOWN, `The registry does not know participant ${JSON.stringify(participantId)}`) };
    if (answer.status === 401 || answer.status === 403) options.tokens?.invalidate();
    if (answer.status !== 200) throw unavailable(`The registry answered HTTP ${answer.status} for participant ${JSON.stringify(participantId)}`);
    return { participant: parse(participantId, answer.body) };
  }

  function parse(participantId: string, body: unknown): OcenParticipant {
    if (!isJsonObject(body)) throw unavailable(`The registry's answer for participant ${JSON.stringify(participantId)} is not a JSON object`);
    const entry = untrusted<RegistryParticipantRole>(body);
    const status = typeof entry.participantRoleStatus === 'string' ? entry.participantRoleStatus : undefined;
    if (entry.isApproved !== true || (status !== undefined && status !== 'APPROVED')) {
      throw new OcenAuthError(OcenAuthReason.PARTICIPANT_NOT_APPROVED, `Participant ${JSON.stringify(participantId)} is not approved in the registry`);
    }
    return {
      id: typeof entry.id === 'string' || typeof entry.id === 'number' ? String(entry.id) : participantId,
      role: roleName(entry.participantRole),
      publicKey: importParticipantKey(entry.publicKey),
      baseUrl: httpUrl(entry.baseUrl),
    };
  }

  function remember(participantId: string, outcome: Outcome): void {
    const ttl = 'participant' in outcome || outcome.refusal.reason !== OcenAuthReason.PARTICIPANT_UNKNOWN ? cacheMs : negativeCacheMs;
    if (ttl <= 0) return;
    cache.delete(participantId);
    while (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    cache.set(participantId, { outcome, until: now() + ttl });
  }

  function settle(outcome: Outcome): OcenParticipant {
    if ('refusal' in outcome) throw outcome.refusal;
    return outcome.participant;
  }

  return {
    async participant(participantId) {
      const hit = cache.get(participantId);
      if (hit && now() < hit.until) return settle(hit.outcome);
      let flight = pending.get(participantId);
      if (!flight) {
        flight = lookUp(participantId)
          .catch((err: unknown): Outcome => {
            if (err instanceof OcenAuthError && err.reason !== OcenAuthReason.REGISTRY_UNAVAILABLE) return { refusal: err };
            throw err;
          })
          .then((outcome) => {
            remember(participantId, outcome);
            return outcome;
          })
          .finally(() => pending.delete(participantId));
        pending.set(participantId, flight);
      }
      return settle(await flight);
    },
    forget(participantId) {
      if (participantId === undefined) cache.clear();
      else cache.delete(participantId);
    },
  };
}

function roleName(role: unknown): string | undefined {
  if (typeof role === 'string') return role;
  const object = untrusted<{ name: string; role: string }>(role);
  const named = object.name ?? object.role;
  if (typeof named === 'string') return named;
  return undefined;
}

function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? value.replace(/\/+$/, '') : undefined;
  } catch {
    return undefined;
  }
}
