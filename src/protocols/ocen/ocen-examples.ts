import { SANDBOX_OCEN_AGENT_ID } from '../../core/partner/sandbox-partners';
import type { Borrower, Consent, MetaData, OcenDocument, OcenMessage, OcenOffer, OcenOperation, Payment, PaymentPlan, ProductData } from './ocen-wire';
import { addMonthsClamped, istDate } from '../../core/shared/dates';

/**
 * One sandbox journey of the built-in test loan agent, as example requests (the `/ocen/docs` "Try it out"
 * bodies): every request a loan agent may send this lender, all about one loan application of a borrower the
 * sandbox approves (PAN digits 1234 are no persona, so the underwriting policy decides: a salaried 36-year-old
 * earning ₹50,000 a month gets ₹1,00,000 at 16%). Each validates against the patched loan.json request schema
 * (test/unit/ocen-examples.test.ts).
 *
 * What only the lender's answers tell (the offer to choose, the loan id, the OTP session key, KYC and consent
 * references) is a placeholder in the shape our answers have: copy the real value from the callback, read at
 * `GET /sandbox/ocen/callbacks?loanApplicationId=...`. `metadata.requestId` and `timestamp` are made fresh by
 * Swagger UI on every call.
 */
export const SANDBOX_JOURNEY = {
  loanApplicationId: 'sandbox-la-0001',
  /** Our loan id (the application's lender reference), as grantLoanResponse hands it out: a placeholder. */
  loanId: 'PAQ7K2M9X4TZB8WD',
  /** One of our offers (`<core offer id>-<tenure>M`), as generateOffersResponse lists them: a placeholder. */
  offerId: 'OFR7K2M9Q4X-12M',
  pan: 'ABCDE1234F',
  phone: '9876543210',
  productData: { productId: 'PERSONAL_LOAN', productNetworkId: 'sandbox-network' },
} as const;

const J = SANDBOX_JOURNEY;

const metadata = (step: number): MetaData => ({
  version: '4.0.0alpha',
  originatorOrgId: 'sandbox-la-org',
  originatorParticipantId: SANDBOX_OCEN_AGENT_ID,
  timestamp: '2026-12-01T10:00:00.000Z',
  traceId: `sandbox-trace-${String(step).padStart(2, '0')}`,
  requestId: `00000000-0000-4000-8000-0000000000${String(step).padStart(2, '0')}`,
});

/** The envelope every example request starts with (its own requestId and traceId). */
const envelope = (step: number): { metadata: MetaData; productData: ProductData } => ({ metadata: metadata(step), productData: { ...J.productData } });

const borrower: Borrower = {
  primaryId: J.pan,
  primaryIdType: 'PAN',
  category: 'INDIVIDUAL',
  name: 'Asha Rao',
  contactDetails: [{ type: 'PRIMARY', phone: J.phone, email: 'asha.rao@example.com' }],
  // What underwriting needs and OCEN's Borrower lacks (readApplicant in ocen-mappers.ts).
  extensibleData: { dateOfBirth: '1990-04-01', monthlyIncome: 50000, employmentType: 'SALARIED' },
};

const document = (type: 'GST_PROFILE' | 'PAN', reference: string): OcenDocument => ({
  source: type === 'PAN' ? 'USER' : 'GSTN',
  sourceIdentifier: type === 'PAN' ? J.pan : '29ABCDE1234F1Z5',
  format: type === 'PAN' ? 'IMAGE' : 'JSON',
  reference,
  type,
  isDataInline: true,
  data: Buffer.from(type === 'PAN' ? 'sandbox PAN card image' : '{"legalName":"Asha Rao"}').toString('base64'),
});

const emiPlan: PaymentPlan = {
  id: `${J.offerId}-EMI`,
  automatic: true,
  scheduleType: 'RECURRING',
  frequency: 'MONTHLY',
  noOfInstallment: 12,
  totalAmount: 108877.03,
  principal: 100000,
  interestAmount: 8877.03,
  tenure: { duration: 12, unit: 'MONTH' },
  startDate: '2027-01-01',
};

