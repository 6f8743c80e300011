import { ApplicationState, KycMethod, KycState, MandateState } from '../../generated/prisma/client';
import { ApplicationRepository } from './application.repository';

export interface ApplicationStatus {
  applicationState: ApplicationState;
  partnerApplicationReferenceId: string;
  kyc: { state: KycState; eligibleMethods: KycMethod[]; completedMethod?: KycMethod; rejectionReason?: string; approvalValidUntil?: Date };
  repaymentSetup: { state: MandateState | 'NOT_STARTED' };
  rejection?: { reason: string; description: string };
  accountToken?: string;
}

export class ApplicationStatusService {
  constructor(private readonly applications: ApplicationRepository) {}

  async get(aggregatorId: string, googleApplicationId: string): Promise<ApplicationStatus> {
    const application = await this.applications.get(aggregatorId, googleApplicationId, { kyc: true, mandate: true, loan: { select: { accountToken: true } } });
    const kyc = application.kyc;
    return {
      applicationState: application.applicationState,
      partnerApplicationReferenceId: application.partnerApplicationReferenceId,
      kyc: kyc
        ? {
            state: kyc.state,
            eligibleMethods: kyc.eligibleMethods,
            completedMethod: kyc.completedMethod ?? undefined,
            rejectionReason: kyc.rejectionReason ?? undefined,
            approvalValidUntil: kyc.approvalValidUntil ?? undefined,
          }
        : { state: 'NOT_STARTED', eligibleMethods: [] },
      repaymentSetup: { state: application.mandate?.state ?? 'NOT_STARTED' },
      rejection:
        application.applicationState === 'REJECTED'
          ? { reason: application.rejectionReason ?? 'OTHERS', description: application.rejectionDescription ?? '' }
          : undefined,
      accountToken: application.applicationState === 'DISBURSED' ? application.loan?.accountToken : undefined,
    };
  }
}
