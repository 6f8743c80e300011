import { Body, Controller, Post, Request, Response, Route, Tags } from 'tsoa';
import type { Request as HttpRequest } from 'express';
import type { GpayServices } from './gpay-services';
import { fromAuthToken, fromCkycRecord, fromCkycSearch, fromKycSession, ref, toCkycQuery } from './gpay-mappers';
import { ErrorEnvelope } from './wire/common';
import {
  DownloadCkycRecordRequest, DownloadCkycRecordResponse, GetAuthTokenRequest, GetAuthTokenResponse, InitiateKycRequest, InitiateKycResponse,
  SearchCkycRecordRequest, SearchCkycRecordResponse,
} from './wire/kyc';

@Route('v1/financialservices/credit')
@Tags('KYC')
@Response<ErrorEnvelope>(400, 'The request is invalid (errorResponseCode says how)')
@Response<ErrorEnvelope>(404, 'INVALID_IDENTIFIER: an identifier is unknown')
export class KycController extends Controller {
  constructor(private readonly s: GpayServices) {
    super();
  }

  /**
   * InitiateKyc: opens the KYC journey of an approved application and returns a token for the bank's KYC
   * page plus the KYC options the user is eligible for. Calling it again while KYC is NOT_STARTED or
   * IN_PROGRESS gives a fresh token. The KYC outcome is read with application/getStatus.
   */
  @Post('user/kyc/initiate')
  public initiateKyc(@Request() req: HttpRequest, @Body() body: InitiateKycRequest): Promise<InitiateKycResponse> {
    return this.s.gpay.write('initiateKyc', req, body, (d, partner) => this.s.kyc.initiate(ref(partner, d.googleApplicationId), d.offerId).then(fromKycSession));
  }

  /** SearchCKycRecord: searches the Central KYC Registry; needs the user's CKYC_DATA_FETCH consent. The registry is asked before the search is recorded. */
  @Post('customer/searchCKycRecord')
  public searchCkycRecord(@Request() req: HttpRequest, @Body() body: SearchCkycRecordRequest): Promise<SearchCkycRecordResponse> {
    return this.s.gpay.writeAfterLookup('searchCKycRecord', req, body, (d, partner) => this.s.ckyc.lookup(toCkycQuery(d, partner)), (found) => this.s.ckyc.recordSearch(found).then(fromCkycSearch));
  }

  /** DownloadCKycRecord: the CKYC record found by searchCKycRecord, or (HTTP 200) errorResponse.errorResponseResult.ckycDataNotFound. A read. */
  @Post('customer/downloadCKycRecord')
  public downloadCkycRecord(@Request() req: HttpRequest, @Body() body: DownloadCkycRecordRequest): Promise<DownloadCkycRecordResponse> {
    return this.s.gpay.read('downloadCKycRecord', req, body, (d, partner) => this.s.ckyc.download(ref(partner, d.googleApplicationId), d.cKycId).then(fromCkycRecord));
  }

  /**
   * GetAuthToken: a short-lived (10 minute) ES256-signed token, bound to the application and to one step
   * (KYC, REPAYMENT_SETUP or INCOME_VERIFICATION), that opens the bank's page for that step.
   */
  @Post('user/getAuthToken')
  public getAuthToken(@Request() req: HttpRequest, @Body() body: GetAuthTokenRequest): Promise<GetAuthTokenResponse> {
    return this.s.gpay.write('getAuthToken', req, body, (d, partner) => this.s.authTokens.issue(ref(partner, d.googleApplicationId), d.authTokenContext.type, d.redirectionUrl).then(fromAuthToken));
  }
}
