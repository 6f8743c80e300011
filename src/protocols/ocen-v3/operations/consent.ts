import { AnswerNotReady } from '../../../core/lending/partner-answers';
import { ocenConsent } from '../../shared/ocen-family';
import { V3Refusal } from '../ocen-v3-envelope';
import { v3OperationRefusals } from '../ocen-v3-errors';
import { V3Core, defineV3Operation, v3ApplicationOf } from '../ocen-v3-operation';

/**
 * consentHandleRequest: the lender (FIU) asks the account aggregator for the borrower's consent to share bank
 * statements for the listed applications (1 to 50); the AA is asked by the worker; answered with the AA's
 * `consentHandle`, PENDING and the `url` where the borrower approves it.
 */
export const consentHandle = (core: V3Core) => defineV3Operation<'consent/consentHandleRequest', { consentId: string }>({
  request: 'consent/consentHandleRequest',

  async accept({ partnerId, body }) {
    const ids = [...new Set(body.loanApplicationIds)];
    if (ids.length === 0 || ids.length > 50) throw new V3Refusal('INVALID_REQUEST', 'Send 1 to 50 loanApplicationIds', 400);
    for (const id of ids) await v3ApplicationOf(core, partnerId, id);
    if (!body.consent.vua) throw new V3Refusal('INVALID_REQUEST', 'consent.vua (the borrower\'s AA id, e.g. 9876543210@aa) is required', 400);
    const consentId = await core.consents.request(partnerId, ids, { vua: body.consent.vua, fetchType: body.consent.consentFetchType === 'PERIODIC' ? 'PERIODIC' : 'ONETIME' });
    return { subjects: ids, context: { consentId } };
  },

  async answer({ partnerId }, { consentId }) {
    await core.consents.advance(consentId);
    const view = await core.consents.byId(partnerId, consentId);
    if (view.state === 'REQUESTED') throw new AnswerNotReady(`the account aggregator has not answered for consent ${consentId}`);
    return { consent: ocenConsent(view) };
  },
});

/** consentStatusRequest: the consent (by `consent.consentHandle`) as it stands, read again from the AA when it answers. */
export const consentStatusRequest = (core: V3Core) => defineV3Operation<'consent/consentStatusRequest', { consentId: string }>({
  request: 'consent/consentStatusRequest',

  async accept({ partnerId, body }) {
    const handle = body.consent.consentHandle;
    if (!handle) throw new V3Refusal('INVALID_REQUEST', 'consent.consentHandle is required', 400);
    const view = await core.consents.byHandle(partnerId, handle).catch((err: unknown) => {
      throw v3OperationRefusals.unknownConsent(err, handle);
    });
    return { subjects: view.externalReferences, context: { consentId: view.id } };
  },

  async answer({ partnerId }, { consentId }) {
    await core.consents.advance(consentId).catch(() => undefined); // the AA unreachable: the state last recorded is answered
    return { consent: ocenConsent(await core.consents.byId(partnerId, consentId)) };
  },
});
