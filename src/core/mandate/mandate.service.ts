import { randomUUID } from 'node:crypto';
import { AppError, AppErrorCode, invalidField, notFound, precondition } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { Sealer, randomToken, safeEqual } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { Outbox } from '../../lib/jobs/outbox';
import { TransitionWriter } from '../state/transition-writer';
import { IdentityHasher } from '../shared/identity';
import { addMonthsClamped } from '../shared/dates';
import { emiMicros } from '../money/emi';
import { firstDueDate } from '../loan/loan';
import { istDate } from '../shared/dates';
import { Application, ApplicationRef } from '../application/application';
import { ApplicationRepository } from '../application/application.repository';
import { SubmissionRepository } from '../loan/submission.repository';
import { OfferRepository } from '../offer/offer.repository';
import { MandateState, mandateMachine, mandateState } from './mandate-state';
import { MandateRepository } from './mandate.repository';
import { Mandate, MandateAuthorisation, NewMandateAuthorisation } from './mandate';
import { MandateFrequency, MandateMethod, MandatePayer, MandateRail, MandateRailAnswer } from './mandate-rail';
import { MandatePayerInput, checkMandatePayer, maskPayer, payerIdentity } from './mandate-payer';
import { namesMatch } from './name-match';
import { confirmMandateJob } from './confirm-mandate.job';

/** The repayment-setup link is valid for 60 seconds, as the partner API specifies. */
export const MANDATE_LINK_TTL_MS = 60_000;

export interface MandateLink {
  lenderReference: string;
  urlToken: string;
  authCode: string;
  expiresAt: Date;
  /**
   * The bank's mandate page for this link, the token and code in the fragment (`<page>#urlToken=…&authCode=…`), so
   * that they never reach a server log, a proxy or a Referer header: for a surface that hands the borrower a URL.
   */
  pageUrl: string;
}

/** Application states in which the repayment mandate may be set up: before signing (Google Pay) or after it (OCEN: SIGNED, GRANTED). */
const MANDATE_OPEN_STATES: ReadonlySet<string> = new Set(['IN_PROGRESS', 'SIGNED', 'GRANTED']);

export type MandateOutcome = 'APPROVED' | 'REJECTED';

/** Which terms the mandate's ceiling and dates come from (see `MandateService.termsForPage`). */
export type MandateTermsBasis = 'SIGNED_TERMS' | 'ACCEPTED_TERMS' | 'OFFER_CEILING';

/** The debits a mandate of the application is set up for. */
export interface MandateDebitTerms {
  /** The most one debit may take: the EMI (micros). */
  maxAmountMicros: bigint;
  frequency: MandateFrequency;
  /** YYYY-MM-DD: the first EMI's due date. */
  firstDebitDate: string;
  /** YYYY-MM-DD: the last EMI's due date. */
  lastDebitDate: string;
  /** The number of EMIs the dates span. */
  instalments: number;
  basis: MandateTermsBasis;
}

/** What the borrower's mandate page shows. */
export interface MandatePageTerms extends MandateDebitTerms {
  applicationId: string;
  mandateId: string;
  /** The lender's reference of the application, to show the borrower. */
  lenderReference: string;
  state: MandateState;
  /** The borrower's name on record (the account holder an e-NACH account must match). */
  borrowerName: string;
  /** The UMRN, once ACTIVE. */
  mandateReference: string | null;
  /** Why the last authorisation was declined, once FAILED. */
  failureReason: string | null;
  /** The last payer the borrower gave, masked (`as****@okbank`, `XXXXXXXX6249`); null before any. */
  lastAuthorisation: { method: MandateMethod; maskedPayer: string; outcome: 'AUTHORISED' | 'DECLINED' | null } | null;
}

/** The rail's answer to an authorisation, as recorded, with the mandate's state after it. */
export type MandateAuthorisationResult = { state: MandateState; method: MandateMethod; maskedPayer: string } & (
  | { outcome: 'AUTHORISED'; umrn: string }
  | { outcome: 'DECLINED'; reason: string }
);

export interface MandateServiceOptions {
  /** The bank's mandate page (PUBLIC_BASE_URL + /borrower/repayment-setup). */
  pageUrl: string;
  /** The borrower's name an e-NACH account holder must match (the name KYC established, else the applicant's own). */
  nameOnRecord: (applicationId: string) => Promise<string>;
  /**
   * Sandbox only: the payer the sandbox's "the user finished the mandate" shortcut (`complete`) authorises with,
   * per outcome. Without it, `complete` is refused.
   */
  sandboxPayer?: (outcome: MandateOutcome) => MandatePayerInput;
}

