import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job';
import type { OcenLender } from './ocen-lender';

/**
 * Sends one OCEN `...Response` to the loan agent: builds it once (validated against the patched loan.json and
 * stored sealed), then POSTs the stored bytes with our token and detached signature. Calls the outside world, so
 * no transaction is open; retried with back-off by the queue until delivered; idempotent by the stored answer
 * (never two different answers) and the delivered mark. `again`: a duplicate request asked for the stored answer to be
 * delivered once more.
 */
export const ocenCallbackJob = defineJob({
  name: 'ocen.callback',
  version: 1,
  schema: z.object({ callbackId: z.string().min(1), again: z.boolean().optional() }),
  transactional: false,
  handle: (lender: OcenLender, payload) => lender.send(payload.callbackId, payload.again ?? false),
});
