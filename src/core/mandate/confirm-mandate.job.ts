import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job';
import type { MandateService } from './mandate.service';

/** Registers the e-mandate the user authorised (ACTIVE) or records its refusal (FAILED). */
export const confirmMandateJob = defineJob({
  name: 'mandate.confirm',
  version: 1,
  schema: z.object({ mandateId: z.string().min(1), outcome: z.enum(['APPROVED', 'REJECTED']) }),
  transactional: true,
  handle: (mandates: MandateService, payload) => mandates.confirm(payload.mandateId, payload.outcome),
});
