import type { LoanClosure, NoDuesCertificate } from '../../core/loan/no-dues-certificate';
import { formatRupees } from '../../core/money/money';
import { dmy, istInstant } from './kfs-document';
import type { Lang } from './page-renderer';
import en from './messages/en.json';
import hi from './messages/hi.json';
import { startBorrowerPdf } from './pdf-layout';

/**
 * Every text of a no-dues certificate page or PDF, in one language: the `ndc.*` messages of the language
 * catalogues (messages/en.json, messages/hi.json) without their prefix. `statement` holds `{reference}` and `{date}`.
 */
export interface NoDuesCertificateLabels {
  title: string;
  subtitle: string;
  statement: string;
  certificateNumber: string;
  lender: string;
  issuedAt: string;
  borrower: string;
  loanTitle: string;
  lenderReference: string;
  externalReference: string;
  sanctionedAmount: string;
  disbursedOn: string;
  closedOn: string;
  closure: string;
  closureRepaid: string;
  closureForeclosed: string;
  closureCoolingOffExit: string;
  paidTitle: string;
  principalPaid: string;
  interestPaid: string;
  chargesPaid: string;
  totalPaid: string;
  refunded: string;
  mandateTitle: string;
  mandateUmrn: string;
  mandateCancelledOn: string;
  mandateCancellationPending: string;
  mandateNone: string;
  downloadPdf: string;
}

function labelsOf(catalogue: Record<string, string>): NoDuesCertificateLabels {
  return Object.fromEntries(Object.entries(catalogue).filter(([key]) => key.startsWith('ndc.')).map(([key, text]) => [key.slice('ndc.'.length), text])) as unknown as NoDuesCertificateLabels;
}

/** The certificate's texts in each language of the borrower pages. */
export const NO_DUES_CERTIFICATE_LABELS: Record<Lang, NoDuesCertificateLabels> = { en: labelsOf(en), hi: labelsOf(hi) };

const CLOSURE_LABEL: Record<LoanClosure, keyof NoDuesCertificateLabels> = {
  REPAID: 'closureRepaid',
  FORECLOSED: 'closureForeclosed',
  COOLING_OFF_EXIT: 'closureCoolingOffExit',
};

/**
 * A certificate formatted for people in one language, shared by the HTML page and the PDF: amounts as
 * `formatRupees` (₹, Indian digit grouping, 2 decimals), dates DD-MM-YYYY, the issue instant in IST.
 */
export interface NoDuesCertificateView {
  certificateNumber: string;
  lenderName: string;
  issuedAt: string;
  /** Absent when the application holds no name. */
  borrowerName?: string;
  /** The certifying sentence, with the loan's reference and the closure date filled in. */
  statement: string;
  lenderReference: string;
  externalReference: string;
  sanctionedAmount: string;
  disbursedOn: string;
  closedOn: string;
  closure: string;
  principalPaid: string;
  interestPaid: string;
  chargesPaid: string;
  /** Principal + interest + charges paid. */
  totalPaid: string;
  refunded: string;
  /** Null when the loan had no mandate; `cancelledOn` is the pending notice while the cancellation is not confirmed. */
  mandate: { umrn: string; cancelledOn: string } | null;
}

/** The view of a certificate (see {@link NoDuesCertificateView}). Pure. */
export function noDuesCertificateView(certificate: NoDuesCertificate, labels: NoDuesCertificateLabels): NoDuesCertificateView {
  const closedOn = dmy(certificate.closedOn);
  return {
    certificateNumber: certificate.certificateNumber,
    lenderName: certificate.lenderName,
    issuedAt: istInstant(certificate.issuedAt),
    ...(certificate.borrowerName ? { borrowerName: certificate.borrowerName } : {}),
    statement: labels.statement.replace('{reference}', certificate.lenderReference).replace('{date}', closedOn),
    lenderReference: certificate.lenderReference,
    externalReference: certificate.externalReference,
    sanctionedAmount: formatRupees(certificate.sanctionedMicros),
    disbursedOn: dmy(certificate.disbursedOn),
    closedOn,
    closure: labels[CLOSURE_LABEL[certificate.closure]],
    principalPaid: formatRupees(certificate.principalPaidMicros),
    interestPaid: formatRupees(certificate.interestPaidMicros),
    chargesPaid: formatRupees(certificate.chargesPaidMicros),
    totalPaid: formatRupees(certificate.principalPaidMicros + certificate.interestPaidMicros + certificate.chargesPaidMicros),
    refunded: formatRupees(certificate.refundedMicros),
    mandate: certificate.mandate
      ? { umrn: certificate.mandate.maskedUmrn, cancelledOn: certificate.mandate.cancelledOn ? dmy(certificate.mandate.cancelledOn) : labels.mandateCancellationPending }
      : null,
  };
}

/** A fact the certificate shows under the label of the same name. */
type Fact = keyof NoDuesCertificateLabels & keyof NoDuesCertificateView;
/** The rows of the loan section and of the paid section, in order (the HTML page shows the same). */
const LOAN_FACTS: readonly Fact[] = ['lenderReference', 'externalReference', 'sanctionedAmount', 'disbursedOn', 'closedOn', 'closure'];
const PAID_FACTS: readonly Fact[] = ['principalPaid', 'interestPaid', 'chargesPaid', 'totalPaid', 'refunded'];

/**
 * The certificate as an A4 PDF (pdfkit) in the language of `labels`, set like the KFS: Noto Sans and Noto Sans
 * Devanagari embedded (subset), each string in the one that has its script. Deterministic apart from the PDF's
 * creation date.
 */
export function renderNoDuesCertificatePdf(certificate: NoDuesCertificate, labels: NoDuesCertificateLabels): Promise<Buffer> {
  const view = noDuesCertificateView(certificate, labels);
  const pdf = startBorrowerPdf({ title: `${labels.title} ${view.certificateNumber}`, author: view.lenderName });
  const { doc, heading, row, paragraph } = pdf;

  pdf.title(labels.title, labels.subtitle);
  row(labels.certificateNumber, view.certificateNumber);
  row(labels.lender, view.lenderName);
  row(labels.issuedAt, view.issuedAt);
  if (view.borrowerName) row(labels.borrower, view.borrowerName);
  doc.moveDown(0.5);
  paragraph(view.statement, 10.5, true);

  const section = (title: string, facts: readonly Fact[]) => {
    heading(title);
    for (const fact of facts) row(labels[fact], view[fact]);
  };
  section(labels.loanTitle, LOAN_FACTS);
  section(labels.paidTitle, PAID_FACTS);

  heading(labels.mandateTitle);
  if (view.mandate) {
    row(labels.mandateUmrn, view.mandate.umrn);
    row(labels.mandateCancelledOn, view.mandate.cancelledOn);
  } else {
    paragraph(labels.mandateNone, 9.5);
  }

  return pdf.end();
}
