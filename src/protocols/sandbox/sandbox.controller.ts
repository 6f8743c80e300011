import { formatMicros } from '../../core/money/money';
import { Body, Controller, Get, Path, Post, Query, Request, Response, Route, Tags } from 'tsoa';
import type { Request as HttpRequest } from 'express';
import type { SandboxServices } from './sandbox-services';
import { partnerOf } from '../shared/partner-auth';
import { rupeesText } from '../../core/money/money';
import { notFound } from '../../core/errors';

export interface SandboxCompletion {
  /** How the user's step ends; APPROVED by default. */
  outcome?: 'APPROVED' | 'REJECTED';
}

/** The borrower's decision at the sandbox account aggregator, and what its bank statements show when approved. */
export interface SandboxConsentDecision {
  /** APPROVED by default; REVOKED withdraws a consent given before. */
  outcome?: 'APPROVED' | 'REJECTED' | 'REVOKED';
  /**
   * Average monthly credits of the statements, in rupees (default 50000).
   * @minimum 0
   * @maximum 100000000
   */
  averageMonthlyCredits?: number;
  /**
   * Bounces over the months covered (default 0).
   * @isInt
   * @minimum 0
   * @maximum 1000
   */
  bounceCount?: number;
  /**
   * Months of statements (default 6).
   * @isInt
   * @minimum 0
   * @maximum 120
   */
  monthsCovered?: number;
}

export interface SandboxAaConsent {
  handle: string;
  /** The consent at the AA: PENDING, ACTIVE (approved), PAUSED, REJECTED, REVOKED or EXPIRED. */
  status: string;
  fetchType: string;
  url: string;
}

export interface SandboxSmsMessage {
  to: string;
  text: string;
  sentAt: number;
}

export interface SandboxRepaymentCompletion {
  /** How the borrower's payment ends; PAID by default. */
  outcome?: 'PAID' | 'FAILED';
}

/** A repayment as its payment page shows it. */
export interface SandboxRepayment {
  reference: string;
  /** Rupees, two decimals. */
  amount: string;
  method: string;
  state: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  /** Set when the payment succeeded. */
  providerReference?: string;
}

export interface SandboxClockAdvance {
  /**
   * How many business days to move forward (each day is closed on the way: its close of business, then its
   * pre-debit notices and mandate debits).
   * @isInt
   * @minimum 1
   * @maximum 120
   */
  days: number;
}

/** One business day the clock passed through. */
export interface SandboxServicingDay {
  /** YYYY-MM-DD. */
  businessDate: string;
  /** Loans whose interest of the day was accrued (one INTEREST entry each). */
  accrued: number;
  /** Instalments that became OVERDUE. */
  becameOverdue: number;
  /** Loans whose days past due, asset class or state changed. */
  reclassified: number;
  /** Penal charges levied (instalments overdue beyond the grace days). */
  penalCharges: number;
  /** Debits scheduled with a pre-debit notice (SMS) sent this day. */
  notices: number;
  /** Mandate debits that succeeded, and that bounced (each bounce levies the bounce charge). */
  debited: number;
  bounced: number;
  /** The sum of every posting of the ledger after the day, rupees: "0.00" when it balances. */
  trialBalance: string;
}

export interface SandboxClock {
  /** The business date now (YYYY-MM-DD). */
  businessDate: string;
}

export interface SandboxError {
  error: { code: string; message: string; fields?: string[] };
}

/**
 * Sandbox only (absent when APP_ENV=production): stands in for the user's phone and for the user finishing
 * steps on the bank's own pages. `reference` is the partner's own application reference (googleApplicationId
 * on the Google Pay-style API, loanApplicationId for an OCEN loan agent); X-Partner-Id names the partner (an OCEN
 * loan agent by its participant id; default: the sandbox aggregator `gpay`).
 */
@Route('sandbox')
@Tags('Sandbox')
@Response<SandboxError>(400, 'INVALID_FIELD_VALUE (a parameter or the body is invalid), or the step is not open (PRECONDITION_FAILED, ILLEGAL_STATE_TRANSITION)')
export class SandboxController extends Controller {
  constructor(private readonly s: SandboxServices) {
    super();
  }

  /**
   * The SMS messages sent to a phone in the last hour, newest first.
   * @param phone Country code and national number, digits only, e.g. 919876543210.
   * @pattern phone ^[0-9]{7,17}$
   * @summary Read the SMS messages sent to a phone
   */
  @Get('sms-outbox')
  public async smsOutbox(@Query() phone: string): Promise<{ messages: SandboxSmsMessage[] }> {
    return { messages: await this.s.sandbox!.sms.read(phone) };
  }

