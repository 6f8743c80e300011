import { Body, Controller, Post, Request, Response, Route, Tags } from 'tsoa';
import type { Request as HttpRequest } from 'express';
import type { GpayServices } from './gpay-services';
import { fromApprovalStatus, fromKfs, fromOffer, ref, toApprovalRequest, toApprovalStatus, toKfsTerms } from './gpay-mappers';
import { ErrorEnvelope } from './wire/common';
import {
  ApprovalStatusResponse, ApproveUserRequest, FetchOfferRequest, FetchOfferResponse, GetApprovalStatusRequest, KeyFactStatementRequest, KeyFactStatementResponse,
} from './wire/credit';

@Route('v1/financialservices/credit/offer')
@Tags('Credit approval and offer')
@Response<ErrorEnvelope>(400, 'The request is invalid (errorResponseCode says how)')
@Response<ErrorEnvelope>(404, 'INVALID_IDENTIFIER: an identifier is unknown')
export class OfferController extends Controller {
  constructor(private readonly s: GpayServices) {
    super();
  }

  /**
   * ApproveUserForCredit: records the application (the userApprovalContext OTP must verify) and starts the
   * credit decision, which runs asynchronously; the answer is IN_PROCESS. Poll getApprovalStatus.
   */
  @Post('approveUser')
  public approveUser(@Request() req: HttpRequest, @Body() body: ApproveUserRequest): Promise<ApprovalStatusResponse> {
    return this.s.gpay.write('approveUser', req, body, (d, partner) => this.s.opening.approve(toApprovalRequest(d, partner)).then(fromApprovalStatus));
  }

  /** GetApprovalStatus: IN_PROCESS, APPROVED (with the offerId), REJECTED (with the reason) or INCOME_VERIFICATION. A read: not recorded for idempotency. */
  @Post('getApprovalStatus')
  public getApprovalStatus(@Request() req: HttpRequest, @Body() body: GetApprovalStatusRequest): Promise<ApprovalStatusResponse> {
    return this.s.gpay.read('getApprovalStatus', req, body, (d, partner) => this.s.facts.status(ref(partner, d.googleApplicationId)).then((s) => fromApprovalStatus(toApprovalStatus(s))));
  }

  /** FetchOffer: the approved offer's amount range, tenures, interest rate, fees and validity. A read. */
  @Post('fetch')
  public fetchOffer(@Request() req: HttpRequest, @Body() body: FetchOfferRequest): Promise<FetchOfferResponse> {
    return this.s.gpay.read('fetchOffer', req, body, (d, partner) => this.s.offers.fetch(partner.id, d.offerId).then(fromOffer));
  }

  /**
   * GetKeyFactStatement (an addition to the Google Pay spec, which carries no KFS): issues the Key Fact Statement
   * (RBI, April 2024) of an amount and tenure within the application's current offer: APR, fees and GST, net
   * disbursed amount, total payable, the schedule, contingent charges, cooling-off period and grievance officer,
   * with a borrower page `url`. Valid 3 working days (Indian bank holidays excluded). SubmitApplication must name
   * its `kfsId` as the `version` of an accepted `KFS` entry of tncAcceptanceMetadata. A write (each new requestId
   * issues a new KFS; a retry with the same requestId replays the first).
   */
  @Post('keyFactStatement')
  public keyFactStatement(@Request() req: HttpRequest, @Body() body: KeyFactStatementRequest): Promise<KeyFactStatementResponse> {
    return this.s.gpay.write('keyFactStatement', req, body, (d, partner) =>
      this.s.kfs.issue(ref(partner, d.googleApplicationId), toKfsTerms(d)).then((kfs) => fromKfs(kfs, `${this.s.config.publicBaseUrl}/borrower/kfs/${kfs.id}`)));
  }
}
