import { assertOutsideTransaction } from '../../lib/db/database';
import { randomToken } from '../../lib/crypto';
import { AadhaarEkyc, AadhaarOtpVerification } from '../../core/kyc/aadhaar-ekyc';

/** Sandbox: the Aadhaar OTP that verifies. Any other 6 digits are a wrong OTP (except SANDBOX_AADHAAR_EXPIRED_OTP). */
export const SANDBOX_AADHAAR_OTP = '123456';
/** Sandbox: the Aadhaar OTP that UIDAI answers as expired (request a new one). */
export const SANDBOX_AADHAAR_EXPIRED_OTP = '000000';
/** Sandbox: the name e-KYC returns when the applicant's name cannot be found. */
export const SANDBOX_AADHAAR_NAME = 'SANDBOX AADHAAR HOLDER';

/**
 * A UIDAI stand-in: every well-formed Aadhaar number gets an OTP (none is sent; use SANDBOX_AADHAAR_OTP). The
 * e-KYC name is the applicant's own (`holderName` of the attempt reference, wired by the composition root), so
 * the penny-drop name match of the mandate passes in the sandbox. It keeps nothing: the transaction id carries
 * the attempt reference. Like the real service, it refuses to be called inside a database transaction.
 */
export class SandboxAadhaarEkyc implements AadhaarEkyc {
  constructor(private readonly holderName: (reference: string) => Promise<string | null> = async () => null) {}

  async requestOtp(request: { aadhaarNumber: string; reference: string }): Promise<{ transactionId: string }> {
    assertOutsideTransaction('Aadhaar e-KYC');
    return { transactionId: `SBX.${Buffer.from(request.reference).toString('base64url')}.${randomToken(12)}` };
  }

  async verifyOtp(request: { transactionId: string; otp: string; reference: string }): Promise<AadhaarOtpVerification> {
    assertOutsideTransaction('Aadhaar e-KYC');
    if (request.otp === SANDBOX_AADHAAR_EXPIRED_OTP) return { outcome: 'EXPIRED' };
    if (request.otp !== SANDBOX_AADHAAR_OTP) return { outcome: 'WRONG_OTP' };
    const [, encoded] = request.transactionId.split('.');
    const attempt = encoded ? Buffer.from(encoded, 'base64url').toString('utf8') : '';
    const name = (attempt && (await this.holderName(attempt))) || SANDBOX_AADHAAR_NAME;
    return { outcome: 'VERIFIED', name, ekycReference: `SBX-EKYC-${request.reference}` };
  }
}
