import { randomUUID } from 'node:crypto';
import { AppError, AppErrorCode, invalidField, notFound, precondition } from '../errors';
import { UnitOfWork } from '../../lib/db/database';
import { Sealer, randomToken } from '../../lib/crypto';
import { Clock } from '../../lib/clock';
import { Outbox } from '../../lib/jobs/outbox';
import { TransitionWriter } from '../state/transition-writer';
import { IdentityHasher } from '../shared/identity';
import { DocumentStore } from '../shared/document-store';
import { acceptDocument } from '../shared/document-type';
import { Application, ApplicationRef } from '../application/application';
import { ApplicationRepository } from '../application/application.repository';
import { applicationState } from '../application/application-state';
import { Applicant, openApplicant } from '../approval/applicant';
import { AadhaarEkyc } from './aadhaar-ekyc';
import { CkycRecord, CkycRegistry } from './ckyc-registry';
import { Kyc } from './kyc';
import {
  AADHAAR_OTP_MAX_REQUESTS, AADHAAR_OTP_MAX_TRIES, AadhaarOtpStarted, CkycConfirmationView, KYC_DOCUMENT_KINDS, KycDocumentKind, KycLink, KycPageView,
  MAX_KYC_DOCUMENT_BYTES, ckycConfirmationView,
} from './kyc-page';
import { KycMethod, KycState, OFFERED_METHODS, kycState } from './kyc-state';
import { isValidAadhaarNumber, maskAadhaar, normalizeAadhaar } from './verhoeff';
import { KycRepository } from './kyc.repository';
import { expireKycJob } from './expire-kyc.job';
import { reviewKycJob } from './review-kyc.job';

/** An unfinished KYC journey expires 7 days after it was initiated. */
export const KYC_JOURNEY_TTL_MS = 7 * 24 * 3_600_000;
export const KYC_LINK_TTL_MS = 15 * 60_000;
/** How long an approved KYC stays valid for submitting the application. */
export const KYC_APPROVAL_VALIDITY_MS = 30 * 24 * 3_600_000;

export interface KycSession {
  /** The KYC attempt's id (a surface may hand it out as its KYC reference). */
  kycId: string;
  lenderReference: string;
  urlToken: string;
  expiresAt: Date;
  eligibleMethods: KycMethod[];
}

export type KycOutcome = 'APPROVED' | 'REJECTED';

/** The outside services and the sealer the KYC page's methods use (each port is called with no transaction open). */
export interface KycMethodPorts {
  sealer: Sealer;
  ckyc: CkycRegistry;
  aadhaar: AadhaarEkyc;
  documents: DocumentStore;
}

/** A KYC attempt's verified method may be completed: its KYC is open, the method offered, the application in progress. */
type OpenKyc = { application: Application; kyc: Kyc };

