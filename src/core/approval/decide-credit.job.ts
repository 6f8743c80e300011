import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job';
import type { ApprovalService } from './approval.service';

/** Makes the credit decision of a new application. Calls the bureau, so no transaction is open; idempotent by the approval state. */
export const decideCreditJob = defineJob({
  name: 'approval.decide',
  version: 1,
  schema: z.object({ applicationId: z.string().min(1) }),
  transactional: false,
  handle: (approvals: ApprovalService, payload) => approvals.decide(payload.applicationId),
});
