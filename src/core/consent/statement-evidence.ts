import { INCOME_VERIFICATION_POLICY } from '../approval/underwriting-policy';
import type { IncomeEvidence } from '../approval/underwriting';
import type { BankStatementSummary } from './account-aggregator';

/** What a bank-statement summary says of the borrower's income (INCOME_VERIFICATION_POLICY). */
export function statementEvidence(summary: BankStatementSummary): IncomeEvidence {
  const source = 'account-aggregator bank statement';
  const policy = INCOME_VERIFICATION_POLICY;
  if (summary.monthsCovered < policy.minMonthsCovered) {
    return { source, verified: false, reason: `the statements cover ${summary.monthsCovered} months; at least ${policy.minMonthsCovered} are needed` };
  }
  if (summary.bounceCount > policy.maxBounces) {
    return { source, verified: false, reason: `${summary.bounceCount} bounces in ${summary.monthsCovered} months; at most ${policy.maxBounces} are accepted` };
  }
  return { source, verified: true, monthlyIncomeMicros: summary.averageMonthlyCreditsMicros };
}
