import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import patchedBundle from './spec/ocen-v3.patched.json';
import type { V3RequestOf } from './ocen-v3-operation';

/**
 * The OCEN v3 operations this lender hosts, as iSPIRT/OCEN's `<Group>/api/Version 0.0.1/*-api.json` define them:
 * the request path (after `/v3/`) the loan agent calls, the schema of its body, and the `...Response` path (on the
 * agent's base URL) the answer is POSTed to with its schema. Paths are the official ones, spelling and case kept
 * (`loan/LoanSummaryRequest`, `disbursement/TriggerDisbursementResponse`), except one with a leading space in the
 * source (` /v3/consent/consentStatusRequest`), served without it. The v3 source defines no KYC API: the borrower's
 * KYC happens on the bank's page that generateOffersResponse links to (`actionRequired.url`).
 *
 * Not listed (answered NOT_SERVED): the plan catalogues (`repayment/getRepaymentPlans`, `disbursement/get|set
 * DisbursementPlan(s)`, `disbursement/getDisbursementAccounts`), `repayment/setRepaymentPlanStatus` (it names no
 * loan application), repayments (`repayment/triggerRepayment(Status)`) and the Meta APIs. `confirmRepaymentRequest` is
 * sent, never served (operations/confirm-repayment.ts, docs/ocen.md §4.4).
 */
export const V3_OPERATIONS = {
  'loanApplication/createLoanApplicationsRequest': { schema: 'Loan Application/schema/Version 0.0.1/Bulk Create Loan Application/BulkCreateLoanApplicationRequest.json', response: 'loanApplication/createLoanApplicationsResponse', responseSchema: 'Loan Application/schema/Version 0.0.1/Bulk Create Loan Application/BulkCreateLoanApplicationResponse.json' },
  'consent/consentHandleRequest': { schema: 'Consent/schema/Version 0.0.1/Consent Handle/ConsentHandleRequest.json', response: 'consent/consentHandleResponse', responseSchema: 'Consent/schema/Version 0.0.1/Consent Handle/ConsentHandleResponse.json' },
  'consent/consentStatusRequest': { schema: 'Consent/schema/Version 0.0.1/Consent Status/ConsentStatusRequest.json', response: 'consent/consentStatusResponse', responseSchema: 'Consent/schema/Version 0.0.1/Consent Status/ConsentStatusResponse.json' },
  'offer/generateOffersRequest': { schema: 'Offers/schema/Version 0.0.1/Generate Offer/GenerateOfferRequest.json', response: 'offer/generateOffersResponse', responseSchema: 'Offers/schema/Version 0.0.1/Generate Offer/GenerateOfferResponse.json' },
  'offer/setOfferRequest': { schema: 'Offers/schema/Version 0.0.1/Set Offer/SetOfferRequest.json', response: 'offer/setOfferResponse', responseSchema: 'Offers/schema/Version 0.0.1/Set Offer/SetOfferResponse.json' },
  'loan/triggerLoanAcceptanceRequest': { schema: 'Loan Acceptance/schema/Version 0.0.1/Trigger Loan Acceptance/TriggerLoanAcceptanceRequest.json', response: 'loan/triggerLoanAcceptanceResponse', responseSchema: 'Loan Acceptance/schema/Version 0.0.1/Trigger Loan Acceptance/TriggerLoanAcceptanceResponse.json' },
  'loan/verifyLoanAcceptanceRequest': { schema: 'Loan Acceptance/schema/Version 0.0.1/Verify Loan Acceptance/VerifyLoanAcceptanceRequest.json', response: 'loan/verifyLoanAcceptanceResponse', responseSchema: 'Loan Acceptance/schema/Version 0.0.1/Verify Loan Acceptance/VerifyLoanApplicationResponse.json' },
  'loan/grantLoanRequest': { schema: 'Grant Loan/schema/Version 0.0.1/Grant Loan/GrantLoanRequest.json', response: 'loan/grantLoanResponse', responseSchema: 'Grant Loan/schema/Version 0.0.1/Grant Loan/GrantLoanResponse.json' },
  'repayment/setRepaymentPlanRequest': { schema: 'Repayment/schema/Version 0.0.1/Set Repayment Plan/SetRepayementPlanRequest.json', response: 'repayment/setRepaymentPlanResponse', responseSchema: 'Repayment/schema/Version 0.0.1/Set Repayment Plan/SetRepaymentPlanResponse.json' },
  'disbursement/setDisbursementAccountRequest': { schema: 'Disbursement/schema/Version 0.0.1/Set Disbursement Account/SetDisbursementAccountRequest.json', response: 'disbursement/setDisbursementAccountResponse', responseSchema: 'Disbursement/schema/Version 0.0.1/Set Disbursement Account/SetDisbursementAccountResponse.json' },
  'disbursement/triggerDisbursementRequest': { schema: 'Disbursement/schema/Version 0.0.1/Trigger Disbursement/TriggerDisbursementRequest.json', response: 'disbursement/TriggerDisbursementResponse', responseSchema: 'Disbursement/schema/Version 0.0.1/Trigger Disbursement/TriggerDisbursementResponse.json' },
  'disbursement/triggerDisbursementStatusRequest': { schema: 'Disbursement/schema/Version 0.0.1/Trigger Disbursement Status/TriggerDisbursementStatusRequest.json', response: 'disbursement/TriggerDisbursementStatusResponse', responseSchema: 'Disbursement/schema/Version 0.0.1/Trigger Disbursement Status/TriggerDisbursementStatusResponse.json' },
  'loan/getLoanRequest': { schema: 'Grant Loan/schema/Version 0.0.1/Get Loan/GetLoanRequest.json', response: 'loan/getLoanResponse', responseSchema: 'Grant Loan/schema/Version 0.0.1/Get Loan/GetLoanResponse.json' },
  'loan/listLoansRequest': { schema: 'Grant Loan/schema/Version 0.0.1/List Loans/ListLoansRequest.json', response: 'loan/listLoansResponse', responseSchema: 'Grant Loan/schema/Version 0.0.1/List Loans/ListLoansResponse.json' },
  'loan/loanStatementRequest': { schema: 'Grant Loan/schema/Version 0.0.1/Loan Statement/LoanStatementRequest.json', response: 'loan/loanStatementResponse', responseSchema: 'Grant Loan/schema/Version 0.0.1/Loan Statement/LoanStatementResponse.json' },
  'loan/LoanSummaryRequest': { schema: 'Grant Loan/schema/Version 0.0.1/Loan Summary/LoanSummaryRequest.json', response: 'loan/loanSummaryResponse', responseSchema: 'Grant Loan/schema/Version 0.0.1/Loan Summary/LoanSummryResponse.json' },
  'loan/dispute/raiseDisputeRequest': { schema: 'Dispute Management/schema/Version 0.0.1/Raise Dispute/RaiseDisputeRequest.json', response: 'loan/dispute/raiseDisputeResponse', responseSchema: 'Dispute Management/schema/Version 0.0.1/Raise Dispute/RaiseDisputeResponse.json' },
  'loan/dispute/disputeStatusRequest': { schema: 'Dispute Management/schema/Version 0.0.1/Dispute Status/DisputeStatusRequest.json', response: 'loan/dispute/disputeStatusResponse', responseSchema: 'Dispute Management/schema/Version 0.0.1/Dispute Status/DisputeStatusResponse.json' },
} as const satisfies Record<string, { schema: string; response: string; responseSchema: string }>;

