import {
  CalendarDate, Challenge, EmptyContext, GoogleApplicationId, Money, MoneyOut, RejectedStateContext, RequestHeader, ResponseHeader,
  TimestampOut, UserIdentifier,
} from './common';

export interface GeoLocation {
  latitude: number;
  longitude: number;
}

export interface Address {
  /** @maxLength 200 */
  companyName?: string;
  /**
   * @minLength 1
   * @maxLength 200
   */
  addressLine1: string;
  /** @maxLength 200 */
  addressLine2?: string;
  /** @maxLength 200 */
  addressLine3?: string;
  /** @maxLength 200 */
  landmark?: string;
  /**
   * Indian PIN code.
   * @pattern ^[0-9]{6}$
   */
  postalCode: string;
  /**
   * @minLength 1
   * @maxLength 100
   */
  city: string;
  /**
   * @minLength 1
   * @maxLength 100
   */
  state: string;
  /**
   * @minLength 1
   * @maxLength 100
   */
  country: string;
  /** @minItems 1 */
  addressTags: Array<'RESIDENTIAL_ADDRESS' | 'COMMUNICATION_ADDRESS' | 'OFFICE_ADDRESS' | 'PERMANENT_ADDRESS'>;
  geoLocation?: GeoLocation;
}

/** Exactly one member is set (none: 400 MISSING_REQUIRED_FIELD; two: 400 INVALID_FIELD_VALUE). */
export interface EmploymentType {
  salaried?: EmptyContext;
  selfEmployed?: EmptyContext;
}

/**
 * Why the user wants the loan: HOME_RENOVATION, MEDICAL, EDUCATION, TRAVEL, WEDDING, DEBT_CONSOLIDATION,
 * CONSUMER_DURABLES, BUSINESS or OTHER.
 */
export type LoanPurpose =
  | 'HOME_RENOVATION'
  | 'MEDICAL'
  | 'EDUCATION'
  | 'TRAVEL'
  | 'WEDDING'
  | 'DEBT_CONSOLIDATION'
  | 'CONSUMER_DURABLES'
  | 'BUSINESS'
  | 'OTHER';

export interface ApplicantUser {
  /**
   * @minLength 1
   * @maxLength 200
   */
  fullName: string;
  /**
   * @pattern ^[^\s@]+@[^\s@]+\.[^\s@]+$
   * @maxLength 254
   */
  emailAddress: string;
  type?: 'NEW_TO_BANK' | 'EXISTING_TO_BANK';
  deviceLocation?: { latitude: number; longitude: number; accuracy?: number };
  /**
   * Residential (mandatory), office (mandatory) and, when renting, permanent address. One of them must carry the
   * tag RESIDENTIAL_ADDRESS, else 400 INVALID_FIELD_VALUE.
   * @minItems 1
   * @maxItems 5
   */
  addresses: Address[];
  /**
   * Permanent Account Number: five letters, four digits, one letter.
   * @pattern ^[A-Z]{5}[0-9]{4}[A-Z]$
   * @example "ABCDE1234F"
   */
  pan: string;
  dateOfBirth: CalendarDate;
  employmentInfo: {
    /**
     * @minLength 1
     * @maxLength 200
     */
    employerName: string;
    employerAddress: Address;
    workExperience: {
      /**
       * Years, as a decimal string.
       * @pattern ^[0-9]{1,2}(\.[0-9]{1,2})?$
       */
      totalWorkExperienceYears: string;
    };
    income: { periodType: 'MONTH' | 'YEAR'; value: Money };
    employmentType: EmploymentType;
  };
  residenceInfo: {
    /**
     * Years at the current residence, as a decimal string.
     * @pattern ^[0-9]{1,2}(\.[0-9]{1,2})?$
     */
    timeAtCurrentResidence: string;
    residenceOwnership: 'RENTED' | 'OWNED';
  };
  father: {
    /**
     * @minLength 1
     * @maxLength 100
     */
    firstName: string;
    /** @maxLength 100 */
    lastName?: string;
    salutation?: 'MR' | 'DR';
  };
}

export interface ApproveUserRequest {
  requestHeader: RequestHeader;
  data: {
    googleApplicationId: GoogleApplicationId;
    /**
     * The 14-digit CKYC id, when searchCKycRecord found one.
     * @pattern ^[0-9]{14}$
     */
    cKycId?: string;
    /**
     * The product applied for; PERSONAL_LOAN exists by default.
     * @pattern ^[A-Za-z0-9_-]{1,64}$
     */
    productId: string;
    /** The answer to a challenge initiated with userApprovalContext. */
    challenge: Challenge;
    userIdentifier: UserIdentifier;
    loanDetails: { amount: Money; loanPurpose: LoanPurpose };
    user: ApplicantUser;
    extension?: { enabledFlags?: string[] };
  };
}

/** CreditApprovalApplicationStateInfo.State. IN_PROCESS → APPROVED | REJECTED | INCOME_VERIFICATION; INCOME_VERIFICATION → APPROVED | REJECTED. */
export type ApprovalState = 'IN_PROCESS' | 'APPROVED' | 'REJECTED' | 'INCOME_VERIFICATION';

export interface ApprovalStatusData {
  applicationState: ApprovalState;
  partnerApplicationReferenceId: string;
  /** Set when APPROVED. */
  approvedStateContext?: { offerId: string };
  /** Set when REJECTED. */
  rejectedStateContext?: RejectedStateContext;
  /** Set when IN_PROCESS. */
  inProcessStateContext?: EmptyContext;
  /** Set when INCOME_VERIFICATION. */
  incomeVerificationContext?: EmptyContext;
}

export interface ApprovalStatusResponse {
  responseHeader: ResponseHeader;
  data: ApprovalStatusData;
}

export interface GetApprovalStatusRequest {
  requestHeader: RequestHeader;
  data: { googleApplicationId: GoogleApplicationId };
}

export interface FetchOfferRequest {
  requestHeader: RequestHeader;
  data: {
    /**
     * @minLength 1
     * @maxLength 100
     */
    offerId: string;
    /** Ignored when offerId identifies the offer (it always does here). */
    userIdentifier?: UserIdentifier;
  };
}

export interface TenurePoint {
  periodType: 'MONTH';
  length: number;
}

export interface Offer {
  productId: string;
  offerId: string;
  /** Amounts the user may choose: minimumAmount + k × variationStep, up to maximumAmount. */
  creditLimit: { variationStep: MoneyOut; maximumAmount: MoneyOut; minimumAmount: MoneyOut };
  /** The offer is valid from startTime until endTime. */
  startTime: TimestampOut;
  endTime: TimestampOut;
  termCreditOfferDetails: {
    tenureStructure: Array<{
      maximumAmount: MoneyOut;
      minimumAmount: MoneyOut;
      tenureRange: { minimum: TenurePoint; maximum: TenurePoint; variationStep: TenurePoint };
    }>;
    /** Fixed annual rate; the EMI is reducing-balance with monthly rate = annual / 12. */
    interestStructure: { fixed: { interestCharge: { percentageValueE5: string } } };
    /**
     * Fees deducted from the disbursal. PROCESSING_FEE = max(percentageValueE5 × amount, minimumAmount),
     * plus GST at its percentageValueE5 on the fee; each rounded half-up to the paisa.
     */
    applicationFees: Array<{
      feeType: 'PROCESSING_FEE';
      percentageValueE5: string;
      minimumAmount: MoneyOut;
      tax: Array<{ taxType: 'GST'; percentageValueE5: string }>;
    }>;
  };
}

export interface FetchOfferResponse {
  responseHeader: ResponseHeader;
  data: { offer: Offer };
}


