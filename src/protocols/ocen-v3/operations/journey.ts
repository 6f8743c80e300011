import type { ApplicationRef } from '../../../core/application/application';
import type { ApplicationView } from '../../../core/lending/application-facts';
import { AnswerNotReady } from '../../../core/lending/partner-answers';
import { parseRupeesText } from '../../../core/money/money';
import { istDate } from '../../../core/shared/dates';
import type * as W from '../../../generated/ocen-v3/ocen-v3-types';
import { agreementVersion, loanAgreementText } from '../../shared/loan-agreement';
import { V3Refusal } from '../ocen-v3-envelope';
import { v3OperationRefusals, v3OtpSessionStatusOf } from '../ocen-v3-errors';
import {
  isGranted, readV3Applicant, v3Amount, v3Borrower, v3Offers, v3RejectionReason, v3RepaymentPlan,
} from '../ocen-v3-mappers';
import { ocenOpening, ocenPlanId, parseOcenOfferId, parseOcenPlanId } from '../../shared/ocen-family';
import { V3Core, defineV3Operation, v3ApplicationOf, v3LoanOf } from '../ocen-v3-operation';

/** v3's loanApplicationStatus (a free string in Core/loanApplication.json; setOfferResponse enumerates these). */
type V3Status = 'PROCESSING' | 'OFFERED' | 'REJECTED' | 'OFFER_ACCEPTED' | 'GRANTED';

function v3Status({ application, offer }: Pick<ApplicationView, 'application' | 'offer'>): V3Status {
  if (application.applicationState === 'REJECTED' || application.approvalState === 'REJECTED') return 'REJECTED';
  if (isGranted(application)) return 'GRANTED';
  if (offer?.acceptedAt) return 'OFFER_ACCEPTED';
  return application.approvalState === 'APPROVED' ? 'OFFERED' : 'PROCESSING';
}

interface CreateContext {
  applications: Array<{ loanApplicationId: string; type: W.BulkCreateLoanApplicationRequest['loanApplications'][number]['type']; terms: W.Loanterms }>;
}

/**
 * createLoanApplicationsRequest: 1 to 10 loan applications, each opened on the core (credit decision without an
 * OTP; a loanApplicationId the agent used before is refused). The answer (createLoanApplicationsResponse) echoes
 * each application as recorded once its credit decision is in; v3 gives it no status: generateOffers says OFFERED
 * or REJECTED.
 */
export const createLoanApplications = (core: V3Core) => defineV3Operation<'loanApplication/createLoanApplicationsRequest', CreateContext>({
  request: 'loanApplication/createLoanApplicationsRequest',

  async accept({ partnerId, body }) {
    if (body.loanApplications.length === 0 || body.loanApplications.length > 10) throw new V3Refusal('INVALID_REQUEST', 'Send 1 to 10 loanApplications', 400);
    const context: CreateContext = { applications: [] };
    for (const [index, loanApplication] of body.loanApplications.entries()) {
      const reading = readV3Applicant(loanApplication);
      if ('problem' in reading) throw new V3Refusal('INVALID_REQUEST', `loanApplications[${index}]: ${reading.problem}`, 400);
      await core.opening.open(ocenOpening(partnerId, core.productId, reading));
      context.applications.push({ loanApplicationId: reading.loanApplicationId, type: loanApplication.type, terms: { requestedAmount: v3Amount(reading.requestedAmountMicros), currency: 'INR' } });
    }
    return { subjects: context.applications.map((a) => a.loanApplicationId), context };
  },

  async answer({ partnerId }, context) {
    const loanApplications = [];
    for (const { loanApplicationId, type, terms } of context.applications) {
      const application = await core.opening.decided({ partnerId, externalReference: loanApplicationId });
      if (!application) throw new AnswerNotReady(`credit decision of ${loanApplicationId} pending`);
      loanApplications.push({
        createdDate: application.createdAt.toISOString(),
        loanApplicationId,
        type,
        borrower: v3Borrower(core.acceptance.borrower(application)),
        collaterals: [],
        guarantors: [],
        applicants: [],
        terms,
      });
    }
    return { loanApplications };
  },
});

