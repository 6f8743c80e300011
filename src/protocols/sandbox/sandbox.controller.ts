import { Body, Controller, Get, Path, Post, Query, Response, Route, Tags } from 'tsoa';
import type { Services } from '../../container';
import { AppError, AppErrorCode } from '../../core/errors';

export interface SandboxCompletion {
  /** How the user's step ends; APPROVED by default. */
  outcome?: 'APPROVED' | 'REJECTED';
}

export interface SandboxSmsMessage {
  to: string;
  text: string;
  sentAt: number;
}

const GOOGLE_APPLICATION_ID = /^[A-Za-z0-9_:-]{1,100}$/;

/**
 * Sandbox only (off when APP_ENV=production): stands in for the user's phone and for the user finishing
 * steps on the bank's own pages.
 */
@Route('sandbox')
@Tags('Sandbox')
@Response(404, 'Sandbox is off, or the identifier is unknown')
export class SandboxController extends Controller {
  constructor(private readonly s: Services) {
    super();
  }

  /**
   * The SMS messages sent to a phone in the last hour, newest first.
   * @param phone Country code and national number, digits only, e.g. 919876543210.
   * @pattern phone ^[0-9]{7,17}$
   */
  @Get('sms-outbox')
  public async smsOutbox(@Query() phone: string): Promise<{ messages: SandboxSmsMessage[] }> {
    return { messages: await this.s.sandbox!.sms.read(phone) };
  }

  /** The user completes KYC on the bank's page: KYC goes to AWAITING_APPROVAL, then (asynchronously) APPROVED or REJECTED. */
  @Post('applications/{googleApplicationId}/kyc/complete')
  public async completeKyc(@Path() googleApplicationId: string, @Body() body?: SandboxCompletion): Promise<{ kycState: string }> {
    return { kycState: await this.s.kyc.complete(this.s.config.defaultAggregatorId, checkId(googleApplicationId), body?.outcome ?? 'APPROVED') };
  }

  /** The user finishes income verification on the bank's page: the credit decision is then made (APPROVED with an offer, or REJECTED) asynchronously. */
  @Post('applications/{googleApplicationId}/income-verification/complete')
  public async completeIncomeVerification(@Path() googleApplicationId: string, @Body() body?: SandboxCompletion): Promise<{ approvalState: string }> {
    return { approvalState: await this.s.approvals.completeIncomeVerification(this.s.config.defaultAggregatorId, checkId(googleApplicationId), body?.outcome ?? 'APPROVED') };
  }

  /** The user authorises (or declines) the e-mandate on the bank's page: the mandate then goes ACTIVE (or FAILED) asynchronously. */
  @Post('applications/{googleApplicationId}/repayment-setup/complete')
  public async completeRepaymentSetup(@Path() googleApplicationId: string, @Body() body?: SandboxCompletion): Promise<{ repaymentSetupState: string }> {
    return { repaymentSetupState: await this.s.mandates.complete(this.s.config.defaultAggregatorId, checkId(googleApplicationId), body?.outcome ?? 'APPROVED') };
  }
}

function checkId(googleApplicationId: string): string {
  if (!GOOGLE_APPLICATION_ID.test(googleApplicationId)) {
    throw new AppError(AppErrorCode.INVALID_FIELD_VALUE, 'googleApplicationId has an invalid format', ['googleApplicationId']);
  }
  return googleApplicationId;
}
