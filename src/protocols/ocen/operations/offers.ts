import { istDate } from '../../../core/shared/dates';
import { concreteOffers, loanApplicationStatus, parseOcenOfferId, rejectionReason } from '../ocen-mappers';
import { Json, OcenCore, OcenNotReady, OcenRefusal, applicationOf, defineOcenOperation, loanApplicationIdOf } from '../ocen-operation';

/**
 * generateOffersRequest (bulk, 1 to 50 loan applications of the agent): answered, once each credit decision is
 * in, with OFFERED and our concrete offers (one per tenure), or REJECTED with the reason.
 */
export const generateOffers = (core: OcenCore) => defineOcenOperation<{ loanApplicationIds: string[] }>({
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
    const loanApplications = [];
    for (const id of context.loanApplicationIds) {
      const ref = { partnerId, externalReference: id };
      const application = await core.applications.get(ref);
      if (application.approvalState === 'IN_PROCESS') throw new OcenNotReady(`credit decision of ${id} pending`);
      const offer = application.currentOfferId ? await core.offers.current(ref) : null;
      const status = loanApplicationStatus({ application, currentOffer: offer });
      const base = { loanApplicationId: id, createdDate: istDate(application.createdAt), loanApplicationStatus: status, kyc: {} };
      if (status === 'REJECTED') {
        loanApplications.push({ ...base, offers: [], rejectionDetails: [{ reason: rejectionReason(application.rejectionReason), description: application.rejectionDescription ?? application.rejectionReason ?? 'Rejected' }] });
      } else {
        loanApplications.push({ ...base, offers: offer ? concreteOffers(offer, application.requestedAmountMicros, now).map((o) => o.body) : [] });
      }
    }
    return { loanApplications };
  },
});

/**
 * setOffersRequest: the agent's choice among our offers for one loan application (OFFER_ACCEPTED). An offer that
 * is not one of ours, or whose sanctioned amount differs from ours, is refused (OFFER_UNKNOWN).
 */
export const setOffers = (core: OcenCore) => defineOcenOperation<{ loanApplicationId: string }>({
  request: 'offers/setOffersRequest',
  response: 'offers/setOffersResponse',

  async accept({ partnerId, body }) {
    const id = loanApplicationIdOf(body);
    const application = await applicationOf(core, partnerId, id);
    const offer = (body.offer ?? {}) as Json;
    const parsed = parseOcenOfferId(String(offer.id));
    const current = await core.offers.current({ partnerId, externalReference: id });
    const ours = parsed && current && parsed.offerId === current.id
      ? concreteOffers(current, application.requestedAmountMicros, core.clock.now()).find((o) => o.id === offer.id)
      : undefined;
    const terms = (offer.terms ?? {}) as Json;
    const sanctioned = terms.sanctionedAmount ?? terms.requestedAmount;
    if (!ours || (typeof sanctioned === 'number' && Math.round(sanctioned * 100) * 10_000 !== Number(ours.amountMicros))) {
      throw new OcenRefusal('OFFER_UNKNOWN', `Offer ${JSON.stringify(offer.id)} is not one of this lender's offers for loan application ${id}`, 422);
    }
    await core.offers.accept({ partnerId, externalReference: id, offerId: current!.id, amountMicros: ours.amountMicros, tenureMonths: ours.tenureMonths });
    return { subjects: [id], context: { loanApplicationId: id } };
  },

  async answer({ partnerId }, { loanApplicationId }) {
    const ref = { partnerId, externalReference: loanApplicationId };
    const application = await core.applications.get(ref);
    const offer = await core.offers.current(ref);
    return { loanApplicationId, loanApplicationStatus: loanApplicationStatus({ application, currentOffer: offer }) };
  },
});
