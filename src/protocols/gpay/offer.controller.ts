import { Body, Controller, Post, Response, Route, Tags } from 'tsoa';
import type { Services } from '../../container';
import { fromApprovalStatus, fromOffer, toApprovalRequest } from './gpay-mappers';
import { ErrorEnvelope } from './wire/common';
import { ApprovalStatusResponse, ApproveUserRequest, FetchOfferRequest, FetchOfferResponse, GetApprovalStatusRequest } from './wire/credit';

@Route('v1/financialservices/credit/offer')
@Tags('Credit approval and offer')
@Response<ErrorEnvelope>(400, 'The request is invalid (errorResponseCode says how)')
@Response<ErrorEnvelope>(404, 'INVALID_IDENTIFIER: an identifier is unknown')
@Response<ErrorEnvelope>(412, 'IDEMPOTENCY_VIOLATION: the requestId was used for a different request')
export class OfferController extends Controller {
  constructor(private readonly s: Services) {
    super();
  }

  /**
   * ApproveUserForCredit: records the application (the userApprovalContext OTP must verify) and starts the
   * credit decision, which runs asynchronously; the answer is IN_PROCESS. Poll getApprovalStatus.
   */
  @Post('approveUser')
  public approveUser(@Body() body: ApproveUserRequest): Promise<ApprovalStatusResponse> {
    return this.s.exchange.handle('approveUser', body, (d, aggregator) => this.s.approvals.approve(toApprovalRequest(d, aggregator)).then(fromApprovalStatus));
  }

  /** GetApprovalStatus: IN_PROCESS, APPROVED (with the offerId), REJECTED (with the reason) or INCOME_VERIFICATION. */
  @Post('getApprovalStatus')
  public getApprovalStatus(@Body() body: GetApprovalStatusRequest): Promise<ApprovalStatusResponse> {
    return this.s.exchange.handle('getApprovalStatus', body, (d, aggregator) => this.s.approvals.status(aggregator, d.googleApplicationId).then(fromApprovalStatus));
  }

  /** FetchOffer: the approved offer's amount range, tenures, interest rate, fees and validity. */
  @Post('fetch')
  public fetchOffer(@Body() body: FetchOfferRequest): Promise<FetchOfferResponse> {
    return this.s.exchange.handle('fetchOffer', body, (d, aggregator) => this.s.offers.fetch(aggregator, d.offerId).then(fromOffer));
  }
}
