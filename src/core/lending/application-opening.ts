import type { Application, ApplicationRef } from '../application/application';
import type { ApplicationRepository } from '../application/application.repository';
import type { ApprovalRequest, ApprovalService, ApprovalStatus, OpenApplicationRequest } from '../approval/approval.service';

/**
 * Opening a loan application and its credit decision, for every surface: opened in the caller's transaction (a
 * partner reference seen before is DUPLICATE_APPLICATION), decided by the worker (`approval.decide`), or by
 * {@link decided} when an answer waits for it.
 */
export class ApplicationOpening {
  constructor(
    private readonly approvals: Pick<ApprovalService, 'approve' | 'open' | 'decide'>,
    private readonly applications: Pick<ApplicationRepository, 'get'>,
  ) {}

  /**
   * Opens the application with the borrower's OTP (the challenge the partner initiated, e.g. Google Pay's
   * approveUser) and stages its credit decision.
   */
  approve(request: ApprovalRequest): Promise<ApprovalStatus> {
    return this.approvals.approve(request);
  }

  /** Opens the application without an OTP (the partner authenticated the borrower, e.g. OCEN's createLoanRequest) and stages its credit decision. */
  open(request: OpenApplicationRequest): Promise<ApprovalStatus> {
    return this.approvals.open(request);
  }

  /**
   * The application with its credit decision in: made now if still pending (calls the bureau, so no transaction
   * may be open); null while it cannot be made yet.
   */
  async decided(ref: ApplicationRef): Promise<Application | null> {
    let application = await this.applications.get(ref);
    if (application.approvalState === 'IN_PROCESS') {
      await this.approvals.decide(application.id);
      application = await this.applications.get(ref);
    }
    return application.approvalState === 'IN_PROCESS' ? null : application;
  }
}
