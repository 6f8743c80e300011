import type { Kyc } from '../../../core/kyc/kyc';
import type { KycMethod } from '../../../core/kyc/kyc-state';
import { Accepted, OcenCore, OcenRefusal, applicationOf, defineOcenOperation, loanApplicationIdOf, textOf } from '../ocen-operation';
import { viewOf } from './application-facts';
import { KYCDetails, OcenMessage, untrusted } from '../ocen-wire';

/** The KYC types of OCEN's KYCDetails for the core's completed method (Aadhaar e-KYC has none there). */
const KYC_TYPE: Partial<Record<KycMethod, 'CKYC' | 'VKYC' | 'OFFLINE'>> = { CKYC: 'CKYC', VIDEO_KYC: 'VKYC', OFFLINE: 'OFFLINE' };

/** OCEN's KYC status for the core's KYC state (an expired attempt cannot succeed: REJECTED). */
function statusOfKyc(kyc: Pick<Kyc, 'state'>): 'SUCCESS' | 'REJECTED' | 'PENDING' {
  switch (kyc.state) {
    case 'APPROVED': return 'SUCCESS';
    case 'REJECTED':
    case 'EXPIRED': return 'REJECTED';
    default: return 'PENDING';
  }
}

/** The KYCDetails of a KYC attempt (individual borrowers only: business KYC is not required, see getKYCMethods). */
function kycDetails(kyc: Kyc, next?: { url: string }): KYCDetails {
  const type = kyc.completedMethod ? KYC_TYPE[kyc.completedMethod] : undefined;
  return {
    kycRefNo: kyc.id,
    individual: { ...(type ? { type } : {}), status: statusOfKyc(kyc) },
    ...(next ? { next: { type: 'REDIRECT', data: { url: next.url } } } : {}),
  };
}

/**
 * getKYCMethodsRequest: the borrower's individual KYC is required, by CKYC when the borrower has a CKYC record,
 * else by Aadhaar e-KYC (`AADHAR_EKYC`, the spec's spelling). Business KYC is not required: every borrower is
 * underwritten as an individual (an ORGANIZATION borrower's KYC is not supported).
 */
export const getKycMethods = (core: OcenCore) => defineOcenOperation({
  request: 'kyc/getKYCMethodsRequest',
  response: 'kyc/getKYCMethodsResponse',

  async accept({ partnerId, body }) {
    const id = loanApplicationIdOf(body);
    await applicationOf(core, partnerId, id);
    return { subjects: [id], context: { loanApplicationId: id } };
  },

  async answer({ partnerId }, { loanApplicationId }) {
    const methods = await core.kyc.eligibleMethods({ partnerId, externalReference: loanApplicationId });
    return {
      loanApplicationId,
      kyc: {
        individual: { isRequired: true, method: methods.includes('CKYC') ? 'CKYC' : 'AADHAR_EKYC' },
        business: { isRequired: false },
      },
    };
  },
});

interface TriggerKycContext {
  loanApplicationId: string;
  /** The KYC page's link (with its short-lived token), absent when KYC was finished already. */
  url?: string;
}

/**
 * triggerKycRequest: starts (or restarts, with a fresh link) the borrower's KYC journey on the core for the chosen
 * offer and answers the bank's KYC page to send the borrower to (`kyc.next {type: REDIRECT, data.url}`, the link
 * valid 10 minutes), status PENDING and `kycRefNo`. `baRedirectURL` is where the page sends the borrower back (https;
 * carried in the page's token). A KYC already completed is answered as it is, with no link. Refused: an offer not
 * chosen yet (OFFER_NOT_ACCEPTED), an application not IN_PROGRESS (PRECONDITION_FAILED).
 */
export const triggerKyc = (core: OcenCore) => defineOcenOperation({
  request: 'kyc/triggerKycRequest',
  response: 'kyc/triggerKycResponse',

  async accept({ partnerId, body }): Promise<Accepted<TriggerKycContext>> {
    const id = loanApplicationIdOf(body);
    const application = await applicationOf(core, partnerId, id);
    const ref = { partnerId, externalReference: id };
    const offer = application.currentOfferId ? await core.offers.current(ref) : null;
    if (!offer?.acceptedAt) throw new OcenRefusal('OFFER_NOT_ACCEPTED', `Choose an offer (setOffersRequest) for loan application ${id} before KYC`, 409);
    const current = await core.kyc.current(ref);
    if (current && !['NOT_STARTED', 'IN_PROGRESS'].includes(current.state)) return { subjects: [id], context: { loanApplicationId: id } };
    await core.kyc.initiate(ref, offer.id);
    const link = await core.authTokens.pageLink(ref, 'KYC', textOf(body.baRedirectURL) || undefined);
    return { subjects: [id], context: { loanApplicationId: id, url: link.url } };
  },

  async answer({ partnerId }, { loanApplicationId, url }) {
    const view = await viewOf(core, { partnerId, externalReference: loanApplicationId });
    return { loanApplicationId, loanApplicationStatus: view.status, kyc: view.kyc ? kycDetails(view.kyc, url ? { url } : undefined) : {} };
  },
});

/**
 * kycStatusRequest: the state of the borrower's current KYC attempt (SUCCESS, PENDING, or REJECTED for a rejected
 * or expired one) and the LoanApplicationStatus (KYC_INITIATED, KYC_COMPLETED, KYC_REJECTED, ...). Refused: no KYC
 * triggered yet (KYC_NOT_STARTED), a `kycRefNo` that is not the current attempt's (UNKNOWN_KYC).
 */
export const kycStatus = (core: OcenCore) => defineOcenOperation({
  request: 'kyc/kycStatusRequest',
  response: 'kyc/kycStatusResponse',

  async accept({ partnerId, body }) {
    const id = loanApplicationIdOf(body);
    await applicationOf(core, partnerId, id);
    const kyc = await core.kyc.current({ partnerId, externalReference: id });
    if (!kyc) throw new OcenRefusal('KYC_NOT_STARTED', `No KYC was triggered for loan application ${id}`, 409);
    const refNo = textOf(untrusted<OcenMessage<'kyc/kycStatusRequest'>['kyc']>(body.kyc).kycRefNo);
    if (refNo && refNo !== kyc.id) throw new OcenRefusal('UNKNOWN_KYC', `kycRefNo ${JSON.stringify(refNo)} is not the current KYC of loan application ${id}`, 404);
    return { subjects: [id], context: { loanApplicationId: id } };
  },

  async answer({ partnerId }, { loanApplicationId }) {
    const view = await viewOf(core, { partnerId, externalReference: loanApplicationId });
    return { loanApplicationId, loanApplicationStatus: view.status, kyc: view.kyc ? kycDetails(view.kyc) : {} };
  },
});
