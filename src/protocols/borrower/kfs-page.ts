import { Router } from 'express';
import type { BorrowerServices } from './borrower-services';
import { AppError, AppErrorCode } from '../../core/errors';
import { BorrowerPages, localsOf, pageRoute } from './borrower-pages';
import { KFS_LABELS, kfsView, renderKfsPdf } from './kfs-document';

/** A KFS id as the core issues it (`KFS` + 16 letters and digits); anything else is not looked up. */
const KFS_ID = /^KFS[A-Z0-9]{8,40}$/;

/**
 * /borrower/kfs/{kfsId}: the Key Fact Statement the borrower is shown before signing, as an HTML page or, for
 * `/borrower/kfs/{kfsId}.pdf` or `Accept: application/pdf`, as a PDF, in the page's language. The id is the
 * capability: 16 random characters that the aggregator or loan agent receives and links to.
 */
export function kfsPage(router: Router, pages: BorrowerPages, services: BorrowerServices): void {
  router.get('/kfs/:document', pageRoute(async (req, res) => {
    const { lang, t } = localsOf(res);
    const document = String(req.params.document);
    const asPdf = document.endsWith('.pdf') || (req.accepts(['text/html', 'application/pdf']) === 'application/pdf');
    const kfsId = document.replace(/\.pdf$/, '');
    if (!KFS_ID.test(kfsId)) throw new AppError(AppErrorCode.NOT_FOUND, 'No such Key Fact Statement');
    const kfs = await services.kfs.get(kfsId);
    const labels = KFS_LABELS[lang];
    if (asPdf) {
      const pdf = await renderKfsPdf(kfs, labels);
      res.status(200).type('application/pdf').setHeader('Content-Disposition', `inline; filename="${kfsId}.pdf"`);
      res.send(pdf);
      return;
    }
    const expired = kfs.validUntil <= services.clock.now();
    pages.page(req, res, 'kfs', { kfs: kfsView(kfs), labels, expired, coolingOff: labels.coolingOffValue.replace('{days}', String(kfs.coolingOffDays)), pdfLink: `/borrower/kfs/${kfsId}.pdf?lang=${lang}` }, { title: t('kfs.title') });
  }));
}
