import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job';
import type { CollectionService } from './collection.service';

/**
 * A mandate debit whose date has come (staged by the close of business): the worker presents it to the mandate
 * rail and records the answer (DEBITED: applied to the loan as a repayment; BOUNCED: the bounce charge). Calls the
 * rail, so it is not run in a transaction; idempotent by the collection's state and its reference (a redelivery
 * of a presented debit asks the rail's status before anything is sent again).
 */
export const presentCollectionJob = defineJob({
  name: 'servicing.present-collection',
  version: 1,
  schema: z.object({ collectionId: z.string().min(1) }),
  transactional: false,
  handle: (collections: CollectionService, payload) => collections.present(payload.collectionId).then(() => undefined),
});
