import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import { Logger } from 'pino';
import { AppError, AppErrorCode } from '../../core/errors';
import { BorrowerSessionService, PAGE_SESSION_TTL_MS } from '../../core/borrower-session/borrower-session.service';
import { BorrowerStep, PageSession } from '../../core/borrower-session/borrower-session';
import { currentTraceId } from '../../lib/trace';
import { isDependencyUnavailable } from '../../lib/unavailable';
import { Lang, MessageKey, PageRenderer, Translate, isLang, translator } from './page-renderer';
import { limitBody, tooLarge } from '../shared/body';

export const SESSION_COOKIE = 'cp_borrower';
const LANG_COOKIE = 'cp_lang';

/** Where each step's page lives (the addresses getAuthToken, kyc/initiate, initiateRepaymentSetup and OCEN hand out). */
export const STEP_PATH: Record<BorrowerStep, string> = {
  KYC: '/borrower/kyc',
  REPAYMENT_SETUP: '/borrower/repayment-setup',
  INCOME_VERIFICATION: '/borrower/income-verification',
};

/** What a step page's handler has: the live session, its cookie secret and the page's language. */
export interface PageLocals {
  session: PageSession;
  secret: string;
  lang: Lang;
  t: Translate;
}

export const localsOf = (res: Response) => res.locals as PageLocals;

/** A page's route handler: whatever it throws becomes the error page (`BorrowerPages.errors`). */
export const pageRoute = (handler: (req: Request, res: Response) => Promise<void>): RequestHandler => (req, res, next) => {
  handler(req, res).catch(next);
};

export interface PageOptions {
  status?: number;
  title: string;
  /** The step whose session the page belongs to: its forms carry the anti-forgery token and it may return the borrower. */
  step?: BorrowerStep;
  /** Whether the page must find a link's token in its fragment (the opening page) or only may (a step page). */
  exchangeRequired?: boolean;
}

/**
 * What every borrower page shares: rendering in the borrower's language with the layout, its security headers
 * (a strict CSP whose form-action also admits the partner's return URL), the page session from the cookie, the
 * anti-forgery token of forms, uploads with a size cap, and errors as pages.
 */
export class BorrowerPages {
  constructor(
    private readonly sessions: BorrowerSessionService,
    private readonly renderer: PageRenderer,
    private readonly lenderName: string,
    private readonly secureCookies: boolean,
    private readonly logger: Logger,
  ) {}

  /** Security headers and language of every borrower page. */
  readonly prelude: RequestHandler = (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Content-Security-Policy', DEFAULT_CSP);
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    const cookies = parseCookies(req.headers.cookie ?? '');
    const asked = typeof req.query.lang === 'string' ? req.query.lang : undefined;
    const lang: Lang = isLang(asked) ? asked : isLang(cookies[LANG_COOKIE]) ? cookies[LANG_COOKIE] : 'en';
    if (isLang(asked)) res.append('Set-Cookie', serializeCookie(LANG_COOKIE, asked, { path: '/borrower', sameSite: 'lax', httpOnly: true, secure: this.secureCookies, maxAge: 31_536_000 }));
    res.locals.lang = lang;
    res.locals.t = translator(lang);
    next();
  };