/**
 * generateOffersRequest (1 to 50 of the agent's applications): answered once each credit decision is in, with
 * OFFERED and our concrete offers (one per tenure), or REJECTED with the reason. Once an offer is chosen and the
 * borrower's KYC is still to be done: OFFER_ACCEPTED with `actionRequired.url`, the bank's KYC page (v3 has no KYC
 * API; the link is short-lived, ask again for a fresh one).
 */
export const generateOffers = (core: V3Core) => defineV3Operation<'offer/generateOffersRequest', { loanApplicationIds: string[] }>({
  request: 'offer/generateOffersRequest',

  async accept({ partnerId, body }) {
    const ids = [...new Set(body.loanApplicationIds)];
    if (ids.length === 0 || ids.length > 50) throw new V3Refusal('INVALID_REQUEST', 'Send 1 to 50 loanApplicationIds', 400);
    for (const id of ids) await v3ApplicationOf(core, partnerId, id);
    return { subjects: ids, context: { loanApplicationIds: ids } };
  },

  async answer({ partnerId, now }, { loanApplicationIds }) {
    const loanApplications: W.LoanApplication[] = [];
    for (const id of loanApplicationIds) {
      const application = await core.opening.decided({ partnerId, externalReference: id });
      if (!application) throw new AnswerNotReady(`credit decision of ${id} pending`);
      const view = await core.facts.of({ partnerId, externalReference: id });
      const pending = await core.facts.decisionPending(view);
      if (pending) throw new AnswerNotReady(`${pending} of ${id} pending`);
      const status = v3Status(view);
      if (status === 'REJECTED') {
        loanApplications.push({
          loanApplicationId: id,
          loanApplicationStatus: status,
          offers: [],
          rejectionDetails: { reason: v3RejectionReason(application.rejectionReason), description: application.rejectionDescription ?? application.rejectionReason ?? 'Rejected' },
        });
      } else if (application.approvalState === 'INCOME_VERIFICATION') {
        loanApplications.push({
          loanApplicationId: id,
          loanApplicationStatus: 'ACTION_REQUIRED',
          offers: [],
          actionRequired: {
            actionType: 'OTHER',
            description: view.consent?.state === 'PENDING'
              ? 'Waiting for the borrower to approve the account-aggregator consent'
              : 'The borrower\'s income is to be verified: have the borrower approve an account-aggregator consent (consent/consentHandleRequest)',
            reference: { object: 'loanApplication', value: id },
          },
        });
      } else if (status === 'OFFER_ACCEPTED' && view.kyc && ['NOT_STARTED', 'IN_PROGRESS'].includes(view.kyc.state)) {
        // v3 has no KYC API: the borrower's KYC for the chosen offer is an action on the bank's KYC page.
        const link = await core.authTokens.pageLink({ partnerId, externalReference: id }, 'KYC');
        loanApplications.push({
          loanApplicationId: id,
          loanApplicationStatus: status,
          offers: [],
          actionRequired: {
            actionType: 'OTHER',
            description: `Send the borrower to the bank's KYC page (valid until ${link.expiresAt.toISOString()}; ask generateOffers again for a fresh link); then trigger the loan acceptance`,
            reference: { object: 'kyc', value: view.kyc.id },
            url: link.url,
          },
        });
      } else {
        loanApplications.push({ loanApplicationId: id, loanApplicationStatus: status, offers: view.offer ? v3Offers(view.offer, application.requestedAmountMicros, now).map((o) => o.body) : [] });
      }
    }
    return { loanApplications };
  },
});

/**
 * setOfferRequest: the agent's choice among our offers (OFFER_ACCEPTED). The core decides whether it is one of ours
 * (OfferService.choose): an offer id we did not give for this application, a tenure it does not allow, or a
 * `terms.sanctionedAmount` (absent: `requestedAmount`) other than ours is refused (OFFER_UNKNOWN, 422). v3 defines
 * no KYC API: choosing the offer opens the borrower's KYC on the core for it, which the borrower completes on the
 * bank's KYC page before accepting the loan (the link: generateOffersResponse's `actionRequired.url`).
 */
