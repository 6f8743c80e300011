import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job';
import type { ConsentService } from './consent.service';

/**
 * Takes a consent one step on at the account aggregator: asks for it (REQUESTED), reads its status (PENDING),
 * fetches the bank-statement summary (READY). Calls the AA, so no transaction is open; idempotent by the consent's state.
 */
export const advanceConsentJob = defineJob({
  name: 'consent.advance',
  version: 1,
  schema: z.object({ consentId: z.string().min(1) }),
  transactional: false,
  handle: async (consents: ConsentService, payload) => {
    await consents.advance(payload.consentId);
  },
});
