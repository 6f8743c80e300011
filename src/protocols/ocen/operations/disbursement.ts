import type { Application } from '../../../core/application/application';
import type { RepaymentPlan } from '../../../core/lending/repayment-plans';
import { operationRefusals } from '../ocen-errors';
import type { Payout } from '../../../core/loan/loan';
import type { PayoutAccountSummary } from '../../../core/payout/payout-account';
import { istDate } from '../../../core/shared/dates';
import { microsOfRupees, ocenPercent, ocenRupees } from '../ocen-mappers';
import { ocenPlanId, parseOcenPlanId } from '../../shared/ocen-family';
import { viewOf } from './application-facts';
import {
  OcenCore, OcenNotReady, OcenRefusal, applicationOf, defineOcenOperation, loanApplicationIdOf, loanIdIssued, loanIdOf, loanOf, textOf,
} from '../ocen-operation';
import { AccountDetails, AccountDetailsData, OcenPayload, Payment, PaymentPlan, ProductData, Untrusted, untrusted } from '../ocen-wire';

/**
 * The `/disbursement/` group: the repayment plan (our e-mandate), the disbursement account, and the payout the
 * loan agent triggers. Each request names the agent's loan application (`loanApplicationId`, and `loanId` once
 * the loan is granted; both must be the agent's and agree) or, for the payout, the loan (`loanId`); another
 * agent's, or an unknown one, is the same refusal.
 */

const PAYMENT_METHOD_TYPES = ['UPI', 'EMANDATE_UPI', 'NETBANKING', 'ENACH', 'DEBIT_CARD'] as const;


/** The loan application a request names, checked against its `loanId` when it sends one. */
async function applicationNamed(core: OcenCore, partnerId: string, body: { readonly loanApplicationId?: unknown; readonly loanId?: unknown }): Promise<Application> {
  const application = await applicationOf(core, partnerId, loanApplicationIdOf(body));
  if (body.loanId !== undefined) {
    const loan = await loanOf(core, partnerId, loanIdOf(body));
    if (loan.id !== application.id) throw new OcenRefusal('UNKNOWN_LOAN', `No loan ${JSON.stringify(body.loanId)} of loan application ${application.externalReference}`, 404);
  }
  return application;
}

/** The `loanId` of an answer: our lender reference once the loan is granted. */
const loanIdMember = (application: Application) => (loanIdIssued(application, true) ? { loanId: application.lenderReference } : {});

/**
 * Our repayment plan as OCEN's PaymentPlan: the monthly EMIs of the chosen (once signed, the signed) terms under
 * the plan id of our offer (what generateOffers and grantLoan list). `status` is the mandate's authorisation.
 */
function paymentPlan(plan: RepaymentPlan, status: 'ACTIVE' | 'INACTIVE' | 'PENDING_AUTH', paymentUrl?: string): PaymentPlan {
  return {
    id: ocenPlanId(plan.offerId, plan.tenureMonths),
    automatic: true,
    scheduleType: 'RECURRING',
    frequency: 'MONTHLY',
    noOfInstallment: plan.instalments,
    totalAmount: ocenRupees(plan.totalMicros),
    principal: ocenRupees(plan.principalMicros),
    interestAmount: ocenRupees(plan.interestMicros),
    tenure: { duration: plan.tenureMonths, unit: 'MONTH' },
    status,
    ...(paymentUrl ? { paymentUrl } : {}),
  };
}

interface PlanContext {
  loanApplicationId: string;
  /** The bank's mandate page for the link issued with setRepaymentPlan (absent in a status answer). */
  paymentUrl?: string;
}