/** The 12-month offer of ₹1,00,000 at 16% as generateOffersResponse lists it (ocen-mappers.ts concreteOffers). */
const offer: OcenOffer = {
  id: J.offerId,
  validTill: '2026-12-04',
  description: '12 monthly instalments of ₹9073.09',
  terms: {
    requestedAmount: 100000,
    currency: 'INR',
    sanctionedAmount: 100000,
    netDisbursedAmount: 97640,
    interestType: 'FIXED',
    interestRate: 16,
    annualPercentageRate: 20.6,
    totalRepayableAmount: 108877.03,
    interestAmount: 8877.03,
    tenure: { duration: 12, unit: 'MONTH' },
    charges: {
      processing: {
        chargeType: 'FIXED_AMOUNT',
        data: { amount: 2360, rate: 2, applicableParameter: 'TOTAL_LOAN_AMOUNT', description: 'Processing fee ₹2000.00 + GST ₹360.00, deducted from the disbursement' },
      },
    },
  },
  disbursement: {
    plans: [{ id: `${J.offerId}-DISBURSEMENT`, automatic: true, scheduleType: 'ONE_TIME', noOfInstallment: 1, totalAmount: 97640, startDate: '2026-12-01' }],
  },
  repayment: { plans: [emiPlan] },
};

/**
 * A due-date move the lender accepts for a loan applied for today: its first instalment falls due a month later
 * (IST), and a DATE_CHANGED may move it 1 to 15 days later. Computed when the server starts, so the example does
 * not go stale as a fixed date would (one before the due date is REJECTED, and the callback has no member for why).
 */
function acceptedDueDateMove(today: Date): string {
  const due = addMonthsClamped(istDate(today), 1);
  return new Date(Date.parse(`${due}T00:00:00Z`) + 10 * 86_400_000).toISOString().slice(0, 10);
}

const consent = (extra: Consent = {}): Consent => ({ consentFetchType: 'ONETIME', vua: `${J.phone}@sandbox-aa`, isAggregationEnabled: false, ...extra });
const CONSENT_HANDLE = 'sandbox-consent-handle-0001';
const disbursementPayment: Payment = { id: `DSB${J.loanId}`, totalAmount: 97640, date: '2026-12-01', status: 'PENDING_AUTH', paymentMethodType: 'NETBANKING' };
const repaymentPayment: Payment = { id: `${J.loanId}-EMI-01`, totalAmount: 9073.09, date: '2027-01-01', status: 'PENDING_AUTH', installmentNumber: 1, principal: 7739.76, interestAmount: 1333.33, paymentMethodType: 'UPI' };

/** An example request per operation a loan agent sends a lender, with what to change before sending it, if anything. */
export interface OcenExample<Operation extends OcenOperation = OcenOperation> {
  body: OcenMessage<Operation>;
  /** What the caller must take from an earlier answer (or may change), for the operation's description. */
  note?: string;
}

