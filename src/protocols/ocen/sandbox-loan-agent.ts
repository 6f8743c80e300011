import { activeSigningKey, KeyRing } from '../../lib/keys';
import { SANDBOX_OCEN_AGENT_ID } from '../../core/partner/sandbox-partners';
import { OCEN_SIGNATURE_HEADER, signDetached } from './detached-jws';
import type { OcenCaller, OcenRequestHeaders } from './ocen-auth';
import type { OcenNetwork } from './ocen-network';
import { NO_NETWORK_ANALYTICS } from './ocen-analytics';
import type { OcenParticipant } from './ocen-registry';

/** The header with which an unsigned sandbox request plays another loan agent than the built-in one. */
export const SANDBOX_PARTICIPANT_HEADER = 'x-ocen-participant-id';

/** Our participant and organisation ids in the sandbox without `OCEN_*` settings (`metadata.originator*` of our callbacks). */
export const SANDBOX_LENDER = { participantId: 'sandbox-lender', orgId: 'sandbox-lender-org' } as const;

/**
 * The sandbox without `OCEN_*` settings (APP_ENV=sandbox only; never built in production): an OCEN "network" with
 * a built-in test loan agent, so that OCEN calls can be tried unsigned from Swagger UI (`/ocen/docs`).
 *
 * - Inbound: every request is accepted without token or signature (any sent are ignored) as the loan agent
 *   `ocen-test-agent`, or as the participant named by the `x-ocen-participant-id` header (to play a second agent,
 *   e.g. for isolation: each agent sees only its own applications). The id must be a valid partner id.
 * - Outbound: there is no agent endpoint. Callbacks are built, checked and stored as always, and marked delivered
 *   without being POSTed (`keepsCallbacks`); read them at `GET /sandbox/ocen/callbacks?loanApplicationId=...`.
 *   They are still signed with our RS256 key if asked (`sign`), as on a network.
 *
 * As soon as any `OCEN_*` setting is present, the real network (ocen-network.ts) is used instead, with every check.
 */
export function createSandboxOcenNetwork(ring: KeyRing): OcenNetwork {
  const sign = (body: Uint8Array) => signDetached(body, activeSigningKey(ring, 'RS256'));
  const participant = (id: string): OcenParticipant => {
    const signingKey = activeSigningKey(ring, 'RS256');
    return { id, role: 'LOAN_AGENT', publicKey: { key: signingKey.publicKey, kid: signingKey.kid }, baseUrl: undefined };
  };
  return {
    keepsCallbacks: true,
    // Swagger UI and curl users send example envelopes: the built-in agent skips the originator and replay-window checks.
    checkEnvelope: () => undefined,
    analytics: NO_NETWORK_ANALYTICS,
    async authenticateOcenRequest(headers: OcenRequestHeaders): Promise<OcenCaller> {
      const named = headerValue(headers, SANDBOX_PARTICIPANT_HEADER);
      const participantId = named || SANDBOX_OCEN_AGENT_ID;
      return { participantId, participant: participant(participantId), claims: { participantId, sandbox: true } };
    },
    registry: {
      participant: async (id: string) => participant(id),
      forget: () => undefined,
    },
    tokens: {
      token: async () => {
        throw new Error('The sandbox has no OCEN auth service (set the OCEN_* settings to join a network)');
      },
      invalidate: () => undefined,
    },
    sign,
    async outboundHeaders(body) {
      return { [OCEN_SIGNATURE_HEADER]: await sign(body), 'content-type': 'application/json' };
    },
  };
}

function headerValue(headers: OcenRequestHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim() || undefined;
}