export const setOffer = (core: V3Core) => defineV3Operation<'offer/setOfferRequest', { loanApplicationId: string }>({
  request: 'offer/setOfferRequest',

  async accept({ partnerId, body }) {
    const id = body.loanApplicationId;
    await v3ApplicationOf(core, partnerId, id);
    const ref = { partnerId, externalReference: id };
    const amountMicros = parseRupeesText(body.offer.terms.sanctionedAmount ?? body.offer.terms.requestedAmount);
    if (amountMicros === undefined) throw new V3Refusal('INVALID_REQUEST', 'offer.terms.sanctionedAmount must be rupees (at most two decimals), as our offer has it', 400);
    // An id not of our form names no offer of ours: the core refuses it as it refuses another lender's.
    const chosen = parseOcenOfferId(body.offer.id) ?? { offerId: '', tenureMonths: 0 };
    const accepted = await core.offers.choose({ ...ref, ...chosen, amountMicros }).catch((err: unknown) => {
      throw v3OperationRefusals.unknownOffer(err, body.offer.id, id);
    });
    const kyc = await core.kyc.current(ref);
    if (!kyc || ['NOT_STARTED', 'IN_PROGRESS'].includes(kyc.state)) await core.kyc.initiate(ref, accepted.id);
    return { subjects: [id], context: { loanApplicationId: id } };
  },

  async answer({ partnerId }, { loanApplicationId }) {
    const view = await core.facts.of({ partnerId, externalReference: loanApplicationId });
    return { loanApplicationId, loanApplicationStatus: v3Status(view) };
  },
});

/** Our otpSessionKey carries the application (verifyLoanAcceptanceRequest names none): `<loanApplicationId>~<session key>`. */
const sessionKeyOf = (loanApplicationId: string, sessionKey: string) => `${loanApplicationId}~${sessionKey}`;
function parseSessionKey(value: string | undefined): { loanApplicationId: string; sessionKey: string } | undefined {
  const at = value?.lastIndexOf('~') ?? -1;
  return value && at > 0 ? { loanApplicationId: value.slice(0, at), sessionKey: value.slice(at + 1) } : undefined;
}

/** The agreement text of the chosen terms and its version (recorded with the signature), as OCEN 4.0 writes it. */
async function agreementOf(core: V3Core, ref: ApplicationRef) {
  const application = await core.facts.get(ref);
  const terms = await core.acceptance.terms(application);
  if (!terms) return null;
  const borrower = core.acceptance.borrower(application);
  const text = loanAgreementText({ lenderName: core.lenderName, lenderReference: application.lenderReference, loanApplicationId: ref.externalReference, borrowerName: borrower.fullName, panLast4: application.panLast4 }, terms);
  return { text, version: agreementVersion(text) };
}

/**
 * triggerLoanAcceptanceRequest (one loan application per OTP): issues the Key Fact Statement of the chosen terms
 * and sends the borrower the acceptance OTP (its SMS carries `credBlock.data.appToken`); answered with our
 * otpSessionKey and the masked phone. Refused: KYC not APPROVED or no chosen offer (PRECONDITION_FAILED), too many OTPs (429).
 */
export const triggerLoanAcceptance = (core: V3Core) => defineV3Operation<'loan/triggerLoanAcceptanceRequest', { otpSessionKey: string; maskedPhoneNumber: string }>({
  request: 'loan/triggerLoanAcceptanceRequest',

  async accept({ partnerId, body }) {
    const ids = [...new Set(body.loanApplicationIds)];
    if (ids.length !== 1) throw new V3Refusal('INVALID_REQUEST', 'Send exactly one loanApplicationId: this lender asks one OTP per loan', 400);
    const ref = { partnerId, externalReference: ids[0] };
    await v3ApplicationOf(core, partnerId, ids[0]);
    await core.acceptance.issueKeyFacts(ref);
    const session = await core.acceptance.requestAcceptance(ref, body.credBlock.data.appToken || undefined);
    return { subjects: ids, context: { otpSessionKey: sessionKeyOf(ids[0], session.sessionKey), maskedPhoneNumber: session.maskedPhone } };
  },

  async answer(_answering, { otpSessionKey, maskedPhoneNumber }) {
    return { credBlock: { type: 'OTP', data: { otpSessionKey, maskedPhoneNumber } } };
  },
});