export type V3Operation = keyof typeof V3_OPERATIONS;
export type V3Response = (typeof V3_OPERATIONS)[V3Operation]['response'];

export const V3_PATH_PREFIX = '/v3/';
export const V3_ACK_SCHEMA = 'Core/schema/Version 0.0.1/ack.json';

/** The patched official schemas, by their path in iSPIRT/OCEN. */
export const V3_SCHEMAS: Readonly<Record<string, Record<string, unknown>>> = patchedBundle;

/** The operation of a request path (`/v3/offer/generateOffersRequest` → `offer/generateOffersRequest`), if hosted. */
export function v3OperationOfPath(path: string): V3Operation | undefined {
  const name = path.startsWith(V3_PATH_PREFIX) ? path.slice(V3_PATH_PREFIX.length) : '';
  return Object.hasOwn(V3_OPERATIONS, name) ? (name as V3Operation) : undefined;
}

export interface V3Violation {
  path: string;
  message: string;
}

/** Schemas are compiled once, on first use. Inbound: members the schema does not define are dropped. */
function compiler(removeAdditional: boolean): (schema: string) => ValidateFunction {
  let ajv: Ajv | undefined;
  const compiled = new Map<string, ValidateFunction>();
  return (schema) => {
    if (!ajv) {
      ajv = new Ajv({ strict: false, allErrors: true, removeAdditional: removeAdditional ? 'all' : false });
      for (const document of Object.values(V3_SCHEMAS)) ajv.addSchema(document);
    }
    let validate = compiled.get(schema);
    if (!validate) {
      const id = V3_SCHEMAS[schema]?.$id;
      if (typeof id !== 'string') throw new Error(`No OCEN v3 schema ${schema}`);
      validate = ajv.getSchema(id)!;
      compiled.set(schema, validate);
    }
    return validate;
  };
}

const inbound = compiler(true);
const outbound = compiler(false);

const violationsOf = (errors: ErrorObject[] | null | undefined): V3Violation[] =>
  (errors ?? []).map((e) => ({ path: e.instancePath, message: e.keyword === 'additionalProperties' ? `has unknown member ${String(e.params.additionalProperty)}` : e.message ?? 'is invalid' }));

/**
 * Checks a request against its official (patched) schema, removing from `body` the members it does not define;
 * true when it is valid (then `body` is the operation's request type), else `violations` says why.
 */
export function isValidV3Request<O extends V3Operation>(operation: O, body: Record<string, unknown>, violations: V3Violation[]): body is Record<string, unknown> & V3RequestOf<O> {
  const validate = inbound(V3_OPERATIONS[operation].schema);
  if (validate(body)) return true;
  violations.push(...violationsOf(validate.errors));
  return false;
}

/** What we send must be valid against its schema: a violation is a fault of this server, thrown before anything is sent. */
export function assertV3Outgoing(schema: string, body: unknown): void {
  const validate = outbound(schema);
  if (!validate(body)) {
    const first = violationsOf(validate.errors).slice(0, 5).map((v) => `${v.path || '(body)'} ${v.message}`).join('; ');
    throw new Error(`An outgoing OCEN v3 message is not valid against ${schema}: ${first}`);
  }
}

/** Whether `body` is valid against one of the official (patched) schemas (for tests and tools). */
export function isValidV3(schema: string, body: unknown): { valid: boolean; violations: V3Violation[] } {
  const validate = outbound(schema);
  const valid = validate(body);
  return { valid, violations: valid ? [] : violationsOf(validate.errors) };
}
