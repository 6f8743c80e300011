import { AppError, AppErrorCode } from '../errors';
import type { Application, ApplicationRef } from '../application/application';
import type { ApplicationRepository } from '../application/application.repository';
import type { SubmissionRepository } from '../loan/submission.repository';
import type { MandateLink, MandateService } from '../mandate/mandate.service';
import { buildSchedule, totalInterestMicros } from '../money/emi';
import { addMonthsClamped, istDate } from '../shared/dates';
import type { LoanAcceptanceService } from './loan-acceptance.service';

/** Which repayment plan: the one of an offer at a tenure (a surface names it in its own words, e.g. OCEN's `OFR…-12M-EMI`). */
export interface PlanIdentity {
  offerId: string;
  tenureMonths: number;
}

/**
 * The repayment plan of an application's terms: monthly EMIs over the tenure, from the signed terms once
 * signed, else from the terms chosen in the current offer.
 */
export interface RepaymentPlan extends PlanIdentity {
  /** Whether the terms are signed (fixed in a submission) or only chosen. */
  signed: boolean;
  principalMicros: bigint;
  /** Percent per year × 10^5, fixed. */
  interestRateE5: number;
  interestMicros: bigint;
  /** Principal and interest: what the borrower repays over the plan. */
  totalMicros: bigint;
  instalments: number;
  /** The day the plan counts from (IST, YYYY-MM-DD); the first EMI is due a month later. */
  startDate: string;
  firstDueDate: string;
  /** The last EMI's due date: the end date of the loan. */
  lastDueDate: string;
  /** Days from the start date to the last due date: the loan's length. */
  days: number;
}

/** The application fields a plan is read from. */
type PlanSource = Pick<Application, 'createdAt' | 'currentOfferId' | 'currentSubmissionId'>;

/**
 * The repayment step of a loan, for every surface: the plan of the application's terms (a read, also the loan's
 * end date), and the start of the repayment e-mandate for the partner's plan, refused when the plan named is not
 * the plan of the chosen terms.
 */
export class RepaymentPlans {
  constructor(
    private readonly applications: ApplicationRepository,
    private readonly submissions: SubmissionRepository,
    private readonly acceptance: Pick<LoanAcceptanceService, 'terms'>,
    private readonly mandates: Pick<MandateService, 'initiate'>,
  ) {}

  /**
   * The application's repayment plan counting from `from` (default: the day the application was created; a
   * grant counts from the day of the grant), or null while no terms were chosen. A read.
   */
  async of(application: PlanSource, from: Date = application.createdAt): Promise<RepaymentPlan | null> {
    if (!application.currentOfferId) return null;
    const submission = await this.submissions.byId(application.currentSubmissionId);
    const terms = submission
      ? { amountMicros: submission.loanAmountMicros, interestRateE5: submission.interestRateE5, tenureMonths: submission.tenureMonths }
      : await this.acceptance.terms(application);
    if (!terms) return null;
    const startDate = istDate(from);
    const schedule = buildSchedule({ principalMicros: terms.amountMicros, annualRateE5: BigInt(terms.interestRateE5), tenureMonths: terms.tenureMonths }, addMonthsClamped(startDate, 1));
    const interestMicros = totalInterestMicros(schedule);
    const lastDueDate = schedule[schedule.length - 1]?.dueDate ?? startDate;
    return {
      offerId: application.currentOfferId,
      tenureMonths: terms.tenureMonths,
      signed: submission !== null,
      principalMicros: terms.amountMicros,
      interestRateE5: terms.interestRateE5,
      interestMicros,
      totalMicros: terms.amountMicros + interestMicros,
      instalments: schedule.length,
      startDate,
      firstDueDate: schedule[0]?.dueDate ?? startDate,
      lastDueDate,
      days: Math.round((Date.parse(`${lastDueDate}T00:00:00Z`) - Date.parse(`${startDate}T00:00:00Z`)) / 86_400_000),
    };
  }

  /**
   * Starts the repayment e-mandate for the plan the partner named (MandateService.initiate: a pending mandate gets
   * a fresh link, a failed one is retried, an active one is refused). `plan` is the partner's plan as our identity
   * of it, null when its name is none of ours: it must be the plan of the chosen (or signed) terms, otherwise
   * REPAYMENT_PLAN_UNKNOWN with `details.expected` (the plan's identity, absent while no terms were chosen) and
   * nothing started.
   */
  async start(ref: ApplicationRef, request: { plan: PlanIdentity | null; partnerCollects?: boolean }): Promise<MandateLink> {
    const application = await this.applications.get(ref);
    const ours = await this.of(application);
    if (!ours || !request.plan || request.plan.offerId !== ours.offerId || request.plan.tenureMonths !== ours.tenureMonths) {
      throw new AppError(
        AppErrorCode.REPAYMENT_PLAN_UNKNOWN,
        ours ? `The repayment plan named is not the plan of the chosen terms (${ours.tenureMonths} monthly instalments)` : 'No terms were chosen yet, so there is no repayment plan',
        [],
        ours ? { expected: { offerId: ours.offerId, tenureMonths: ours.tenureMonths } } : {},
      );
    }
    return this.mandates.initiate(ref, { partnerCollects: request.partnerCollects });
  }
}
