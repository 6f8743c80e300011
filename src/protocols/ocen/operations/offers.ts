import type { PendingDecision } from '../../../core/lending/application-facts';
import { istDate } from '../../../core/shared/dates';
import { concreteOffers, rejectionReason } from '../ocen-mappers';
import { parseOcenOfferId } from '../../shared/ocen-family';
import { operationRefusals } from '../ocen-errors';
import { viewOf } from './application-facts';
import { OcenCore, OcenNotReady, OcenRefusal, applicationOf, defineOcenOperation, loanApplicationIdOf, untrustedItems } from '../ocen-operation';
import { documentsOf, readIncomeDocument } from '../ocen-documents';
import { LoanApplicationWithOffer, LoanTerms, OcenMessage, OcenOffer, untrusted } from '../ocen-wire';

/** Why an answer about offers is not built yet (the callback job is retried). */
const NOT_READY: Record<PendingDecision, string> = {
  CREDIT_DECISION: 'credit decision pending',
  BANK_STATEMENT_SUMMARY: 'bank-statement summary pending',
  DOCUMENT_VERIFICATION: 'documents being verified',
};

/**
 * The `LoanApplicationWithOffer` of each of the agent's loan applications (generateOffersResponse and
 * sendAdditionalDocumentsResponse): OFFERED with our concrete offers (one per tenure), REJECTED with the reason,
 * ACTION_REQUIRED (the income is to be verified: core INCOME_VERIFICATION) with what to send, or the consent's
 * state while the borrower has not decided. Not ready (retried) while a decision is still being made: the credit
 * decision, the bank-statement summary of a consent just approved, documents not yet verified.
 */
export async function loanApplicationsWithOffers(core: OcenCore, partnerId: string, loanApplicationIds: string[], now: Date): Promise<LoanApplicationWithOffer[]> {
  const loanApplications: LoanApplicationWithOffer[] = [];
  for (const id of loanApplicationIds) {
    const ref = { partnerId, externalReference: id };
    const view = await viewOf(core, ref);
    const pending = await core.facts.decisionPending(view);
    if (pending) throw new OcenNotReady(`${NOT_READY[pending]} (${id})`);
    const { application, offer, status } = view;
    const base = { loanApplicationId: id, createdDate: istDate(application.createdAt), loanApplicationStatus: status, kyc: {} };
    if (status === 'REJECTED') {
      loanApplications.push({ ...base, offers: [], rejectionDetails: [{ reason: rejectionReason(application.rejectionReason), description: application.rejectionDescription ?? application.rejectionReason ?? 'Rejected' }] });
    } else if (status === 'ACTION_REQUIRED') {
      loanApplications.push({
        ...base,
        offers: [],
        actionRequired: [{
          actionType: 'ADD_DOCUMENT',
          description: 'The borrower\'s income is to be verified: send a salary slip or a bank statement stating the monthly income (offers/sendAdditionalDocumentsRequest), or have the borrower approve an account-aggregator consent (consent/consentHandleRequest)',
          reference: { object: 'loanApplication', value: id },
        }],
      });
    } else {
      const waiting = status === 'CONSENT_INITIATED' ? { description: 'Waiting for the borrower to approve the account-aggregator consent' } : {};
      loanApplications.push({ ...base, ...waiting, offers: offer ? concreteOffers(offer, application.requestedAmountMicros, now).map((o) => o.body) : [] });
    }
  }
  return loanApplications;
}

/**
 * generateOffersRequest (bulk, 1 to 50 loan applications of the agent): answered, once each credit decision is
 * in, with OFFERED and our concrete offers (one per tenure), or REJECTED with the reason.
 */
export const generateOffers = (core: OcenCore) => defineOcenOperation({
  request: 'offers/generateOffersRequest',
  response: 'offers/generateOffersResponse',

  async accept({ partnerId, body }) {
    const ids = (Array.isArray(body.loanApplicationIds) ? body.loanApplicationIds : []).map(String);
    if (ids.length === 0 || ids.length > 50) throw new OcenRefusal('INVALID_REQUEST', 'Send 1 to 50 loanApplicationIds', 400);
    for (const id of ids) await applicationOf(core, partnerId, id);
    const unique = [...new Set(ids)];
    return { subjects: unique, context: { loanApplicationIds: unique } };
  },

  async answer({ partnerId, now }, context) {
    return { loanApplications: await loanApplicationsWithOffers(core, partnerId, context.loanApplicationIds, now) };
  },
});

