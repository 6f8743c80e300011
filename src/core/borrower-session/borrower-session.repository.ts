import { Database } from '../../lib/db/database';
import { BorrowerStep, PageSession } from './borrower-session';

export class BorrowerSessionRepository {
  constructor(private readonly db: Database) {}

  /** Records a token's one use; false when it was used before (the row exists). */
  async recordTokenUse(use: { tokenHash: string; applicationId: string; step: BorrowerStep; expiresAt: Date }): Promise<boolean> {
    const { count } = await this.db.client.borrowerTokenUse.createMany({ data: [use], skipDuplicates: true });
    return count === 1;
  }

  async create(session: PageSession & { idHash: string }): Promise<void> {
    await this.db.client.borrowerPageSession.create({ data: session });
  }

  async byIdHash(idHash: string): Promise<PageSession | null> {
    const row = await this.db.client.borrowerPageSession.findUnique({
      where: { idHash },
      select: { applicationId: true, step: true, returnUrl: true, expiresAt: true },
    });
    return row ? { ...row, step: row.step as BorrowerStep } : null;
  }

  async delete(idHash: string): Promise<void> {
    await this.db.client.borrowerPageSession.deleteMany({ where: { idHash } });
  }

  /** Deletes sessions and token uses past their expiry (a token use is kept until the token would have expired anyway). */
  async pruneBefore(now: Date): Promise<number> {
    const sessions = await this.db.client.borrowerPageSession.deleteMany({ where: { expiresAt: { lt: now } } });
    const uses = await this.db.client.borrowerTokenUse.deleteMany({ where: { expiresAt: { lt: now } } });
    return sessions.count + uses.count;
  }
}
