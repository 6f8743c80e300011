import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job';
import type { KycService } from './kyc.service';

/** The bank's review of a completed KYC step: APPROVED (valid 30 days) or REJECTED (the application ends). */
export const reviewKycJob = defineJob({
  name: 'kyc.review',
  version: 1,
  schema: z.object({ kycId: z.string().min(1), outcome: z.enum(['APPROVED', 'REJECTED']) }),
  transactional: true,
  handle: (kyc: KycService, payload) => kyc.review(payload.kycId, payload.outcome),
});
