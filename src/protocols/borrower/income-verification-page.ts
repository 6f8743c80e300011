import { Request, Response, Router } from 'express';
import type { BorrowerServices } from './borrower-services';
import { parseRupeesText } from '../../core/money/money';
import { BorrowerPages, localsOf, pageRoute } from './borrower-pages';
import { FieldError, fieldError, formErrors, isInputError } from './form-errors';
import { MAX_STATEMENT_UPLOAD_BYTES } from '../../core/income/income-document';
import { AppError, AppErrorCode } from '../../core/errors';

/**
 * /borrower/income-verification: the borrower uploads a bank statement (PDF) with the monthly income it shows,
 * or shares statements through an account aggregator; either feeds the same income decision as OCEN's.
 */
export function incomeVerificationPage(router: Router, pages: BorrowerPages, services: BorrowerServices): void {
  const show = async (req: Request, res: Response, errors: FieldError[] = [], values: Record<string, string> = {}) => {
    const { session, t } = localsOf(res);
    const view = await services.incomeDocuments.borrowerView(session.applicationId);
    if (!view.open) throw new AppError(AppErrorCode.PRECONDITION_FAILED, 'Income verification is not open');
    pages.page(req, res, 'income', { ...view, ...formErrors(errors), values }, { status: errors.length ? 400 : 200, title: t('step.INCOME_VERIFICATION'), step: 'INCOME_VERIFICATION' });
  };

  router.get('/income-verification', pages.session('INCOME_VERIFICATION'), pageRoute((req, res) => show(req, res)));

  router.post('/income-verification/statement', pages.session('INCOME_VERIFICATION'), pages.upload(MAX_STATEMENT_UPLOAD_BYTES), pages.checkForm, pageRoute(async (req, res) => {
    const { session, t } = localsOf(res);
    const monthlyIncome = String(req.body?.monthlyIncome ?? '');
    const errors: FieldError[] = [];
    const income = parseRupeesText(monthlyIncome);
    if (income === undefined || income <= 0n) errors.push(fieldError(t, 'monthlyIncome', 'income.error.amount'));
    if (!req.file) errors.push(fieldError(t, 'document', 'income.error.noFile'));
    if (errors.length) return show(req, res, errors, { monthlyIncome });
    try {
      await services.incomeDocuments.receiveStatement(session.applicationId, { bytes: req.file!.buffer, statedMonthlyIncomeMicros: income! });
    } catch (err) {
      if (!isInputError(err)) throw err;
      return show(req, res, [fieldError(t, 'document', 'income.error.notPdf')], { monthlyIncome });
    }
    await pages.finish(req, res, t('income.done'));
  }));

  router.post('/income-verification/account-aggregator', pages.session('INCOME_VERIFICATION'), pages.form, pages.checkForm, pageRoute(async (req, res) => {
    const { session, t } = localsOf(res);
    const vua = String(req.body?.vua ?? '').trim();
    try {
      await services.consents.requestForApplication(session.applicationId, vua);
    } catch (err) {
      if (!isInputError(err)) throw err;
      return show(req, res, [fieldError(t, 'vua', 'income.error.vua')], { vua });
    }
    await pages.finish(req, res, t('income.aa.done'));
  }));
}
