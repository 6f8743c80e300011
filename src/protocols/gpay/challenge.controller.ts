import { Body, Controller, Post, Response, Route, Tags } from 'tsoa';
import type { Services } from '../../container';
import { fromIssuedChallenge, toChallengeContext } from './gpay-mappers';
import { ErrorEnvelope } from './wire/common';
import { InitiateChallengeRequest, InitiateChallengeResponse } from './wire/challenge';

@Route('v1/financialservices/user')
@Tags('Challenge')
@Response<ErrorEnvelope>(400, 'The request is invalid (errorResponseCode says how)')
@Response<ErrorEnvelope>(412, 'IDEMPOTENCY_VIOLATION: the requestId was used for a different request')
@Response<ErrorEnvelope>(429, 'RESOURCE_EXHAUSTED: too many challenges or wrong codes for this phone')
export class ChallengeController extends Controller {
  constructor(private readonly s: Services) {
    super();
  }

  /**
   * InitiateChallenge: sends the user an SMS OTP for one journey step (the context). The code is valid for
   * 5 minutes, once, for that phone and step, with 3 attempts; a phone gets at most 10 challenges in 15
   * minutes and is locked (30 s, doubling) after 5 consecutive wrong codes.
   */
  @Post('initiateChallenge')
  public initiateChallenge(@Body() body: InitiateChallengeRequest): Promise<InitiateChallengeResponse> {
    return this.s.exchange.handle('initiateChallenge', body, (d) => this.s.challenges.initiate(d.userIdentifier.phoneNumber, toChallengeContext(d)).then(fromIssuedChallenge));
  }
}
