import { Body, Controller, Post, Request, Response, Route, Tags } from 'tsoa';
import type { Request as HttpRequest } from 'express';
import type { Services } from '../../container';
import { fromApprovalStatus, fromOffer, ref, toApprovalRequest, toApprovalStatus } from './gpay-mappers';
import { ErrorEnvelope } from './wire/common';
import { ApprovalStatusResponse, ApproveUserRequest, FetchOfferRequest, FetchOfferResponse, GetApprovalStatusRequest } from './wire/credit';

@Route('v1/financialservices/credit/offer')
@Tags('Credit approval and offer')
@Response<ErrorEnvelope>(400, 'The request is invalid (errorResponseCode says how)')
@Response<ErrorEnvelope>(404, 'INVALID_IDENTIFIER: an identifier is unknown')
export class OfferController extends Controller {
  constructor(private readonly s: Services) {
    super();
  }

  /**
   * ApproveUserForCredit: records the application (the userApprovalContext OTP must verify) and starts the
   * credit decision, which runs asynchronously; the answer is IN_PROCESS. Poll getApprovalStatus.
   */
  @Post('approveUser')
  public approveUser(@Request() req: HttpRequest, @Body() body: ApproveUserRequest): Promise<ApprovalStatusResponse> {
    return this.s.gpay.write('approveUser', req, body, (d, partner) => this.s.approvals.approve(toApprovalRequest(d, partner)).then(fromApprovalStatus));
  }

  /** GetApprovalStatus: IN_PROCESS, APPROVED (with the offerId), REJECTED (with the reason) or INCOME_VERIFICATION. A read: not recorded for idempotency. */
  @Post('getApprovalStatus')
  public getApprovalStatus(@Request() req: HttpRequest, @Body() body: GetApprovalStatusRequest): Promise<ApprovalStatusResponse> {
    return this.s.gpay.read('getApprovalStatus', req, body, (d, partner) => this.s.statuses.get(ref(partner, d.googleApplicationId)).then((s) => fromApprovalStatus(toApprovalStatus(s))));
  }

  /** FetchOffer: the approved offer's amount range, tenures, interest rate, fees and validity. A read. */
  @Post('fetch')
  public fetchOffer(@Request() req: HttpRequest, @Body() body: FetchOfferRequest): Promise<FetchOfferResponse> {
    return this.s.gpay.read('fetchOffer', req, body, (d, partner) => this.s.offers.fetch(partner.id, d.offerId).then(fromOffer));
  }
}
