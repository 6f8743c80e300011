/**
 * The protocol a partner speaks: the GPAY-style aggregator partner API; OCEN 4.0 as a loan agent (found in the
 * network's registry); or OCEN v3 as a loan agent (Juspay's LSP-Lender API, onboarded bilaterally: its
 * `callbackBaseUrl` and `jwks` (RS512 keys) are on the partner row, not in a registry).
 */
export type PartnerProtocol = 'GPAY' | 'OCEN_4' | 'OCEN_3';

/** Every protocol, in the order configuration lists them. */
export const PARTNER_PROTOCOLS = ['GPAY', 'OCEN_4', 'OCEN_3'] as const satisfies readonly PartnerProtocol[];

/**
 * A protocol as configuration writes it (either case): one of PARTNER_PROTOCOLS, or `OCEN`, the name OCEN 4.0 had
 * before v3 was served, read as OCEN_4. Undefined when it names none.
 */
export function partnerProtocolOf(text: string): PartnerProtocol | undefined {
  const upper = text.toUpperCase();
  if (upper === 'OCEN') return 'OCEN_4';
  return (PARTNER_PROTOCOLS as readonly string[]).includes(upper) ? (upper as PartnerProtocol) : undefined;
}
/** ACTIVE partners are served; SUSPENDED partners are refused before any work. */
export type PartnerStatus = 'ACTIVE' | 'SUSPENDED';

/** A public key of the partner, as a JWK (RFC 7517); `kid` names it. */
export interface PartnerKey {
  kid: string;
  kty: string;
  [member: string]: unknown;
}

/** Someone who calls this server on a borrower's behalf: an aggregator (a payment app) or an OCEN loan agent. */
export interface Partner {
  id: string;
  displayName: string;
  protocol: PartnerProtocol;
  status: PartnerStatus;
  /** Verification keys; several may be live at once, for rotation. */
  jwks: { keys: PartnerKey[] };
  callbackBaseUrl: string | null;
  /** The OTP SMS text with `{code}` (and optionally `{lender}`); null uses DEFAULT_SMS_TEMPLATE. */
  smsTemplate: string | null;
  rateLimitPerMinute: number | null;
}

export type NewPartner = Pick<Partner, 'id' | 'displayName' | 'protocol'> & Partial<Omit<Partner, 'id' | 'displayName' | 'protocol'>>;

/**
 * A partner as configuration declares it (an entry of PARTNERS_FILE): the id, protocol, display name and keys
 * always; the other fields only when the entry lists them (null clears a nullable one).
 */
export type PartnerDefinition = NewPartner & Pick<Partner, 'jwks'>;

const PARTNER_ID = /^[a-z0-9][a-z0-9._-]{1,62}$/;
/** JWK members that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** Why `id` cannot name a partner; undefined when it can. */
export function partnerIdProblem(id: string): string | undefined {
  return PARTNER_ID.test(id) ? undefined : 'A partner id is 2-63 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit';
}

/** Why `template` cannot be an OTP SMS template (it must carry the code exactly once); undefined when it can. */
export function smsTemplateProblem(template: string): string | undefined {
  return template.split('{code}').length === 2 ? undefined : 'An SMS template must contain {code} exactly once';
}

/** Why `key` cannot be a partner's verification key (a public JWK with kid and kty); undefined when it can. */
export function publicKeyProblem(key: unknown): string | undefined {
  const jwk = key as Partial<PartnerKey> | null;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk) || typeof jwk.kid !== 'string' || jwk.kid === '' || typeof jwk.kty !== 'string' || jwk.kty === '') {
    return 'A key is a public JWK with kid and kty';
  }
  const secret = PRIVATE_JWK_MEMBERS.filter((member) => member in jwk);
  return secret.length ? `Only public keys are accepted; the JWK has private members (${secret.join(', ')})` : undefined;
}
