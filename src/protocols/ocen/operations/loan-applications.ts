import { loanApplicationStatus, readApplicant, rejectionReason } from '../ocen-mappers';
import { Json, OcenCore, OcenNotReady, OcenRefusal, defineOcenOperation } from '../ocen-operation';

interface CreateLoanContext {
  loanApplicationIds: string[];
  /** The borrower and terms echoed in createLoanResponse (the members we know, nothing else). */
  echoes: Record<string, { borrower: Json; terms: Json }>;
}

/**
 * createLoanRequest: 1 to 10 loan applications, each opened on the core (credit decision without an OTP; a
 * loanApplicationId the agent used before is refused). Answered with PROCESSING, or REJECTED with the reason,
 * once the credit decision is in.
 */
export const createLoan = (core: OcenCore) => defineOcenOperation<CreateLoanContext>({
  request: 'loanApplications/createLoanRequest',
  response: 'loanApplications/createLoanResponse',

  async accept({ partnerId, body }) {
    const loanApplications = Array.isArray(body.loanApplications) ? (body.loanApplications as Json[]) : [];
    if (loanApplications.length === 0 || loanApplications.length > 10) throw new OcenRefusal('INVALID_REQUEST', 'Send 1 to 10 loanApplications', 400);
    const context: CreateLoanContext = { loanApplicationIds: [], echoes: {} };
    for (const [index, loanApplication] of loanApplications.entries()) {
      const reading = readApplicant(loanApplication);
      if ('problem' in reading) throw new OcenRefusal('INVALID_REQUEST', `loanApplications[${index}]: ${reading.problem}`, 400);
      await core.approvals.open({
        partnerId,
        externalReference: reading.loanApplicationId,
        productId: core.productId,
        requestedAmountMicros: reading.requestedAmountMicros,
        loanPurpose: 'OTHER',
        applicant: reading.applicant,
        phone: reading.phone,
      });
      const borrower = loanApplication.borrower as Json;
      context.loanApplicationIds.push(reading.loanApplicationId);
      context.echoes[reading.loanApplicationId] = {
        borrower: {
          primaryId: reading.applicant.pan,
          primaryIdType: 'PAN',
          category: borrower.category === 'ORGANIZATION' ? 'ORGANIZATION' : 'INDIVIDUAL',
          ...(reading.applicant.fullName ? { name: reading.applicant.fullName } : {}),
          contactDetails: [{ type: 'PRIMARY', phone: reading.phone.nationalNumber }],
        },
        terms: { requestedAmount: Number(reading.requestedAmountMicros) / 1_000_000, currency: 'INR' },
      };
    }
    return { subjects: context.loanApplicationIds, context };
  },

  async answer({ partnerId }, context) {
    const loanApplications = [];
    for (const id of context.loanApplicationIds) {
      const ref = { partnerId, externalReference: id };
      let application = await core.applications.get(ref);
      if (application.approvalState === 'IN_PROCESS') {
        await core.approvals.decide(application.id);
        application = await core.applications.get(ref);
      }
      if (application.approvalState === 'IN_PROCESS') throw new OcenNotReady(`credit decision of ${id} pending`);
      const rejected = loanApplicationStatus({ application }) === 'REJECTED';
      const echo = context.echoes[id];
      loanApplications.push({
        createdDate: application.createdAt.toISOString(),
        loanApplicationId: id,
        loanApplicationStatus: rejected ? 'REJECTED' : 'PROCESSING',
        borrower: echo?.borrower,
        pledgedDocuments: { totalDocumentCount: 0, hasAdditionalDocuments: false, documents: [] },
        guarantors: [],
        applicants: [],
        terms: echo?.terms,
        ...(rejected ? { description: `${rejectionReason(application.rejectionReason)}: ${application.rejectionDescription ?? application.rejectionReason ?? 'rejected'}` } : {}),
      });
    }
    return { loanApplications };
  },
});
