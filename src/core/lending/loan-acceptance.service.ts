import { AppError, AppErrorCode, precondition } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { Sealer } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { TransitionWriter } from '../state/transition-writer';
import { ChallengeService } from '../challenge/challenge.service';
import { ChallengeContext } from '../challenge/challenge-policy';
import { PartnerService } from '../partner/partner.service';
import { KycService } from '../kyc/kyc.service';
import { openApplicant } from '../approval/applicant';
import { Offer } from '../offer/offer';
import { OfferRepository } from '../offer/offer.repository';
import { emiMicros } from '../money/emi';
import { loanCharges } from '../loan/charges';
import { PhoneNumber } from '../shared/identity';
import { Application, ApplicationRef } from '../application/application';
import { ApplicationRepository } from '../application/application.repository';
import { applicationState } from '../application/application-state';
import { SubmissionRepository } from '../loan/submission.repository';
import { SignedTerms, Submission, submissionOf } from '../loan/submission';
import { KfsService } from '../kfs/kfs.service';
import { KFS_ACCEPTANCE, Kfs } from '../kfs/kfs';

/** The terms the borrower signs: the current offer and the amount and tenure chosen in it (OfferService.accept). */
export interface AcceptedTerms extends SignedTerms {
  offer: Offer;
}

/** An acceptance OTP sent to the borrower's phone. */
export interface AcceptanceSession {
  /** The challenge's id, handed to the partner (OCEN `otpSessionKey`). */
  sessionKey: string;
  /** The phone it went to, all but its last 4 digits masked (`XXXXXX3210`). */
  maskedPhone: string;
  expiresAt: Date;
}

export interface AcceptanceProof {
  sessionKey: string;
  /** The code the borrower typed. */
  code: string;
}

/** The borrower as the application recorded it. */
export interface BorrowerOnRecord {
  pan: string;
  fullName: string;
  /** Null for applications recorded before the phone was kept. */
  phone: PhoneNumber | null;
}

/** The version recorded with a signature: which agreement text the borrower accepted (e.g. its SHA-256). */
export const LOAN_AGREEMENT_ACCEPTANCE = 'LOAN_AGREEMENT';

/**
 * The sign-first order of a loan (OCEN 4.0): once KYC is APPROVED the borrower accepts the agreement for the
 * chosen terms with an SMS OTP sent to the application's phone ({@link requestAcceptance}, {@link sign}:
 * IN_PROGRESS → SIGNED, the terms fixed in a submission), then the lender grants the loan and its id, the
 * application's lender reference, is handed out ({@link grant}: SIGNED → GRANTED). Nothing here stages the
 * disbursement: it is requested from GRANTED (→ SUBMITTED) once the repayment and disbursement account are set.
 *
 * The OTP is a challenge of context LOAN_ACCEPTANCE bound to the application, with the same limits as every
 * challenge (per-phone issue limits and lock-out, attempts per challenge, 5-minute expiry; ChallengeService).
 */
