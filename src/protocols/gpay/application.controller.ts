import { Body, Controller, Post, Response, Route, Tags } from 'tsoa';
import type { Services } from '../../container';
import { fromApplicationStatus, fromLoan, fromMandateLink, toSubmissionRequest } from './gpay-mappers';
import { ErrorEnvelope } from './wire/common';
import {
  FetchAccountRequest, FetchAccountResponse, GetApplicationStatusRequest, GetApplicationStatusResponse, InitiateRepaymentSetupRequest,
  InitiateRepaymentSetupResponse, SubmitApplicationRequest, SubmitApplicationResponse,
} from './wire/application';

@Route('v1/financialservices/credit')
@Tags('Application and account')
@Response<ErrorEnvelope>(400, 'The request is invalid (errorResponseCode says how)')
@Response<ErrorEnvelope>(404, 'INVALID_IDENTIFIER: an identifier is unknown')
@Response<ErrorEnvelope>(412, 'IDEMPOTENCY_VIOLATION: the requestId was used for a different request')
export class ApplicationController extends Controller {
  constructor(private readonly s: Services) {
    super();
  }

  /**
   * InitiateRepaymentSetup: starts the EMI e-mandate and returns a 60-second link token and auth code for
   * the bank's mandate page. The mandate then goes PENDING → ACTIVE or FAILED (read it with getStatus);
   * a FAILED mandate can be initiated again.
   */
  @Post('application/initiateRepaymentSetup')
  public initiateRepaymentSetup(@Body() body: InitiateRepaymentSetupRequest): Promise<InitiateRepaymentSetupResponse> {
    return this.s.exchange.handle('initiateRepaymentSetup', body, (d, aggregator) => this.s.mandates.initiate(aggregator, d.googleApplicationId).then(fromMandateLink));
  }

  /**
   * SubmitApplication: the borrower's signature (submitApplicationContext OTP). Needs an offer in validity,
   * amount and tenure inside it, KYC APPROVED, mandate ACTIVE, MITC and USER_DATA_SHARING_CONSENT accepted,
   * and calculatedEmiAmount within ₹1 of the bank's EMI. Disbursement then runs asynchronously.
   */
  @Post('application/submit')
  public submitApplication(@Body() body: SubmitApplicationRequest): Promise<SubmitApplicationResponse> {
    return this.s.exchange.handle('submitApplication', body, (d, aggregator) => this.s.submissions.submit(toSubmissionRequest(d, aggregator)).then((r) => ({ applicationState: 'SUBMITTED' as const, ...r })));
  }

  /** GetApplicationStatus: the application's state, its KYC and repayment setup, the rejection reason, and the accountToken once disbursed. */
  @Post('application/getStatus')
  public getApplicationStatus(@Body() body: GetApplicationStatusRequest): Promise<GetApplicationStatusResponse> {
    return this.s.exchange.handle('getApplicationStatus', body, (d, aggregator) => this.s.statuses.get(aggregator, d.googleApplicationId).then(fromApplicationStatus));
  }

  /** FetchAccount: the loan account with its EMI schedule and outstanding principal. */
  @Post('account/get')
  public fetchAccount(@Body() body: FetchAccountRequest): Promise<FetchAccountResponse> {
    return this.s.exchange.handle('fetchAccount', body, (d, aggregator) => this.s.loans.account(aggregator, d.accountToken).then(fromLoan));
  }
}