  /** Forms of the pages (application/x-www-form-urlencoded, small). */
  readonly form = limitBody(16 * 1024, express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }));

  /** One uploaded file in field `document`, kept in memory up to `maxBytes` (larger: 413 at once, nothing kept). */
  upload(maxBytes: number): RequestHandler {
    // The whole request may carry the file and the form's few small fields (10 of 4 KiB at most) with their part headers.
    const requestLimit = maxBytes + UPLOAD_FORM_ALLOWANCE_BYTES;
    // multer's own file limit sits above the request's, so the request's (limitBody, answering at once) always trips
    // first: when multer's trips, it waits for the body's end before answering, which an endless body never reaches.
    const parse = limitBody(requestLimit, multer({ storage: multer.memoryStorage(), limits: { fileSize: requestLimit + 1, files: 1, fields: 10, fieldSize: 4096, parts: 12 } }).single('document'));
    return (req, res, next) => parse(req, res, (err?: unknown) => {
      if (err || !req.file || req.file.size <= maxBytes) return next(err);
      const size = req.file.size;
      req.file = undefined;
      res.setHeader('Connection', 'close');
      next(tooLarge(maxBytes, size));
    });
  }

  /**
   * The session of `step` from the cookie into `res.locals`; without one, a GET shows the opening page (which
   * exchanges a token found in the fragment) and anything else the expired-page error.
   */
  session(step: BorrowerStep): RequestHandler {
    return (req, res, next) => {
      const secret = parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE];
      this.sessions.resume(secret, step).then(
        (session) => {
          res.locals.session = session;
          res.locals.secret = secret;
          res.setHeader('Content-Security-Policy', contentSecurityPolicy(session.returnUrl));
          next();
        },
        (err) => {
          if (req.method === 'GET' && err instanceof AppError && err.code === AppErrorCode.PAGE_SESSION_EXPIRED) {
            this.page(req, res, 'open', {}, { title: localsOf(res).t('open.title'), step, exchangeRequired: true });
            return;
          }
          next(err);
        },
      );
    };
  }

  /** Refuses (403 page, nothing done) a form without the session's anti-forgery token. Runs after the body is read. */
  readonly checkForm: RequestHandler = (req, res, next) => {
    try {
      this.sessions.assertFormToken(localsOf(res).secret, (req.body as Record<string, unknown> | undefined)?._csrf);
      next();
    } catch (err) {
      next(err);
    }
  };

  /** `POST /borrower/session`: exchanges a link's token (from the fragment, posted by the opening page) for a session. */
  readonly exchange: RequestHandler = async (req, res, next) => {
    try {
      if (!sameOrigin(req)) throw new AppError(AppErrorCode.PAGE_FORM_FORGED, 'The exchange did not come from this site');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const step = body.step;
      if (typeof step !== 'string' || !(step in STEP_PATH)) throw new AppError(AppErrorCode.PAGE_LINK_INVALID, 'No such step');
      const text = (name: string) => (typeof body[name] === 'string' && body[name] !== '' && (body[name] as string).length <= 4096 ? (body[name] as string) : undefined);
      const authToken = text('authToken');
      const urlToken = text('urlToken');
      if (!authToken && !urlToken) throw new AppError(AppErrorCode.PAGE_LINK_INVALID, 'The link carries no token');
      const opened = await this.sessions.open(step as BorrowerStep, authToken ? { kind: 'authToken', authToken } : { kind: 'urlToken', urlToken: urlToken!, authCode: text('authCode') });
      res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, opened.secret, {
        path: '/borrower',
        httpOnly: true,
        sameSite: 'lax',
        secure: this.secureCookies,
        maxAge: PAGE_SESSION_TTL_MS / 1000,
      }));
      res.redirect(303, STEP_PATH[step as BorrowerStep]);
    } catch (err) {
      next(err);
    }
  };

  /** Renders `view` inside the layout, in the page's language. */
  page(req: Request, res: Response, view: string, data: Record<string, unknown>, options: PageOptions): void {
    const { lang, t, secret } = res.locals as Partial<PageLocals> & { lang: Lang; t: Translate };
    const otherLang: Lang = lang === 'en' ? 'hi' : 'en';
    const pagePath = options.step ? STEP_PATH[options.step] : req.baseUrl + req.path;
    const html = this.renderer.render(view, {
      ...data,
      t,
      lang,
      otherLang,
      title: options.title,
      lender: this.lenderName,
      languageLink: `${req.method === 'GET' ? req.baseUrl + req.path : pagePath}?lang=${otherLang}`,
      csrf: secret ? this.sessions.formToken(secret) : undefined,
      exchangeStep: options.step,
      exchangeRequired: options.exchangeRequired ?? false,
    });
    res.status(options.status ?? 200).type('html').send(html);
  }

  /**
   * The step is done: the session ends and the borrower goes back to the partner's return URL (303), or, without
   * one, sees that it is done.
   */
  async finish(req: Request, res: Response, message?: string): Promise<void> {
    const { session, secret, t } = localsOf(res);
    await this.sessions.end(secret);
    res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { path: '/borrower', httpOnly: true, sameSite: 'lax', secure: this.secureCookies, maxAge: 0 }));
    if (session.returnUrl) {
      res.redirect(303, session.returnUrl);
      return;
    }
    this.page(req, res, 'done', { message }, { title: t('done.title') });
  }

  /** Any failure as a page in the borrower's language, with its HTTP status; never JSON or a stack. */
  readonly errors = (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (!res.locals.t) {
      res.locals.lang = 'en';
      res.locals.t = translator('en');
    }
    const { t } = res.locals as PageLocals;
    const { status, title, body } = pageErrorOf(err);
    if (status >= 500) this.logger.error({ err, path: req.baseUrl + req.path }, 'borrower page failed');
    else this.logger.info({ code: err instanceof AppError ? err.code : status, path: req.baseUrl + req.path }, 'borrower page refused');
    if (status === 413 || (err as { code?: string })?.code === 'LIMIT_FILE_SIZE') res.setHeader('Connection', 'close');
    if (res.headersSent) return;
    this.page(req, res, 'error', { message: t(body, { limit: '5 MB' }), reference: status >= 500 ? currentTraceId() : undefined }, { status, title: t(title) });
  };
}

