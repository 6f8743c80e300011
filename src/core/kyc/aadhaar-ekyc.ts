/** UIDAI's answer to an OTP: the e-KYC data on success, or why not. */
export type AadhaarOtpVerification =
  | { outcome: 'VERIFIED'; name: string; dateOfBirth?: string; ekycReference: string }
  | { outcome: 'WRONG_OTP' }
  | { outcome: 'EXPIRED' };

/**
 * Port to Aadhaar e-KYC by OTP (UIDAI through the bank's AUA/KUA). Called with no database transaction open.
 * `reference` is ours (the attempt id, plus the try for a verification), so the same request sent twice is
 * the same request to the provider. The Aadhaar number is handed to `requestOtp` only: never stored or logged.
 */
export interface AadhaarEkyc {
  /** Has UIDAI send an OTP to the phone registered with the Aadhaar number; answers its transaction id. */
  requestOtp(request: { aadhaarNumber: string; reference: string }): Promise<{ transactionId: string }>;
  verifyOtp(request: { transactionId: string; otp: string; reference: string }): Promise<AadhaarOtpVerification>;
}
