import type { Application, ApplicationRef } from '../../../core/application/application';
import { agreementVersion, loanAgreementText } from '../../shared/loan-agreement';
import { OcenCore, OcenRefusal, applicationOf, defineOcenOperation, loanApplicationIdOf, textOf } from '../ocen-operation';
import { viewOf } from './application-facts';
import { otpSessionStatusOf } from '../ocen-errors';
import { LoanAgreement, OcenMessage, untrusted } from '../ocen-wire';

/** The agreement for the application's chosen terms (null while no terms were chosen), and its version. */
async function agreementOf(core: OcenCore, application: Application, loanApplicationId: string): Promise<{ text: string; version: string } | null> {
  const terms = await core.acceptance.terms(application);
  if (!terms) return null;
  const borrower = core.acceptance.borrower(application);
  const text = loanAgreementText(
    { lenderName: core.lenderName, lenderReference: application.lenderReference, loanApplicationId, borrowerName: borrower.fullName, panLast4: application.panLast4 },
    terms,
  );
  return { text, version: agreementVersion(text) };
}

/** Applications that can have an agreement: approved, not rejected. */
function assertOpen(application: Application, id: string): void {
  if (application.approvalState !== 'APPROVED' || application.applicationState === 'REJECTED') {
    throw new OcenRefusal('PRECONDITION_FAILED', `Loan application ${id} has no offer to agree to (it is ${application.applicationState})`, 422);
  }
}

/**
 * loanAgreementRequest: the loan agreement with its key facts statement for the chosen offer's terms, as text
 * (`legalDocument {type: TEXT, data}`, deterministic: the same terms give the same text; see loan-agreement.ts).
 * AGREEMENT_READY once KYC is APPROVED (or the agreement was signed); otherwise ACTION_REQUIRED naming what is
 * missing (an offer to choose, KYC to complete). `baRedirectURL` is not used: the borrower accepts by OTP
 * (triggerLoanAcceptance), not on a page of ours. Refused: an application without an approved offer.
 * Producing the agreement for chosen terms in a valid offer issues their Key Fact Statement (valid 3 working
 * days): verifyLoanAcceptance signs only while the latest one holds for the terms (KFS_EXPIRED otherwise).
 */
export const loanAgreement = (core: OcenCore) => defineOcenOperation({
  request: 'loanAcceptance/loanAgreementRequest',
  response: 'loanAcceptance/LoanAgreementResponse',

  async accept({ partnerId, body }) {
    const id = loanApplicationIdOf(body);
    assertOpen(await applicationOf(core, partnerId, id), id);
    await core.acceptance.issueKeyFacts({ partnerId, externalReference: id });
    return { subjects: [id], context: { loanApplicationId: id } };
  },

  async answer({ partnerId }, { loanApplicationId }) {
    const view = await viewOf(core, { partnerId, externalReference: loanApplicationId });
    const agreement = await agreementOf(core, view.application, loanApplicationId);
    const base = { loanApplicationId, loanApplicationStatus: view.status };
    if (!agreement) {
      return {
        ...base,
        loanAgreement: {
          status: 'ACTION_REQUIRED',
          actionRequired: [{ actionType: 'OTHER', description: 'Choose one of the offers (setOffersRequest) first', reference: { object: 'offer', value: 'NOT_CHOSEN' } }],
        },
      };
    }
    const legalDocument: LoanAgreement = { type: 'TEXT', data: agreement.text };
    const signed = view.application.applicationState !== 'IN_PROGRESS';
    if (signed || (await core.kyc.isApproved(view.application))) return { ...base, loanAgreement: { legalDocument, status: 'AGREEMENT_READY' } };
    return {
      ...base,
      loanAgreement: {
        legalDocument,
        status: 'ACTION_REQUIRED',
        actionRequired: [{ actionType: 'OTHER', description: 'Complete the borrower\'s KYC (triggerKycRequest) first', reference: { object: 'kyc', value: view.kyc?.state ?? 'NOT_STARTED' } }],
      },
    };
  },
});

interface TriggerAcceptanceContext {
  loanApplicationId: string;
  otpSessionKey: string;
  maskedPhoneNumber: string;
}

/**
 * triggerLoanAcceptanceRequest: sends the borrower, at the application's phone, the acceptance OTP in the spec's
 * SMS format (`NNNNNN is the One Time Password (OTP) to complete the loan process with <lender>. <appToken>`,
 * appToken from `credBlock.data.appToken`), and answers `credBlock.data {otpSessionKey, maskedPhoneNumber}`
 * (LOAN_AGREEMENT_INITIATED while the OTP is usable: 5 minutes, 3 attempts). The phone's OTP limits apply.
 * Refused: KYC not APPROVED, no chosen terms or an application not IN_PROGRESS (PRECONDITION_FAILED), an
 * expired offer (OFFER_EXPIRED), a bad appToken (INVALID_REQUEST), too many OTPs or a locked phone
 * (CHALLENGE_RATE_LIMITED, 429).
 */
