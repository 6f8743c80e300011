import { Database } from '../../lib/db/database';

/** The tables that carry a state machine, and the Prisma delegate of each. */
export type StatefulModel = 'application' | 'kyc' | 'repaymentMandate' | 'loanAccount' | 'disbursement';

export interface StateTransitionRecord {
  aggregate: string;
  entityId: string;
  fromState: string | null;
  toState: string;
  reason: string | null;
  occurredAt: Date;
}

type UpdateManyDelegate = { updateMany(args: unknown): Promise<{ count: number }> };

export class StateTransitionRepository {
  constructor(private readonly db: Database) {}

  /** Sets `column` from `from` to `to` (plus `changes`) only if it is still `from`; true when the row moved. */
  async compareAndSet(model: StatefulModel, column: string, id: string, from: string, to: string, changes: Record<string, unknown>): Promise<boolean> {
    const delegate = (this.db.client as unknown as Record<StatefulModel, UpdateManyDelegate>)[model];
    const { count } = await delegate.updateMany({ where: { id, [column]: from }, data: { ...changes, [column]: to } });
    return count === 1;
  }

  async record(entry: Omit<StateTransitionRecord, 'occurredAt' | 'reason'> & { reason?: string }): Promise<void> {
    await this.db.client.stateTransition.create({ data: entry });
  }

  async history(aggregate: string, entityId: string): Promise<StateTransitionRecord[]> {
    return this.db.client.stateTransition.findMany({
      where: { aggregate, entityId },
      orderBy: { id: 'asc' },
      select: { aggregate: true, entityId: true, fromState: true, toState: true, reason: true, occurredAt: true },
    });
  }
}
