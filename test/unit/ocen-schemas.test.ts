/**
 * Outgoing OCEN messages are checked exactly against the patched loan.json; incoming ones leniently, after the
 * envelope is normalised to the current generation.
 */
import { normaliseInbound, readAck } from '../../src/protocols/ocen/ocen-envelope';
import {
  assertOutgoing,
  OcenSchemaError,
  OcenOperation,
  operationOfPath,
  validateIncoming,
  validateOutgoing,
} from '../../src/protocols/ocen/ocen-schemas';

const metadata = {
  version: '4.0.0',
  originatorOrgId: 'org-bank',
  originatorParticipantId: 'lender-1',
  timestamp: '2026-11-23T10:00:00.000+05:30',
  traceId: 'trace-1',
  requestId: 'req-1',
};
const productData = { productId: 'prod-1', productNetworkId: 'net-1' };

function loanApplication() {
  return {
    createdDate: '2026-11-23T10:00:00+05:30',
    loanApplicationId: 'la-1',
    loanApplicationStatus: 'PROCESSING',
    pledgedDocuments: { totalDocumentCount: 0, hasAdditionalDocuments: false, documents: [] },
    borrower: { primaryId: 'ABCDE1234F', primaryIdType: 'PAN', category: 'INDIVIDUAL', contactDetails: [{ type: 'PRIMARY', phone: '919876543210' }] },
    guarantors: [],
    applicants: [],
    terms: { requestedAmount: 100000, currency: 'INR', tenure: { duration: 12, unit: 'MONTH' } },
  };
}

/** A createLoanResponse as the lender sends it: valid against the patched schema. */
function createLoanResponse() {
  return { metadata: { ...metadata }, response: { status: 'SUCCESS' }, productData: { ...productData }, loanApplications: [loanApplication()] };
}

const messages = (result: ReturnType<typeof validateOutgoing>) => (result.valid ? [] : result.violations.map((v) => `${v.path} ${v.message}`));

describe('outgoing OCEN messages', () => {
  it('when a createLoanResponse carries every required member, then validateOutgoing accepts it', () => {
    expect(validateOutgoing('loanApplications/createLoanResponse', createLoanResponse())).toEqual({ valid: true });
  });

  it('when a required member is missing, then the violation names its place', () => {
    const body = createLoanResponse() as Record<string, any>;
    delete body.metadata.requestId;
    delete body.loanApplications[0].borrower.primaryIdType;
    expect(messages(validateOutgoing('loanApplications/createLoanResponse', body))).toEqual([
      "/metadata must have required property 'requestId'",
      "/loanApplications/0/borrower must have required property 'primaryIdType'",
    ]);
  });

  it('when a member is misspelt (the spec\'s own noOfInstallments), then it is refused as a member the schema does not define', () => {
    const body = createLoanResponse() as Record<string, any>;
    body.loanApplications[0].terms.tenur = { duration: 12, unit: 'MONTH' };
    expect(messages(validateOutgoing('loanApplications/createLoanResponse', body))).toEqual(['/loanApplications/0/terms must NOT have additional properties: tenur']);
  });

  it('when a value is outside its enum or of the wrong type, then it is refused with the allowed values', () => {
    const body = createLoanResponse() as Record<string, any>;
    body.loanApplications[0].loanApplicationStatus = 'APPROVED';
    body.loanApplications[0].terms.requestedAmount = '100000';
    expect(messages(validateOutgoing('loanApplications/createLoanResponse', body))).toEqual([
      '/loanApplications/0/loanApplicationStatus must be equal to one of the allowed values ' +
        '(CREATED, PROCESSING, CONSENT_INITIATED, CONSENT_RECEIVED, CONSENT_REJECTED, OFFERED, OFFER_ACCEPTED, KYC_INITIATED, KYC_COMPLETED, ' +
        'KYC_FAILED, KYC_REJECTED, LOAN_AGREEMENT_INITIATED, LOAN_AGREEMENT_COMPLETED, LOAN_AGREEMENT_FAILED, REPAYMENT_SETUP_INITIATED, ' +
        'REPAYMENT_SETUP_COMPLETED, REPAYMENT_SETUP_FAILED, REPAYMENT_SETUP_REJECTED, SET_DISBURSEMENT_ACCOUNT_INITIATED, ' +
        'SET_DISBURSEMENT_ACCOUNT_COMPLETED, SET_DISBURSEMENT_ACCOUNT_FAILED, SET_DISBURSEMENT_ACCOUNT_REJECTED, GRANTED, REJECTED, ' +
        'ACTION_REQUIRED, DISBURSEMENT_INITIATED, DISBURSEMENT_COMPLETED, DISBURSED_FAILED, CLOSED, CANCELLED)',
      '/loanApplications/0/terms/requestedAmount must be number',
    ]);
  });

  it('when a date-time is not one, then it is refused (formats are checked on the way out)', () => {
    const body = createLoanResponse() as Record<string, any>;
    body.loanApplications[0].createdDate = '23-11-2026';
    expect(messages(validateOutgoing('loanApplications/createLoanResponse', body))).toEqual(['/loanApplications/0/createdDate must match format "date-time"']);
  });

  it('when free-form extensibleData carries anything, then it is accepted (only schema-defined objects are closed)', () => {
    const body = createLoanResponse() as Record<string, any>;
    body.loanApplications[0].extensibleData = { anything: { nested: [1, 2] } };
    expect(validateOutgoing('loanApplications/createLoanResponse', body)).toEqual({ valid: true });
  });

  it('when the old envelope (response.error, top-level requestId) is sent, then it is refused: we emit only the current one', () => {
    const body = { ...createLoanResponse(), requestId: 'req-1', response: { error: '0' } };
    expect(messages(validateOutgoing('loanApplications/createLoanResponse', body))).toEqual([
      ' must NOT have additional properties: requestId',
      '/response must have required property \'status\'',
      '/response must NOT have additional properties: error',
    ]);
  });

  it('when our ack to a request is checked, then the bare Ack is right for createLoanRequest and the wrapped {ack} for createLoanResponse', () => {
    const ack = { error: '0', traceId: 'trace-1', timestamp: '2026-11-23T10:00:00.000Z' };
    expect(validateOutgoing('loanApplications/createLoanRequest', ack, 'ack')).toEqual({ valid: true });
    expect(validateOutgoing('loanApplications/createLoanResponse', { ack }, 'ack')).toEqual({ valid: true });
    expect(validateOutgoing('loanApplications/createLoanResponse', ack, 'ack').valid).toBe(false);
  });

  it('when assertOutgoing meets a wrong body, then it throws OcenSchemaError listing every violation', () => {
    const body = createLoanResponse() as Record<string, any>;
    delete body.productData;
    expect(() => assertOutgoing('loanApplications/createLoanResponse', body)).toThrow(OcenSchemaError);
    expect(() => assertOutgoing('loanApplications/createLoanResponse', body)).toThrow("(message) must have required property 'productData'");
  });

  it('when an operation is not in the spec, then validation throws rather than passing anything', () => {
    expect(() => validateOutgoing('loanApplications/createLoan' as OcenOperation, {})).toThrow('Unknown OCEN operation "loanApplications/createLoan"');
  });
});