/** Every request of the lender's OCEN surface (issue 7), in journey order; the OpenAPI document uses those hosted. */
export const OCEN_EXAMPLES: { [Operation in OcenOperation]?: OcenExample<Operation> } = {
  'loanApplications/createLoanRequest': {
    body: {
      ...envelope(1),
      loanApplications: [{
        loanApplicationId: J.loanApplicationId,
        createdDate: '2026-12-01T10:00:00.000Z',
        loanApplicationStatus: 'CREATED',
        borrower,
        pledgedDocuments: { totalDocumentCount: 1, hasAdditionalDocuments: false, documents: [document('GST_PROFILE', 'gst-profile-0001')] },
        guarantors: [],
        applicants: [],
        terms: { requestedAmount: 100000, currency: 'INR' },
      }],
    },
    note: `A loanApplicationId can be used once per loan agent: change \`${J.loanApplicationId}\` to start another journey (and use the new id in every later request). The PAN's four digits choose a sandbox persona (README: 9001 is rejected by the bureau).`,
  },
  'loanApplications/getAdditionalPledgedDocumentsResponse': {
    body: {
      ...envelope(2),
      loanApplicationId: J.loanApplicationId,
      requestedDocumentPagination: { pageNumber: 1, pageSize: 10, totalDocumentCount: 1 },
      pledgedDocuments: { totalDocumentCount: 1, hasAdditionalDocuments: false, documents: [document('GST_PROFILE', 'gst-profile-0002')] },
    },
    note: 'The loan agent\'s answer to our getAdditionalPledgedDocumentsRequest.',
  },
  'consent/consentHandleRequest': {
    body: { ...envelope(3), loanApplicationIds: [J.loanApplicationId], consent: consent() },
  },
  'consent/journeyNotify': {
    body: { ...envelope(4), loanApplicationIds: [J.loanApplicationId], consent: consent({ consentHandle: CONSENT_HANDLE, consentStatus: 'READY' }) },
    note: 'consentHandle: the one of consentHandleResponse.',
  },
  'consent/statusRequest': {
    body: { ...envelope(5), consentHandle: CONSENT_HANDLE },
    note: 'consentHandle: the one of consentHandleResponse.',
  },
  'offers/generateOffersRequest': {
    body: { ...envelope(6), loanApplicationIds: [J.loanApplicationId] },
  },
  'offers/sendAdditionalDocumentsRequest': {
    body: { ...envelope(7), loanApplications: [{ loanApplicationId: J.loanApplicationId, additionalDocuments: [document('PAN', 'pan-card-0001')] }] },
    note: 'Answers an ACTION_REQUIRED (the actionRequired of our answer names what is asked).',
  },
  'offers/setOffersRequest': {
    body: { ...envelope(8), loanApplicationId: J.loanApplicationId, offer, consents: [{ consentType: 'OFFER_ACCEPTANCE', consentStatus: 'ACCEPTED', consentTimestamp: '2026-12-01T10:05:00.000Z', consentMessage: 'I accept the offer' }] },
    note: 'offer: paste one offer, unchanged, from generateOffersResponse (its id names our offer and tenure; the placeholder is refused OFFER_UNKNOWN).',
  },
  'kyc/getKYCMethodsRequest': {
    body: { ...envelope(9), loanApplicationId: J.loanApplicationId },
  },
  'kyc/triggerKycRequest': {
    body: {
      ...envelope(10),
      loanApplicationId: J.loanApplicationId,
      kyc: { individual: { type: 'CKYC', name: 'Asha Rao', dob: '1990-04-01', email: 'asha.rao@example.com', phoneNumber: J.phone } },
      baRedirectURL: `https://la.example.com/kyc-complete?loanApplicationId=${J.loanApplicationId}`,
    },
    note: 'In the sandbox the borrower finishes KYC with POST /sandbox/applications/{loanApplicationId}/kyc/complete (X-Partner-Id: the loan agent).',
  },
  'kyc/kycStatusRequest': {
    body: { ...envelope(11), loanApplicationId: J.loanApplicationId, kyc: { kycRefNo: 'sandbox-kyc-ref-0001' } },
    note: 'kycRefNo: the one of triggerKycResponse.',
  },
  'loanAcceptance/loanAgreementRequest': {
    body: { ...envelope(12), loanApplicationId: J.loanApplicationId, baRedirectURL: `https://la.example.com/agreement-complete?loanApplicationId=${J.loanApplicationId}` },
  },
  'loanAcceptance/triggerLoanAcceptanceRequest': {
    body: { ...envelope(13), loanApplicationId: J.loanApplicationId, credBlock: { type: 'OTP', data: { appToken: 'FA+9qCX9VSu' } } },
    note: 'The OTP goes by SMS to the borrower\'s phone; in the sandbox read it at GET /sandbox/sms-outbox?phone=91<phone>.',
  },
  'loanAcceptance/verifyLoanAcceptanceRequest': {
    body: { ...envelope(14), loanApplicationId: J.loanApplicationId, credBlock: { data: { otpSessionKey: 'sandbox-otp-session-0001', otp: 123456 } } },
    note: 'otpSessionKey: the one of triggerLoanAcceptanceResponse; otp: the code of the SMS.',
  },
  'grantLoan/grantLoanRequest': {
    body: { ...envelope(15), loanApplicationId: J.loanApplicationId },
  },
  'disbursement/setRepaymentPlanRequest': {
    body: { ...envelope(16), loanApplicationId: J.loanApplicationId, loanId: J.loanId, plan: emiPlan, hasCollectionSupport: false },
    note: 'loanId: the one of grantLoanResponse; plan: the repayment plan of the chosen offer, as grantLoanResponse lists it (loanDetails.offer.repayment.plans[0]): the example\'s is the placeholder offer\'s: send the plan of your chosen offer, whose id is `<offer id>-EMI` (another is refused REPAYMENT_PLAN_UNKNOWN, naming the id to send). In the sandbox the borrower authorises the mandate with POST /sandbox/applications/{loanApplicationId}/repayment-setup/complete.',
  },
  'disbursement/setRepaymentPlanStatusRequest': {
    body: { ...envelope(17), loanApplicationId: J.loanApplicationId, loanId: J.loanId, plan: { ...emiPlan, status: 'ACTIVE' }, paymentMethod: { id: 'sandbox-mandate-0001', type: 'ENACH', status: 'ACTIVE' } },
    note: 'paymentMethod: the one of setRepaymentPlanResponse.',
  },
  'disbursement/setDisbursementAccountRequest': {
    body: {
      ...envelope(18),
      loanApplicationId: J.loanApplicationId,
      loanId: J.loanId,
      account: { accountDataType: 'ACCOUNT', status: 'ACTIVE', data: { accountType: 'SAVING', accountIFSC: 'HDFC0000001', accountNumber: '50100012345678', accountHolderName: 'Asha Rao' } },
    },
  },
  'disbursement/triggerDisbursementRequest': {
    body: { ...envelope(19), loanId: J.loanId, payment: disbursementPayment },
  },
  'disbursement/triggerDisbursementStatusRequest': {
    body: { ...envelope(20), loanId: J.loanId, payment: disbursementPayment },
    note: 'payment: the one of triggerDisbursementResponse.',
  },
  'repayment/triggerRepaymentRequest': {
    body: { ...envelope(21), loanId: J.loanId, payment: repaymentPayment, baRedirectURL: `https://la.example.com/payment-complete?loanId=${J.loanId}` },
  },
  'repayment/triggerRepaymentStatusRequest': {
    body: { ...envelope(22), loanId: J.loanId, payment: repaymentPayment },
    note: 'payment: the one of triggerRepaymentResponse.',
  },
  'repayment/repaymentConditionChangeRequest': {
    body: { ...envelope(23), loanId: J.loanId, repaymentConditionUpdate: { changedCondition: 'DATE_CHANGED', repaymentDate: acceptedDueDateMove(new Date()), amount: 9073.09 } },
    note: 'repaymentDate: 1 to 15 days after the next instalment\'s due date (the `date` of triggerRepaymentResponse\'s payment; the example is 10 days after that of a loan applied for today), before the following one, once per loan; amount: what is left on that instalment. Anything else is answered REJECTED (repaymentConditionChangeResponse has no member for the reason).',
  },
  'loanDetails/getloanRequest': {
    body: { ...envelope(24), loanId: J.loanId },
  },
  'loanDetails/listloansRequest': {
    body: { ...envelope(25), borrower: { primaryId: J.pan, primaryIdType: 'PAN', category: 'INDIVIDUAL', contactDetails: [{ type: 'PRIMARY', phone: J.phone }] }, startDate: '2026-01-01', endDate: '2027-12-31' },
  },
  'loanDetails/loanStatementRequest': {
    body: { ...envelope(26), loanId: J.loanId, startDate: '2026-12-01', endDate: '2027-12-01' },
    note: 'Leave out startDate and endDate for the whole statement.',
  },
  'loanDetails/loanStatementSummaryRequest': {
    body: { ...envelope(27), loanId: J.loanId },
  },
};
