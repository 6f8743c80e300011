/** The CKYC record as the registry returns it (DownloadCKycRecordResponse.user). */
export interface CkycRecord {
  gender: 'FEMALE' | 'MALE' | 'OTHERS';
  dateOfBirth: string;
  email?: string;
  name: PersonName;
  father?: PersonName;
  mother?: PersonName;
  addresses: Array<{
    addressLine1: string;
    addressLine2?: string;
    addressLine3?: string;
    landmark?: string;
    postalCode: string;
    city: string;
    state: string;
    country: string;
    addressTags: string[];
  }>;
}

export interface PersonName {
  salutation: string;
  firstName: string;
  middleName?: string;
  lastName?: string;
  fullName: string;
}

/**
 * Port to CERSAI's Central KYC Registry, called while a partner's KYC request waits, with no database transaction
 * open. Both calls only read, so a retry is harmless; the same question gets the same answer. "No record" is an
 * answer (null); a registry that cannot answer throws (AdapterError: the request answers 503 when retryable).
 */
export interface CkycRegistry {
  /** The 14-digit KIN of the person with this PAN and date of birth, or null when the registry has no record. */
  search(query: { pan: string; dateOfBirth: string }): Promise<string | null>;
  /** The record behind a KIN `search` answered, or null when there is none (a malformed KIN included). */
  download(cKycId: string): Promise<CkycRecord | null>;
}
