import { UnitOfWork } from '../../lib/db/database';
import { Outbox } from '../../lib/jobs/outbox';
import { Ledger } from '../ledger/ledger';
import { excessRefundEntry } from '../ledger/entries';
import { normalBalance } from '../ledger/accounts';
import { DisbursementRail } from '../loan/disbursement-rail';
import { LoanClosedListener } from '../loan/servicing.service';
import { MandateRail } from '../mandate/mandate-rail';
import { PayoutAccountService } from '../payout/payout-account.service';
import { BusinessClock } from '../shared/business-clock';
import { closeLoanJob } from './close-loan.job';
import { CollectionRepository } from './collection.repository';
import { LoanClosingRepository, Refund } from './loan-closing.repository';

/**
 * What follows a loan's closure, once the repayment that closed it has committed:
 *
 * - in that transaction (`loanClosed`): its scheduled debits are cancelled and the close-loan job is staged;
 * - in the job (`settle`), outside any transaction, each call with the same reference on every retry: the mandate
 *   is cancelled at the mandate rail (reference `CNL<loan>`), and what the borrower paid beyond everything due
 *   (BORROWER_EXCESS) is refunded through the payout rail to the account the loan was paid out to (reference
 *   `RFD<loan><n>`, one per refund: a payment completing after the closure is refunded by a second one), the
 *   REFUND entry posted with the rail's success. A refund the rail FAILED stays FAILED for operations to pay by hand.
 *
 * The no-dues certificate needs nothing more: it is read from the closed loan's facts.
 */
export class LoanClosing implements LoanClosedListener {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repository: LoanClosingRepository,
    private readonly collections: CollectionRepository,
    private readonly outbox: Outbox,
    private readonly ledger: Ledger,
    private readonly mandateRail: MandateRail,
    private readonly rail: DisbursementRail,
    private readonly payoutAccounts: PayoutAccountService,
    private readonly businessClock: BusinessClock,
  ) {}

  async loanClosed(loanId: string): Promise<void> {
    await this.collections.cancelOpen(loanId);
    await this.outbox.stage(closeLoanJob, { loanId });
  }

  async settle(loanId: string): Promise<void> {
    const facts = await this.repository.facts(loanId);
    if (!facts || facts.state !== 'CLOSED') return;
    if (facts.umrn && !facts.mandateCancelledOn) {
      await this.mandateRail.cancel({ reference: `CNL${loanId}`, umrn: facts.umrn });
      const today = await this.businessClock.today();
      await this.uow.transaction(() => this.repository.markMandateCancelled(loanId, today));
    }
    await this.refundExcess(loanId, facts.applicationId, facts.panLast4);
  }

  refunds(loanId: string): Promise<Refund[]> {
    return this.repository.refundsOf(loanId);
  }

  private async refundExcess(loanId: string, applicationId: string, panLast4: string): Promise<void> {
    const intent = await this.uow.transaction(async () => {
      await this.repository.lockLoan(loanId);
      const existing = await this.repository.refundsOf(loanId);
      const pending = existing.find((r) => r.state === 'REQUESTED');
      if (pending) return pending;
      const excess = normalBalance('BORROWER_EXCESS', await this.ledger.balance('BORROWER_EXCESS', loanId));
      if (excess <= 0n) return null;
      const n = existing.length + 1;
      const refund = { id: `refund:${loanId}:${n}`, loanId, reference: `RFD${loanId.replace(/-/g, '').slice(0, 24)}${n}`, amountMicros: excess, requestedOn: await this.businessClock.today() };
      await this.repository.createRefund(refund);
      return { ...refund, state: 'REQUESTED' as const, utr: null };
    });
    if (!intent) return;
    const earlier = await this.rail.status(intent.reference);
    const beneficiary = await this.payoutAccounts.open(applicationId);
    const answer = earlier ?? (await this.rail.transfer({ reference: intent.reference, amountMicros: intent.amountMicros, beneficiaryPanLast4: panLast4, ...(beneficiary ? { beneficiary } : {}) }));
    await this.uow.transaction(async () => {
      await this.repository.lockLoan(loanId);
      const current = (await this.repository.refundsOf(loanId)).find((r) => r.id === intent.id);
      if (current?.state !== 'REQUESTED') return;
      if (answer.status === 'FAILED') {
        await this.repository.answerRefund(current.id, { state: 'FAILED', reason: answer.reason });
        return;
      }
      await this.repository.answerRefund(current.id, { state: 'SUCCEEDED', utr: answer.utr });
      await this.ledger.post(excessRefundEntry({ idempotencyKey: current.id, loanId, valueDate: await this.businessClock.today(), reference: `${current.reference}:${answer.utr}`, amountMicros: current.amountMicros }));
    });
  }
}
