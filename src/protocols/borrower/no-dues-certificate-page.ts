import type { Router } from 'express';
import { AppError, AppErrorCode } from '../../core/errors';
import type { NoDuesCertificateSource } from '../../core/loan/no-dues-certificate';
import { NoDuesCertificateLinks, noDuesCertificatePath } from '../../core/loan/no-dues-certificate-link';
import { BorrowerPages, localsOf, pageRoute } from './borrower-pages';
import type { PageModule } from './borrower-router';
import { NO_DUES_CERTIFICATE_LABELS, noDuesCertificateView, renderNoDuesCertificatePdf } from './no-dues-certificate-document';

/** What the certificate pages read: the certificates, and the links that name their loans. */
export interface NoDuesCertificatePageDeps {
  /** The certificate of a CLOSED loan (null otherwise); the composition root supplies the real one. */
  certificates: NoDuesCertificateSource;
  /** Checks the token of the address and names its loan (the same links the partner API hands out). */
  links: NoDuesCertificateLinks;
}

/**
 * The no-dues certificate of a closed loan, under the borrower pages:
 * - `GET /borrower/loans/{token}/no-dues-certificate`: the HTML page, in the page's language (`?lang=hi`);
 * - `GET /borrower/loans/{token}/no-dues-certificate.pdf` (or the page's address with `Accept: application/pdf`): the PDF.
 * The token (see {@link NoDuesCertificateLinks}) is the capability. A token that does not check, a loan that is
 * not CLOSED or unknown: a 404 page saying the certificate is not available (the same page for each, so nothing
 * is learnt of other loans). Read-only, `Cache-Control: no-store` like every borrower page.
 *
 * Register it with the other page modules: `borrowerRouter(services, [..., noDuesCertificatePage({ certificates, links })])`.
 */
export function noDuesCertificatePage(deps: NoDuesCertificatePageDeps): PageModule {
  return (router: Router, pages: BorrowerPages) => {
    router.get('/loans/:token/:document', pageRoute(async (req, res) => {
      const document = String(req.params.document);
      if (document !== 'no-dues-certificate' && document !== 'no-dues-certificate.pdf') throw new AppError(AppErrorCode.NOT_FOUND, 'No such page');
      const { lang } = localsOf(res);
      const labels = NO_DUES_CERTIFICATE_LABELS[lang];
      const token = String(req.params.token);
      const loanId = deps.links.loanIdOf(token);
      const certificate = loanId ? await deps.certificates.certificate(loanId) : null;
      if (!certificate) {
        pages.page(req, res, 'error', { message: localsOf(res).t('ndc.notAvailable.body') }, { status: 404, title: localsOf(res).t('ndc.notAvailable.title') });
        return;
      }
      const asPdf = document.endsWith('.pdf') || req.accepts(['text/html', 'application/pdf']) === 'application/pdf';
      if (asPdf) {
        const pdf = await renderNoDuesCertificatePdf(certificate, labels);
        res.status(200).type('application/pdf').setHeader('Content-Disposition', `inline; filename="${certificate.certificateNumber.replace(/[^A-Za-z0-9_-]/g, '_')}.pdf"`);
        res.send(pdf);
        return;
      }
      pages.page(req, res, 'no-dues-certificate', {
        certificate: noDuesCertificateView(certificate, labels),
        labels,
        pdfLink: `${noDuesCertificatePath(token)}.pdf?lang=${lang}`,
      }, { title: labels.title });
    }));
  };
}
