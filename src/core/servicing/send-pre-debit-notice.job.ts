import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job';
import type { CollectionService } from './collection.service';

/**
 * The pre-debit notice of a scheduled mandate debit (RBI's e-mandate framework: the payer is told the amount and
 * date at least 24 hours before the debit): an SMS through the SMS gateway, `PDN<collection id>` as its
 * idempotency reference. Calls the gateway, so it is not run in a transaction; a collection no longer
 * SCHEDULED gets no notice.
 */
export const sendPreDebitNoticeJob = defineJob({
  name: 'servicing.pre-debit-notice',
  version: 1,
  schema: z.object({ collectionId: z.string().min(1) }),
  transactional: false,
  handle: (collections: CollectionService, payload) => collections.sendNotice(payload.collectionId),
});
