import { operationRefusals } from '../ocen-errors';
import type { ConsentView } from '../../../core/consent/consent';
import { ocenConsent } from '../../shared/ocen-family';
import { OcenCore, OcenNotReady, OcenRefusal, applicationOf, defineOcenOperation, textOf } from '../ocen-operation';
import { Consent, untrusted } from '../ocen-wire';

function loanApplicationIdsOf(body: { readonly loanApplicationIds?: unknown }): string[] {
  const ids = (Array.isArray(body.loanApplicationIds) ? body.loanApplicationIds : []).map((id) => textOf(id) ?? '');
  if (ids.length === 0 || ids.length > 50 || ids.some((id) => !id)) throw new OcenRefusal('INVALID_REQUEST', 'Send 1 to 50 loanApplicationIds', 400);
  return [...new Set(ids)];
}

/** The agent's consent behind a handle; another agent's, or an unknown one, is the same refusal. */
async function consentOf(core: OcenCore, partnerId: string, handle: string | undefined): Promise<ConsentView> {
  if (!handle) throw new OcenRefusal('INVALID_REQUEST', 'consentHandle is required', 400);
  try {
    return await core.consents.byHandle(partnerId, handle);
  } catch (err) {
    throw operationRefusals.unknownConsent(err, handle);
  }
}

/**
 * consentHandleRequest: the lender (FIU) asks the account aggregator for the borrower's consent to share bank
 * statements for the listed loan applications. Recorded with the request; the AA is asked by the worker (the
 * consent's id as the reference); answered with the AA's `consentHandle`, PENDING and the `url` where the
 * borrower approves it (consentFetchType and vua as given).
 */
export const consentHandle = (core: OcenCore) => defineOcenOperation({
  request: 'consent/consentHandleRequest',
  response: 'consent/consentHandleResponse',

  async accept({ partnerId, body }) {
    const ids = loanApplicationIdsOf(body);
    for (const id of ids) await applicationOf(core, partnerId, id);
    const consent = untrusted<Consent>(body.consent);
    const vua = textOf(consent.vua);
    if (!vua) throw new OcenRefusal('INVALID_REQUEST', 'consent.vua (the borrower\'s AA id, e.g. 9876543210@aa) is required', 400);
    const fetchType = consent.consentFetchType === 'PERIODIC' ? 'PERIODIC' : 'ONETIME';
    const consentId = await core.consents.request(partnerId, ids, { vua, fetchType });
    return { subjects: ids, context: { consentId, loanApplicationIds: ids } };
  },

  async answer({ partnerId }, { consentId, loanApplicationIds }) {
    await core.consents.advance(consentId);
    const view = await core.consents.byId(partnerId, consentId);
    if (view.state === 'REQUESTED') throw new OcenNotReady(`the account aggregator has not answered for consent ${consentId}`);
    return { loanApplicationIds, consent: ocenConsent(view) };
  },
});

/**
 * journeyNotify (no response operation in the spec: only acked): the agent says a consent moved. What it claims
 * is not taken as the status: the consent's status is read again from the account aggregator by the worker.
 * Another agent's handle, or a loan application the consent is not for, is refused.
 */
export const journeyNotify = (core: OcenCore) => defineOcenOperation({
  request: 'consent/journeyNotify',
  response: null,

  async accept({ partnerId, body }) {
    const ids = loanApplicationIdsOf(body);
    const view = await consentOf(core, partnerId, textOf(untrusted<Consent>(body.consent).consentHandle));
    const foreign = ids.find((id) => !view.externalReferences.includes(id));
    if (foreign) throw new OcenRefusal('INVALID_REQUEST', `Consent ${view.handle} is not for loan application ${JSON.stringify(foreign)}`, 400);
    await core.consents.notified(view.handle!, partnerId);
    return { subjects: ids, context: null };
  },

  async answer() {
    return {};
  },
});

/** statusRequest: the consent's state (READY / PENDING / FAILED), read again from the account aggregator when it answers. */
export const consentStatusRequest = (core: OcenCore) => defineOcenOperation({
  request: 'consent/statusRequest',
  response: 'consent/statusResponse',

  async accept({ partnerId, body }) {
    const view = await consentOf(core, partnerId, textOf(body.consentHandle));
    return { subjects: view.externalReferences, context: { consentId: view.id } };
  },

  async answer({ partnerId }, { consentId }) {
    try {
      await core.consents.advance(consentId);
    } catch (err) {
      core.logger.warn({ err, consentId }, 'the account aggregator could not be asked; answering the consent state last recorded');
    }
    const view = await core.consents.byId(partnerId, consentId);
    return { loanApplicationIds: view.externalReferences, consent: ocenConsent(view) };
  },
});
