import { EmptyContext, RequestHeader, ResponseHeader, UserIdentifier } from './common';

/** The journey step the challenge is for. Exactly one member is set (none: 400 MISSING_REQUIRED_FIELD; two or more: 400 INVALID_FIELD_VALUE). */
export interface ChallengeContext {
  userApprovalContext?: EmptyContext;
  submitApplicationContext?: EmptyContext;
  offerActivationContext?: EmptyContext;
  userDetailsContext?: EmptyContext;
  cardDetailsContext?: EmptyContext;
}

export interface InitiateChallengeRequest {
  requestHeader: RequestHeader;
  data: {
    userIdentifier: UserIdentifier;
    /**
     * Mechanisms the caller supports; SMS_OTP must be among them, else 400 INVALID_FIELD_VALUE.
     * @minItems 1
     */
    challengeMechanism: Array<{ type: 'SMS_OTP' | 'EMAIL_OTP' }>;
    challengeContext: ChallengeContext;
  };
}

export interface InitiateChallengeResponse {
  responseHeader: ResponseHeader;
  data: {
    /** Pass back in `challenge.tokenReferenceId` with the code the user entered. */
    tokenReferenceId: string;
    tokenMetadata: {
      smsOtpMetadata: {
        format: {
          /** Number of digits of the code. */
          length: number;
          /** Regex with one capture group that matches the SMS and captures the code. */
          messageRegex: string;
        };
      };
    };
  };
}
