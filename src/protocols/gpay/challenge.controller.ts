import { Body, Controller, Post, Request, Response, Route, Tags } from 'tsoa';
import type { Request as HttpRequest } from 'express';
import type { GpayServices } from './gpay-services';
import { fromIssuedChallenge, toChallengeContext } from './gpay-mappers';
import { ErrorEnvelope } from './wire/common';
import { InitiateChallengeRequest, InitiateChallengeResponse } from './wire/challenge';

@Route('v1/financialservices/user')
@Tags('Challenge')
@Response<ErrorEnvelope>(400, 'The request is invalid (errorResponseCode says how)')
export class ChallengeController extends Controller {
  constructor(private readonly s: GpayServices) {
    super();
  }

  /**
   * InitiateChallenge: sends the user an SMS OTP for one journey step (the context). The code is valid for
   * 5 minutes, once, for that phone and step, with 3 attempts; a phone gets at most 10 challenges in 15
   * minutes and 20 in 24 hours (the defaults), whichever partner asks, and is locked (30 s, doubling) after 5
   * consecutive wrong codes. The SMS text is the partner's template; `messageRegex` reads the code out of it.
   */
  @Post('initiateChallenge')
  public initiateChallenge(@Request() req: HttpRequest, @Body() body: InitiateChallengeRequest): Promise<InitiateChallengeResponse> {
    return this.s.gpay.write('initiateChallenge', req, body, (d, partner) => this.s.challenges.initiate(partner, d.userIdentifier.phoneNumber, toChallengeContext(d)).then(fromIssuedChallenge));
  }
}
