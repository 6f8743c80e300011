import { TestApp } from './test-app';

/**
 * Moves the sandbox's business date straight to `date` (YYYY-MM-DD), forward only, without running the days in
 * between: for tests of one operation on a given day. A test of the days themselves uses POST /sandbox/clock/advance.
 */
export async function setBusinessDate(t: TestApp, date: string): Promise<void> {
  const today = await t.services.businessClock.today();
  const days = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  if (days < 0) throw new Error(`the business date only moves forward: it is ${today}, not before ${date}`);
  await t.services.db.query(`UPDATE business_clock SET offset_days = offset_days + $1 WHERE id = 1`, [days]);
}
