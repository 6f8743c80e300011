import type { Submission } from './submission';
import { Database } from '../../lib/db/database';
import { Prisma } from '../../generated/prisma/client';

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
