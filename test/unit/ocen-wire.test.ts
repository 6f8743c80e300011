/**
 * The OCEN wire types are generated from the schemas the server validates against (npm run generate ->
 * src/generated/ocen/), so a message the lenient check accepts is read with its schema type, and a message we
 * build that the schema would refuse does not compile. The `@ts-expect-error` lines are tests too: `npm test`
 * type-checks this file with tsc first, and a line that stopped being an error fails it (TS2578).
 */
import spec from '../../src/protocols/ocen/spec/loan.patched.json';
import { isIncoming, OCEN_PATH_PREFIX, readIncoming, validateOutgoing } from '../../src/protocols/ocen/ocen-schemas';
import { untrusted } from '../../src/protocols/ocen/ocen-wire';
import { defineOcenOperation } from '../../src/protocols/ocen/ocen-operation';
import type { Borrower, LoanTerms, OcenMessage, OcenOffer, OcenOperation, OcenPayload, PaymentPlan } from '../../src/protocols/ocen/ocen-wire';

const metadata = {
  version: '4.0.0',
  originatorOrgId: 'org-la',
  originatorParticipantId: 'la-1',
  timestamp: '2026-11-23T10:00:00.000+05:30',
  traceId: 'trace-1',
  requestId: 'req-1',
};

function createLoanRequest(): OcenMessage<'loanApplications/createLoanRequest'> {
  return {
    metadata,
    productData: { productId: 'prod-1', productNetworkId: 'net-1' },
    loanApplications: [{
      createdDate: '2026-11-23T10:00:00+05:30',
      loanApplicationId: 'la-app-1',
      loanApplicationStatus: 'CREATED',
      pledgedDocuments: { totalDocumentCount: 0, hasAdditionalDocuments: false, documents: [] },
      borrower: { primaryId: 'ABCDE1234F', primaryIdType: 'PAN', category: 'INDIVIDUAL', contactDetails: [{ type: 'PRIMARY', phone: '9876543210' }] },
      guarantors: [],
      applicants: [],
      terms: { requestedAmount: 100000, currency: 'INR' },
    }],
  };
}

type SpecOperation = keyof typeof spec.paths extends `${typeof OCEN_PATH_PREFIX}${infer Operation}` ? Operation : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('the generated OCEN wire types', () => {
  it('name every operation of loan.patched.json, and nothing else', () => {
    const same: Same<OcenOperation, SpecOperation> = true;
    expect(same).toBe(true);
  });

  it('when a received body passes the lenient check, then readIncoming hands it back typed as its message', () => {
    const body: unknown = JSON.parse(JSON.stringify({ ...createLoanRequest(), unknownMember: 1 }));
    const reading = readIncoming('loanApplications/createLoanRequest', body);
    if (!reading.valid) throw new Error(JSON.stringify(reading.violations));
    const borrower: Borrower | undefined = reading.message.loanApplications?.[0].borrower;
    expect(borrower?.primaryId).toBe('ABCDE1234F');
    expect(isIncoming('loanApplications/createLoanRequest', body)).toBe(true);
  });

  it('when a received body misses a required member, then readIncoming gives the violation, not a message', () => {
    const { productData: _dropped, ...body } = createLoanRequest();
    expect(readIncoming('loanApplications/createLoanRequest', body)).toEqual({ valid: false, violations: [{ path: '', message: "must have required property 'productData'" }] });
    expect(isIncoming('loanApplications/createLoanRequest', body)).toBe(false);
  });

  it('when a message is built as its type, then the exact outgoing check accepts it', () => {
    expect(validateOutgoing('loanApplications/createLoanRequest', createLoanRequest())).toEqual({ valid: true });
  });

  it('type the named objects the mappers build, and a payload without the envelope the lender adds', () => {
    const terms: LoanTerms = { requestedAmount: 100000, currency: 'INR', tenure: { duration: 12, unit: 'MONTH' } };
    const plan: PaymentPlan = { id: 'p-1', automatic: true, scheduleType: 'ONE_TIME', noOfInstallment: 1, totalAmount: 97640 };
    const offer: OcenOffer = { id: 'o-1', validTill: '2026-12-31', terms, disbursement: { plans: [plan] }, repayment: { plans: [plan] } };
    const payload: OcenPayload<'offers/generateOffersResponse'> = { loanApplications: [] };
    // @ts-expect-error the envelope is not part of a payload
    const withEnvelope: OcenPayload<'offers/generateOffersResponse'> = { loanApplications: [], metadata };
    expect([offer, payload, withEnvelope]).toHaveLength(3);
  });

  it('refuse at compile time what the schema refuses: a misspelt member, a value outside an enum', () => {
    // @ts-expect-error the spec's own misspelling noOfInstallments; the schema says noOfInstallment
    const misspelt: PaymentPlan = { id: 'p-1', automatic: true, scheduleType: 'ONE_TIME', noOfInstallments: 1, totalAmount: 1 };
    // @ts-expect-error MONTHS is not a LoanTenure unit
    const tenure: LoanTerms['tenure'] = { duration: 12, unit: 'MONTHS' };
    expect([misspelt, tenure]).toHaveLength(2);
  });

  it('read an untrusted object by the schema\'s member names only, the values unknown until checked', () => {
    const borrower = untrusted<Borrower>({ primaryId: 42 });
    expect(borrower.primaryId).toBe(42);
    // @ts-expect-error primaryID is not a Borrower member
    expect(borrower.primaryID).toBeUndefined();
    expect(untrusted<Borrower>(['not', 'an', 'object'])).toEqual({});
  });
});

