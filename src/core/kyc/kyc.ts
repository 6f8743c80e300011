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
  cKycId: string | null;
  consentVersion: string;
}