type SessionStatus = 'SUCCESS' | 'INVALID_SESSION' | 'INCORRECT_OTP';

/**
 * verifyLoanAcceptanceRequest: the borrower's OTP (`credBlock.data.otp`) for our otpSessionKey. SUCCESS signs the
 * agreement on the core; a wrong code is counted (durably, once per request) and answered INCORRECT_OTP; an
 * unknown, expired or used session INVALID_SESSION.
 */
export const verifyLoanAcceptance = (core: V3Core) => defineV3Operation<'loan/verifyLoanAcceptanceRequest', { otpSessionKey: string; status: SessionStatus }>({
  request: 'loan/verifyLoanAcceptanceRequest',

  async accept({ partnerId, body, claimed }) {
    const { otpSessionKey, otp } = body.credBlock.data;
    const session = parseSessionKey(otpSessionKey);
    if (!session || otp === undefined || !Number.isInteger(otp) || otp < 0) throw new V3Refusal('INVALID_REQUEST', 'credBlock.data needs our otpSessionKey and the otp', 400);
    const ref = { partnerId, externalReference: session.loanApplicationId };
    await v3ApplicationOf(core, partnerId, session.loanApplicationId);
    const agreement = await agreementOf(core, ref);
    let status: SessionStatus = 'SUCCESS';
    try {
      await core.acceptance.sign(ref, { sessionKey: session.sessionKey, code: String(otp).padStart(6, '0') }, agreement?.version ?? '', async () => {
        if (!(await claimed)) throw new Error('duplicate request: its first answer is replayed');
      });
    } catch (err) {
      const answer = v3OtpSessionStatusOf(err);
      if (!answer) throw err;
      status = answer;
    }
    return { subjects: [session.loanApplicationId], context: { otpSessionKey: otpSessionKey ?? '', status } };
  },

  async answer(_answering, { otpSessionKey, status }) {
    return { credBlock: { type: 'OTP', data: { otpSessionKey, status } } };
  },
});

/**
 * The chosen plans of a signed or granted loan, counting from the day of the grant: the terms and the one-time
 * disbursement of our offer for the signed terms, and the monthly EMI plan (the core's RepaymentPlans).
 */
async function chosenPlans(core: V3Core, ref: ApplicationRef, grantedOn: string): Promise<Pick<W.GrantLoanResponse, 'terms' | 'disbursement' | 'repayment'>> {
  const { application, offer: current } = await core.facts.of(ref);
  const granted = new Date(`${grantedOn}T00:00:00+05:30`);
  const plan = await core.repaymentPlans.of(application, granted);
  const offer = current && plan
    ? v3Offers(current, application.requestedAmountMicros, granted).find((o) => o.tenureMonths === plan.tenureMonths && o.amountMicros === plan.principalMicros)
    : undefined;
  if (!plan || !offer) throw new AnswerNotReady(`terms of ${ref.externalReference} not found`);
  return {
    terms: offer.body.terms,
    disbursement: { plan: offer.body.disbursement.plans[0] },
    repayment: { plan: v3RepaymentPlan(plan) },
  };
}

/**
 * grantLoanRequest: grants the signed loan on the core (SIGNED → GRANTED); answered with `loanId` (our lender
 * reference, the v3 loan id from now on), GRANTED, the terms and the chosen disbursement and repayment plans
 * (the EMIs counted from the day of the grant; the schedule itself starts from the disbursement).
 * Refused: a loan not signed yet (LOAN_NOT_SIGNED, 409).
 */