export const triggerLoanAcceptance = (core: OcenCore) => defineOcenOperation({
  request: 'loanAcceptance/triggerLoanAcceptanceRequest',
  response: 'loanAcceptance/triggerLoanAcceptanceResponse',

  async accept({ partnerId, body }) {
    const id = loanApplicationIdOf(body);
    await applicationOf(core, partnerId, id);
    const credBlock = untrusted<OcenMessage<'loanAcceptance/triggerLoanAcceptanceRequest'>['credBlock']>(body.credBlock);
    if (credBlock.type !== undefined && credBlock.type !== 'OTP') throw new OcenRefusal('INVALID_REQUEST', 'credBlock.type must be OTP', 400);
    const appToken = textOf(untrusted<NonNullable<OcenMessage<'loanAcceptance/triggerLoanAcceptanceRequest'>['credBlock']['data']>>(credBlock.data).appToken) || undefined;
    const session = await core.acceptance.requestAcceptance({ partnerId, externalReference: id }, appToken);
    return { subjects: [id], context: { loanApplicationId: id, otpSessionKey: session.sessionKey, maskedPhoneNumber: session.maskedPhone } };
  },

  async answer({ partnerId }, { loanApplicationId, otpSessionKey, maskedPhoneNumber }: TriggerAcceptanceContext) {
    const view = await viewOf(core, { partnerId, externalReference: loanApplicationId });
    return { loanApplicationId, loanApplicationStatus: view.status, credBlock: { data: { otpSessionKey, maskedPhoneNumber } } };
  },
});

type SessionStatus = 'SUCCESS' | 'INVALID_SESSION' | 'INCORRECT_OTP';


/** The OTP as typed: the spec types it as a number, so leading zeros are restored to the code's 6 digits. */
function otpOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return String(value).padStart(6, '0');
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * verifyLoanAcceptanceRequest: the borrower's OTP. SUCCESS signs the agreement on the core (IN_PROGRESS → SIGNED,
 * the terms fixed; LOAN_AGREEMENT_COMPLETED). A wrong code is acked, counted durably (it commits on its own, a
 * duplicate of the request is not counted again) and answered INCORRECT_OTP; an unknown, expired, used or
 * exhausted session, or one of another application, INVALID_SESSION. Refused (nothing counted): no session key or
 * OTP (INVALID_REQUEST), KYC not APPROVED or an application not IN_PROGRESS (PRECONDITION_FAILED), no Key Fact
 * Statement issued (KFS_REQUIRED: request the loan agreement first), the latest one for other terms
 * (KFS_TERMS_MISMATCH) or past its validity (KFS_EXPIRED), all 422; a phone locked after too many wrong codes
 * (CHALLENGE_RATE_LIMITED, 429).
 */
export const verifyLoanAcceptance = (core: OcenCore) => defineOcenOperation({
  request: 'loanAcceptance/verifyLoanAcceptanceRequest',
  response: 'loanAcceptance/verifyLoanAcceptanceResponse',

  async accept({ partnerId, body, claimed }) {
    const id = loanApplicationIdOf(body);
    const application = await applicationOf(core, partnerId, id);
    const data = untrusted<NonNullable<OcenMessage<'loanAcceptance/verifyLoanAcceptanceRequest'>['credBlock']['data']>>(
      untrusted<OcenMessage<'loanAcceptance/verifyLoanAcceptanceRequest'>['credBlock']>(body.credBlock).data,
    );
    const sessionKey = textOf(data.otpSessionKey);
    const code = otpOf(data.otp);
    if (!sessionKey || !code) throw new OcenRefusal('INVALID_REQUEST', 'credBlock.data needs otpSessionKey and otp', 400);
    const ref: ApplicationRef = { partnerId, externalReference: id };
    const agreement = await agreementOf(core, application, id);
    let status: SessionStatus = 'SUCCESS';
    try {
      await core.acceptance.sign(ref, { sessionKey, code }, agreement?.version ?? '', async () => {
        if (!(await claimed)) throw new Error('duplicate request: its first answer is replayed');
      });
    } catch (err) {
      const answer = otpSessionStatusOf(err);
      if (!answer) throw err;
      status = answer;
    }
    return { subjects: [id], context: { loanApplicationId: id, otpSessionKey: sessionKey, status } };
  },

  async answer({ partnerId }, { loanApplicationId, otpSessionKey, status }) {
    const view = await viewOf(core, { partnerId, externalReference: loanApplicationId });
    return { loanApplicationId, loanApplicationStatus: view.status, credBlock: { data: { otpSessionKey, status } } };
  },
});