  /**
   * How many transfers the sandbox rail was sent for a disbursement reference (`DSB` followed by the
   * application's partnerApplicationReferenceId), across every process of this deployment: 1 for a loan paid
   * out, whatever crashed or was retried on the way (a retry asks the rail first, and never sends twice).
   * @param reference The disbursement reference.
   * @pattern reference ^[A-Za-z0-9_:-]{1,100}$
   * @summary Count the transfers sent for a disbursement
   */
  @Get('rail/calls')
  public async railCalls(@Query() reference: string): Promise<{ reference: string; calls: number }> {
    return { reference, calls: await this.s.sandbox!.rail.calls(reference) };
  }

  /**
   * The user completes KYC on the bank's page: KYC goes to AWAITING_APPROVAL, then (asynchronously) APPROVED or REJECTED.
   * @param reference The partner's application reference (googleApplicationId).
   * @pattern reference ^[A-Za-z0-9_:-]{1,100}$
   * @summary Complete the user's KYC
   */
  @Post('applications/{reference}/kyc/complete')
  @Response<SandboxError>(404, 'NOT_FOUND: the application is unknown to this partner')
  public async completeKyc(@Request() req: HttpRequest, @Path() reference: string, @Body() body?: SandboxCompletion): Promise<{ kycState: string }> {
    return { kycState: await this.s.kyc.complete(refOf(req, reference), body?.outcome ?? 'APPROVED') };
  }

  /**
   * The user finishes income verification on the bank's page: the credit decision is then made (APPROVED with an offer, or REJECTED) asynchronously.
   * @param reference The partner's application reference (googleApplicationId).
   * @pattern reference ^[A-Za-z0-9_:-]{1,100}$
   * @summary Complete the user's income verification
   */
  @Post('applications/{reference}/income-verification/complete')
  @Response<SandboxError>(404, 'NOT_FOUND: the application is unknown to this partner')
  public async completeIncomeVerification(@Request() req: HttpRequest, @Path() reference: string, @Body() body?: SandboxCompletion): Promise<{ approvalState: string }> {
    return { approvalState: await this.s.approvals.completeIncomeVerification(refOf(req, reference), body?.outcome ?? 'APPROVED') };
  }

  /**
   * The user authorises (or declines) the e-mandate on the bank's page: the mandate then goes ACTIVE (or FAILED) asynchronously.
   * Works at any step the mandate can be set up in (before signing on the Google Pay-style API; SIGNED or GRANTED for OCEN).
   * @param reference The partner's application reference (googleApplicationId, or an OCEN loan agent's loanApplicationId).
   * @pattern reference ^[A-Za-z0-9_:-]{1,100}$
   * @summary Complete the user's e-mandate
   */
  @Post('applications/{reference}/repayment-setup/complete')
  @Response<SandboxError>(404, 'NOT_FOUND: the application is unknown to this partner')
  public async completeRepaymentSetup(@Request() req: HttpRequest, @Path() reference: string, @Body() body?: SandboxCompletion): Promise<{ repaymentSetupState: string }> {
    return { repaymentSetupState: await this.s.mandates.complete(refOf(req, reference), body?.outcome ?? 'APPROVED') };
  }

  /**
   * The sandbox account aggregator's page for a consent (its `url` in consentHandleResponse): the consent as the AA holds it.
   * @param consentHandle The AA's consent handle.
   * @pattern consentHandle ^[A-Za-z0-9_:-]{1,100}$
   * @summary Read a consent at the sandbox account aggregator
   */
  @Get('aa/consents/{consentHandle}')
  @Response<SandboxError>(404, 'NOT_FOUND: the sandbox AA issued no such consent handle')
  public async aaConsent(@Path() consentHandle: string): Promise<SandboxAaConsent> {
    const consent = CONSENT_HANDLE.test(consentHandle) ? await this.s.sandbox!.aa.read(consentHandle) : null;
    if (!consent) throw notFound('consent handle');
    return consent;
  }

  /**
   * The borrower approves (or rejects, or revokes) a consent at the sandbox account aggregator, keyed by its handle
   * (whichever partner asked for it). The AA then notifies the lender, which reads the status back from the AA: the
   * consent goes READY (or FAILED) asynchronously; once READY the lender fetches the bank-statement summary (the
   * figures given here, else ₹50,000 a month over 6 months with no bounce), which decides an application in income
   * verification.
   * @param consentHandle The AA's consent handle.
   * @pattern consentHandle ^[A-Za-z0-9_:-]{1,100}$
   * @summary Decide a consent at the sandbox account aggregator
   */
  @Post('aa/consents/{consentHandle}/decision')
  @Response<SandboxError>(404, 'NOT_FOUND: the sandbox AA issued no such consent handle')
  public async decideAaConsent(@Path() consentHandle: string, @Body() body?: SandboxConsentDecision): Promise<SandboxAaConsent> {
    const aa = this.s.sandbox!.aa;
    const status = await aa.decide(consentHandle, body?.outcome ?? 'APPROVED', {
      ...(body?.averageMonthlyCredits !== undefined ? { averageMonthlyCreditsMicros: BigInt(Math.round(body.averageMonthlyCredits * 100)) * 10_000n } : {}),
      ...(body?.bounceCount !== undefined ? { bounceCount: body.bounceCount } : {}),
      ...(body?.monthsCovered !== undefined ? { monthsCovered: body.monthsCovered } : {}),
    });
    if (!status) throw notFound('consent handle');
    await this.s.consents.notified(consentHandle);
    return (await aa.read(consentHandle))!;
  }

