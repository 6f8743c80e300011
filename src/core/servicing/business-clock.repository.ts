import { Database } from '../../lib/db/database';

/** The sandbox's business-date offset (table business_clock: one row). */
export class BusinessClockRepository {
  constructor(private readonly db: Database) {}

  async offsetDays(): Promise<number> {
    const rows = await this.db.read<{ offsetDays: number }>(`SELECT offset_days AS "offsetDays" FROM business_clock WHERE id = 1`);
    return rows[0]?.offsetDays ?? 0;
  }

  /** Moves the date one day forward, in the caller's transaction; answers the new offset. */
  async advanceOneDay(): Promise<number> {
    const rows = await this.db.query<{ offsetDays: number }>(
      `INSERT INTO business_clock (id, offset_days) VALUES (1, 1)
       ON CONFLICT (id) DO UPDATE SET offset_days = business_clock.offset_days + 1, updated_at = now()
       RETURNING offset_days AS "offsetDays"`,
    );
    return rows[0].offsetDays;
  }
}
