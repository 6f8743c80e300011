import { Body, Controller, Post, Response, Route, Tags } from 'tsoa';
import type { Services } from '../../container';
import { ckycQuery, fromAuthToken, fromCkycRecord, fromKycSession } from './gpay-mappers';
import { ErrorEnvelope } from './wire/common';
import {
  DownloadCkycRecordRequest, DownloadCkycRecordResponse, GetAuthTokenRequest, GetAuthTokenResponse, InitiateKycRequest, InitiateKycResponse,
  SearchCkycRecordRequest, SearchCkycRecordResponse,
} from './wire/kyc';

@Route('v1/financialservices/credit')
@Tags('KYC')
@Response<ErrorEnvelope>(400, 'The request is invalid (errorResponseCode says how)')
@Response<ErrorEnvelope>(404, 'INVALID_IDENTIFIER: an identifier is unknown')
@Response<ErrorEnvelope>(412, 'IDEMPOTENCY_VIOLATION: the requestId was used for a different request')
export class KycController extends Controller {
  constructor(private readonly s: Services) {
    super();
  }

  /**
   * InitiateKyc: opens the KYC journey of an approved application and returns a token for the bank's KYC
   * page plus the KYC options the user is eligible for. Calling it again while KYC is NOT_STARTED or
   * IN_PROGRESS gives a fresh token. The KYC outcome is read with application/getStatus.
   */
  @Post('user/kyc/initiate')
  public initiateKyc(@Body() body: InitiateKycRequest): Promise<InitiateKycResponse> {
    return this.s.exchange.handle('initiateKyc', body, (d, aggregator) => this.s.kyc.initiate(aggregator, d.googleApplicationId, d.offerId).then(fromKycSession));
  }

  /** SearchCKycRecord: searches the Central KYC Registry; needs the user's CKYC_DATA_FETCH consent. */
  @Post('customer/searchCKycRecord')
  public searchCkycRecord(@Body() body: SearchCkycRecordRequest): Promise<SearchCkycRecordResponse> {
    return this.s.exchange.handle('searchCKycRecord', body, (d, aggregator) => this.s.ckyc.search({ aggregatorId: aggregator, googleApplicationId: d.googleApplicationId, consents: d.tncAcceptanceMetadata, ...ckycQuery(d) }).then((r) => ({ cKycRecordFound: r.cKycId !== null, ...(r.cKycId ? { cKycId: r.cKycId } : {}) })));
  }

  /** DownloadCKycRecord: the CKYC record found by searchCKycRecord, or (HTTP 200) errorResponse.errorResponseResult.ckycDataNotFound. */
  @Post('customer/downloadCKycRecord')
  public downloadCkycRecord(@Body() body: DownloadCkycRecordRequest): Promise<DownloadCkycRecordResponse> {
    return this.s.exchange.handle('downloadCKycRecord', body, (d, aggregator) => this.s.ckyc.download(aggregator, d.googleApplicationId, d.cKycId).then(fromCkycRecord));
  }

  /**
   * GetAuthToken: a short-lived (10 minute) ES256-signed token, bound to the application and to one step
   * (KYC, REPAYMENT_SETUP or INCOME_VERIFICATION), that opens the bank's page for that step.
   */
  @Post('user/getAuthToken')
  public getAuthToken(@Body() body: GetAuthTokenRequest): Promise<GetAuthTokenResponse> {
    return this.s.exchange.handle('getAuthToken', body, (d, aggregator) => this.s.authTokens.issue(aggregator, d.googleApplicationId, d.authTokenContext.type, d.redirectionUrl).then(fromAuthToken));
  }
}
