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