/**
 * setOffersRequest: the agent's choice among our offers for one loan application (OFFER_ACCEPTED). The core
 * decides whether it is one of ours (OfferService.choose): an offer id we did not give for this application, a
 * tenure it does not allow, or a sanctioned amount other than ours is refused (OFFER_UNKNOWN).
 */
export const setOffers = (core: OcenCore) => defineOcenOperation({
  request: 'offers/setOffersRequest',
  response: 'offers/setOffersResponse',

  async accept({ partnerId, body }) {
    const id = loanApplicationIdOf(body);
    await applicationOf(core, partnerId, id);
    const offer = untrusted<OcenOffer>(body.offer);
    const terms = untrusted<LoanTerms>(offer.terms);
    const sanctioned = terms.sanctionedAmount ?? terms.requestedAmount;
    // An id not of our form names no offer of ours: the core refuses it as it refuses another lender's.
    const chosen = parseOcenOfferId(String(offer.id)) ?? { offerId: '', tenureMonths: 0 };
    try {
      await core.offers.choose({
        partnerId,
        externalReference: id,
        ...chosen,
        ...(typeof sanctioned === 'number' && Number.isFinite(sanctioned) ? { amountMicros: BigInt(Math.round(sanctioned * 100)) * 10_000n } : {}),
      });
    } catch (err) {
      throw operationRefusals.unknownOffer(err, offer.id, id);
    }
    return { subjects: [id], context: { loanApplicationId: id } };
  },

  async answer({ partnerId }, { loanApplicationId }) {
    const ref = { partnerId, externalReference: loanApplicationId };
    return { loanApplicationId, loanApplicationStatus: (await viewOf(core, ref)).status };
  },
});

interface AdditionalDocumentsContext {
  loanApplicationIds: string[];
}

/**
 * sendAdditionalDocumentsRequest: documents for loan applications that were answered ACTION_REQUIRED (1 to 50
 * applications). Each document's metadata is recorded (never its bytes) and verified in the worker; a salary
 * slip or bank statement stating a monthly income decides the income verification (see ocen-documents.ts and
 * INCOME_VERIFICATION_POLICY). Answered like generateOffers: OFFERED, REJECTED, or still ACTION_REQUIRED when no
 * document verified an income.
 */
export const sendAdditionalDocuments = (core: OcenCore) => defineOcenOperation({
  request: 'offers/sendAdditionalDocumentsRequest',
  response: 'offers/sendAdditionalDocumentsResponse',

  async accept({ partnerId, body }) {
    // `documents` is read too, as loan agents send it for `additionalDocuments` (not in the schema).
    const items = untrustedItems<OcenMessage<'offers/sendAdditionalDocumentsRequest'>['loanApplications'][number] & { documents?: unknown }>(body.loanApplications);
    if (items.length === 0 || items.length > 50) throw new OcenRefusal('INVALID_REQUEST', 'Send 1 to 50 loanApplications', 400);
    const ids: string[] = [];
    for (const [index, item] of items.entries()) {
      const id = loanApplicationIdOf(item);
      await applicationOf(core, partnerId, id);
      const documents = documentsOf(item.additionalDocuments ?? item.documents);
      if (!documents || documents.length === 0) throw new OcenRefusal('INVALID_REQUEST', `loanApplications[${index}].additionalDocuments: send at least one document`, 400);
      const read = documents.map((d) => readIncomeDocument(d, 'ADDITIONAL_DOCUMENTS'));
      const problem = read.find((r) => 'problem' in r);
      if (problem && 'problem' in problem) throw new OcenRefusal('INVALID_REQUEST', `loanApplications[${index}]: ${problem.problem}`, 400);
      await core.incomeDocuments.receive({ partnerId, externalReference: id }, read.map((r) => ('document' in r ? r.document : undefined)!));
      ids.push(id);
    }
    const unique = [...new Set(ids)];
    return { subjects: unique, context: { loanApplicationIds: unique } };
  },

  async answer({ partnerId, now }, context: AdditionalDocumentsContext) {
    for (const id of context.loanApplicationIds) {
      const application = await core.facts.get({ partnerId, externalReference: id });
      await core.incomeDocuments.verify(application.id);
    }
    return { loanApplications: await loanApplicationsWithOffers(core, partnerId, context.loanApplicationIds, now) };
  },
});
