import { Request, Response, Router } from 'express';
import type { BorrowerServices } from './borrower-services';
import { AppError, AppErrorCode } from '../../core/errors';
import type { MandatePayerInput } from '../../core/mandate/mandate-payer';
import { BorrowerPages, localsOf, pageRoute as handle } from './borrower-pages';
import { FieldError, fieldError, formErrors } from './form-errors';
import { longDate, rupees } from './page-format';
import type { MessageKey } from './page-renderer';

type Handler = (req: Request, res: Response) => Promise<void>;

/** The payer field a refused input names, as the page's input ids. */
const FIELD_OF: Record<string, { field: string; message: MessageKey }> = {
  vpa: { field: 'vpa', message: 'mandate.error.vpa' },
  accountNumber: { field: 'accountNumber', message: 'mandate.error.account' },
  ifsc: { field: 'ifsc', message: 'mandate.error.ifsc' },
};

/**
 * /borrower/repayment-setup: the repayment mandate for the accepted terms (ceiling, frequency, first and last
 * debit), authorised by UPI Autopay (a VPA) or e-NACH (account + IFSC, a penny-drop whose holder must be the
 * KYC name) through the mandate rail, which issues the UMRN; the mandate state both surfaces report moves with it.
 */
export function repaymentSetupPage(router: Router, pages: BorrowerPages, services: BorrowerServices): void {
  const { mandates } = services;
  const session = pages.session('REPAYMENT_SETUP');

  const show = async (req: Request, res: Response, errors: FieldError[] = [], values: Record<string, string> = {}, notice?: string, status?: number) => {
    const { session: s, t, lang } = localsOf(res);
    const terms = await mandates.termsForPage(s.applicationId);
    if (terms.state === 'ACTIVE') {
      pages.page(req, res, 'done', { message: t('mandate.alreadyActive', { umrn: terms.mandateReference ?? '' }) }, { title: t('step.REPAYMENT_SETUP'), step: 'REPAYMENT_SETUP' });
      return;
    }
    pages.page(req, res, 'mandate', {
      ...formErrors(errors),
      values,
      notice: notice ?? (terms.state === 'FAILED' ? t('mandate.failedBefore') : undefined),
      lenderReference: terms.lenderReference,
      borrowerName: terms.borrowerName,
      maxAmount: rupees(terms.maxAmountMicros),
      firstDebit: longDate(terms.firstDebitDate, lang),
      lastDebit: longDate(terms.lastDebitDate, lang),
      instalments: terms.instalments,
      frequency: t(terms.frequency === 'MONTHLY' ? 'mandate.frequency.MONTHLY' : 'mandate.frequency.AS_PRESENTED'),
    }, { status: status ?? (errors.length ? 400 : 200), title: t('step.REPAYMENT_SETUP'), step: 'REPAYMENT_SETUP' });
  };

  const authorise = (input: (body: Record<string, unknown>) => MandatePayerInput, valuesOf: (body: Record<string, unknown>) => Record<string, string>): Handler => async (req, res) => {
    const { session: s, t } = localsOf(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const result = await mandates.authorise(s.applicationId, input(body));
      if (result.outcome === 'AUTHORISED') {
        await pages.finish(req, res, t('mandate.done', { umrn: result.umrn }));
        return;
      }
      await show(req, res, [], valuesOf(body), t('mandate.declined'));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === AppErrorCode.ACCOUNT_NAME_MISMATCH) return show(req, res, [fieldError(t, 'accountNumber', 'mandate.error.nameMismatch')], valuesOf(body));
      if (err.code === AppErrorCode.INVALID_FIELD_VALUE || err.code === AppErrorCode.MISSING_REQUIRED_FIELD) {
        const known = err.fields.map((f) => FIELD_OF[f]).filter(Boolean);
        const errors = (known.length ? known : [FIELD_OF.accountNumber]).map((k) => fieldError(t, k.field, k.message));
        return show(req, res, errors, valuesOf(body));
      }
      if (err.code === AppErrorCode.CONCURRENT_MODIFICATION) return show(req, res, [], valuesOf(body), t('mandate.inFlight'), 409);
      throw err;
    }
  };

  router.get('/repayment-setup', session, handle((req, res) => show(req, res)));

  router.post('/repayment-setup/upi', session, pages.form, pages.checkForm, handle(authorise(
    (body) => ({ method: 'UPI_AUTOPAY', vpa: String(body.vpa ?? '').trim() }),
    (body) => ({ vpa: String(body.vpa ?? '') }),
  )));

  router.post('/repayment-setup/enach', session, pages.form, pages.checkForm, handle(authorise(
    (body) => ({ method: 'ENACH', accountNumber: String(body.accountNumber ?? '').replace(/\s/g, ''), ifsc: String(body.ifsc ?? '').trim().toUpperCase() }),
    (body) => ({ ifsc: String(body.ifsc ?? '') }),
  )));
}
