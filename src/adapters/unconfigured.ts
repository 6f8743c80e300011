import { AppError, AppErrorCode } from '../core/errors';
import { CreditBureau } from '../core/approval/credit-bureau';
import { CkycRegistry } from '../core/kyc/ckyc-registry';
import { DisbursementRail } from '../core/loan/disbursement-rail';
import { SmsSender } from '../core/challenge/sms-sender';
import { RepaymentCollector } from '../core/loan/repayment-collector';
import { AccountAggregator } from '../core/consent/account-aggregator';
import { DocumentVerifier } from '../core/income/document-verifier';
import { AadhaarEkyc } from '../core/kyc/aadhaar-ekyc';
import { MandateRail } from '../core/mandate/mandate-rail';

const missing = (what: string) => new AppError(AppErrorCode.SERVICE_UNAVAILABLE, `No ${what} adapter is configured for this deployment`);

/**
 * The stand-in for a port no module of ADAPTERS_MODULE supplies (README "Adapters"): the calls that need it answer
 * 503 instead of pretending. Only the sandbox gets this far; production refuses to start with a port unsupplied.
 */
export const unconfigured = {
  bureau: { check: async () => { throw missing('credit bureau'); } } satisfies CreditBureau,
  ckyc: { search: async () => { throw missing('CKYC registry'); }, download: async () => { throw missing('CKYC registry'); } } satisfies CkycRegistry,
  rail: { transfer: async () => { throw missing('disbursement rail'); }, status: async () => { throw missing('disbursement rail'); } } satisfies DisbursementRail,
  sms: { send: async () => { throw missing('SMS gateway'); } } satisfies SmsSender,
  collector: { paymentUrl: () => { throw missing('repayment collection'); }, account: () => { throw missing('repayment collection'); } } satisfies RepaymentCollector,
  accountAggregator: {
    requestConsent: async () => { throw missing('account aggregator'); },
    consentStatus: async () => { throw missing('account aggregator'); },
    fetchSummary: async () => { throw missing('account aggregator'); },
  } satisfies AccountAggregator,
  documentVerifier: { verify: async () => { throw missing('document verifier'); } } satisfies DocumentVerifier,
  aadhaar: { requestOtp: async () => { throw missing('Aadhaar e-KYC'); }, verifyOtp: async () => { throw missing('Aadhaar e-KYC'); } } satisfies AadhaarEkyc,
  mandateRail: {
    verifyAccount: async () => { throw missing('mandate rail (e-NACH / UPI Autopay)'); },
    authorise: async () => { throw missing('mandate rail (e-NACH / UPI Autopay)'); },
    status: async () => { throw missing('mandate rail (e-NACH / UPI Autopay)'); },
    debit: async () => { throw missing('mandate rail (e-NACH / UPI Autopay)'); },
    debitStatus: async () => { throw missing('mandate rail (e-NACH / UPI Autopay)'); },
    cancel: async () => { throw missing('mandate rail (e-NACH / UPI Autopay)'); },
  } satisfies MandateRail,
};
