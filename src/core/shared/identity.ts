import { Hasher } from '../../lib/crypto';

export interface PhoneNumber {
  countryCode: string;
  nationalNumber: string;
}

/** `91` + `9876543210` → `919876543210`: the form the SMS gateway and the sandbox outbox use. */
export const msisdn = (phone: PhoneNumber) => `${phone.countryCode}${phone.nationalNumber}`;

/** Keyed hashes that let us find a borrower again without storing PAN or phone in clear. */
export class IdentityHasher {
  constructor(private readonly hasher: Hasher) {}

  phone(phone: PhoneNumber): string {
    return this.hasher.hash('phone', msisdn(phone));
  }

  pan(pan: string): string {
    return this.hasher.hash('pan', pan.toUpperCase());
  }

  /** The 14-digit CKYC identification number (KIN). */
  cKycId(cKycId: string): string {
    return this.hasher.hash('ckyc-id', cKycId);
  }

  secret(purpose: string, value: string): string {
    return this.hasher.hash(purpose, value);
  }
}
