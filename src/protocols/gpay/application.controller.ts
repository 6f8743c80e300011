import { Body, Controller, Post, Request, Response, Route, Tags } from 'tsoa';
import type { Request as HttpRequest } from 'express';
import type { GpayServices } from './gpay-services';
import { fromApplicationStatus, fromLoan, fromMandateLink, ref, toSubmissionRequest } from './gpay-mappers';
import { ErrorEnvelope } from './wire/common';
import {
  FetchAccountRequest, FetchAccountResponse, GetApplicationStatusRequest, GetApplicationStatusResponse, InitiateRepaymentSetupRequest,
  InitiateRepaymentSetupResponse, SubmitApplicationRequest, SubmitApplicationResponse,
} from './wire/application';

@Route('v1/financialservices/credit')
@Tags('Application and account')
@Response<ErrorEnvelope>(400, 'The request is invalid (errorResponseCode says how)')
@Response<ErrorEnvelope>(404, 'INVALID_IDENTIFIER: an identifier is unknown')
export class ApplicationController extends Controller {
  constructor(private readonly s: GpayServices) {
    super();
  }

  /**
   * InitiateRepaymentSetup: starts the EMI e-mandate and returns a 60-second link token and auth code for
   * the bank's mandate page. The mandate then goes PENDING → ACTIVE or FAILED (read it with getStatus);
   * a FAILED mandate can be initiated again.
   */
  @Post('application/initiateRepaymentSetup')
  public initiateRepaymentSetup(@Request() req: HttpRequest, @Body() body: InitiateRepaymentSetupRequest): Promise<InitiateRepaymentSetupResponse> {
    return this.s.gpay.write('initiateRepaymentSetup', req, body, (d, partner) => this.s.mandates.initiate(ref(partner, d.googleApplicationId)).then(fromMandateLink));
  }

  /**
   * SubmitApplication: the borrower's signature (submitApplicationContext OTP). Needs an offer in validity,
   * amount and tenure inside it, KYC APPROVED, mandate ACTIVE, MITC and USER_DATA_SHARING_CONSENT accepted, a valid
   * Key Fact Statement for these terms accepted (tncAcceptanceMetadata `{type: KFS, version: kfsId}`),
   * and calculatedEmiAmount within ₹1 of the bank's EMI. Disbursement then runs asynchronously.
   */
  @Post('application/submit')
  public submitApplication(@Request() req: HttpRequest, @Body() body: SubmitApplicationRequest): Promise<SubmitApplicationResponse> {
    return this.s.gpay.write('submitApplication', req, body, (d, partner) => this.s.submissions.submit(toSubmissionRequest(d, partner)).then((r) => ({ applicationState: 'SUBMITTED' as const, partnerApplicationReferenceId: r.lenderReference })));
  }

  /** GetApplicationStatus: the application's state, its KYC and repayment setup, the rejection reason, and the accountToken once disbursed. A read: one query, nothing recorded. */
  @Post('application/getStatus')
  public getApplicationStatus(@Request() req: HttpRequest, @Body() body: GetApplicationStatusRequest): Promise<GetApplicationStatusResponse> {
    return this.s.gpay.read('getApplicationStatus', req, body, (d, partner) => this.s.facts.status(ref(partner, d.googleApplicationId)).then(fromApplicationStatus));
  }

  /** FetchAccount: the loan account with its EMI schedule and outstanding principal. A read. */
  @Post('account/get')
  public fetchAccount(@Request() req: HttpRequest, @Body() body: FetchAccountRequest): Promise<FetchAccountResponse> {
    return this.s.gpay.read('fetchAccount', req, body, (d, partner) => this.s.loanPositions.byAccountToken(partner.id, d.accountToken).then(fromLoan));
  }
}
