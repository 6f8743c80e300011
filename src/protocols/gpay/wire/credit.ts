import {
  CalendarDate, Challenge, EmptyContext, GoogleApplicationId, Money, MoneyOut, RejectedStateContext, RequestHeader, ResponseHeader,
  Tenure, TenureOut, TimestampOut, UserIdentifier,
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
     * plus GST at its percentageValueE5 on the fee; each rounded half-up to the paisa. The product version's fee
     * maximum also applies (this surface has no field for it; the KFS states the fee exactly).
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


/**
 * GetKeyFactStatement (this server's addition: the Google Pay loan-issuance spec carries no KFS): the Key Fact
 * Statement of an amount and tenure within the application's current offer, to show the borrower before
 * SubmitApplication. Submit then names its `kfsId` as the `version` of an accepted `KFS` entry of
 * tncAcceptanceMetadata.
 */
export interface KeyFactStatementRequest {
  requestHeader: RequestHeader;
  data: {
    googleApplicationId: GoogleApplicationId;
    /**
     * The application's current offer.
     * @minLength 1
     * @maxLength 100
     */
    offerId: string;
    loanApplicationDetails: {
      /** Within the offer's creditLimit, on its variation step. */
      loanAmount: Money;
      /** Within the offer's tenureRange, on its variation step. */
      tenure: Tenure;
    };
  };
}

export interface KfsInstalmentOut {
  /** 1-based. */
  instalmentNumber: number;
  /** YYYY-MM-DD, if the loan is disbursed the day the KFS was issued. */
  dueDate: string;
  instalmentAmount: MoneyOut;
  principal: MoneyOut;
  interest: MoneyOut;
  /** Principal outstanding after this instalment. */
  outstandingPrincipal: MoneyOut;
}

export interface KeyFactStatementResponse {
  responseHeader: ResponseHeader;
  data: {
    /** Send as the `version` of the accepted `KFS` entry of SubmitApplication's tncAcceptanceMetadata. */
    kfsId: string;
    /** The statement as a page for the borrower (PUBLIC_BASE_URL + /borrower/kfs/{kfsId}). */
    url: string;
    issuedAt: TimestampOut;
    /** Submit must name it before this instant: the end (IST) of the 3rd working day after issue. */
    validUntil: TimestampOut;
    lenderName: string;
    sanctionedAmount: MoneyOut;
    /** Sanctioned amount minus every fee and its tax. */
    netDisbursedAmount: MoneyOut;
    /** Annual rate × 10^5 (int64, as a string), fixed, reducing balance. */
    interestRateE5: string;
    tenure: TenureOut;
    emiAmount: MoneyOut;
    instalmentCount: number;
    totalInterestAmount: MoneyOut;
    applicationFees: Array<{ feeType: 'PROCESSING_FEE'; value: MoneyOut; tax: Array<{ taxType: 'GST'; amount: MoneyOut }> }>;
    /** Sanctioned amount plus total interest: the sum of the instalments. */
    totalAmountPayable: MoneyOut;
    /** Annual Percentage Rate: the IRR of the instalments on the net disbursed amount × 12, percent, HALF_UP to 2 decimals ("21.60"). */
    annualPercentageRate: string;
    /** The same APR × 10^5 (int64, as a string), HALF_UP. */
    annualPercentageRateE5: string;
    /** Zero when the product has none. */
    contingentCharges: { penalCharge: MoneyOut; bounceCharge: MoneyOut; foreclosureChargePercentageValueE5: string };
    coolingOffPeriodDays: number;
    grievanceRedressalOfficer: { name: string; phone: string; email: string };
    schedule: KfsInstalmentOut[];
  };
}
