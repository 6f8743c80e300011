import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job';
import type { ApprovalService } from './approval.service';

/** Decides an application once the bank has verified (or not) the borrower's income. */
export const incomeVerifiedJob = defineJob({
  name: 'approval.income-verified',
  version: 1,
  schema: z.object({ applicationId: z.string().min(1), outcome: z.enum(['APPROVED', 'REJECTED']) }),
  transactional: true,
  handle: (approvals: ApprovalService, payload) => approvals.incomeVerified(payload.applicationId, payload.outcome),
});
