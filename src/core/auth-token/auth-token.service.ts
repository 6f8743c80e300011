import { randomUUID } from 'node:crypto';
import { JWTHeaderParameters, errors as joseErrors, jwtVerify } from 'jose';
import { AppError, AppErrorCode, invalidField, precondition } from '../errors';
import { Clock } from '../../lib/clock';
import { KeyRing, activeSigningKey } from '../../lib/keys';
import { signCompactJws } from '../../lib/jose-compact';
import { ApplicationRef } from '../application/application';
import { ApplicationRepository } from '../application/application.repository';
import { KycRepository } from '../kyc/kyc.repository';
import { MandateRepository } from '../mandate/mandate.repository';

/** AuthTokenContext.type: which borrower step on the bank's pages the token opens. */
export type AuthTokenContext = 'KYC' | 'REPAYMENT_SETUP' | 'INCOME_VERIFICATION';

export const AUTH_TOKEN_TTL_SECONDS = 600;
const ISSUER = 'credit-partner';
const AUDIENCE = 'credit-partner:borrower-pages';
const PAGE_PATH: Record<AuthTokenContext, string> = {
  KYC: '/borrower/kyc',
  REPAYMENT_SETUP: '/borrower/repayment-setup',
  INCOME_VERIFICATION: '/borrower/income-verification',
};

export interface IssuedAuthToken {
  authToken: string;
  expiresAt: Date;
  redirectionUrl: string;
}

export interface AuthTokenClaims {
  applicationId: string;
  context: AuthTokenContext;
  returnUrl?: string;
}

/** A token as the borrower's page reads it: its claims, its id (each token is exchanged once) and its expiry. */
export interface PageTokenClaims extends AuthTokenClaims {
  jti: string;
  expiresAt: Date;
}

/** Short-lived ES256 JWTs bound to one application and one step, opening the bank's own borrower pages. */
export class AuthTokenService {
  constructor(
    private readonly applications: ApplicationRepository,
    private readonly kycs: KycRepository,
    private readonly mandates: MandateRepository,
    private readonly keys: KeyRing,
    private readonly publicBaseUrl: string,
    private readonly allowInsecureReturnUrls: boolean,
    private readonly clock: Clock,
  ) {}

  async issue(ref: ApplicationRef, context: AuthTokenContext, returnUrl?: string): Promise<IssuedAuthToken> {
    if (returnUrl !== undefined) this.assertReturnUrl(returnUrl);
    const application = await this.applications.get(ref);
    const kyc = context === 'KYC' ? await this.kycs.byId(application.currentKycId) : null;
    if (context === 'KYC' && !(kyc && ['NOT_STARTED', 'IN_PROGRESS'].includes(kyc.state))) {
      throw precondition('A KYC auth token needs a KYC journey that is initiated and not finished');
    }
    if (context === 'REPAYMENT_SETUP' && (await this.mandates.byId(application.currentMandateId))?.state !== 'PENDING') {
      throw precondition('A REPAYMENT_SETUP auth token needs a repayment setup that is initiated and pending');
    }
    if (context === 'INCOME_VERIFICATION' && application.approvalState !== 'INCOME_VERIFICATION') {
      throw precondition('An INCOME_VERIFICATION auth token needs an application in INCOME_VERIFICATION');
    }
    const issuedAt = Math.floor(this.clock.now().getTime() / 1000);
    const expiresAtSeconds = issuedAt + AUTH_TOKEN_TTL_SECONDS;
    const signingKey = activeSigningKey(this.keys, 'ES256');
    const claims = {
      ctx: context,
      ...(returnUrl ? { ret: returnUrl } : {}),
      iss: ISSUER,
      aud: AUDIENCE,
      sub: application.id,
      jti: randomUUID(),
      iat: issuedAt,
      exp: expiresAtSeconds,
    };
    const authToken = await signCompactJws({ alg: 'ES256', kid: signingKey.kid, typ: 'JWT' }, new TextEncoder().encode(JSON.stringify(claims)), signingKey);
    return { authToken, expiresAt: new Date(expiresAtSeconds * 1000), redirectionUrl: `${this.publicBaseUrl}${PAGE_PATH[context]}` };
  }

  /**
   * One URL that opens the step's page for the borrower: the page's address with the token in the fragment
   * (`#authToken=…`: a browser does not send it to servers or in a Referer, the page's script reads it).
   * `returnUrl` is where the page sends the borrower back (checked as in {@link issue}).
   */
  async pageLink(ref: ApplicationRef, context: AuthTokenContext, returnUrl?: string): Promise<{ url: string; expiresAt: Date }> {
    const issued = await this.issue(ref, context, returnUrl);
    return { url: `${issued.redirectionUrl}#authToken=${issued.authToken}`, expiresAt: issued.expiresAt };
  }

  /** Verifies a token for one step: signature, issuer, audience, expiry and step (PRECONDITION_FAILED otherwise). */
  async verify(token: string, expected: AuthTokenContext): Promise<AuthTokenClaims> {
    const claims = await this.readForPage(token).catch(() => undefined);
    if (!claims || claims.context !== expected) throw new AppError(AppErrorCode.PRECONDITION_FAILED, 'The auth token is invalid, expired or for another step');
    return { applicationId: claims.applicationId, context: claims.context, returnUrl: claims.returnUrl };
  }

  /**
   * Reads a token the borrower's page presents (signature, issuer, audience, expiry, a step and an id).
   * Throws PAGE_LINK_EXPIRED for a token past its expiry and PAGE_LINK_INVALID for anything else.
   */
  async readForPage(token: string): Promise<PageTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.verificationKey, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['ES256'],
        currentDate: this.clock.now(),
        requiredClaims: ['jti', 'exp', 'sub'],
      });
      const context = payload.ctx;
      if (typeof context !== 'string' || !(context in PAGE_PATH) || typeof payload.sub !== 'string' || typeof payload.jti !== 'string') {
        throw new AppError(AppErrorCode.PAGE_LINK_INVALID, 'The link is not for one of our pages');
      }
      return {
        applicationId: payload.sub,
        context: context as AuthTokenContext,
        returnUrl: typeof payload.ret === 'string' ? payload.ret : undefined,
        jti: payload.jti,
        expiresAt: new Date(payload.exp! * 1000),
      };
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new AppError(AppErrorCode.PAGE_LINK_EXPIRED, 'The link has expired');
      throw new AppError(AppErrorCode.PAGE_LINK_INVALID, 'The link is not valid');
    }
  }

  /**
   * The ES256 key, active or retired, that the token names: tokens issued before a rotation stay valid until they
   * expire; a kid not held makes the ring read the key set again (another process may have rotated first).
   */
  private readonly verificationKey = (header: JWTHeaderParameters) => {
    const find = () => this.keys.signingKeys.find((k) => k.kid === header.kid && k.alg === 'ES256');
    const key = find() ?? (this.keys.refresh?.() ? find() : undefined);
    if (!key) throw new Error('unknown key id');
    return key.publicKey;
  };

  private assertReturnUrl(value: string): void {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw invalidField('returnUrl', 'The return URL must be an absolute URL');
    }
    if (url.protocol !== 'https:' && !(this.allowInsecureReturnUrls && url.protocol === 'http:')) {
      throw invalidField('returnUrl', 'The return URL must use https');
    }
  }
}
