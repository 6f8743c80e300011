/**
 * The example requests of /ocen/docs (ocen-examples.ts): one per request of the lender's OCEN surface, each valid
 * against the patched loan.json, all one sandbox journey that the createLoan reader accepts.
 */
import { OCEN_EXAMPLES, SANDBOX_JOURNEY } from '../../src/protocols/ocen/ocen-examples';
import { normaliseInbound } from '../../src/protocols/ocen/ocen-envelope';
import { readApplicant } from '../../src/protocols/ocen/ocen-mappers';
import { OcenOperation, validateIncoming, validateOutgoing } from '../../src/protocols/ocen/ocen-schemas';

/** The requests a loan agent sends the lender (issue 7): 27 paths. */
const LENDER_REQUESTS = [
  'loanApplications/createLoanRequest', 'loanApplications/getAdditionalPledgedDocumentsResponse', 'consent/consentHandleRequest',
  'consent/journeyNotify', 'consent/statusRequest', 'offers/generateOffersRequest', 'offers/sendAdditionalDocumentsRequest',
  'offers/setOffersRequest', 'kyc/getKYCMethodsRequest', 'kyc/triggerKycRequest', 'kyc/kycStatusRequest',
  'loanAcceptance/loanAgreementRequest', 'loanAcceptance/triggerLoanAcceptanceRequest', 'loanAcceptance/verifyLoanAcceptanceRequest',
  'grantLoan/grantLoanRequest', 'disbursement/setRepaymentPlanRequest', 'disbursement/setRepaymentPlanStatusRequest',
  'disbursement/setDisbursementAccountRequest', 'disbursement/triggerDisbursementRequest', 'disbursement/triggerDisbursementStatusRequest',
  'repayment/triggerRepaymentRequest', 'repayment/triggerRepaymentStatusRequest', 'repayment/repaymentConditionChangeRequest',
  'loanDetails/getloanRequest', 'loanDetails/listloansRequest', 'loanDetails/loanStatementRequest', 'loanDetails/loanStatementSummaryRequest',
] as OcenOperation[];

const examples = Object.entries(OCEN_EXAMPLES) as Array<[OcenOperation, { body: Record<string, any> }]>;

describe('the OCEN example requests', () => {
  it('give exactly one example for each of the 27 requests of the lender surface', () => {
    expect(LENDER_REQUESTS).toHaveLength(27);
    expect(Object.keys(OCEN_EXAMPLES).sort()).toEqual([...LENDER_REQUESTS].sort());
  });

  it.each(examples)('%s: valid against the patched loan.json as the router reads it (normalised, lenient)', (operation, { body }) => {
    const normalised = normaliseInbound(operation, JSON.parse(JSON.stringify(body)));
    expect(validateIncoming(operation, normalised.body)).toEqual({ valid: true });
    expect(normalised.requestId).toBe(body.metadata.requestId);
  });

  it.each(examples)('%s: valid exactly too (formats, no member the schema does not define)', (operation, { body }) => {
    expect(validateOutgoing(operation, body)).toEqual({ valid: true });
  });

  it('would be caught: a misspelt member or a wrong type fails the checks above', () => {
    const body = JSON.parse(JSON.stringify(OCEN_EXAMPLES['disbursement/setRepaymentPlanRequest']!.body));
    body.plan.noOfInstallments = body.plan.noOfInstallment;
    expect(validateOutgoing('disbursement/setRepaymentPlanRequest', body).valid).toBe(false);
    body.hasCollectionSupport = 'no';
    expect(validateIncoming('disbursement/setRepaymentPlanRequest', body).valid).toBe(false);
  });

  it('are one journey: one loan application, one loan, one borrower; a distinct requestId each', () => {
    const text = examples.map(([, { body }]) => JSON.stringify(body)).join('\n');
    const ids = new Set(examples.map(([, { body }]) => body.metadata.requestId));
    expect(ids.size).toBe(examples.length);
    for (const [operation, { body }] of examples) {
      const about = [body.loanApplicationId, ...(body.loanApplicationIds ?? []), ...(body.loanApplications ?? []).map((a: any) => a.loanApplicationId)].filter(Boolean);
      const subject = about.length ? about : [body.loanId ?? body.consentHandle ?? body.borrower?.primaryId];
      expect({ operation, subject: subject.every((s: string) => ([SANDBOX_JOURNEY.loanApplicationId, SANDBOX_JOURNEY.loanId, SANDBOX_JOURNEY.pan] as string[]).includes(s) || s.startsWith('sandbox-consent')) }).toEqual({ operation, subject: true });
    }
    expect(text).not.toMatch(/ABCDE9\d{3}F/); // no rejecting persona
  });

  it('carry a borrower the createLoan reader accepts, with a PAN that is no rejecting persona', () => {
    const [application] = OCEN_EXAMPLES['loanApplications/createLoanRequest']!.body.loanApplications!;
    const reading = readApplicant(application);
    expect(reading).toMatchObject({ loanApplicationId: SANDBOX_JOURNEY.loanApplicationId, requestedAmountMicros: 100_000_000_000n, applicant: { pan: SANDBOX_JOURNEY.pan } });
    expect(SANDBOX_JOURNEY.pan.slice(5, 9)).not.toMatch(/^900/);
  });
});
