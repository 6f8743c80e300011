import { KycService } from '../kyc/kyc.service';
import { NoDuesCertificate, NoDuesCertificateSource, noDuesCertificateOf } from '../loan/no-dues-certificate';
import { LoanServicingService } from '../loan/servicing.service';
import { sumMicros } from '../money/money';
import { LoanClosingRepository } from './loan-closing.repository';

/**
 * The no-dues certificate of a CLOSED loan, read from its facts every time (nothing is stored, so it cannot
 * drift from the ledger): the amounts paid from the ledger, the closure from the loan, the refund from its
 * refunds, the mandate and its cancellation date, the borrower's name as KYC established it. Issued at the
 * instant the loan closed, so every fetch gives the same certificate.
 */
export class NoDuesCertificates implements NoDuesCertificateSource {
  constructor(
    private readonly servicing: LoanServicingService,
    private readonly closing: LoanClosingRepository,
    private readonly kyc: KycService,
    private readonly lenderName: string,
  ) {}

  async certificate(loanId: string): Promise<NoDuesCertificate | null> {
    const loan = await this.servicing.loanById(loanId).catch(() => null);
    if (!loan || loan.state !== 'CLOSED' || !loan.closedOn || !loan.closure) return null;
    const [closedAt, umrn, refunds, borrowerName] = await Promise.all([
      this.closing.closedAt(loanId),
      this.closing.umrnOf(loanId),
      this.closing.refundsOf(loanId),
      this.kyc.verifiedName(loan.applicationId).catch(() => null),
    ]);
    return noDuesCertificateOf(loan, {
      lenderName: this.lenderName,
      borrowerName,
      closedOn: loan.closedOn,
      closure: loan.closure,
      refundedMicros: sumMicros(refunds.filter((r) => r.state === 'SUCCEEDED').map((r) => r.amountMicros)),
      mandate: umrn ? { umrn, cancelledOn: loan.mandateCancelledOn } : null,
      issuedAt: closedAt ?? new Date(`${loan.closedOn}T00:00:00+05:30`),
    });
  }
}
