import {
  Challenge, GoogleApplicationId, Money, MoneyOut, RejectedStateContext, RequestHeader, ResponseHeader, Tenure, TenureOut,
  TimestampOut, TncAcceptance, UserIdentifier,
} from './common';

export interface InitiateRepaymentSetupRequest {
  requestHeader: RequestHeader;
  data: { googleApplicationId: GoogleApplicationId };
}

export interface InitiateRepaymentSetupResponse {
  responseHeader: ResponseHeader;
  data: {
    partnerApplicationReferenceId: string;
    /** Token for building the personalised URL of the bank's mandate page. */
    urlToken: string;
    /** One-time code that accompanies urlToken. */
    authCode: string;
    /** 60 seconds after issue. */
    expirationTime: TimestampOut;
  };
}

export interface ApplicationFee {
  feeType: 'PROCESSING_FEE';
  value: Money;
  tax?: Array<{ taxType: 'GST' | 'SERVICE_TAX'; amount: Money }>;
}

export interface SubmitApplicationRequest {
  requestHeader: RequestHeader;
  data: {
    googleApplicationId: GoogleApplicationId;
    /**
     * @minLength 1
     * @maxLength 100
     */
    offerId: string;
    /** @pattern ^[A-Za-z0-9_-]{1,64}$ */
    productId: string;
    userIdentifier: UserIdentifier;
    /** The answer to a challenge initiated with submitApplicationContext: the user's e-signature. */
    challenge: Challenge;
    /**
     * Must accept MITC and USER_DATA_SHARING_CONSENT, and KFS with `version` = the kfsId of a Key Fact Statement
     * (offer/keyFactStatement) for exactly these terms, still valid.
     * @minItems 1
     */
    tncAcceptanceMetadata: TncAcceptance[];
    user?: {
      type?: 'NEW_TO_BANK' | 'EXISTING_TO_BANK';
      /** @pattern ^[^\s@]+@[^\s@]+\.[^\s@]+$ */
      emailAddress?: string;
    };
    loanApplicationDetails: {
      /** Within the offer's creditLimit, on its variation step. */
      loanAmount: Money;
      /** Within the offer's tenureRange, on its variation step. */
      tenure: Tenure;
      /** Must be within ₹1 of the bank's reducing-balance EMI (monthly rate = annual / 12, rounded to the paisa). */
      calculatedEmiAmount: Money;
      calculatedInterestAmount?: Money;
      calculatedApplicationFees?: ApplicationFee[];
    };
  };
}

/**
 * The loan application's state: CREDIT_APPROVAL_PENDING → IN_PROGRESS (approved; KYC and repayment setup) →
 * SUBMITTED (signed; disbursement running) → DISBURSED (account created). REJECTED ends it at any step.
 */
export type ApplicationState = 'CREDIT_APPROVAL_PENDING' | 'IN_PROGRESS' | 'SUBMITTED' | 'DISBURSED' | 'REJECTED';

export interface SubmitApplicationResponse {
  responseHeader: ResponseHeader;
  data: { applicationState: ApplicationState; partnerApplicationReferenceId: string };
}

export interface GetApplicationStatusRequest {
  requestHeader: RequestHeader;
  data: { googleApplicationId: GoogleApplicationId };
}

/** Kyc.KycState. */
export type KycState = 'NOT_STARTED' | 'IN_PROGRESS' | 'AWAITING_APPROVAL' | 'APPROVED' | 'REJECTED' | 'EXPIRED';

export interface KycStatus {
  state: KycState;
  /** The KYC steps the user is eligible for. */
  eligibleKycTypes: Array<'EKYC' | 'VIDEO_KYC' | 'CKYC' | 'OFFLINE'>;
  /** The step the user completed. */
  completedKycType?: 'EKYC' | 'VIDEO_KYC' | 'CKYC' | 'OFFLINE';
  /** Until when the approval is valid. */
  approvedStateContext?: { expirationTime: TimestampOut };
  /** Why KYC was rejected (Kyc RejectedStateContext.Reason). */
  rejectedStateContext?: { reason: string };
}

export interface GetApplicationStatusResponse {
  responseHeader: ResponseHeader;
  data: {
    applicationState: ApplicationState;
    partnerApplicationReferenceId: string;
    kyc: KycStatus;
    /** NOT_STARTED, PENDING (awaiting the user's authorisation), ACTIVE or FAILED. */
    repaymentSetup: { state: 'NOT_STARTED' | 'PENDING' | 'ACTIVE' | 'FAILED' };
    rejectedStateContext?: RejectedStateContext;
    /** The loan account, once DISBURSED; use with account/get. */
    accountToken?: string;
  };
}

export interface FetchAccountRequest {
  requestHeader: RequestHeader;
  data: {
    /**
     * @minLength 1
     * @maxLength 200
     */
    accountToken: string;
  };
}

export interface ScheduleLine {
  /** YYYY-MM-DD. */
  dueDate: string;
  emiAmount: MoneyOut;
  principal: MoneyOut;
  interest: MoneyOut;
  status: 'DUE' | 'PAID' | 'OVERDUE';
}

export interface FetchAccountResponse {
  responseHeader: ResponseHeader;
  data: {
    accountSpec: { accountToken: string; accountType: 'LOAN_ACCOUNT' | 'CREDIT_CARD_ACCOUNT' };
    /** AccountStateSpec.State: ACTIVE, INACTIVE, CLOSED or DELINQUENT. */
    accountState: { state: 'ACTIVE' | 'INACTIVE' | 'CLOSED' | 'DELINQUENT' };
    loan: {
      sanctionedAmount: MoneyOut;
      /** Sanctioned amount minus the processing fee and its GST. */
      disbursedAmount: MoneyOut;
      /** Annual rate × 10^5 (int64, as a string): 16% is "1600000". */
      interestRateE5: string;
      tenure: TenureOut;
      emiAmount: MoneyOut;
      outstandingPrincipal: MoneyOut;
      /** One line per EMI; principals sum exactly to the sanctioned amount (the last line absorbs rounding). */
      schedule: ScheduleLine[];
    };
  };
}