export const grantLoan = (core: V3Core) => defineV3Operation<'loan/grantLoanRequest', { loanApplicationId: string; grantedOn: string }>({
  request: 'loan/grantLoanRequest',

  async accept({ partnerId, body }) {
    const id = body.loanApplicationId;
    await v3ApplicationOf(core, partnerId, id);
    try {
      await core.acceptance.grant({ partnerId, externalReference: id });
    } catch (err) {
      throw v3OperationRefusals.loanNotSigned(err);
    }
    return { subjects: [id], context: { loanApplicationId: id, grantedOn: istDate(core.clock.now()) } };
  },

  async answer({ partnerId }, { loanApplicationId, grantedOn }) {
    const ref = { partnerId, externalReference: loanApplicationId };
    const application = await core.facts.get(ref);
    return { loanId: application.lenderReference, loanStatus: 'GRANTED', ...(await chosenPlans(core, ref, grantedOn)) };
  },
});

/**
 * setRepaymentPlanRequest: starts our repayment e-mandate for the plan of the chosen offer (RepaymentPlans.start: a
 * pending one gets a fresh link, a failed one is retried, an active one is refused). `plan.id` must be the chosen
 * offer's repayment plan as generateOffersResponse and grantLoanResponse list it (`repayment.plan.id`,
 * `<offer id>-EMI`); another is refused (REPAYMENT_PLAN_UNKNOWN, 422, naming the id to send), and nothing is
 * started. Answered with our plan (the EMIs of the chosen terms, counted from the day of the answer), PENDING_AUTH,
 * and the bank's mandate page in `plan.paymentUrl` (short-lived: ask again for a fresh one).
 */
export const setRepaymentPlan = (core: V3Core) => defineV3Operation<'repayment/setRepaymentPlanRequest', { loanApplicationId: string; paymentUrl: string }>({
  request: 'repayment/setRepaymentPlanRequest',

  async accept({ partnerId, body }) {
    const id = body.loanApplicationId;
    await v3ApplicationOf(core, partnerId, id);
    const plan = parseOcenPlanId(body.plan.id) ?? null;
    const link = await core.repaymentPlans.start({ partnerId, externalReference: id }, { plan }).catch((err: unknown) => {
      throw v3OperationRefusals.unknownPlan(err, body.plan.id, id, ocenPlanId);
    });
    return { subjects: [id], context: { loanApplicationId: id, paymentUrl: link.pageUrl } };
  },

  async answer({ partnerId, now }, { loanApplicationId, paymentUrl }) {
    const application = await core.facts.get({ partnerId, externalReference: loanApplicationId });
    const plan = await core.repaymentPlans.of(application, now);
    if (!plan) throw new Error(`Loan application ${loanApplicationId} has a mandate but no chosen terms`);
    return { plan: { ...v3RepaymentPlan(plan), status: 'PENDING_AUTH', paymentUrl } };
  },
});

/**
 * setDisbursementAccountRequest: the borrower's account for the payout (`account.accountDataType` ACCOUNT with
 * accountIFSC and accountNumber, or VPA), checked and stored sealed by the core; answered with it masked.
 */
export const setDisbursementAccount = (core: V3Core) => defineV3Operation<'disbursement/setDisbursementAccountRequest', { id?: string; loanApplicationId: string }>({
  request: 'disbursement/setDisbursementAccountRequest',

  async accept({ partnerId, body }) {
    const application = await v3ApplicationOf(core, partnerId, body.loanApplicationId);
    const { data } = body.account;
    await core.payoutAccounts.set({ partnerId, externalReference: application.externalReference }, {
      type: body.account.accountDataType,
      ifsc: data.accountIFSC,
      accountNumber: data.accountNumber,
      holderName: typeof body.account.extensibleData?.accountHolderName === 'string' ? body.account.extensibleData.accountHolderName : undefined,
      vpa: data.vpa,
      accountKind: data.accountType,
    });
    return { subjects: [application.externalReference], context: { id: body.account.id, loanApplicationId: application.externalReference } };
  },

  async answer({ partnerId }, { id, loanApplicationId }) {
    const { account } = await core.facts.of({ partnerId, externalReference: loanApplicationId });
    if (!account) throw new Error(`Loan application ${loanApplicationId} has no disbursement account`);
    const data = account.type === 'ACCOUNT' ? { maskedAccountNumber: account.maskedAccount } : { vpa: account.maskedAccount };
    return { account: { ...(id ? { id } : {}), accountDataType: account.type, status: 'ACTIVE', data } };
  },
});

