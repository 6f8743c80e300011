import { ApprovalState } from './approval-state';
import { ApplicationState } from './application-state';

/** A borrower's application to this lender, made through one partner. */
export interface Application {
  id: string;
  partnerId: string;
  /** The partner's own identifier of the application (unique per partner). */
  externalReference: string;
  /** This lender's reference, shown to the partner and the borrower. */
  lenderReference: string;
  productId: string;
  phoneHash: string;
  /** The borrower's phone (JSON of PhoneNumber), sealed (`application-phone:<id>`): later OTPs of the application go to it. Null for applications recorded before it was kept. */
  phoneCiphertext: string | null;
  panHash: string;
  panLast4: string;
  applicantCiphertext: string;
  loanPurpose: string;
  requestedAmountMicros: bigint;
  /** Keyed hash of the CKYC id the partner sent; the id itself is sealed with the applicant. */
  cKycIdHash: string | null;
  approvalState: ApprovalState;
  approvalRejectionReason: string | null;
  approvalRejectionDescription: string | null;
  applicationState: ApplicationState;
  rejectionReason: string | null;
  rejectionDescription: string | null;
  currentOfferId: string | null;
  currentKycId: string | null;
  currentMandateId: string | null;
  currentSubmissionId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Which application a partner means: its partner and its own reference. */
export interface ApplicationRef {
  partnerId: string;
  externalReference: string;
}

export type NewApplication = Omit<Application, 'createdAt' | 'updatedAt' | 'currentOfferId' | 'currentKycId' | 'currentMandateId' | 'currentSubmissionId' | 'approvalRejectionReason' | 'approvalRejectionDescription' | 'rejectionReason' | 'rejectionDescription'>;

export type CurrentPointers = Partial<Pick<Application, 'currentOfferId' | 'currentKycId' | 'currentMandateId' | 'currentSubmissionId'>>;