/** setRepaymentPlanResponse and setRepaymentPlanStatusResponse: the plan and the mandate as they stand now. */
async function planAnswer(core: OcenCore, partnerId: string, context: PlanContext): Promise<OcenPayload<'disbursement/setRepaymentPlanResponse' | 'disbursement/setRepaymentPlanStatusResponse'>> {
  const { application, mandate, status } = await viewOf(core, { partnerId, externalReference: context.loanApplicationId });
  if (!mandate) throw new Error(`Loan application ${context.loanApplicationId} has no repayment mandate`);
  const plan = await core.repaymentPlans.of(application);
  if (!plan) throw new Error(`Loan application ${context.loanApplicationId} has a mandate but no chosen terms`);
  const planStatus = mandate.state === 'ACTIVE' ? 'ACTIVE' : mandate.state === 'PENDING' ? 'PENDING_AUTH' : 'INACTIVE';
  return {
    loanApplicationId: context.loanApplicationId,
    ...loanIdMember(application),
    loanApplicationStatus: status,
    plan: paymentPlan(plan, planStatus, mandate.state === 'PENDING' ? context.paymentUrl : undefined),
    paymentMethod: {
      id: mandate.id,
      type: 'ENACH',
      status: mandate.state === 'ACTIVE' ? 'ACTIVE' : 'INACTIVE',
      description: mandate.state === 'FAILED' ? 'The e-mandate was not authorised; send setRepaymentPlan again to retry' : mandate.state === 'PENDING' ? 'E-mandate awaiting the borrower\'s authorisation at the bank' : 'E-mandate registered',
    },
    useCollectionSupport: mandate.partnerCollects,
  };
}

/**
 * setRepaymentPlanRequest: starts our repayment e-mandate for the plan of the chosen offer (RepaymentPlans.start:
 * a pending one gets a fresh link, a failed one is retried, an active one is refused) while the application is
 * IN_PROGRESS, SIGNED or GRANTED. `plan.id` must be the chosen offer's repayment plan as generateOffersResponse and
 * grantLoanResponse list it (`loanDetails.offer.repayment.plans[0].id`); another is refused
 * (REPAYMENT_PLAN_UNKNOWN, naming the id to send). Answered with the plan PENDING_AUTH and the bank's mandate page
 * in `plan.paymentUrl` (the link is short-lived: ask again for a fresh one), the ENACH method INACTIVE until
 * authorised, REPAYMENT_SETUP_INITIATED; `useCollectionSupport` is the request's `hasCollectionSupport`.
 */
export const setRepaymentPlan = (core: OcenCore) => defineOcenOperation({
  request: 'disbursement/setRepaymentPlanRequest',
  response: 'disbursement/setRepaymentPlanResponse',

  async accept({ partnerId, body }) {
    const application = await applicationNamed(core, partnerId, body);
    const planId = untrusted<PaymentPlan>(body.plan).id;
    const plan = parseOcenPlanId(textOf(planId) ?? '') ?? null;
    const link = await core.repaymentPlans
      .start({ partnerId, externalReference: application.externalReference }, { plan, partnerCollects: body.hasCollectionSupport === true })
      .catch((err: unknown) => { throw operationRefusals.unknownPlan(err, planId, ocenPlanId); });
    const id = application.externalReference;
    return { subjects: [id], context: { loanApplicationId: id, paymentUrl: link.pageUrl } };
  },

  answer: ({ partnerId }, context) => planAnswer(core, partnerId, context),
});

/**
 * setRepaymentPlanStatusRequest: the mandate as it stands: PENDING_AUTH (REPAYMENT_SETUP_INITIATED), ACTIVE once
 * the borrower authorised it (REPAYMENT_SETUP_COMPLETED), INACTIVE when it failed (REPAYMENT_SETUP_FAILED).
 * Refused (REPAYMENT_SETUP_NOT_STARTED) before setRepaymentPlan.
 */
export const setRepaymentPlanStatus = (core: OcenCore) => defineOcenOperation({
  request: 'disbursement/setRepaymentPlanStatusRequest',
  response: 'disbursement/setRepaymentPlanStatusResponse',

  async accept({ partnerId, body }) {
    const application = await applicationNamed(core, partnerId, body);
    if (!(await core.mandates.current(application))) {
      throw new OcenRefusal('REPAYMENT_SETUP_NOT_STARTED', `Loan application ${application.externalReference} has no repayment plan yet: send setRepaymentPlan first`, 422);
    }
    const id = application.externalReference;
    return { subjects: [id], context: { loanApplicationId: id } };
  },

  answer: ({ partnerId }, context) => planAnswer(core, partnerId, context),
});

/** The account we answer with: masked (the details are sealed and not sent back). */
function accountDetails(summary: PayoutAccountSummary, id: string | undefined): AccountDetails {
  return {
    ...(id ? { id } : {}),
    accountDataType: summary.type,
    data: summary.type === 'ACCOUNT' ? { maskedAccountNumber: summary.maskedAccount } : { vpa: summary.maskedAccount },
    status: 'ACTIVE',
  };
}

