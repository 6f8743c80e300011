import { Database } from '../../lib/db/database';
import { Prisma } from '../../generated/prisma/client';

/** The terms the borrower signed. */
export interface Submission {
  id: string;
  applicationId: string;
  loanAmountMicros: bigint;
  tenureMonths: number;
  interestRateE5: number;
  emiMicros: bigint;
  processingFeeMicros: bigint;
  processingFeeGstMicros: bigint;
  netDisbursalMicros: bigint;
  tncAcceptances: Array<{ type: string; version: string | null; acceptance: boolean }>;
}

export class SubmissionRepository {
  constructor(private readonly db: Database) {}

  async create(submission: Submission): Promise<void> {
    await this.db.client.loanSubmission.create({ data: { ...submission, tncAcceptances: submission.tncAcceptances as Prisma.InputJsonArray } });
  }

  async byId(id: string | null): Promise<Submission | null> {
    if (!id) return null;
    const row = await this.db.client.loanSubmission.findUnique({ where: { id } });
    return row ? { ...row, tncAcceptances: row.tncAcceptances as Submission['tncAcceptances'] } : null;
  }
}
