import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job';
import type { KycService } from './kyc.service';

/** Expires an unfinished KYC journey (7 days) or an approval past its validity (30 days); re-arms itself when early. */
export const expireKycJob = defineJob({
  name: 'kyc.expire',
  version: 1,
  schema: z.object({ kycId: z.string().min(1) }),
  transactional: true,
  handle: (kyc: KycService, payload) => kyc.expire(payload.kycId),
});