/** What an upload request may carry besides its file: up to 10 fields of 4 KiB and 12 part headers. */
const UPLOAD_FORM_ALLOWANCE_BYTES = 64 * 1024;

/** Status and message of a failure on a borrower page. */
export function pageErrorOf(err: unknown): { status: number; title: MessageKey; body: MessageKey } {
  const code = (err as { code?: unknown })?.code;
  const type = (err as { type?: unknown })?.type;
  if (code === 'LIMIT_FILE_SIZE' || type === 'entity.too.large') return { status: 413, title: 'error.tooLarge.title', body: 'error.tooLarge.body' };
  if (typeof code === 'string' && code.startsWith('LIMIT_')) return { status: 400, title: 'error.invalid.title', body: 'error.formForged.body' };
  if (type === 'entity.parse.failed' || type === 'charset.unsupported' || type === 'encoding.unsupported') return { status: 400, title: 'error.invalid.title', body: 'error.formForged.body' };
  if (err instanceof AppError) {
    switch (err.code) {
      case AppErrorCode.PAGE_LINK_INVALID: return { status: 401, title: 'error.linkInvalid.title', body: 'error.linkInvalid.body' };
      case AppErrorCode.PAGE_LINK_EXPIRED: return { status: 410, title: 'error.linkExpired.title', body: 'error.linkExpired.body' };
      case AppErrorCode.PAGE_LINK_USED: return { status: 410, title: 'error.linkUsed.title', body: 'error.linkUsed.body' };
      case AppErrorCode.PAGE_SESSION_EXPIRED: return { status: 401, title: 'error.sessionExpired.title', body: 'error.sessionExpired.body' };
      case AppErrorCode.PAGE_FORM_FORGED: return { status: 403, title: 'error.formForged.title', body: 'error.formForged.body' };
      case AppErrorCode.NOT_FOUND: return { status: 404, title: 'error.notFound.title', body: 'error.notFound.body' };
      case AppErrorCode.PRECONDITION_FAILED:
      case AppErrorCode.ILLEGAL_STATE_TRANSITION:
        return { status: 409, title: 'error.notOpen.title', body: 'error.notOpen.body' };
      case AppErrorCode.SERVICE_UNAVAILABLE: return { status: 503, title: 'error.unavailable.title', body: 'error.unavailable.body' };
      case AppErrorCode.LEDGER_ENTRY_REFUSED:
      case AppErrorCode.INTERNAL: break;
      default: return { status: 400, title: 'error.invalid.title', body: 'error.notOpen.body' };
    }
  }
  if (isDependencyUnavailable(err)) return { status: 503, title: 'error.unavailable.title', body: 'error.unavailable.body' };
  return { status: 500, title: 'error.title', body: 'error.internal.body' };
}

/**
 * The pages' CSP: nothing but this origin's own script and style files (no inline code), no plugins, no
 * framing, no base-URI change; forms post to this origin, or (a redirect after a form) to the partner's return URL.
 */
export function contentSecurityPolicy(returnUrl: string | null): string {
  const formAction = ["'self'"];
  if (returnUrl) {
    try {
      formAction.push(new URL(returnUrl).origin);
    } catch {
      /* a return URL is checked when the token is issued; an unreadable one adds nothing */
    }
  }
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    `form-action ${formAction.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** The CSP of a page without a session (no return origin to admit). */
const DEFAULT_CSP = contentSecurityPolicy(null);

/**
 * A POST from this site's own page: `Sec-Fetch-Site` (when sent) is same-origin, and `Origin` (when sent) is
 * this host (under `Referrer-Policy: no-referrer` browsers send `Origin: null`, which says nothing).
 */
function sameOrigin(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
