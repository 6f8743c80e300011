import { CalendarDate, ErrorResponse, GoogleApplicationId, RequestHeader, ResponseHeader, TimestampOut, TncAcceptance } from './common';

export interface InitiateKycRequest {
  requestHeader: RequestHeader;
  data: {
    googleApplicationId: GoogleApplicationId;
    /**
     * @minLength 1
     * @maxLength 100
     */
    offerId: string;
  };
}

/** The KYC options the user is eligible for; each member present is an option. */
export interface KycOptions {
  ekyc?: { expirationTime?: TimestampOut };
  videoKyc?: { expirationTime?: TimestampOut };
  ckyc?: { expirationTime?: TimestampOut };
  offlineKyc?: { expirationTime?: TimestampOut };
}

export interface InitiateKycResponse {
  responseHeader: ResponseHeader;
  data: {
    partnerApplicationReferenceId: string;
    /** Token for building the personalised URL of the bank's KYC page. */
    urlToken: string;
    /** Until when urlToken may be used (15 minutes). */
    expirationTime: TimestampOut;
    kycOptions: KycOptions;
  };
}

export interface SearchCkycRecordRequest {
  requestHeader: RequestHeader;
  data: {
    googleApplicationId: GoogleApplicationId;
    /**
     * @pattern ^[A-Z]{5}[0-9]{4}[A-Z]$
     */
    pan: string;
    dateOfBirth: CalendarDate;
    /**
     * Must include `{type: CKYC_DATA_FETCH, acceptance: true}`: the user's consent to fetch the CKYC record.
     * @minItems 1
     */
    tncAcceptanceMetadata: TncAcceptance[];
  };
}

export interface SearchCkycRecordResponse {
  responseHeader: ResponseHeader;
  data: {
    cKycRecordFound: boolean;
    /** The 14-digit CKYC id, to pass to downloadCKycRecord (and to approveUser). */
    cKycId?: string;
  };
}

export interface DownloadCkycRecordRequest {
  requestHeader: RequestHeader;
  data: {
    googleApplicationId: GoogleApplicationId;
    /** @pattern ^[0-9]{14}$ */
    cKycId: string;
  };
}

export interface PersonNameOut {
  salutation: string;
  firstName: string;
  middleName?: string;
  lastName?: string;
  fullName: string;
}

export interface CkycUser {
  gender: 'FEMALE' | 'MALE' | 'OTHERS';
  /** YYYY-MM-DD. */
  dateOfBirth: string;
  email?: string;
  name: PersonNameOut;
  father?: PersonNameOut;
  mother?: PersonNameOut;
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

/** Either `data.user`, or (HTTP 200) `errorResponse.errorResponseResult.ckycDataNotFound` when there is no record. */
export interface DownloadCkycRecordResponse {
  responseHeader: ResponseHeader;
  data?: { user: CkycUser };
  errorResponse?: ErrorResponse;
}

export interface GetAuthTokenRequest {
  requestHeader: RequestHeader;
  data: {
    googleApplicationId: GoogleApplicationId;
    authTokenContext: { type: 'KYC' | 'REPAYMENT_SETUP' | 'INCOME_VERIFICATION' };
    /**
     * Where the bank's page sends the user back when the step is done: an absolute https URL (the sandbox also
     * accepts http) of RFC 3986 characters (non-ASCII percent-encoded), else 400 INVALID_FIELD_VALUE.
     * @maxLength 2000
     * @pattern ^[Hh][Tt][Tt][Pp][Ss]?://(?:[A-Za-z0-9._~!$&'()*+,;=:@\[\]-]|%[0-9A-Fa-f]{2})+(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})*)*(?:\?(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?(?:#(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$
     * @format uri
     * @example "https://pay.example.com/loans/return"
     */
    redirectionUrl?: string;
  };
}

export interface GetAuthTokenResponse {
  responseHeader: ResponseHeader;
  data: {
    /** ES256-signed JWT bound to the application and the step; valid 10 minutes. */
    authToken: string;
    /** Timestamp after which the auth token is not valid. */
    expirationTime: TimestampOut;
    /** The bank's page for this step; open it with the auth token. */
    redirectionUrl: string;
  };
}

