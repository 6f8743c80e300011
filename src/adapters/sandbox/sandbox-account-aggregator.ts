import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { assertOutsideTransaction } from '../../lib/db/database';
import { AaConsentStatus, AccountAggregator, BankStatementSummary, ConsentFetchType } from '../../core/consent/account-aggregator';
import { DocumentVerdict, DocumentVerifier } from '../../core/income/document-verifier';
import { IncomeDocument } from '../../core/income/income-document';

/** What the sandbox AA's statements show when the borrower's approval names no figures: ₹50,000 a month, 6 months, no bounce. */
export const SANDBOX_STATEMENT: Readonly<BankStatementSummary> = { averageMonthlyCreditsMicros: 50_000_000_000n, bounceCount: 0, monthsCovered: 6 };

export type SandboxConsentDecision = 'APPROVED' | 'REJECTED' | 'REVOKED';

interface StoredConsent {
  status: AaConsentStatus;
  fetchType: ConsentFetchType;
  summary?: { averageMonthlyCreditsMicros: string; bounceCount: number; monthsCovered: number };
}

/**
 * The sandbox account aggregator, kept in Redis (under the queue prefix, for a week) so every process sees the
 * same consents. Deterministic: the handle is derived from the FIU's reference (the same request gets the same
 * handle); a consent stays PENDING until the borrower decides at the sandbox endpoint
 * `POST /sandbox/aa/consents/{handle}/decision` (APPROVED → ACTIVE, REJECTED, REVOKED), which may name the
 * statements' figures; without them the statements are SANDBOX_STATEMENT. Nothing personal is kept (not the vua).
 */
export class SandboxAccountAggregator implements AccountAggregator {
  static readonly TTL_SECONDS = 7 * 24 * 3600;

  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly publicBaseUrl: string) {}

  async requestConsent(request: { reference: string; vua: string; fetchType: ConsentFetchType }): Promise<{ handle: string; url: string }> {
    assertOutsideTransaction('The account aggregator');
    const handle = `SBXAA-${createHash('sha256').update(`${this.prefix}:${request.reference}`).digest('hex').slice(0, 24)}`;
    const stored: StoredConsent = { status: 'PENDING', fetchType: request.fetchType };
    await this.redis.set(this.key(handle), JSON.stringify(stored), 'EX', SandboxAccountAggregator.TTL_SECONDS, 'NX');
    return { handle, url: this.urlOf(handle) };
  }

  async consentStatus(handle: string): Promise<AaConsentStatus> {
    assertOutsideTransaction('The account aggregator');
    return (await this.stored(handle)).status;
  }

  async fetchSummary(handle: string): Promise<BankStatementSummary> {
    assertOutsideTransaction('The account aggregator');
    const consent = await this.stored(handle);
    if (consent.status !== 'ACTIVE') throw new Error(`Sandbox AA: consent ${handle} is ${consent.status}, not ACTIVE`);
    return consent.summary
      ? { averageMonthlyCreditsMicros: BigInt(consent.summary.averageMonthlyCreditsMicros), bounceCount: consent.summary.bounceCount, monthsCovered: consent.summary.monthsCovered }
      : { ...SANDBOX_STATEMENT };
  }

  /** The borrower decides at the sandbox AA; answers the consent's new status, or null for a handle it never issued. */
  async decide(handle: string, decision: SandboxConsentDecision, summary?: Partial<BankStatementSummary>): Promise<AaConsentStatus | null> {
    const raw = await this.redis.get(this.key(handle));
    if (!raw) return null;
    const consent = JSON.parse(raw) as StoredConsent;
    consent.status = decision === 'APPROVED' ? 'ACTIVE' : decision;
    if (decision === 'APPROVED') {
      consent.summary = {
        averageMonthlyCreditsMicros: String(summary?.averageMonthlyCreditsMicros ?? SANDBOX_STATEMENT.averageMonthlyCreditsMicros),
        bounceCount: summary?.bounceCount ?? SANDBOX_STATEMENT.bounceCount,
        monthsCovered: summary?.monthsCovered ?? SANDBOX_STATEMENT.monthsCovered,
      };
    }
    await this.redis.set(this.key(handle), JSON.stringify(consent), 'EX', SandboxAccountAggregator.TTL_SECONDS);
    return consent.status;
  }

  /** A consent as the sandbox AA holds it, or null. */
  async read(handle: string): Promise<{ handle: string; status: AaConsentStatus; fetchType: ConsentFetchType; url: string } | null> {
    const raw = await this.redis.get(this.key(handle));
    if (!raw) return null;
    const consent = JSON.parse(raw) as StoredConsent;
    return { handle, status: consent.status, fetchType: consent.fetchType, url: this.urlOf(handle) };
  }

  private async stored(handle: string): Promise<StoredConsent> {
    const raw = await this.redis.get(this.key(handle));
    if (!raw) throw new Error(`Sandbox AA: no consent ${handle}`);
    return JSON.parse(raw) as StoredConsent;
  }

  private urlOf(handle: string): string {
    return `${this.publicBaseUrl.replace(/\/+$/, '')}/sandbox/aa/consents/${handle}`;
  }

  private key(handle: string): string {
    return `${this.prefix}:sandbox:aa:${handle}`;
  }
}

/**
 * The sandbox document desk, deterministic: a salary slip or bank statement that states a monthly income is
 * verified at that income; any other document (or one stating no income) verifies nothing.
 */
export class SandboxDocumentVerifier implements DocumentVerifier {
  async verify(document: Pick<IncomeDocument, 'kind' | 'statedMonthlyIncomeMicros'>): Promise<DocumentVerdict> {
    assertOutsideTransaction('The document verifier');
    if (document.kind === 'OTHER') return { verified: false, reason: 'not a salary slip or bank statement' };
    if (document.statedMonthlyIncomeMicros === null) return { verified: false, reason: 'the document states no monthly income' };
    return { verified: true, monthlyIncomeMicros: document.statedMonthlyIncomeMicros };
  }
}
