import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job';
import type { MandateService } from './mandate.service';

/**
 * Sandbox: the user finished the e-mandate on the bank's pages; the worker authorises it through the mandate rail
 * (ACTIVE with the rail's UMRN, or FAILED with its reason). Calls the rail, so it is not run in a transaction; it
 * is idempotent by the mandate's state and the rail's reference (a redelivery asks the rail's status first).
 */
export const confirmMandateJob = defineJob({
  name: 'mandate.confirm',
  version: 1,
  schema: z.object({ mandateId: z.string().min(1), outcome: z.enum(['APPROVED', 'REJECTED']) }),
  transactional: false,
  handle: (mandates: MandateService, payload) => mandates.confirm(payload.mandateId, payload.outcome),
});
