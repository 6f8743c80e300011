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

/** Port to CERSAI's Central KYC Registry, called with no database transaction open. */
export interface CkycRegistry {
  /** The 14-digit KIN of the person with this PAN, or null when the registry has no record. */
  search(query: { pan: string; dateOfBirth: string }): Promise<string | null>;
  download(cKycId: string): Promise<CkycRecord | null>;
}
