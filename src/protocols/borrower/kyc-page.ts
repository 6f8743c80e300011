import { Request, Response, Router } from 'express';
import type { BorrowerServices } from './borrower-services';
import { AppError, AppErrorCode } from '../../core/errors';
import { KYC_DOCUMENT_KINDS, KycDocumentKind, MAX_KYC_DOCUMENT_BYTES } from '../../core/kyc/kyc-page';
import { BorrowerPages, localsOf, pageRoute as handle } from './borrower-pages';
import { FieldError, fieldError, formErrors } from './form-errors';

/** The version of the CKYC consent text the page shows (recorded with the borrower's consent). */
export const CKYC_CONSENT_VERSION = 'borrower-page-ckyc-v1';

type Handler = (req: Request, res: Response) => Promise<void>;
const codeOf = (err: unknown) => (err instanceof AppError ? err.code : undefined);

/**
 * /borrower/kyc: the KYC methods the application's KYC journey offers, each completed here through its port
 * (CKYC record confirmed with consent; Aadhaar e-KYC by OTP; an officially valid document uploaded), moving
 * the same KYC state machine that getStatus and OCEN kycStatus report.
 */
export function kycPage(router: Router, pages: BorrowerPages, services: BorrowerServices): void {
  const { kyc } = services;
  const session = pages.session('KYC');
  const title = (res: Response) => localsOf(res).t('step.KYC');

  /** The page for the journey as it stands: a finished one says so; an Aadhaar OTP waiting is asked for; else the methods. */
  const overview: Handler = async (req, res) => {
    const { session: s, t } = localsOf(res);
    const view = await kyc.kycForPage(s.applicationId);
    if (view.state === 'AWAITING_APPROVAL' || view.state === 'APPROVED') {
      pages.page(req, res, 'done', { message: t('kyc.alreadyDone') }, { title: title(res), step: 'KYC' });
      return;
    }
    if (view.state !== 'NOT_STARTED' && view.state !== 'IN_PROGRESS') throw new AppError(AppErrorCode.PRECONDITION_FAILED, `KYC is ${view.state}`);
    if (view.pendingAadhaarOtp) return otpForm(req, res, [], view.pendingAadhaarOtp);
    pages.page(req, res, 'kyc', { methods: view.eligibleMethods }, { title: title(res), step: 'KYC' });
  };

  const otpForm = async (req: Request, res: Response, errors: FieldError[], pending?: { maskedAadhaar: string; attemptsLeft: number }) => {
    const current = pending ?? (await kyc.kycForPage(localsOf(res).session.applicationId)).pendingAadhaarOtp;
    if (!current) return aadhaarForm(req, res, errors);
    pages.page(req, res, 'kyc-otp', { ...current, ...formErrors(errors) }, { status: errors.length ? 400 : 200, title: title(res), step: 'KYC' });
  };

  const aadhaarForm = async (req: Request, res: Response, errors: FieldError[] = [], notice?: string) => {
    pages.page(req, res, 'kyc-aadhaar', { ...formErrors(errors), notice }, { status: errors.length || notice ? 400 : 200, title: title(res), step: 'KYC' });
  };

  const documentForm = async (req: Request, res: Response, errors: FieldError[] = [], values: Record<string, string> = {}, status?: number) => {
    pages.page(req, res, 'kyc-document', { kinds: KYC_DOCUMENT_KINDS, values, ...formErrors(errors) }, { status: status ?? (errors.length ? 400 : 200), title: title(res), step: 'KYC' });
  };

  router.get('/kyc', session, handle(overview));

  router.get('/kyc/ckyc', session, handle(async (req, res) => {
    const record = await kyc.ckycRecordForConfirmation(localsOf(res).session.applicationId);
    pages.page(req, res, 'kyc-ckyc', { record, consentVersion: CKYC_CONSENT_VERSION, ...formErrors([]) }, { title: title(res), step: 'KYC' });
  }));

  router.post('/kyc/ckyc', session, pages.form, pages.checkForm, handle(async (req, res) => {
    const { session: s, t } = localsOf(res);
    if (req.body?.consent !== 'yes') {
      const record = await kyc.ckycRecordForConfirmation(s.applicationId);
      pages.page(req, res, 'kyc-ckyc', { record, consentVersion: CKYC_CONSENT_VERSION, ...formErrors([fieldError(t, 'consent', 'kyc.ckyc.consentMissing')]) }, { status: 400, title: title(res), step: 'KYC' });
      return;
    }
    await kyc.confirmCkyc(s.applicationId, { consentVersion: CKYC_CONSENT_VERSION });
    await pages.finish(req, res, t('kyc.done'));
  }));

  router.get('/kyc/aadhaar', session, handle((req, res) => aadhaarForm(req, res)));

  router.post('/kyc/aadhaar', session, pages.form, pages.checkForm, handle(async (req, res) => {
    const { session: s, t } = localsOf(res);
    const errors: FieldError[] = [];
    if (req.body?.consent !== 'yes') errors.push(fieldError(t, 'consent', 'kyc.aadhaar.consentMissing'));
    if (errors.length) return aadhaarForm(req, res, errors);
    try {
      await kyc.startAadhaarOtp(s.applicationId, String(req.body?.aadhaarNumber ?? ''));
      res.redirect(303, '/borrower/kyc');
    } catch (err) {
      if (codeOf(err) === AppErrorCode.INVALID_FIELD_VALUE) return aadhaarForm(req, res, [fieldError(t, 'aadhaarNumber', 'kyc.aadhaar.invalid')]);
      if (codeOf(err) === AppErrorCode.PRECONDITION_FAILED) return aadhaarForm(req, res, [], t('kyc.aadhaar.tooMany'));
      throw err;
    }
  }));

  router.post('/kyc/aadhaar/otp', session, pages.form, pages.checkForm, handle(async (req, res) => {
    const { session: s, t } = localsOf(res);
    try {
      await kyc.verifyAadhaarOtp(s.applicationId, String(req.body?.otp ?? '').trim());
      await pages.finish(req, res, t('kyc.done'));
    } catch (err) {
      const code = codeOf(err);
      if (code === AppErrorCode.INVALID_FIELD_VALUE) return otpForm(req, res, [fieldError(t, 'otp', 'kyc.otp.format')]);
      if (code === AppErrorCode.CHALLENGE_INVALID) {
        const left = Number((err as AppError).details?.attemptsLeft ?? 0);
        return left > 0 ? otpForm(req, res, [fieldError(t, 'otp', 'kyc.otp.wrong', { left })]) : aadhaarForm(req, res, [], t('kyc.otp.again'));
      }
      if (code === AppErrorCode.CHALLENGE_ATTEMPTS_EXHAUSTED || code === AppErrorCode.CHALLENGE_EXPIRED || code === AppErrorCode.PRECONDITION_FAILED) {
        return aadhaarForm(req, res, [], t('kyc.otp.again'));
      }
      throw err;
    }
  }));

  router.get('/kyc/document', session, handle((req, res) => documentForm(req, res)));

  router.post('/kyc/document', session, pages.upload(MAX_KYC_DOCUMENT_BYTES), pages.checkForm, handle(async (req, res) => {
    const { session: s, t } = localsOf(res);
    const documentKind = String(req.body?.documentKind ?? '');
    const errors: FieldError[] = [];
    if (!(KYC_DOCUMENT_KINDS as readonly string[]).includes(documentKind)) errors.push(fieldError(t, 'documentKind', 'kyc.document.kindMissing'));
    if (!req.file) errors.push(fieldError(t, 'document', 'kyc.document.fileMissing'));
    if (errors.length) return documentForm(req, res, errors, { documentKind });
    try {
      await kyc.submitOfflineDocument(s.applicationId, { bytes: req.file!.buffer, documentKind: documentKind as KycDocumentKind });
      await pages.finish(req, res, t('kyc.done'));
    } catch (err) {
      if (codeOf(err) === AppErrorCode.DOCUMENT_TYPE_NOT_ACCEPTED) return documentForm(req, res, [fieldError(t, 'document', 'kyc.document.wrongType')], { documentKind }, 415);
      throw err;
    }
  }));
}
