import { Router } from 'express';
import { BorrowerStep } from '../../core/borrower-session/borrower-session';
import { BorrowerPages, STEP_PATH, localsOf } from './borrower-pages';

/** Until its own page exists, a step shows its title behind the session check. */
export function placeholderPage(step: BorrowerStep) {
  return (router: Router, pages: BorrowerPages): void => {
    router.get(STEP_PATH[step].replace('/borrower', ''), pages.session(step), (req, res) => {
      const { t } = localsOf(res);
      pages.page(req, res, 'done', { message: t(`step.${step}`) }, { title: t(`step.${step}`), step });
    });
  };
}