/**
 * How long an authorisation sent to the rail is taken to be still in flight: while the rail does not know it
 * (status UNKNOWN), it is not sent again before this long after its last sending, so that a call still under way
 * is never doubled (CONCURRENT_MODIFICATION meanwhile). Past it, the same order is sent again, same reference.
 */
export const MANDATE_RESEND_AFTER_MS = 30_000;

/** Rail references start with the mandate's id, so that a reference names its mandate (`nameBehindReference`). */
const MANDATE_ID_OF_REFERENCE = /^(?:MDA|PDV)-([0-9a-f-]{36})-/;

/**
 * The mandate's ceiling per debit, in EMIs: 2, so that a debit retried after a bounce can collect the overdue EMI
 * with its bounce and penal charges at once (each debit is the amount due, told in its pre-debit notice; the
 * ceiling only bounds it).
 */
export const MANDATE_CEILING_EMIS = 2n;

export class MandateService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly applications: ApplicationRepository,
    private readonly mandates: MandateRepository,
    private readonly offers: OfferRepository,
    private readonly submissions: SubmissionRepository,
    private readonly transitions: TransitionWriter,
    private readonly outbox: Outbox,
    private readonly identity: IdentityHasher,
    private readonly sealer: Sealer,
    private readonly rail: MandateRail,
    private readonly clock: Clock,
    private readonly options: MandateServiceOptions,
  ) {}

  /**
   * Starts the e-mandate (or gives a fresh link for a pending one, or retries a failed one), while the
   * application is IN_PROGRESS, SIGNED or GRANTED. `partnerCollects` records that the partner collects the
   * repayments itself (kept as it was when not given).
   */
  async initiate(ref: ApplicationRef, options: { partnerCollects?: boolean } = {}): Promise<MandateLink> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      if (!MANDATE_OPEN_STATES.has(application.applicationState)) {
        throw precondition(`Repayment setup cannot start while the application is ${application.applicationState}`);
      }
      const urlToken = randomToken(24);
      const authCode = randomToken(12);
      const expiresAt = new Date(this.clock.now().getTime() + MANDATE_LINK_TTL_MS);
      const link = {
        urlTokenHash: this.identity.secret('mandate-url-token', urlToken),
        authCodeHash: this.identity.secret('mandate-auth-code', authCode),
        linkExpiresAt: expiresAt,
        ...(options.partnerCollects === undefined ? {} : { partnerCollects: options.partnerCollects }),
      };
      const mandate = await this.mandates.byId(application.currentMandateId);
      if (!mandate) {
        const id = randomUUID();
        await this.mandates.create({ id, applicationId: application.id, state: 'PENDING', partnerCollects: false, ...link });
        await this.applications.setCurrent(application.id, { currentMandateId: id });
        await this.transitions.recordInitial(mandateState, id, 'PENDING');
      } else if (mandate.state === 'PENDING') {
        await this.mandates.renewLink(mandate.id, link);
      } else if (mandate.state === 'FAILED') {
        await this.transitions.move(mandateState, mandate.id, 'FAILED', 'PENDING', { ...link, failureReason: null }, 'retry');
      } else {
        throw precondition('The repayment mandate is already active');
      }
      const fragment = `urlToken=${encodeURIComponent(urlToken)}&authCode=${encodeURIComponent(authCode)}`;
      return { lenderReference: application.lenderReference, urlToken, authCode, expiresAt, pageUrl: `${this.options.pageUrl}#${fragment}` };
    });
  }

  /**
   * The mandate page opened with a link handed out by `initiate`: the application and mandate it is for. The
   * urlToken is found by its keyed hash; the authCode, when given, must be the one handed out with it (its keyed
   * hash compared in constant time). A link of a mandate the application no longer names is not valid either.
   *
   * Fits the borrower pages' LinkOpener (src/core/borrower-session): the container registers it for REPAYMENT_SETUP.
   *
   * @throws PAGE_LINK_INVALID for an unknown or superseded urlToken or a wrong authCode (not told apart);
   * PAGE_LINK_EXPIRED past the link's 60 seconds. A read: nothing is written.
   */
  async openByLink(urlToken: string, authCode?: string): Promise<{ applicationId: string; mandateId: string; expiresAt: Date }> {
    const invalid = () => new AppError(AppErrorCode.PAGE_LINK_INVALID, 'This repayment-setup link is not valid; start repayment setup again from the app', ['urlToken']);
    if (typeof urlToken !== 'string' || urlToken.length === 0 || urlToken.length > 200) throw invalid();
    const mandate = await this.mandates.byUrlTokenHash(this.identity.secret('mandate-url-token', urlToken));
    if (!mandate) throw invalid();
    if (authCode !== undefined && (typeof authCode !== 'string' || !safeEqual(this.identity.secret('mandate-auth-code', authCode), mandate.authCodeHash))) throw invalid();
    if (this.clock.now() >= mandate.linkExpiresAt) {
      throw new AppError(AppErrorCode.PAGE_LINK_EXPIRED, 'This repayment-setup link has expired; start repayment setup again from the app', ['urlToken']);
    }
    const application = await this.applications.byId(mandate.applicationId);
    if (application?.currentMandateId !== mandate.id) throw invalid();
    return { applicationId: mandate.applicationId, mandateId: mandate.id, expiresAt: mandate.linkExpiresAt };
  }

  /**
   * What the mandate page shows for the application's current mandate. The debits:
   *
   * - **ceiling** (`maxAmountMicros`): MANDATE_CEILING_EMIS times the EMI of the terms that apply, and
   *   **instalments** their tenure. The terms
   *   are, in order: the signed terms (the current submission: OCEN after the agreement is signed) — their EMI as
   *   signed; else the terms the borrower accepted in the current offer — the EMI of that amount and tenure at the
   *   offer's rate; else (Google Pay, no terms chosen yet) the highest EMI the offer allows — its largest amount
   *   over its shortest tenure — with the dates spanning its longest tenure, so that any terms within the offer fit.
   * - **frequency**: MONTHLY (one EMI a month).
   * - **first debit date**: the first EMI's due date by the loan's schedule rule (`firstDueDate` in
   *   src/core/loan/loan.ts), as if the loan were paid out today; **last**: first + (instalments − 1) months.
   *
   * @throws NOT_FOUND for an unknown application; PRECONDITION_FAILED before repayment setup was initiated or
   * when the application has no offer.
   */
  async termsForPage(applicationId: string): Promise<MandatePageTerms> {
    const application = await this.applications.byId(applicationId);
    if (!application) throw notFound('application');
    const mandate = await this.mandates.details(application.currentMandateId);
    if (!mandate) throw precondition('Repayment setup has not been initiated for this application');
    const [terms, borrowerName, latest] = await Promise.all([
      this.debitTerms(application),
      this.options.nameOnRecord(application.id),
      this.mandates.latestAuthorisation(mandate.id),
    ]);
    return {
      applicationId: application.id,
      mandateId: mandate.id,
      lenderReference: application.lenderReference,
      state: mandate.state,
      ...terms,
      borrowerName,
      mandateReference: mandate.mandateReference,
      failureReason: mandate.failureReason,
      lastAuthorisation: latest ? { method: latest.method, maskedPayer: latest.maskedPayer, outcome: latest.outcome } : null,
    };
  }

  /**
   * The borrower authorises the mandate on the page with a UPI address (UPI Autopay) or a bank account (e-NACH),
   * for the debits of `termsForPage`. In order:
   *
   * 1. The payer is checked (`checkMandatePayer`): INVALID_FIELD_VALUE naming `vpa`, `ifsc`, `accountNumber` or
   *    `mandateMethod`, before anything is recorded or sent.
   * 2. An authorisation sent earlier and not answered (a lost answer, a crash) is settled first: the rail is asked
   *    its `status` (and sent the same order again, same reference, only when it never took it). If that one was
   *    authorised, or was for the same payer, its answer is the answer.
   * 3. e-NACH: a penny-drop (`verifyAccount`, one reference per mandate and account) whose account holder's name
   *    must match the borrower's name on record (`namesMatch`): NOT_FOUND is INVALID_FIELD_VALUE (`accountNumber`),
   *    another name ACCOUNT_NAME_MISMATCH; either way nothing is recorded and the mandate is unchanged.
   * 4. The authorisation is recorded (payer sealed, masked form, the rail reference) and committed; a FAILED
   *    mandate is PENDING again (a retry on the page). Then the rail is asked, with no transaction open.
   * 5. Its answer is recorded: PENDING → ACTIVE with the UMRN as the mandate reference, or PENDING → FAILED with
   *    the reason (the page may then try again, with another payer).
   *
   * One authorisation at a time per mandate: CONCURRENT_MODIFICATION while another is awaiting the rail's answer
   * (no connection or lock is held across the rail call: the page's wait may be long). PRECONDITION_FAILED before
   * repayment setup was initiated, when the mandate is ACTIVE already or the application is past the step; NOT_FOUND for an unknown application. A rail that cannot be reached throws
   * (SERVICE_UNAVAILABLE when unconfigured): the authorisation stays recorded and the next call settles it.
   */
  async authorise(applicationId: string, input: MandatePayerInput): Promise<MandateAuthorisationResult> {
    const payer = checkMandatePayer(input);
    const application = await this.applications.byId(applicationId);
    if (!application) throw notFound('application');
    const payerHash = this.identity.secret('mandate-payer', payerIdentity(payer));
    const current = await this.mandates.byId(application.currentMandateId);
    const outstanding = current ? await this.mandates.outstandingAuthorisation(current.id) : null;
    if (outstanding) {
      // Settled whatever the application's state now: the rail may hold a mandate that must be recorded.
      const settled = await this.record(application.id, outstanding, await this.settle(outstanding));
      if (settled.outcome === 'AUTHORISED' || outstanding.payerHash === payerHash) return settled;
    }
    const mandate = await this.openMandate(application);
    if (payer.method === 'ENACH') await this.checkAccountHolder(application.id, mandate.id, payer, payerHash);
    const authorisation = await this.recordIntent(application.id, payer, payerHash);
    const answer = await this.rail.authorise(this.orderOf(authorisation, payer));
    return this.record(application.id, authorisation, answer);
  }

  /**
   * Sandbox: the user finished the mandate on the bank's pages; the outcome is staged for the worker, which
   * authorises it through the mandate rail with the sandbox's payer for that outcome (`confirm`).
   */
  async complete(ref: ApplicationRef, outcome: MandateOutcome): Promise<MandateState> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      const mandate = await this.mandates.byId(application.currentMandateId);
      if (!mandate) throw precondition('Repayment setup has not been initiated for this application');
      mandateMachine.assert(mandate.state, outcome === 'APPROVED' ? 'ACTIVE' : 'FAILED');
      await this.outbox.stage(confirmMandateJob, { mandateId: mandate.id, outcome });
      return mandate.state;
    });
  }

  /**
   * Worker step of the sandbox's `complete` (no transaction open: it calls the rail): authorises a mandate still
   * PENDING through the rail with the sandbox payer for the outcome, so the UMRN is the rail's. Does nothing once
   * the mandate or its application has moved on.
   */
  async confirm(mandateId: string, outcome: MandateOutcome): Promise<void> {
    const mandate = await this.mandates.byId(mandateId);
    if (!mandate || mandate.state !== 'PENDING') return;
    if (!this.options.sandboxPayer) throw precondition('Mandates are confirmed on the mandate page outside the sandbox');
    try {
      await this.authorise(mandate.applicationId, this.options.sandboxPayer(outcome));
    } catch (err) {
      if (err instanceof AppError && err.code === AppErrorCode.PRECONDITION_FAILED) return;
      throw err;
    }
  }

  /** The application's current mandate, or null before repayment setup was initiated. */
  async current(application: { currentMandateId: string | null }): Promise<Mandate | null> {
    return this.mandates.byId(application.currentMandateId);
  }

  async isActive(mandateId: string | null): Promise<boolean> {
    return (await this.mandates.byId(mandateId))?.state === 'ACTIVE';
  }

  /**
   * The borrower's name on record for the mandate a rail reference was issued for, or null for a reference this
   * service did not issue. For the sandbox rail, whose penny-drop answers the borrower's own name.
   */
  async nameBehindReference(reference: string): Promise<string | null> {
    const mandateId = MANDATE_ID_OF_REFERENCE.exec(reference)?.[1];
    const mandate = mandateId ? await this.mandates.byId(mandateId) : null;
    return mandate ? this.options.nameOnRecord(mandate.applicationId) : null;
  }

  /** The PAN's four digits of the borrower whose mandate has this UMRN (the sandbox rail's personas), or null. */
  async panDigitsBehindUmrn(umrn: string): Promise<string | null> {
    return this.mandates.panDigitsBehindUmrn(umrn);
  }

  /** The application's current mandate, if it may still be authorised (PENDING, or FAILED to be retried). */
  private async openMandate(application: Application): Promise<Mandate> {
    if (!MANDATE_OPEN_STATES.has(application.applicationState)) {
      throw precondition(`The repayment mandate cannot be set up while the application is ${application.applicationState}`);
    }
    const mandate = await this.mandates.byId(application.currentMandateId);
    if (!mandate) throw precondition('Repayment setup has not been initiated for this application');
    if (mandate.state === 'ACTIVE') throw precondition('The repayment mandate is already active');
    return mandate;
  }

  /** The penny-drop: the account must exist and be held in the borrower's name. Writes nothing. */
  private async checkAccountHolder(applicationId: string, mandateId: string, payer: Extract<MandatePayer, { method: 'ENACH' }>, payerHash: string): Promise<void> {
    const checked = await this.rail.verifyAccount({ accountNumber: payer.accountNumber, ifsc: payer.ifsc, reference: `PDV-${mandateId}-${payerHash.slice(0, 16)}` });
    if (checked.outcome === 'NOT_FOUND') throw invalidField('accountNumber', 'The bank has no account with this number at this IFSC');
    if (!namesMatch(checked.nameAtBank, await this.options.nameOnRecord(applicationId))) {
      throw new AppError(AppErrorCode.ACCOUNT_NAME_MISMATCH, 'The bank account is not held in the borrower\'s name', ['accountNumber']);
    }
  }

  /** Records the authorisation about to be sent (the intent) and commits it; a FAILED mandate is PENDING again. */
  private recordIntent(applicationId: string, payer: MandatePayer, payerHash: string): Promise<MandateAuthorisation> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lock(applicationId);
      if (!application) throw notFound('application');
      const mandate = await this.openMandate(application);
      if (await this.mandates.outstandingAuthorisation(mandate.id)) {
        throw new AppError(AppErrorCode.CONCURRENT_MODIFICATION, 'Another authorisation of this mandate is awaiting the rail\'s answer');
      }
      if (mandate.state === 'FAILED') await this.transitions.move(mandateState, mandate.id, 'FAILED', 'PENDING', { failureReason: null }, 'retry on the mandate page');
      const terms = await this.debitTerms(application);
      const id = randomUUID();
      const now = this.clock.now();
      const row: NewMandateAuthorisation = {
        id,
        mandateId: mandate.id,
        reference: `MDA-${mandate.id}-${(await this.mandates.countAuthorisations(mandate.id)) + 1}`,
        method: payer.method,
        maskedPayer: maskPayer(payer),
        payerHash,
        payerCiphertext: this.sealer.seal(JSON.stringify(payer), payerBoundTo(id)),
        maxAmountMicros: terms.maxAmountMicros,
        frequency: terms.frequency,
        firstDebitDate: terms.firstDebitDate,
        lastDebitDate: terms.lastDebitDate,
        railCalls: 1,
        requestedAt: now,
        lastCalledAt: now,
      };
      await this.mandates.createAuthorisation(row);
      const authorisation: MandateAuthorisation = { ...row, outcome: null, umrn: null, declineReason: null, answeredAt: null };
      return authorisation;
    });
  }

  /**
   * The rail's answer to an authorisation recorded before whose answer was not: asked by `status`. When the rail
   * does not know it, it is sent again (the same order and reference) once it is no longer in flight
   * (`MANDATE_RESEND_AFTER_MS` after its last sending; one request wins the resend); before, CONCURRENT_MODIFICATION.
   */
  private async settle(authorisation: MandateAuthorisation): Promise<MandateRailAnswer> {
    const known = await this.rail.status(authorisation.reference);
    if (known.outcome !== 'UNKNOWN') return known;
    const now = this.clock.now();
    const inFlight = now.getTime() - authorisation.lastCalledAt.getTime() < MANDATE_RESEND_AFTER_MS;
    if (inFlight || !(await this.uow.transaction(() => this.mandates.markRailCall(authorisation.id, authorisation.lastCalledAt, now)))) {
      throw new AppError(AppErrorCode.CONCURRENT_MODIFICATION, 'The mandate\'s authorisation is awaiting the rail\'s answer; try again shortly');
    }
    const payer = JSON.parse(this.sealer.open(authorisation.payerCiphertext, payerBoundTo(authorisation.id))) as MandatePayer;
    return this.rail.authorise(this.orderOf(authorisation, payer));
  }

  /** Records the rail's answer and moves the mandate PENDING → ACTIVE (the UMRN) or PENDING → FAILED (the reason). */
  private record(applicationId: string, authorisation: MandateAuthorisation, answer: MandateRailAnswer): Promise<MandateAuthorisationResult> {
    return this.uow.transaction(async () => {
      await this.applications.lock(applicationId);
      const first = await this.mandates.answer(
        authorisation.id,
        answer.outcome === 'AUTHORISED' ? { outcome: 'AUTHORISED', umrn: answer.umrn } : { outcome: 'DECLINED', declineReason: answer.reason },
        this.clock.now(),
      );
      const mandate = (await this.mandates.byId(authorisation.mandateId))!;
      let state = mandate.state;
      if (first && state === 'PENDING') {
        if (answer.outcome === 'AUTHORISED') {
          await this.transitions.move(mandateState, mandate.id, 'PENDING', 'ACTIVE', { mandateReference: answer.umrn, failureReason: null }, `authorised ${authorisation.method}, UMRN ${answer.umrn}`);
          state = 'ACTIVE';
        } else {
          await this.transitions.move(mandateState, mandate.id, 'PENDING', 'FAILED', { failureReason: answer.reason }, `declined ${authorisation.method}`);
          state = 'FAILED';
        }
      }
      const base = { state, method: authorisation.method, maskedPayer: authorisation.maskedPayer };
      return answer.outcome === 'AUTHORISED' ? { ...base, outcome: 'AUTHORISED', umrn: answer.umrn } : { ...base, outcome: 'DECLINED', reason: answer.reason };
    });
  }

  private orderOf(authorisation: MandateAuthorisation, payer: MandatePayer) {
    return {
      ...payer,
      reference: authorisation.reference,
      maxAmountMicros: authorisation.maxAmountMicros,
      frequency: authorisation.frequency,
      firstDebitDate: authorisation.firstDebitDate,
      lastDebitDate: authorisation.lastDebitDate,
    };
  }

  /** The debits of the application's mandate: see `termsForPage` for the rule. */
  private async debitTerms(application: Application): Promise<MandateDebitTerms> {
    const submission = await this.submissions.byId(application.currentSubmissionId);
    let ceiling: { maxAmountMicros: bigint; instalments: number; basis: MandateTermsBasis };
    if (submission) {
      ceiling = { maxAmountMicros: submission.emiMicros, instalments: submission.tenureMonths, basis: 'SIGNED_TERMS' };
    } else {
      const offer = application.currentOfferId ? await this.offers.byId(application.currentOfferId) : null;
      if (!offer) throw precondition('The application has no offer to set a mandate up for');
      const annualRateE5 = BigInt(offer.interestRateE5);
      if (offer.acceptedAmountMicros && offer.acceptedTenureMonths) {
        ceiling = {
          maxAmountMicros: emiMicros({ principalMicros: offer.acceptedAmountMicros, annualRateE5, tenureMonths: offer.acceptedTenureMonths }),
          instalments: offer.acceptedTenureMonths,
          basis: 'ACCEPTED_TERMS',
        };
      } else {
        ceiling = {
          maxAmountMicros: emiMicros({ principalMicros: offer.maxAmountMicros, annualRateE5, tenureMonths: offer.minTenureMonths }),
          instalments: offer.maxTenureMonths,
          basis: 'OFFER_CEILING',
        };
      }
    }
    const firstDebitDate = firstDueDate(istDate(this.clock.now()));
    return {
      maxAmountMicros: ceiling.maxAmountMicros * MANDATE_CEILING_EMIS,
      frequency: 'MONTHLY',
      firstDebitDate,
      lastDebitDate: addMonthsClamped(firstDebitDate, ceiling.instalments - 1),
      instalments: ceiling.instalments,
      basis: ceiling.basis,
    };
  }
}

const payerBoundTo = (authorisationId: string) => `mandate-payer:${authorisationId}`;
