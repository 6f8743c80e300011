import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client';
import { notFound } from '../errors';
import { Database } from '../../lib/db/database';
import { randomToken } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { TransitionWriter } from '../state/transition-writer';
import { addMonthsClamped, istDate } from '../shared/dates';
import { ApplicationRepository } from '../application/application.repository';
import { applicationState } from '../application/application-state';
import { buildSchedule } from '../money/emi';
import { DisbursementRail } from './disbursement-rail';
import { loanState } from './loan-state';

export type LoanWithSchedule = Prisma.LoanAccountGetPayload<{ include: { instalments: true } }>;

export class LoanService {
  constructor(
    private readonly db: Database,
    private readonly applications: ApplicationRepository,
    private readonly transitions: TransitionWriter,
    private readonly rail: DisbursementRail,
    private readonly clock: Clock,
  ) {}

  /**
   * Worker step: pays the loan out and opens the account. The rail is called with the same reference on
   * every retry; the account, its schedule and the application's move to DISBURSED commit together.
   */
  async disburse(applicationId: string): Promise<void> {
    await this.applications.lock(applicationId);
    const application = await this.applications.byId(applicationId, { submission: true });
    if (!application || application.applicationState !== 'SUBMITTED' || !application.submission) return;
    const submission = application.submission;
    const reference = `DSB${application.partnerApplicationReferenceId}`;
    const result = await this.rail.transfer({
      reference,
      amountMicros: submission.netDisbursalMicros,
      beneficiaryPanLast4: application.panLast4,
    });
    if (result.status === 'FAILED') {
      await this.transitions.move(applicationState, application.id, 'SUBMITTED', 'REJECTED', {
        rejectionReason: 'OTHERS',
        rejectionDescription: `Disbursement failed: ${result.reason}`,
      }, 'disbursement failed');
      return;
    }
    const now = this.clock.now();
    const schedule = buildSchedule(
      { principalMicros: submission.loanAmountMicros, annualRateE5: BigInt(submission.interestRateE5), tenureMonths: submission.tenureMonths },
      addMonthsClamped(istDate(now), 1),
    );
    const loanId = randomUUID();
    await this.db.client.loanAccount.create({
      data: {
        id: loanId,
        accountToken: `acct_${randomToken(24)}`,
        applicationId: application.id,
        state: 'ACTIVE',
        sanctionedMicros: submission.loanAmountMicros,
        disbursedMicros: submission.netDisbursalMicros,
        interestRateE5: submission.interestRateE5,
        tenureMonths: submission.tenureMonths,
        emiMicros: submission.emiMicros,
        outstandingPrincipalMicros: submission.loanAmountMicros,
        disbursementReference: `${reference}:${result.utr}`,
        disbursedAt: now,
      },
    });
    await this.db.client.loanInstalment.createMany({
      data: schedule.map((line) => ({
        loanId,
        sequence: line.sequence,
        dueDate: new Date(`${line.dueDate}T00:00:00Z`),
        emiMicros: line.emiMicros,
        principalMicros: line.principalMicros,
        interestMicros: line.interestMicros,
        status: 'DUE' as const,
      })),
    });
    await this.transitions.recordInitial(loanState, loanId, 'ACTIVE', `disbursed UTR ${result.utr}`);
    await this.transitions.move(applicationState, application.id, 'SUBMITTED', 'DISBURSED', {}, 'disbursed');
  }

  async account(aggregatorId: string, accountToken: string): Promise<LoanWithSchedule> {
    const loan = await this.db.client.loanAccount.findFirst({
      where: { accountToken, application: { aggregatorId } },
      include: { instalments: { orderBy: { sequence: 'asc' } } },
    });
    if (!loan) throw notFound('accountToken');
    return loan;
  }
}
