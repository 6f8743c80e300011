/** The protocol a partner speaks: the GPAY-style aggregator partner API, or OCEN 4.0 as a loan agent. */
export type PartnerProtocol = 'GPAY' | 'OCEN';
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
