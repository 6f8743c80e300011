import type { ServicingClock } from '../../core/servicing/servicing-clock';
import type { ApprovalService } from '../../core/approval/approval.service';
import type { AaConsentStatus, BankStatementSummary, ConsentFetchType } from '../../core/consent/account-aggregator';
import type { ConsentService } from '../../core/consent/consent.service';
import type { KycService } from '../../core/kyc/kyc.service';
import type { LoanServicingService } from '../../core/loan/servicing.service';
import type { MandateService } from '../../core/mandate/mandate.service';

/** The sandbox's built-in fakes as its routes read and drive them (the composition root injects the adapters). */
export interface SandboxFakes {
  /** The phone: the SMS sent to a number. */
  sms: { read(to: string): Promise<Array<{ to: string; text: string; sentAt: number }>> };
  /** The disbursement rail: how many transfers it was sent for a reference. */
  rail: { calls(reference: string): Promise<number> };
  /** The account aggregator: a consent as it holds it, and the borrower's decision on it. */
  aa: {
    read(handle: string): Promise<{ handle: string; status: AaConsentStatus; fetchType: ConsentFetchType; url: string } | null>;
    decide(handle: string, decision: 'APPROVED' | 'REJECTED' | 'REVOKED', summary?: Partial<BankStatementSummary>): Promise<AaConsentStatus | null>;
  };
}

/** What the sandbox's routes use (the composition root supplies it; `sandbox` only in APP_ENV=sandbox with the built-in fakes). */
export interface SandboxServices {
  kyc: KycService;
  approvals: ApprovalService;
  mandates: MandateService;
  consents: ConsentService;
  servicing: LoanServicingService;
  /** Moves the sandbox's business date, closing each day on the way. */
  servicingClock: ServicingClock;
  sandbox?: SandboxFakes;
}
