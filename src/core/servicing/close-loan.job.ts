import { z } from 'zod';
import { defineJob } from '../../lib/jobs/job';
import type { LoanClosing } from './loan-closing';

/**
 * A loan just CLOSED: its repayment mandate is cancelled at the mandate rail and any excess paid is refunded
 * through the payout rail. Calls both rails, so it is not run in a transaction; idempotent (the mandate's
 * cancellation date and the refund's state are checked, and each call names the same reference on every retry).
 */
export const closeLoanJob = defineJob({
  name: 'servicing.close-loan',
  version: 1,
  schema: z.object({ loanId: z.string().min(1) }),
  transactional: false,
  handle: (closing: LoanClosing, payload) => closing.settle(payload.loanId),
});