describe('incoming OCEN messages', () => {
  /** createLoanRequest in the legacy envelope, as community code and the official sample send it. */
  function legacyCreateLoanRequest() {
    const { requestId, originatorOrgId, ...rest } = metadata;
    const { pledgedDocuments: _objectForm, ...application } = loanApplication();
    return {
      requestId,
      metadata: { ...rest, orgId: originatorOrgId },
      productData,
      loanApplications: [{ ...application, createdDate: '2026-11-23', pledgedDocuments: [] as unknown[], unknownMember: 1 }],
    };
  }

  it('when a request comes in the legacy envelope, then it is normalised to the current one and passes the lenient check', () => {
    const input = legacyCreateLoanRequest();
    const before = structuredClone(input);
    const normalised = normaliseInbound('loanApplications/createLoanRequest', input);
    expect(normalised.generation).toBe('legacy');
    expect(normalised.requestId).toBe('req-1');
    expect(normalised.body.requestId).toBeUndefined();
    expect(normalised.body.metadata).toEqual(metadata);
    expect((normalised.body.loanApplications as any[])[0].pledgedDocuments).toEqual({ totalDocumentCount: 0, hasAdditionalDocuments: false, documents: [] });
    expect(normalised.changes).toEqual([
      'metadata.orgId → metadata.originatorOrgId',
      'requestId → metadata.requestId',
      'loanApplications[0].pledgedDocuments: array → {totalDocumentCount, hasAdditionalDocuments, documents}',
    ]);
    expect(input).toEqual(before); // the input is not touched
    expect(validateIncoming('loanApplications/createLoanRequest', normalised.body)).toEqual({ valid: true });
    expect(validateOutgoing('loanApplications/createLoanRequest', normalised.body).valid).toBe(false); // the unknown member and the date
  });

  it('when a request already is in the current envelope, then it is returned as it came, marked current', () => {
    const body = { metadata, productData, loanApplicationIds: ['la-1'] };
    expect(normaliseInbound('offers/generateOffersRequest', body)).toEqual({ body, generation: 'current', requestId: 'req-1', changes: [] });
  });

  it('when a legacy response {error} arrives, then it becomes {status}; listLoansResponse, whose current schema is {error}, keeps it', () => {
    expect(normaliseInbound('loanApplications/createLoanResponse', { metadata, response: { error: '0' } }).body.response).toEqual({ status: 'SUCCESS' });
    expect(normaliseInbound('loanApplications/createLoanResponse', { metadata, response: { error: 'E42' } }).body.response).toEqual({ status: 'ERROR', responseDetail: 'E42' });
    expect(normaliseInbound('loanDetails/listLoansResponse', { metadata, response: { error: '0' } }).body.response).toEqual({ error: '0' });
  });

  it('when a required member is missing, then even the lenient check refuses it', () => {
    expect(validateIncoming('offers/generateOffersRequest', { metadata, productData }).valid).toBe(false);
  });

  it('when an answer to our callback holds an ack, bare or wrapped, then readAck finds it; error "0", null or absent is accepted', () => {
    expect(readAck({ error: '0', traceId: 't', timestamp: 'x' })).toEqual({ error: '0', traceId: 't', timestamp: 'x', accepted: true });
    expect(readAck({ ack: { error: null, traceId: 't', timestamp: 'x' } })).toEqual({ error: undefined, traceId: 't', timestamp: 'x', accepted: true });
    expect(readAck({ ack: { error: 'DUPLICATE', traceId: 't' } })?.accepted).toBe(false);
    expect(readAck('OK')).toBeUndefined();
  });
});

describe('operations by path', () => {
  it('when a path is given with or without the version prefix, in the spec\'s casing or another, then its operation is found', () => {
    expect(operationOfPath('/v4.0.0alpha/loanDetails/getloanRequest')).toBe('loanDetails/getloanRequest');
    expect(operationOfPath('/v4.0.0alpha/loanDetails/getLoanRequest')).toBe('loanDetails/getloanRequest');
    expect(operationOfPath('offers/generateoffersResponse')).toBe('offers/generateOffersResponse');
    expect(operationOfPath('/v4.0.0alpha/loans/nothing')).toBeUndefined();
  });
});