/**
 * setDisbursementAccountRequest: the borrower's account for the payout, an ACCOUNT (accountIFSC, accountNumber of
 * 9-18 digits, accountHolderName) or a VPA. Checked and stored sealed by the core (a bad one is refused
 * INVALID_REQUEST; once the payout is requested, PRECONDITION_FAILED); setting it again replaces it. Answered with
 * the account masked, SET_DISBURSEMENT_ACCOUNT_COMPLETED once granted, and no working-capital undertakings.
 */
export const setDisbursementAccount = (core: OcenCore) => defineOcenOperation({
  request: 'disbursement/setDisbursementAccountRequest',
  response: 'disbursement/setDisbursementAccountResponse',

  async accept({ partnerId, body }) {
    const application = await applicationNamed(core, partnerId, body);
    const account = untrusted<AccountDetails>(body.account);
    const data = untrusted<AccountDetailsData>(account.data);
    await core.payoutAccounts.set({ partnerId, externalReference: application.externalReference }, {
      type: String(account.accountDataType ?? ''),
      ifsc: textOf(data.accountIFSC),
      accountNumber: textOf(data.accountNumber),
      holderName: textOf(data.accountHolderName),
      vpa: textOf(data.vpa),
      accountKind: textOf(data.accountType),
    });
    const id = application.externalReference;
    return { subjects: [id], context: { loanApplicationId: id, accountId: textOf(account.id) } };
  },

  async answer({ partnerId }, context) {
    const { application, account, status } = await viewOf(core, { partnerId, externalReference: context.loanApplicationId });
    if (!account) throw new Error(`Loan application ${context.loanApplicationId} has no disbursement account`);
    return {
      loanApplicationId: context.loanApplicationId,
      ...loanIdMember(application),
      loanApplicationStatus: status,
      account: accountDetails(account, context.accountId),
      isWorkingCapitalUndertakingDone: false,
      hasOtherWorkingCapitalAccount: false,
      isWorkingCapitalAccount: false,
      otherWorkingCapitalAccounts: [],
    };
  },
});

interface PaymentContext {
  loanApplicationId: string;
  loanId: string;
  paymentId?: string;
  paymentMethodType?: Payment['paymentMethodType'];
}

function paymentContext(application: Application, loanId: string, body: { readonly payment?: unknown }): PaymentContext {
  const payment = untrusted<Payment>(body.payment);
  const method = textOf(payment.paymentMethodType);
  return {
    loanApplicationId: application.externalReference,
    loanId,
    paymentId: textOf(payment.id),
    paymentMethodType: PAYMENT_METHOD_TYPES.find((m) => m === method),
  };
}

/** The Payment of a payout: PENDING_AUTH while requested (the enum has nothing nearer), SUCCESS with the UTR, FAILURE with the reason. */
async function paymentOf(core: OcenCore, application: Application, payout: Payout | null, context: PaymentContext): Promise<Payment> {
  const account = await core.payoutAccounts.summary(application.id);
  const submission = payout ? null : await core.facts.signedTerms(application);
  const amount = payout?.amountMicros ?? submission?.netDisbursalMicros ?? 0n;
  const base: Pick<Payment, 'id' | 'totalAmount' | 'paymentMethodType'> = {
    id: context.paymentId ?? payout?.reference ?? `DSB${application.lenderReference}`,
    totalAmount: ocenRupees(amount),
    paymentMethodType: context.paymentMethodType ?? (account?.type === 'VPA' ? 'UPI' : 'NETBANKING'),
  };
  if (payout?.state === 'SUCCEEDED') {
    return { ...base, status: 'SUCCESS', txnRefNo: payout.utr ?? '', ...(payout.completedAt ? { date: istDate(payout.completedAt) } : {}), description: `Paid out to ${account?.maskedAccount ?? 'the borrower\'s account'}` };
  }
  if (payout?.state === 'FAILED') {
    return { ...base, status: 'FAILURE', ...(payout.completedAt ? { date: istDate(payout.completedAt) } : {}), description: `Disbursement failed: ${payout.failureReason ?? 'refused by the payment rail'}` };
  }
  return { ...base, status: 'PENDING_AUTH', description: 'Disbursement requested, awaiting the payment rail' };
}

