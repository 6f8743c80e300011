import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job';
import type { LoanService } from './loan.service';

/** Pays a submitted application out and opens its loan account. Calls the rail, so no transaction is open; idempotent by the disbursement's state and reference. */
export const disburseLoanJob = defineJob({
  name: 'loan.disburse',
  version: 1,
  schema: z.object({ applicationId: z.string().min(1) }),
  transactional: false,
  handle: (loans: LoanService, payload) => loans.disburse(payload.applicationId),
});