/**
 * triggerDisbursementRequest: the payout of a granted loan (`loanId`); `payment.totalAmount` must be our net
 * disbursal (AMOUNT_MISMATCH). Answered once the payout is terminal: SUCCESS with the UTR in `txnRefNo`, or FAILURE.
 */
export const triggerDisbursement = (core: V3Core) => defineV3Operation<'disbursement/triggerDisbursementRequest', { loanApplicationId: string; paymentId: string }>({
  request: 'disbursement/triggerDisbursementRequest',

  async accept({ partnerId, body }) {
    const application = await v3LoanOf(core, partnerId, body.loanId);
    const amountMicros = body.payment.totalAmount === undefined ? undefined : parseRupeesText(body.payment.totalAmount);
    if (amountMicros === undefined) throw new V3Refusal('INVALID_REQUEST', 'payment.totalAmount must be the net disbursal in rupees (at most two decimals)', 400);
    try {
      await core.submissions.release({ partnerId, externalReference: application.externalReference }, { amountMicros });
    } catch (err) {
      throw v3OperationRefusals.amountMismatch(err);
    }
    return { subjects: [application.externalReference], context: { loanApplicationId: application.externalReference, paymentId: body.payment.id } };
  },

  async answer({ partnerId }, context) {
    const { payout } = await core.facts.of({ partnerId, externalReference: context.loanApplicationId });
    if (!payout || payout.state === 'REQUESTED') throw new AnswerNotReady(`payout of ${context.loanApplicationId} not yet answered by the rail`);
    return { payment: await paymentOf(core, partnerId, context) };
  },
});

/** The Payment of a loan's payout: PENDING_AUTH while requested (the enum has nothing nearer), SUCCESS with the UTR, FAILURE with the reason. */
async function paymentOf(core: V3Core, partnerId: string, { loanApplicationId, paymentId }: { loanApplicationId: string; paymentId: string }): Promise<W.Payment> {
  const ref = { partnerId, externalReference: loanApplicationId };
  const { application, payout } = await core.facts.of(ref);
  const signed = payout ? null : await core.facts.signedTerms(application);
  const base = {
    id: paymentId,
    totalAmount: v3Amount(payout?.amountMicros ?? signed?.netDisbursalMicros ?? 0n),
    paymentMethodType: 'NETBANKING' as const,
    ...(payout?.completedAt ? { date: istDate(payout.completedAt) } : {}),
  };
  if (payout?.state === 'SUCCEEDED') return { ...base, status: 'SUCCESS', txnRefNo: payout.utr ?? '' };
  if (payout?.state === 'FAILED') return { ...base, status: 'FAILURE', description: `Disbursement failed: ${payout.failureReason ?? 'refused by the payment rail'}` };
  return { ...base, status: 'PENDING_AUTH', description: 'Disbursement requested, awaiting the payment rail' };
}

/** triggerDisbursementStatusRequest: the payout of a loan (`loanId`) as it stands (PENDING_AUTH while requested, SUCCESS, FAILURE). */
export const triggerDisbursementStatus = (core: V3Core) => defineV3Operation<'disbursement/triggerDisbursementStatusRequest', { loanApplicationId: string; paymentId: string }>({
  request: 'disbursement/triggerDisbursementStatusRequest',

  async accept({ partnerId, body }) {
    const application = await v3LoanOf(core, partnerId, body.loanId);
    return { subjects: [application.externalReference], context: { loanApplicationId: application.externalReference, paymentId: body.payment.id } };
  },

  async answer({ partnerId }, context) {
    return { payment: await paymentOf(core, partnerId, context) };
  },
});