/**
 * Reports a successful payout to the network's analytics, once per loan: the first answer (of any request, of
 * any callback) that sees the payout succeeded claims the report in the database (`disbursement.reported_at`)
 * and only the claimant sends it. A duplicate request re-sends its stored answer without building it again; a
 * second triggerDisbursement or a status request builds a new answer but finds the report claimed. The claim is
 * committed before the (fire-and-forget) send, so a report is sent at most once.
 */
async function reportPayout(core: OcenCore, application: Application, payout: Payout | null, context: PaymentContext, productData: Untrusted<ProductData>): Promise<void> {
  if (payout?.state !== 'SUCCEEDED' || payout.reportedAt) return;
  if (!(await core.loans.claimPayoutReport(application.id))) return;
  const plan = await core.repaymentPlans.of(application, payout.completedAt ?? payout.requestedAt);
  if (!plan?.signed) return;
  core.analytics.loanDisbursed({
    productData,
    loanId: context.loanId,
    loanApplicationId: context.loanApplicationId,
    amount: ocenRupees(plan.principalMicros),
    tenureDays: plan.days,
    interestRate: ocenPercent(plan.interestRateE5),
  });
}

/**
 * triggerDisbursementRequest: the agent asks for the payout of a granted loan (`loanId`). The core moves it
 * GRANTED → SUBMITTED with the payout job in the same transaction, and refuses it unless the mandate is ACTIVE
 * and a disbursement account is set (PRECONDITION_FAILED); `payment.totalAmount` must be our net disbursal
 * (AMOUNT_MISMATCH). Asking again for a loan whose payout was requested is accepted and answered with that
 * payout. Answered once the payout is terminal: SUCCESS with the UTR in `txnRefNo` (DISBURSEMENT_COMPLETED), or
 * FAILURE (DISBURSED_FAILED).
 */
export const triggerDisbursement = (core: OcenCore) => defineOcenOperation({
  request: 'disbursement/triggerDisbursementRequest',
  response: 'disbursement/triggerDisbursementResponse',

  async accept({ partnerId, body }) {
    const loanId = loanIdOf(body);
    const application = await loanOf(core, partnerId, loanId);
    const amountMicros = microsOfRupees(untrusted<Payment>(body.payment).totalAmount);
    if (amountMicros === undefined) throw new OcenRefusal('INVALID_REQUEST', 'payment.totalAmount must be a positive amount in rupees with at most two decimals', 400);
    try {
      await core.submissions.release({ partnerId, externalReference: application.externalReference }, { amountMicros });
    } catch (err) {
      throw operationRefusals.amountMismatch(err);
    }
    return { subjects: [application.externalReference], context: paymentContext(application, loanId, body) };
  },

  async answer({ partnerId, productData }, context) {
    const { application, payout, status } = await viewOf(core, { partnerId, externalReference: context.loanApplicationId });
    if (!payout || payout.state === 'REQUESTED') throw new OcenNotReady(`payout of loan ${context.loanId} not yet answered by the rail`);
    await reportPayout(core, application, payout, context, productData);
    return { loanApplicationId: context.loanApplicationId, loanApplicationStatus: status, loanId: context.loanId, payment: await paymentOf(core, application, payout, context) };
  },
});

/** triggerDisbursementStatusRequest: the payout as it stands (PENDING_AUTH while requested, SUCCESS, FAILURE). */
export const triggerDisbursementStatus = (core: OcenCore) => defineOcenOperation({
  request: 'disbursement/triggerDisbursementStatusRequest',
  response: 'disbursement/triggerDisbursementStatusResponse',

  async accept({ partnerId, body }) {
    const loanId = loanIdOf(body);
    const application = await loanOf(core, partnerId, loanId, true);
    return { subjects: [application.externalReference], context: paymentContext(application, loanId, body) };
  },

  async answer({ partnerId, productData }, context) {
    const { application, payout, status } = await viewOf(core, { partnerId, externalReference: context.loanApplicationId });
    await reportPayout(core, application, payout, context, productData);
    return { loanApplicationId: context.loanApplicationId, loanApplicationStatus: status, loanId: context.loanId, payment: await paymentOf(core, application, payout, context) };
  },
});
