import type { Sealer } from '../../lib/crypto';
import { EmploymentType } from './underwriting-policy';

export interface Address {
  addressLine1: string;
  addressLine2?: string;
  addressLine3?: string;
  landmark?: string;
  companyName?: string;
  postalCode: string;
  city: string;
  state: string;
  country: string;
  addressTags: string[];
  geoLocation?: { latitude: number; longitude: number };
}

/** What the applicant told us in ApproveUserForCredit; stored only encrypted. */
export interface Applicant {
  fullName: string;
  emailAddress: string;
  type?: string;
  pan: string;
  dateOfBirth: string;
  addresses: Address[];
  employment: {
    employerName: string;
    employerAddress?: Address;
    totalWorkExperienceYears: string;
    type: EmploymentType;
    monthlyIncomeMicros: string;
  };
  residence: { timeAtCurrentResidence: string; ownership: 'RENTED' | 'OWNED' };
  father?: { firstName: string; lastName?: string; salutation?: string };
  deviceLocation?: { latitude: number; longitude: number; accuracy?: number };
  enabledFlags: string[];
  /** The CKYC id the partner sent with the application (from its searchCKycRecord), sealed with the rest. */
  cKycId?: string;
}

/** The applicant as sealed with its application (bound to `applicant:<application id>`). */
export function sealApplicant(sealer: Sealer, applicationId: string, applicant: Applicant): string {
  return sealer.seal(JSON.stringify(applicant), `applicant:${applicationId}`);
}

/** The applicant sealed with an application (see {@link sealApplicant}). */
export function openApplicant(sealer: Sealer, application: { id: string; applicantCiphertext: string }): Applicant {
  return JSON.parse(sealer.open(application.applicantCiphertext, `applicant:${application.id}`)) as Applicant;
}