describe('an OCEN operation handler (defineOcenOperation)', () => {
  const answering = { partnerId: 'la-1', requestId: 'req-1', now: new Date('2026-12-01T10:00:00Z'), productData: {} };

  it('when declared with its request and response, then accept reads the request\'s message and answer builds the response\'s', async () => {
    const setOffers = defineOcenOperation({
      request: 'offers/setOffersRequest',
      response: 'offers/setOffersResponse',
      async accept({ body }) {
        // @ts-expect-error setOffersRequest has no loanApplicationIds (generateOffersRequest has)
        expect(body.loanApplicationIds).toBeUndefined();
        return { subjects: [body.loanApplicationId], context: { loanApplicationId: body.loanApplicationId, offerId: body.offer.id } };
      },
      async answer(_answering, { loanApplicationId }) {
        return { loanApplicationId, loanApplicationStatus: 'OFFER_ACCEPTED' };
      },
    });
    const body: OcenMessage<'offers/setOffersRequest'> = {
      metadata,
      productData: { productId: 'prod-1', productNetworkId: 'net-1' },
      loanApplicationId: 'la-app-1',
      offer: { id: 'o-1', validTill: '2026-12-31', terms: { requestedAmount: 1000, currency: 'INR' }, disbursement: { plans: [] }, repayment: { plans: [] } },
    };
    const accepted = await setOffers.accept({ partnerId: 'la-1', requestId: 'req-1', body, claimed: Promise.resolve(true) });
    expect(accepted).toEqual({ subjects: ['la-app-1'], context: { loanApplicationId: 'la-app-1', offerId: 'o-1' } });
    expect(await setOffers.answer(answering, accepted.context)).toEqual({ loanApplicationId: 'la-app-1', loanApplicationStatus: 'OFFER_ACCEPTED' });
  });

  it('refuses at compile time an answer the response schema refuses, and a context member accept did not give', () => {
    const handlers = [
      defineOcenOperation({
        request: 'offers/setOffersRequest',
        response: 'offers/setOffersResponse',
        accept: async () => ({ subjects: [], context: { loanApplicationId: 'la-app-1' } }),
        // @ts-expect-error ACCEPTED is no LoanApplicationStatus
        answer: async (_answering, { loanApplicationId }) => ({ loanApplicationId, loanApplicationStatus: 'ACCEPTED' }),
      }),
      defineOcenOperation({
        request: 'offers/setOffersRequest',
        response: 'offers/setOffersResponse',
        accept: async () => ({ subjects: [], context: { loanApplicationId: 'la-app-1' } }),
        // @ts-expect-error the envelope is the lender's: an answer builds no metadata
        answer: async (_answering, { loanApplicationId }) => ({ loanApplicationId, loanApplicationStatus: 'OFFER_ACCEPTED', metadata }),
      }),
      defineOcenOperation({
        request: 'offers/setOffersRequest',
        response: 'offers/setOffersResponse',
        accept: async () => ({ subjects: [], context: { loanApplicationId: 'la-app-1' } }),
        // @ts-expect-error accept gave no offerId
        answer: async (_answering, { offerId }) => ({ loanApplicationId: String(offerId), loanApplicationStatus: 'OFFER_ACCEPTED' }),
      }),
    ];
    expect(handlers.map((h) => h.response)).toEqual(['offers/setOffersResponse', 'offers/setOffersResponse', 'offers/setOffersResponse']);
  });
});