export class LoanAcceptanceService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly applications: ApplicationRepository,
    private readonly offers: OfferRepository,
    private readonly submissions: SubmissionRepository,
    private readonly transitions: TransitionWriter,
    private readonly challenges: ChallengeService,
    private readonly kyc: KycService,
    private readonly partners: PartnerService,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    private readonly kfs: KfsService,
  ) {}

  /** The terms chosen in the application's current offer (null while none was chosen). A read. */
  async terms(application: Pick<Application, 'currentOfferId'>): Promise<AcceptedTerms | null> {
    const offer = application.currentOfferId ? await this.offers.byId(application.currentOfferId) : null;
    if (!offer?.acceptedAt || offer.acceptedAmountMicros == null || offer.acceptedTenureMonths == null) return null;
    const amountMicros = offer.acceptedAmountMicros;
    const tenureMonths = offer.acceptedTenureMonths;
    return {
      offer,
      amountMicros,
      tenureMonths,
      interestRateE5: offer.interestRateE5,
      emiMicros: emiMicros({ principalMicros: amountMicros, annualRateE5: BigInt(offer.interestRateE5), tenureMonths }),
      charges: loanCharges(amountMicros, offer),
    };
  }

  /**
   * Issues the Key Fact Statement of the chosen terms (the agreement is being shown to the borrower): null, and
   * nothing issued, while no terms were chosen, the application is not IN_PROGRESS or the offer is outside its
   * validity window (signing is then refused for that reason anyway). Each call issues a new KFS (KfsService).
   */
  async issueKeyFacts(ref: ApplicationRef): Promise<Kfs | null> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      if (application.applicationState !== 'IN_PROGRESS') return null;
      const terms = await this.terms(application);
      const now = this.clock.now();
      if (!terms || now < terms.offer.startsAt || now >= terms.offer.endsAt) return null;
      return this.kfs.issueFor(application, terms.offer, terms);
    });
  }

  /**
   * Sends the borrower the acceptance OTP (staged: the SMS leaves from the worker). Needs the application IN_PROGRESS,
   * chosen terms in a valid offer and KYC APPROVED (PRECONDITION_FAILED, OFFER_EXPIRED); the phone's OTP limits
   * apply (CHALLENGE_RATE_LIMITED). `appToken` ends the SMS (see APP_TOKEN_PATTERN; INVALID_FIELD_VALUE otherwise).
   */
  async requestAcceptance(ref: ApplicationRef, appToken?: string): Promise<AcceptanceSession> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      await this.signable(application);
      const phone = this.phoneOf(application);
      const partner = await this.partners.get(ref.partnerId);
      const issued = await this.challenges.initiate(partner, phone, ChallengeContext.LOAN_ACCEPTANCE, { subject: application.id, appToken });
      return { sessionKey: issued.tokenReferenceId, maskedPhone: maskPhone(phone), expiresAt: issued.expiresAt };
    });
  }

  /**
   * The borrower signs with the acceptance OTP: the preconditions of {@link requestAcceptance} are checked first
   * (nothing is counted when one fails), and the application's latest Key Fact Statement ({@link issueKeyFacts})
   * must be for these terms and still valid (none: KFS_REQUIRED; other terms: KFS_TERMS_MISMATCH; past its
   * validity: KFS_EXPIRED), then the code (ChallengeService.verifyAndConsume: a wrong code is counted
   * durably and throws CHALLENGE_INVALID; an unknown, expired, used or exhausted session throws NOT_FOUND,
   * CHALLENGE_EXPIRED, CHALLENGE_ALREADY_USED or CHALLENGE_ATTEMPTS_EXHAUSTED; a session of another application
   * CHALLENGE_CONTEXT_MISMATCH), then the terms are fixed in a submission (amount, tenure, rate, EMI, fees, net
   * disbursal, and `agreementVersion` as the LOAN_AGREEMENT acceptance) and the application moves IN_PROGRESS → SIGNED.
   * `precondition` (the caller's own refusal, such as a duplicate request) is checked before the code is counted.
   */
  async sign(ref: ApplicationRef, proof: AcceptanceProof, agreementVersion: string, precondition?: () => Promise<void>): Promise<Submission> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      const terms = await this.signable(application);
      const kfs = await this.kfs.latestFor(application.id);
      if (!kfs) throw new AppError(AppErrorCode.KFS_REQUIRED, 'No Key Fact Statement was issued for the chosen terms: fetch the loan agreement first');
      this.kfs.assertStillHolds(kfs, { offerId: terms.offer.id, amountMicros: terms.amountMicros, tenureMonths: terms.tenureMonths, interestRateE5: terms.interestRateE5 });
      const phone = this.phoneOf(application);
      await this.challenges.verifyAndConsume(ref.partnerId, {
        tokenReferenceId: proof.sessionKey,
        code: proof.code,
        phone,
        context: ChallengeContext.LOAN_ACCEPTANCE,
        subject: application.id,
      }, `sign:${ref.externalReference}`, precondition);
      const submission = submissionOf(application.id, terms, [
        { type: LOAN_AGREEMENT_ACCEPTANCE, version: agreementVersion, acceptance: true },
        { type: KFS_ACCEPTANCE, version: kfs.id, acceptance: true },
      ]);
      await this.submissions.create(submission);
      await this.transitions.move(applicationState, application.id, 'IN_PROGRESS', 'SIGNED', { currentSubmissionId: submission.id }, 'agreement accepted by OTP');
      return submission;
    });
  }

  /**
   * Grants a signed loan: SIGNED → GRANTED; its loan id is the application's lender reference. A loan granted
   * already (GRANTED or later) is answered as it is; before SIGNED it is PRECONDITION_FAILED.
   */
  async grant(ref: ApplicationRef): Promise<{ application: Application; submission: Submission }> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      const submission = await this.submissions.byId(application.currentSubmissionId);
      if (['GRANTED', 'SUBMITTED', 'DISBURSED'].includes(application.applicationState) && submission) return { application, submission };
      if (application.applicationState !== 'SIGNED' || !submission) {
        throw precondition(`The loan can be granted once its agreement is signed; the application is ${application.applicationState}`);
      }
      await this.transitions.move(applicationState, application.id, 'SIGNED', 'GRANTED', {}, 'loan granted');
      return { application: { ...application, applicationState: 'GRANTED' }, submission };
    });
  }

  /** Whether the application's acceptance OTP is outstanding (sent, and still usable). A read. */
  async acceptanceOutstanding(application: Pick<Application, 'id' | 'applicationState'>): Promise<boolean> {
    if (application.applicationState !== 'IN_PROGRESS') return false;
    return this.challenges.outstanding(application.id, ChallengeContext.LOAN_ACCEPTANCE);
  }

  /** The borrower the application recorded (PAN and name from the sealed applicant, the sealed phone). */
  borrower(application: Pick<Application, 'id' | 'applicantCiphertext' | 'phoneCiphertext'>): BorrowerOnRecord {
    const applicant = openApplicant(this.sealer, application);
    return { pan: applicant.pan, fullName: applicant.fullName, phone: application.phoneCiphertext ? this.openPhone(application as Application) : null };
  }

  /** The terms a signature needs now, or the refusal. */
  private async signable(application: Application): Promise<AcceptedTerms> {
    if (application.applicationState !== 'IN_PROGRESS') {
      throw precondition(`The agreement can be accepted while the application is IN_PROGRESS; it is ${application.applicationState}`);
    }
    const terms = await this.terms(application);
    if (!terms) throw precondition('No terms were chosen in the current offer');
    const now = this.clock.now();
    if (now < terms.offer.startsAt || now >= terms.offer.endsAt) throw new AppError(AppErrorCode.OFFER_EXPIRED, 'The offer is outside its validity window');
    if (!(await this.kyc.isApproved(application))) throw precondition('KYC is not APPROVED');
    return terms;
  }

  private phoneOf(application: Application): PhoneNumber {
    if (!application.phoneCiphertext) throw precondition('The application has no phone on record for the OTP');
    return this.openPhone(application);
  }

  private openPhone(application: Pick<Application, 'id' | 'phoneCiphertext'>): PhoneNumber {
    return JSON.parse(this.sealer.open(application.phoneCiphertext!, `application-phone:${application.id}`)) as PhoneNumber;
  }
}

/** `XXXXXX3210`: all but the last 4 digits of the national number masked. */
export function maskPhone(phone: PhoneNumber): string {
  return `${'X'.repeat(Math.max(0, phone.nationalNumber.length - 4))}${phone.nationalNumber.slice(-4)}`;
}
