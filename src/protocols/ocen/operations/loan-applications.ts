import { loanApplicationStatus, ocenRupees, readApplicant, rejectionReason } from '../ocen-mappers';
import { OcenCore, OcenNotReady, OcenRefusal, applicationOf, defineOcenOperation, loanApplicationIdOf, untrustedItems } from '../ocen-operation';
import { documentsOf, readIncomeDocument } from '../ocen-documents';
import { Borrower, LoanApplication, LoanTerms, untrusted } from '../ocen-wire';
import { ocenOpening } from '../../shared/ocen-family';

interface CreateLoanContext {
  loanApplicationIds: string[];
  /** The borrower and terms echoed in createLoanResponse (the members we know, nothing else). */
  echoes: Record<string, { borrower: Borrower; terms: LoanTerms }>;
}

/**
 * createLoanRequest: 1 to 10 loan applications, each opened on the core (credit decision without an OTP; a
 * loanApplicationId the agent used before is refused). Answered with PROCESSING, or REJECTED with the reason,
 * once the credit decision is in.
 */
export const createLoan = (core: OcenCore) => defineOcenOperation({
  request: 'loanApplications/createLoanRequest',
  response: 'loanApplications/createLoanResponse',

  async accept({ partnerId, body }) {
    const loanApplications = untrustedItems<LoanApplication>(body.loanApplications);
    if (loanApplications.length === 0 || loanApplications.length > 10) throw new OcenRefusal('INVALID_REQUEST', 'Send 1 to 10 loanApplications', 400);
    const context: CreateLoanContext = { loanApplicationIds: [], echoes: {} };
    for (const [index, loanApplication] of loanApplications.entries()) {
      const reading = readApplicant(loanApplication);
      if ('problem' in reading) throw new OcenRefusal('INVALID_REQUEST', `loanApplications[${index}]: ${reading.problem}`, 400);
      await core.opening.open(ocenOpening(partnerId, core.productId, reading));
      const borrower = untrusted<Borrower>(loanApplication.borrower);
      context.loanApplicationIds.push(reading.loanApplicationId);
      context.echoes[reading.loanApplicationId] = {
        borrower: {
          primaryId: reading.applicant.pan,
          primaryIdType: 'PAN',
          category: borrower.category === 'ORGANIZATION' ? 'ORGANIZATION' : 'INDIVIDUAL',
          ...(reading.applicant.fullName ? { name: reading.applicant.fullName } : {}),
          contactDetails: [{ type: 'PRIMARY', phone: reading.phone.nationalNumber }],
        },
        terms: { requestedAmount: ocenRupees(reading.requestedAmountMicros), currency: 'INR' },
      };
    }
    return { subjects: context.loanApplicationIds, context };
  },

  async answer({ partnerId }, context) {
    const loanApplications: LoanApplication[] = [];
    for (const id of context.loanApplicationIds) {
      const application = await core.opening.decided({ partnerId, externalReference: id });
      if (!application) throw new OcenNotReady(`credit decision of ${id} pending`);
      const rejected = loanApplicationStatus({ application }) === 'REJECTED';
      const echo = context.echoes[id];
      if (!echo) throw new Error(`createLoanRequest context without the echo of ${id}`);
      loanApplications.push({
        createdDate: application.createdAt.toISOString(),
        loanApplicationId: id,
        loanApplicationStatus: rejected ? 'REJECTED' : 'PROCESSING',
        borrower: echo.borrower,
        pledgedDocuments: { totalDocumentCount: 0, hasAdditionalDocuments: false, documents: [] },
        guarantors: [],
        applicants: [],
        terms: echo.terms,
        ...(rejected ? { description: `${rejectionReason(application.rejectionReason)}: ${application.rejectionDescription ?? application.rejectionReason ?? 'rejected'}` } : {}),
      });
    }
    return { loanApplications };
  },
});

/**
 * getAdditionalPledgedDocumentsResponse (the agent pushes the application's pledged documents; only acked): each
 * document's metadata is recorded (never its bytes) and verified by the worker, like sendAdditionalDocuments; a
 * verified income decides an application in income verification.
 */
export const additionalPledgedDocuments = (core: OcenCore) => defineOcenOperation({
  request: 'loanApplications/getAdditionalPledgedDocumentsResponse',
  response: null,

  async accept({ partnerId, body }) {
    const id = loanApplicationIdOf(body);
    await applicationOf(core, partnerId, id);
    const documents = documentsOf(body.pledgedDocuments) ?? [];
    if (documents.length > 20) throw new OcenRefusal('INVALID_REQUEST', 'Send at most 20 documents at a time', 400);
    const read = documents.map((d) => readIncomeDocument(d, 'PLEDGED_DOCUMENTS'));
    const problem = read.find((r) => 'problem' in r);
    if (problem && 'problem' in problem) throw new OcenRefusal('INVALID_REQUEST', `pledgedDocuments: ${problem.problem}`, 400);
    await core.incomeDocuments.receive({ partnerId, externalReference: id }, read.map((r) => ('document' in r ? r.document : undefined)!));
    return { subjects: [id], context: null };
  },

  async answer() {
    return {};
  },
});
