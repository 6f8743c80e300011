import type { ApplicationRepository } from '../application/application.repository';
import type { LoanServicingService } from '../loan/servicing.service';
import type { Collection } from '../servicing/collection.repository';
import type { CollectionListener } from '../servicing/collection.service';
import type { PartnerAnswers } from './partner-answers';

/**
 * Tells a loan's partner of the lender's own mandate collections, where the partner's protocol has a message for
 * it (OCEN 4.0 and v3: `repayment/confirmRepaymentRequest`, "the status of a repayment handled directly by the
 * lender … auto E-Mandate repayment"; Google Pay has none): the pre-debit notice (the payment PENDING_AUTH on its
 * debit date) and the rail's answer (SUCCESS with its allocation, or FAILURE with the bounce). Recorded in the
 * transaction of the milestone, delivered by the partner's channel like any answer owed. Collections only exist for
 * loans whose mandate the lender debits itself (`partner_collects` false).
 */
export class CollectionNotices implements CollectionListener {
  constructor(
    private readonly answers: Pick<PartnerAnswers, 'oweCollectionNotice'>,
    private readonly applications: Pick<ApplicationRepository, 'byId'>,
    private readonly servicing: Pick<LoanServicingService, 'applicationIdOf'>,
  ) {}

  noticeSent(collection: Collection): Promise<void> {
    return this.tell(collection, 'PRE_DEBIT_NOTICE');
  }

  debitAnswered(collection: Collection, outcome: 'DEBITED' | 'BOUNCED'): Promise<void> {
    return this.tell(collection, outcome);
  }

  private async tell(collection: Collection, event: 'PRE_DEBIT_NOTICE' | 'DEBITED' | 'BOUNCED'): Promise<void> {
    const application = await this.applications.byId(await this.servicing.applicationIdOf(collection.loanId));
    if (!application) return;
    await this.answers.oweCollectionNotice(application.partnerId, { event, collectionId: collection.id, loanId: collection.loanId, loanApplicationId: application.externalReference });
  }
}
