import { CkycRecord } from './ckyc-registry';
import { KycMethod, KycState } from './kyc-state';

/** The largest KYC document accepted for offline KYC (5 MiB), checked before anything is stored. */
export const MAX_KYC_DOCUMENT_BYTES = 5 * 1024 * 1024;

/** The documents offline KYC accepts (officially valid documents; the Aadhaar one is UIDAI's offline e-KYC, printed or as PDF). */
export const KYC_DOCUMENT_KINDS = ['AADHAAR_OFFLINE_XML_PDF', 'PASSPORT', 'VOTER_ID', 'DRIVING_LICENCE'] as const;
export type KycDocumentKind = (typeof KYC_DOCUMENT_KINDS)[number];

/** How many wrong OTPs one Aadhaar OTP attempt allows; then a new OTP must be requested. */
export const AADHAAR_OTP_MAX_TRIES = 3;
/** How many Aadhaar OTPs one KYC journey may request (each reaches UIDAI); then another method is needed. */
export const AADHAAR_OTP_MAX_REQUESTS = 5;

/** What the KYC page opened with its link token: the application, the KYC attempt, and when the link stops opening. */
export interface KycLink {
  applicationId: string;
  kycId: string;
  expiresAt: Date;
}

/** The current KYC as the page shows it. */
export interface KycPageView {
  applicationId: string;
  kycId: string;
  state: KycState;
  /** What the page may offer (VIDEO_KYC is never among them, even on older rows). */
  eligibleMethods: KycMethod[];
  completedMethod: KycMethod | null;
  rejectionReason: string | null;
  /** An Aadhaar OTP waiting to be entered: the masked number it went to and the tries left. */
  pendingAadhaarOtp?: { maskedAadhaar: string; attemptsLeft: number };
}

/** The CKYC record as the page shows it for confirmation: the name, and everything else masked. */
export interface CkycConfirmationView {
  name: string;
  /** `**` `/**` `/1990`: the year only. */
  maskedDateOfBirth: string;
  gender: CkycRecord['gender'];
  addresses: Array<{ maskedLine: string; city: string; state: string; maskedPostalCode: string }>;
}

/** Started Aadhaar OTP: where it went (masked) and how many tries the user has. */
export interface AadhaarOtpStarted {
  attemptId: string;
  maskedAadhaar: string;
  attemptsLeft: number;
}

/** `1990-05-15` → `**` `/**` `/1990`. */
export function maskDateOfBirth(isoDate: string): string {
  const year = /^(\d{4})-\d{2}-\d{2}$/.exec(isoDate)?.[1];
  return `**/**/${year ?? '****'}`;
}

/** `560001` → `56****`. */
export const maskPostalCode = (postalCode: string): string => `${postalCode.slice(0, 2)}${'*'.repeat(Math.max(0, postalCode.length - 2))}`;

/** `101, Sandbox Residency` → `10*, ******* *********`: the first two characters, then every other letter or digit starred. */
export const maskAddressLine = (line: string): string => `${line.slice(0, 2)}${line.slice(2).replace(/[\p{L}\p{N}]/gu, '*')}`;

export function ckycConfirmationView(record: CkycRecord): CkycConfirmationView {
  return {
    name: record.name.fullName,
    maskedDateOfBirth: maskDateOfBirth(record.dateOfBirth),
    gender: record.gender,
    addresses: record.addresses.map((address) => ({
      maskedLine: maskAddressLine(address.addressLine1),
      city: address.city,
      state: address.state,
      maskedPostalCode: maskPostalCode(address.postalCode),
    })),
  };
}
