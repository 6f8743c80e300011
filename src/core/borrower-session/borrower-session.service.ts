import { AppError, AppErrorCode } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { randomToken, safeEqual } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { IdentityHasher } from '../shared/identity';
import { AuthTokenService } from '../auth-token/auth-token.service';
import { BorrowerStep, LinkOpener, OpenedPageSession, PageCredential, PageSession } from './borrower-session';
import { BorrowerSessionRepository } from './borrower-session.repository';

/** How long a page session lasts after the link was opened (enough for a KYC with a document upload). */
export const PAGE_SESSION_TTL_MS = 30 * 60_000;

/**
 * The borrower's way in to the bank's pages. A link carries a token in its URL fragment; the page exchanges it
 * once (its use is recorded, so a second exchange is refused) for a page session bound to the token's
 * application and step, whose secret lives only in an HttpOnly cookie (here only its keyed hash).
 */
export class BorrowerSessionService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly sessions: BorrowerSessionRepository,
    private readonly authTokens: AuthTokenService,
    private readonly linkOpeners: Partial<Record<BorrowerStep, LinkOpener>>,
    private readonly identity: IdentityHasher,
    private readonly clock: Clock,
  ) {}

  /**
   * Exchanges a link's token for a page session of `step`. Throws PAGE_LINK_INVALID (not ours, malformed, for
   * another step), PAGE_LINK_EXPIRED or PAGE_LINK_USED; nothing is recorded then.
   */
  async open(step: BorrowerStep, credential: PageCredential): Promise<OpenedPageSession> {
    const opened = await this.read(step, credential);
    const secret = randomToken(32);
    const session: PageSession = {
      applicationId: opened.applicationId,
      step,
      returnUrl: opened.returnUrl ?? null,
      expiresAt: new Date(this.clock.now().getTime() + PAGE_SESSION_TTL_MS),
    };
    await this.uow.transaction(async () => {
      const firstUse = await this.sessions.recordTokenUse({ tokenHash: opened.useHash, applicationId: opened.applicationId, step, expiresAt: opened.expiresAt });
      if (!firstUse) throw new AppError(AppErrorCode.PAGE_LINK_USED, 'This link was opened already');
      await this.sessions.create({ ...session, idHash: this.idHash(secret) });
    });
    return { ...session, secret };
  }

  /** The live session of `step` that the cookie's secret names; throws PAGE_SESSION_EXPIRED otherwise. */
  async resume(secret: string | undefined, step: BorrowerStep): Promise<PageSession> {
    const session = secret && secret.length <= 128 ? await this.sessions.byIdHash(this.idHash(secret)) : null;
    if (!session || session.step !== step || session.expiresAt <= this.clock.now()) {
      throw new AppError(AppErrorCode.PAGE_SESSION_EXPIRED, 'This page has expired');
    }
    return session;
  }

  /** Ends a session (the step is done and the borrower was sent back, or the borrower left). */
  async end(secret: string): Promise<void> {
    await this.sessions.delete(this.idHash(secret));
  }

  /** The anti-forgery token of a session's forms: derived from its secret, so nothing more is stored. */
  formToken(secret: string): string {
    return this.identity.secret('borrower-page-form', secret);
  }

  /** Throws PAGE_FORM_FORGED unless `presented` is the session's form token (compared in constant time). */
  assertFormToken(secret: string, presented: unknown): void {
    if (typeof presented !== 'string' || !safeEqual(presented, this.formToken(secret))) {
      throw new AppError(AppErrorCode.PAGE_FORM_FORGED, 'The form did not come from this page');
    }
  }

  /** Deletes expired sessions and token uses (housekeeping). */
  prune(): Promise<number> {
    return this.sessions.pruneBefore(this.clock.now());
  }

  private async read(step: BorrowerStep, credential: PageCredential): Promise<{ applicationId: string; returnUrl?: string; expiresAt: Date; useHash: string }> {
    if (credential.kind === 'authToken') {
      const claims = await this.authTokens.readForPage(credential.authToken);
      if (claims.context !== step) throw new AppError(AppErrorCode.PAGE_LINK_INVALID, 'The link is for another step');
      return { ...claims, useHash: this.identity.secret('borrower-token-use', `jwt:${claims.jti}`) };
    }
    const opener = this.linkOpeners[step];
    if (!opener) throw new AppError(AppErrorCode.PAGE_LINK_INVALID, 'This step is not opened by a link token');
    const link = await opener(credential.urlToken, credential.authCode);
    return { ...link, useHash: this.identity.secret('borrower-token-use', `${step}:${credential.urlToken}`) };
  }

  private idHash(secret: string): string {
    return this.identity.secret('borrower-page-session', secret);
  }
}