  /**
   * The repayment's payment page (what the borrower opens from the `paymentUrl` a loan agent was given). The
   * reference is the page's capability (random, unguessable), so no partner is needed.
   * @param reference The repayment reference (`RPY…`), the last segment of the paymentUrl.
   * @pattern reference ^[A-Za-z0-9_:-]{1,100}$
   * @summary Read a repayment's payment page
   */
  @Get('repayments/{reference}')
  @Response<SandboxError>(404, 'NOT_FOUND: no repayment has this reference')
  public async repaymentPage(@Path() reference: string): Promise<SandboxRepayment> {
    return sandboxRepayment(await this.s.servicing.repaymentByReference(reference));
  }

  /**
   * The sandbox's business date: the wall date (IST) plus the days the clock was advanced.
   * @summary Read the business date
   */
  @Get('clock')
  public async clock(): Promise<SandboxClock> {
    return { businessDate: await this.s.servicingClock.today() };
  }

  /**
   * Moves the sandbox's business date forward. Each day passed runs that day's close of business (interest accrual,
   * instalments falling overdue, days past due and SMA/NPA class, penal charges, debits scheduled with their
   * pre-debit notices) and then the day's notices and mandate debits, before the answer: every job that fell due
   * has run. Production refuses it (its business date is the wall date), and so does this endpoint there: it is
   * not served.
   * @summary Advance the business date, closing each day
   */
  @Post('clock/advance')
  @Response<SandboxError>(409, 'CONCURRENT_MODIFICATION: another move of the clock (or the worker closing a day) is running; try again when it is done')
  public async advanceClock(@Body() body: SandboxClockAdvance): Promise<{ from: string; to: string; days: SandboxServicingDay[] }> {
    const moved = await this.s.servicingClock.advance(body.days);
    return {
      from: moved.from,
      to: moved.to,
      days: moved.days.map((day) => ({
        businessDate: day.businessDate,
        accrued: day.counts.accrue ?? 0,
        becameOverdue: day.counts.overdue ?? 0,
        reclassified: day.counts.classify ?? 0,
        penalCharges: day.counts.penal ?? 0,
        notices: day.notices,
        debited: day.debited,
        bounced: day.bounced,
        trialBalance: formatMicros(day.trialBalanceMicros),
      })),
    };
  }

  /**
   * The borrower pays (or the payment fails) on the payment page: plays the payment provider's answer. A payment
   * that succeeds is applied to the loan at once, on the business date, in the one allocation order (charges, overdue
   * interest, overdue principal, the dues of the day, then principal); the first answer counts, a second one changes nothing.
   * @param reference The repayment reference (`RPY…`), the last segment of the paymentUrl.
   * @pattern reference ^[A-Za-z0-9_:-]{1,100}$
   * @summary Complete a repayment's payment
   */
  @Post('repayments/{reference}/complete')
  @Response<SandboxError>(404, 'NOT_FOUND: no repayment has this reference')
  public async completeRepayment(@Path() reference: string, @Body() body?: SandboxRepaymentCompletion): Promise<SandboxRepayment> {
    const answer = (body?.outcome ?? 'PAID') === 'PAID'
      ? { status: 'SUCCEEDED' as const, providerReference: `SBXPAY${reference.slice(-10).toUpperCase()}` }
      : { status: 'FAILED' as const, reason: 'the borrower\'s payment failed (sandbox)' };
    return sandboxRepayment(await this.s.servicing.complete(reference, answer));
  }
}

function sandboxRepayment(repayment: { reference: string; amountMicros: bigint; method: string; state: SandboxRepayment['state']; providerReference: string | null }): SandboxRepayment {
  return {
    reference: repayment.reference,
    amount: rupeesText(repayment.amountMicros),
    method: repayment.method,
    state: repayment.state,
    ...(repayment.providerReference ? { providerReference: repayment.providerReference } : {}),
  };
}

const CONSENT_HANDLE = /^[A-Za-z0-9_:-]{1,100}$/;

function refOf(req: HttpRequest, reference: string) {
  return { partnerId: partnerOf(req).id, externalReference: reference };
}
