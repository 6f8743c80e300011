import { KycMethod, KycState } from './kyc-state';

/** One KYC attempt of an application; the application names the current one. */
export interface Kyc {
  id: string;
  applicationId: string;
  state: KycState;
  eligibleMethods: KycMethod[];
  completedMethod: KycMethod | null;
  rejectionReason: string | null;
  urlTokenHash: string;
  urlTokenExpiresAt: Date;
  approvalValidUntil: Date | null;
  createdAt: Date;
}

/** A CKYC registry search made with the user's consent, before or after the application exists. */
export interface CkycSearch {
  id: string;
  partnerId: string;
  externalReference: string;
  panHash: string;
  /** Keyed hash of the CKYC id found, and the id sealed to this search; both null when the registry found nothing. */
  cKycIdHash: string | null;
  cKycIdCiphertext: string | null;
  consentVersion: string;
}

/**
 * An Aadhaar e-KYC OTP attempt: REQUESTED (recorded before UIDAI is asked) → OTP_SENT → VERIFIED | EXPIRED |
 * EXHAUSTED (its tries used) | FAILED (UIDAI refused or failed) | SUPERSEDED (a newer attempt).
 */
export type AadhaarAttemptState = 'REQUESTED' | 'OTP_SENT' | 'VERIFIED' | 'EXPIRED' | 'EXHAUSTED' | 'FAILED' | 'SUPERSEDED';

/** One Aadhaar OTP attempt: never the Aadhaar number (its last four digits only); UIDAI's transaction id sealed. */
export interface AadhaarAttempt {
  id: string;
  kycId: string;
  state: AadhaarAttemptState;
  aadhaarLast4: string;
  transactionIdCiphertext: string | null;
  /** OTP verifications claimed (each before UIDAI is asked). */
  tries: number;
  wrongOtps: number;
  ekycReference: string | null;
  createdAt: Date;
}

/** A document uploaded for offline KYC: metadata only (the document store keeps the bytes, sealed). */
export interface KycDocument {
  id: string;
  kycId: string;
  applicationId: string;
  kind: string;
  /** The document store's reference. */
  reference: string;
  sha256: string;
  contentType: string;
  sizeBytes: number;
  createdAt: Date;
}
