import path from 'node:path';
import express, { Router } from 'express';
import type { BorrowerServices } from './borrower-services';
import { projectRoot } from '../../lib/paths';
import { AppError, AppErrorCode } from '../../core/errors';
import { BorrowerPages } from './borrower-pages';
import { PageRenderer } from './page-renderer';

/** A page module: registers its step's routes on the borrower router. */
export type PageModule = (router: Router, pages: BorrowerPages, services: BorrowerServices) => void;

/**
 * The bank's own pages for the borrower, under /borrower: the steps the partner hands the borrower a link to
 * (KYC, repayment setup, income verification) and the Key Fact Statement. Server-rendered, one small script
 * (it reads the link's token from the URL fragment), no inline code.
 */
export function borrowerRouter(services: BorrowerServices, modules: PageModule[]): Router {
  const { config, logger } = services;
  const pages = new BorrowerPages(services.borrowerSessions, new PageRenderer(), config.lenderName, config.publicBaseUrl.startsWith('https:'), logger);
  const router = express.Router();
  router.use('/assets', express.static(path.join(projectRoot(), 'public', 'borrower'), { maxAge: '1h', index: false, fallthrough: false }));
  router.use(pages.prelude);
  router.post('/session', pages.form, pages.exchange);
  for (const register of modules) register(router, pages, services);
  router.use((_req, _res, next) => next(new AppError(AppErrorCode.NOT_FOUND, 'No such page')));
  router.use(pages.errors);
  return router;
}
