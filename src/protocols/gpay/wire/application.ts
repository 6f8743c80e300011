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
  /** 1-based, in due-date order. */
  instalmentNumber: number;
  /** YYYY-MM-DD. */
  dueDate: string;
  emiAmount: MoneyOut;
  principal: MoneyOut;
  interest: MoneyOut;
  /** What has been paid of this instalment (principal and interest). */
  paidAmount: MoneyOut;
  /**
   * PAID: nothing left; PARTIALLY_PAID: something paid, not yet due; DUE: nothing paid, not yet overdue (or due
   * today); OVERDUE: due before today's business date and not fully paid. Instalments a prepayment or a foreclosure
   * dropped from the schedule are not listed.
   */
  status: 'DUE' | 'PARTIALLY_PAID' | 'PAID' | 'OVERDUE';
}

/** One money movement of the loan, as the borrower sees it (the daily interest accrual is not listed). */
export interface AccountTransaction {
  /** YYYY-MM-DD: the value date. */
  date: string;
  /** DISBURSEMENT, REPAYMENT (any payment, mandate debits included), CHARGE (bounce, penal, foreclosure), INTEREST (earned and not yet accrued), REFUND. */
  type: 'DISBURSEMENT' | 'INTEREST' | 'REPAYMENT' | 'CHARGE' | 'REFUND' | 'WRITE_OFF';
  /** DEBIT raises what the borrower owes; CREDIT lowers it. */
  direction: 'DEBIT' | 'CREDIT';
  amount: MoneyOut;
  description: string;
  /** Our reference of the movement (the payment's, the charge's, the payout's UTR). */
  reference: string;
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
      /** Principal not yet repaid (the ledger's LOAN_PRINCIPAL). */
      outstandingPrincipal: MoneyOut;
      /** Interest earned to today's business date and not paid (accrued daily; never interest of days to come). */
      outstandingInterest: MoneyOut;
      /** Bounce, penal and foreclosure charges levied and not paid, GST included. */
      outstandingCharges: MoneyOut;
      /** What is due now: unpaid charges plus every instalment due by today and not paid (0 when up to date). */
      overdueAmount: MoneyOut;
      /** Days past due, from the oldest instalment not paid (0 when up to date). */
      daysPastDue: number;
      /** The next instalment to pay and what to pay with it (arrears and charges included); absent once nothing is left. */
      nextDue?: { instalmentNumber: number; dueDate: string; amount: MoneyOut };
      /** One line per EMI; principals sum exactly to the sanctioned amount (the last line absorbs rounding). */
      schedule: ScheduleLine[];
      /** The latest money movements, newest first (at most 10). */
      latestTransactions: AccountTransaction[];
      /** Once CLOSED: when and how, and the no-dues certificate. */
      closure?: {
        /** YYYY-MM-DD. */
        closedOn: string;
        /** REPAID (every instalment), FORECLOSED (paid off early), COOLING_OFF_EXIT (returned within the cooling-off period). */
        type: 'REPAID' | 'FORECLOSED' | 'COOLING_OFF_EXIT';
        /** The bank's no-dues certificate (HTML; `.pdf` for the PDF). */
        noDuesCertificateUrl?: string;
      };
    };
  };
}