export class KycService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly applications: ApplicationRepository,
    private readonly kycs: KycRepository,
    private readonly transitions: TransitionWriter,
    private readonly outbox: Outbox,
    private readonly identity: IdentityHasher,
    private readonly clock: Clock,
    private readonly ports: KycMethodPorts,
  ) {}

  /** Opens the KYC journey of an approved application (or gives a fresh link for the current, unfinished one). */
  async initiate(ref: ApplicationRef, offerId: string): Promise<KycSession> {
    return this.uow.transaction(async () => {
      const application = await this.applications.lockByRef(ref);
      if (application.applicationState !== 'IN_PROGRESS') {
        throw precondition(`KYC cannot start while the application is ${application.applicationState}`);
      }
      if (application.currentOfferId !== offerId) throw notFound('offerId', 'offerId');
      const urlToken = randomToken(24);
      const expiresAt = new Date(this.clock.now().getTime() + KYC_LINK_TTL_MS);
      const urlTokenHash = this.identity.secret('kyc-url-token', urlToken);
      let kyc = await this.kycs.byId(application.currentKycId);
      if (kyc) {
        if (kyc.state !== 'NOT_STARTED' && kyc.state !== 'IN_PROGRESS') throw precondition(`KYC is already ${kyc.state}`);
        await this.kycs.renewLink(kyc.id, urlTokenHash, expiresAt);
      } else {
        const eligibleMethods = await this.methodsFor(application);
        kyc = await this.kycs.create({ id: randomUUID(), applicationId: application.id, state: 'NOT_STARTED', eligibleMethods, urlTokenHash, urlTokenExpiresAt: expiresAt });
        await this.applications.setCurrent(application.id, { currentKycId: kyc.id });
        await this.transitions.recordInitial(kycState, kyc.id, 'NOT_STARTED');
        await this.outbox.stage(expireKycJob, { kycId: kyc.id }, { delayMs: KYC_JOURNEY_TTL_MS });
      }
      return { kycId: kyc.id, lenderReference: application.lenderReference, urlToken, expiresAt, eligibleMethods: kyc.eligibleMethods };
    });
  }

  /**
   * The user finished a KYC step on the bank's pages: the journey moves to AWAITING_APPROVAL and the bank's
   * review is staged for the worker.
   */
  async complete(ref: ApplicationRef, outcome: KycOutcome): Promise<KycState> {
    return this.uow.transaction(async (): Promise<KycState> => {
      const application = await this.applications.lockByRef(ref);
      const kyc = await this.kycs.byId(application.currentKycId);
      if (!kyc) throw precondition('KYC has not been initiated for this application');
      const method: KycMethod = kyc.eligibleMethods.includes('CKYC') ? 'CKYC' : 'EKYC';
      let state: KycState = kyc.state;
      if (state === 'NOT_STARTED') {
        await this.transitions.move(kycState, kyc.id, 'NOT_STARTED', 'IN_PROGRESS', {}, 'user started');
        state = 'IN_PROGRESS';
      }
      await this.transitions.move(kycState, kyc.id, state, 'AWAITING_APPROVAL', { completedMethod: method }, `user completed ${method}`);
      await this.outbox.stage(reviewKycJob, { kycId: kyc.id, outcome });
      return 'AWAITING_APPROVAL';
    });
  }

  /** Worker step (in the job's transaction): the bank's verdict on a completed KYC. */
  async review(kycId: string, outcome: KycOutcome): Promise<void> {
    const kyc = await this.kycs.byId(kycId);
    if (!kyc || kyc.state !== 'AWAITING_APPROVAL') return;
    await this.applications.lock(kyc.applicationId);
    if (outcome === 'APPROVED') {
      await this.transitions.move(kycState, kyc.id, 'AWAITING_APPROVAL', 'APPROVED', {
        approvalValidUntil: new Date(this.clock.now().getTime() + KYC_APPROVAL_VALIDITY_MS),
      }, 'verified');
      await this.outbox.stage(expireKycJob, { kycId: kyc.id }, { delayMs: KYC_APPROVAL_VALIDITY_MS });
      return;
    }
    await this.transitions.move(kycState, kyc.id, 'AWAITING_APPROVAL', 'REJECTED', { rejectionReason: 'POLICY_ERROR' }, 'POLICY_ERROR');
    await this.rejectApplication(kyc.applicationId, 'KYC_REJECT', 'KYC was rejected');
  }

  /**
   * Worker step (in the job's transaction): an unfinished journey past KYC_JOURNEY_TTL_MS, or an approval past
   * its validity, becomes EXPIRED and the application is rejected (the borrower applies again). Fired early,
   * it re-arms itself.
   */
  async expire(kycId: string): Promise<void> {
    const kyc = await this.kycs.byId(kycId);
    if (!kyc) return;
    await this.applications.lock(kyc.applicationId);
    const now = this.clock.now().getTime();
    const dueAt =
      kyc.state === 'NOT_STARTED' || kyc.state === 'IN_PROGRESS'
        ? kyc.createdAt.getTime() + KYC_JOURNEY_TTL_MS
        : kyc.state === 'APPROVED' && kyc.approvalValidUntil
          ? kyc.approvalValidUntil.getTime()
          : undefined;
    if (dueAt === undefined) return;
    if (dueAt > now) {
      await this.outbox.stage(expireKycJob, { kycId }, { delayMs: dueAt - now });
      return;
    }
    const reason = kyc.state === 'APPROVED' ? 'VALIDITY_EXPIRED' : 'EXPIRED';
    await this.transitions.move(kycState, kyc.id, kyc.state, 'EXPIRED', { rejectionReason: reason }, reason);
    await this.rejectApplication(kyc.applicationId, 'OTHERS', 'KYC expired before the application was submitted');
  }

  /** The application's current KYC attempt (null before KYC was initiated). */
  async current(ref: ApplicationRef): Promise<Kyc | null> {
    const application = await this.applications.get(ref);
    return this.kycs.byId(application.currentKycId);
  }

  /** The methods the application's KYC journey offers (or would offer, before it is initiated), CKYC first when the borrower has a record. */
  async eligibleMethods(ref: ApplicationRef): Promise<KycMethod[]> {
    const application = await this.applications.get(ref);
    const kyc = await this.kycs.byId(application.currentKycId);
    return kyc ? kyc.eligibleMethods : this.methodsFor(application);
  }

  /** The application's current KYC, if it is approved and still valid. */
  async isApproved(application: Pick<Application, 'currentKycId'>): Promise<boolean> {
    const kyc = await this.kycs.byId(application.currentKycId);
    return this.isValidApproval(kyc);
  }

  isValidApproval(kyc: Pick<Kyc, 'state' | 'approvalValidUntil'> | null): boolean {
    return kyc?.state === 'APPROVED' && (kyc.approvalValidUntil === null || kyc.approvalValidUntil > this.clock.now());
  }

  /** A KYC that can no longer succeed ends an application still in progress. */
  private async rejectApplication(applicationId: string, reason: string, description: string): Promise<void> {
    const application = await this.applications.byId(applicationId);
    if (application?.applicationState !== 'IN_PROGRESS') return;
    await this.transitions.move(applicationState, application.id, 'IN_PROGRESS', 'REJECTED', { rejectionReason: reason, rejectionDescription: description }, reason);
  }

  // ---- The borrower's KYC page (keyed by the application id its session knows) ----

  /**
   * The KYC page's link token (kyc/initiate's `urlToken`, in the page's `#urlToken=`): the application and KYC
   * attempt it opens. Found by its keyed hash (an index look-up, no comparison of secrets). Unknown or past its
   * 15 minutes: PAGE_LINK_INVALID (unknown) or PAGE_LINK_EXPIRED, as every step's link opener. Changes nothing.
   */
  async openByUrlToken(urlToken: string): Promise<KycLink> {
    if (typeof urlToken !== 'string' || urlToken.length === 0 || urlToken.length > 256) {
      throw new AppError(AppErrorCode.PAGE_LINK_INVALID, 'The KYC link is not valid; ask the app for a new one', ['urlToken']);
    }
    const kyc = await this.kycs.byUrlTokenHash(this.identity.secret('kyc-url-token', urlToken));
    if (!kyc) throw new AppError(AppErrorCode.PAGE_LINK_INVALID, 'The KYC link is not valid; ask the app for a new one', ['urlToken']);
    if (kyc.urlTokenExpiresAt.getTime() <= this.clock.now().getTime()) {
      throw new AppError(AppErrorCode.PAGE_LINK_EXPIRED, 'The KYC link has expired; ask the app for a new one', ['urlToken']);
    }
    return { applicationId: kyc.applicationId, kycId: kyc.id, expiresAt: kyc.urlTokenExpiresAt };
  }

  /** The application's current KYC for the page: state, the methods it may offer, the completed one, an Aadhaar OTP pending. */
  async kycForPage(applicationId: string): Promise<KycPageView> {
    const application = await this.applicationById(applicationId);
    const kyc = await this.kycs.byId(application.currentKycId);
    if (!kyc) throw precondition('KYC has not been initiated for this application');
    const attempt = kyc.state === 'IN_PROGRESS' ? await this.kycs.latestAadhaarAttempt(kyc.id) : null;
    return {
      applicationId,
      kycId: kyc.id,
      state: kyc.state,
      eligibleMethods: kyc.eligibleMethods.filter((method) => method !== 'VIDEO_KYC'),
      completedMethod: kyc.completedMethod,
      rejectionReason: kyc.rejectionReason,
      ...(attempt?.state === 'OTP_SENT'
        ? { pendingAadhaarOtp: { maskedAadhaar: maskAadhaar(attempt.aadhaarLast4), attemptsLeft: Math.max(0, AADHAAR_OTP_MAX_TRIES - attempt.tries) } }
        : {}),
    };
  }

  /**
   * CKYC: the borrower's CKYC record, downloaded from the registry (no transaction open) for the borrower to
   * confirm, with the date of birth, address lines and postcodes masked. The CKYC id is the one the partner sent
   * with the application, else the newest one its consented searches found. Nothing is stored.
   */
  async ckycRecordForConfirmation(applicationId: string): Promise<CkycConfirmationView> {
    const { application } = await this.openFor(applicationId, 'CKYC');
    return ckycConfirmationView(await this.downloadCkyc(application));
  }

  /**
   * CKYC: the borrower confirms the record shown and consents (`consentVersion` of the text shown). The record is
   * downloaded again (no transaction open), then the consent and the record's name (sealed) are recorded, KYC moves
   * to AWAITING_APPROVAL with completedMethod CKYC and the bank's review is staged.
   */
  async confirmCkyc(applicationId: string, consent: { consentVersion: string }): Promise<KycState> {
    const consentVersion = typeof consent?.consentVersion === 'string' ? consent.consentVersion.trim() : '';
    if (!consentVersion) throw new AppError(AppErrorCode.MISSING_REQUIRED_FIELD, 'The version of the CKYC consent shown is required', ['consentVersion']);
    if (consentVersion.length > 100) throw invalidField('consentVersion', 'consentVersion is at most 100 characters');
    const { application } = await this.openFor(applicationId, 'CKYC');
    const record = await this.downloadCkyc(application);
    return this.completeVerified(applicationId, 'CKYC', async (kyc) => ({
      verifiedNameCiphertext: this.sealName(kyc.id, record.name.fullName),
      ckycConsentVersion: consentVersion,
      ckycConsentedAt: this.clock.now(),
    }));
  }

  /**
   * Aadhaar e-KYC: asks UIDAI to send an OTP to the phone registered with the Aadhaar number. A number failing the
   * format or Verhoeff check is refused (INVALID_FIELD_VALUE, `aadhaarNumber`) before anything is recorded or
   * called. The attempt is recorded first (last four digits only; KYC moves to IN_PROGRESS), UIDAI is asked with
   * no transaction open, then its transaction id is recorded, sealed. The Aadhaar number is never stored or logged.
   */
  async startAadhaarOtp(applicationId: string, aadhaarNumber: string): Promise<AadhaarOtpStarted> {
    const number = typeof aadhaarNumber === 'string' ? normalizeAadhaar(aadhaarNumber) : '';
    if (!isValidAadhaarNumber(number)) throw invalidField('aadhaarNumber', 'This is not a valid Aadhaar number (12 digits, with a valid check digit)');
    const attemptId = randomUUID();
    const last4 = number.slice(-4);
    await this.uow.transaction(async () => {
      const { kyc } = await this.openFor(applicationId, 'EKYC', { lock: true });
      if ((await this.kycs.aadhaarAttemptCount(kyc.id)) >= AADHAAR_OTP_MAX_REQUESTS) {
        throw precondition(`At most ${AADHAAR_OTP_MAX_REQUESTS} Aadhaar OTPs may be requested for one KYC; choose another KYC method`);
      }
      await this.kycs.supersedeAadhaarAttempts(kyc.id);
      await this.kycs.createAadhaarAttempt({ id: attemptId, kycId: kyc.id, aadhaarLast4: last4 });
      if (kyc.state === 'NOT_STARTED') await this.transitions.move(kycState, kyc.id, 'NOT_STARTED', 'IN_PROGRESS', {}, 'user started EKYC');
    });
    let transactionId: string;
    try {
      ({ transactionId } = await this.ports.aadhaar.requestOtp({ aadhaarNumber: number, reference: attemptId }));
    } catch (err) {
      await this.kycs.moveAadhaarAttempt(attemptId, ['REQUESTED'], 'FAILED');
      throw err;
    }
    if (!(await this.kycs.aadhaarOtpSent(attemptId, this.ports.sealer.seal(transactionId, `aadhaar-txn:${attemptId}`)))) {
      throw new AppError(AppErrorCode.CONCURRENT_MODIFICATION, 'A newer Aadhaar OTP request replaced this one');
    }
    return { attemptId, maskedAadhaar: maskAadhaar(last4), attemptsLeft: AADHAAR_OTP_MAX_TRIES };
  }

  /**
   * Aadhaar e-KYC: the OTP the borrower received. Each try is claimed before UIDAI is asked (no transaction
   * open; at most AADHAAR_OTP_MAX_TRIES per OTP). A wrong OTP is CHALLENGE_INVALID (`details.attemptsLeft`) and
   * changes nothing else; no tries left: CHALLENGE_ATTEMPTS_EXHAUSTED; UIDAI says expired: CHALLENGE_EXPIRED (both:
   * request a new OTP). Verified: the e-KYC name is recorded (sealed), KYC moves to AWAITING_APPROVAL with
   * completedMethod EKYC and the bank's review is staged.
   */
  async verifyAadhaarOtp(applicationId: string, otp: string): Promise<KycState> {
    if (typeof otp !== 'string' || !/^\d{6}$/.test(otp)) throw invalidField('aadhaarOtp', 'The Aadhaar OTP is 6 digits');
    const { kyc } = await this.openFor(applicationId, 'EKYC');
    const attempt = await this.kycs.latestAadhaarAttempt(kyc.id);
    if (!attempt || attempt.state === 'REQUESTED' || attempt.state === 'FAILED' || attempt.state === 'SUPERSEDED' || attempt.state === 'VERIFIED') {
      throw precondition('No Aadhaar OTP is waiting to be entered; request one first');
    }
    if (attempt.state === 'EXPIRED') throw new AppError(AppErrorCode.CHALLENGE_EXPIRED, 'The Aadhaar OTP has expired; request a new one', ['aadhaarOtp']);
    const exhausted = () => new AppError(AppErrorCode.CHALLENGE_ATTEMPTS_EXHAUSTED, 'Too many wrong Aadhaar OTPs; request a new one', ['aadhaarOtp'], { attemptsLeft: 0 });
    if (attempt.state === 'EXHAUSTED') throw exhausted();
    const tryNumber = await this.kycs.claimAadhaarTry(attempt.id, AADHAAR_OTP_MAX_TRIES);
    if (tryNumber === null) throw exhausted();
    const transactionId = this.ports.sealer.open(attempt.transactionIdCiphertext!, `aadhaar-txn:${attempt.id}`);
    let answer;
    try {
      answer = await this.ports.aadhaar.verifyOtp({ transactionId, otp, reference: `${attempt.id}.${tryNumber}` });
    } catch (err) {
      await this.kycs.releaseAadhaarTry(attempt.id);
      throw err;
    }
    if (answer.outcome === 'WRONG_OTP') {
      const attemptsLeft = await this.kycs.recordWrongAadhaarOtp(attempt.id, AADHAAR_OTP_MAX_TRIES);
      throw new AppError(
        AppErrorCode.CHALLENGE_INVALID,
        attemptsLeft > 0 ? `The Aadhaar OTP is wrong; ${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left` : 'The Aadhaar OTP is wrong; request a new one',
        ['aadhaarOtp'],
        { attemptsLeft },
      );
    }
    if (answer.outcome === 'EXPIRED') {
      await this.kycs.moveAadhaarAttempt(attempt.id, ['OTP_SENT'], 'EXPIRED');
      throw new AppError(AppErrorCode.CHALLENGE_EXPIRED, 'The Aadhaar OTP has expired; request a new one', ['aadhaarOtp']);
    }
    const verified = answer;
    return this.completeVerified(applicationId, 'EKYC', async (current) => {
      if (!(await this.kycs.moveAadhaarAttempt(attempt.id, ['OTP_SENT'], 'VERIFIED', verified.ekycReference))) {
        throw new AppError(AppErrorCode.CONCURRENT_MODIFICATION, 'This Aadhaar OTP attempt was replaced or ended meanwhile');
      }
      return { verifiedNameCiphertext: this.sealName(current.id, verified.name) };
    });
  }

  /**
   * Offline KYC: a document uploaded by the borrower. Refused before anything is stored when larger than
   * MAX_KYC_DOCUMENT_BYTES (DOCUMENT_TOO_LARGE) or not a PDF, JPEG or PNG by its content (DOCUMENT_TYPE_NOT_ACCEPTED),
   * or of an unknown kind (INVALID_FIELD_VALUE, `documentKind`). The document store keeps it (sealed; no transaction
   * open); then its metadata is recorded (never the bytes), KYC moves to AWAITING_APPROVAL with completedMethod
   * OFFLINE and the bank's review is staged. (If that last step fails, the stored file is left unreferenced.)
   */
  async submitOfflineDocument(applicationId: string, upload: { bytes: Uint8Array; documentKind: KycDocumentKind }): Promise<{ documentId: string; sha256: string; state: KycState }> {
    if (!KYC_DOCUMENT_KINDS.includes(upload.documentKind)) throw invalidField('documentKind', `documentKind is one of ${KYC_DOCUMENT_KINDS.join(', ')}`);
    const contentType = acceptDocument(upload.bytes, MAX_KYC_DOCUMENT_BYTES, 'document');
    await this.openFor(applicationId, 'OFFLINE');
    const bytes = Buffer.from(upload.bytes);
    const stored = await this.ports.documents.put({ ownerId: applicationId, kind: `KYC_${upload.documentKind}`, bytes, contentType });
    const documentId = randomUUID();
    const state = await this.completeVerified(applicationId, 'OFFLINE', async (kyc) => {
      await this.kycs.createDocument({
        id: documentId, kycId: kyc.id, applicationId, kind: upload.documentKind, reference: stored.reference, sha256: stored.sha256, contentType, sizeBytes: bytes.length,
      });
      return {};
    });
    return { documentId, sha256: stored.sha256, state };
  }

  /** The name KYC established (the CKYC record's, the Aadhaar e-KYC's), else the applicant's own: for the mandate's penny-drop name match. */
  async verifiedName(applicationId: string): Promise<string> {
    const application = await this.applicationById(applicationId);
    const sealed = application.currentKycId ? await this.kycs.verifiedNameCiphertext(application.currentKycId) : null;
    if (sealed) return this.ports.sealer.open(sealed, `kyc-verified-name:${application.currentKycId}`);
    return this.applicantOf(application).fullName;
  }

  /** Sandbox wiring only: the applicant's full name for an Aadhaar attempt (the sandbox e-KYC answers it as the holder's). */
  async applicantNameOfAadhaarAttempt(attemptId: string): Promise<string | null> {
    const attempt = await this.kycs.aadhaarAttempt(attemptId);
    const kyc = attempt ? await this.kycs.byId(attempt.kycId) : null;
    const application = kyc ? await this.applications.byId(kyc.applicationId) : null;
    return application ? this.applicantOf(application).fullName : null;
  }

  private async applicationById(applicationId: string): Promise<Application> {
    const application = await this.applications.byId(applicationId);
    if (!application) throw notFound('application');
    return application;
  }

  private applicantOf(application: Pick<Application, 'id' | 'applicantCiphertext'>): Applicant {
    return openApplicant(this.ports.sealer, application);
  }

  private sealName(kycId: string, name: string): string {
    return this.ports.sealer.seal(name, `kyc-verified-name:${kycId}`);
  }

  /** The application (locked when asked, in the caller's transaction) and its KYC, checked open for `method`. */
  private async openFor(applicationId: string, method: KycMethod, options: { lock?: boolean } = {}): Promise<OpenKyc> {
    const application = options.lock ? await this.applications.lock(applicationId) : await this.applications.byId(applicationId);
    if (!application) throw notFound('application');
    if (application.applicationState !== 'IN_PROGRESS') throw precondition(`KYC cannot be completed while the application is ${application.applicationState}`);
    const kyc = await this.kycs.byId(application.currentKycId);
    if (!kyc) throw precondition('KYC has not been initiated for this application');
    if (kyc.state !== 'NOT_STARTED' && kyc.state !== 'IN_PROGRESS') throw precondition(`KYC is already ${kyc.state}`);
    if (!kyc.eligibleMethods.includes(method)) throw precondition(`${method} is not one of this KYC's methods (${kyc.eligibleMethods.join(', ')})`);
    return { application, kyc };
  }

  /**
   * In one transaction: the KYC is checked open again (the application locked), `record` adds what the method
   * established, and KYC moves (NOT_STARTED →) IN_PROGRESS → AWAITING_APPROVAL with the method completed; the
   * bank's review is staged (outcome APPROVED: the method was verified).
   */
  private async completeVerified(applicationId: string, method: KycMethod, record: (kyc: Kyc) => Promise<Record<string, unknown>>): Promise<KycState> {
    return this.uow.transaction(async () => {
      const { kyc } = await this.openFor(applicationId, method, { lock: true });
      const changes = await record(kyc);
      if (kyc.state === 'NOT_STARTED') await this.transitions.move(kycState, kyc.id, 'NOT_STARTED', 'IN_PROGRESS', {}, `user started ${method}`);
      await this.transitions.move(kycState, kyc.id, 'IN_PROGRESS', 'AWAITING_APPROVAL', { completedMethod: method, ...changes }, `user completed ${method}`);
      await this.outbox.stage(reviewKycJob, { kycId: kyc.id, outcome: 'APPROVED' });
      return 'AWAITING_APPROVAL' as const;
    });
  }

  /** The borrower's CKYC record (registry called with no transaction open); none: PRECONDITION_FAILED. */
  private async downloadCkyc(application: Application): Promise<CkycRecord> {
    const cKycId = await this.cKycIdOf(application);
    const record = cKycId ? await this.ports.ckyc.download(cKycId) : null;
    if (!record) throw precondition('No CKYC record was found for the borrower; choose another KYC method');
    return record;
  }

  /** The CKYC id sent with the application (sealed in the applicant), else the newest one the partner's consented searches found. */
  private async cKycIdOf(application: Application): Promise<string | null> {
    const sent = this.applicantOf(application).cKycId;
    if (sent) return sent;
    const [found] = await this.kycs.ckycSearchIds(application.partnerId, application.externalReference);
    return found ? this.ports.sealer.open(found.cKycIdCiphertext, `ckyc-search:${found.id}`) : null;
  }

  private async methodsFor(application: Application): Promise<KycMethod[]> {
    // VIDEO_KYC is not offered: nothing on the bank's pages can complete it (the value stays for older rows).
    const methods: KycMethod[] = [...OFFERED_METHODS];
    return (await this.hasCkycRecord(application)) ? ['CKYC', ...methods] : methods;
  }

  private async hasCkycRecord(application: Application): Promise<boolean> {
    if (application.cKycIdHash) return true;
    const found = await this.kycs.ckycSearchResults(application.partnerId, application.externalReference);
    return found.some((hash) => hash !== null);
  }
}
