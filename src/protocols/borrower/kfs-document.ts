import type { Kfs } from '../../core/kfs/kfs';
import { formatRupees } from '../../core/money/money';
import en from './messages/en.json';
import hi from './messages/hi.json';
import { startBorrowerPdf } from './pdf-layout';

/**
 * Every text of a Key Fact Statement page or PDF, in one language. Plain strings; `coolingOffValue` holds
 * `{days}`. They are the `kfs.*` messages of the language catalogues (messages/en.json, messages/hi.json).
 */
export interface KfsLabels {
  title: string;
  subtitle: string;
  kfsId: string;
  lender: string;
  issuedAt: string;
  validUntil: string;
  loanDetails: string;
  sanctionedAmount: string;
  netDisbursedAmount: string;
  interestRate: string;
  tenure: string;
  months: string;
  emi: string;
  instalmentCount: string;
  totalInterest: string;
  feesTitle: string;
  processingFee: string;
  gst: string;
  totalFees: string;
  totalAmountPayable: string;
  apr: string;
  aprNote: string;
  contingentTitle: string;
  penalCharge: string;
  bounceCharge: string;
  foreclosureCharge: string;
  coolingOff: string;
  coolingOffValue: string;
  grievanceTitle: string;
  grievanceName: string;
  grievancePhone: string;
  grievanceEmail: string;
  scheduleTitle: string;
  scheduleNote: string;
  instalmentNo: string;
  dueDate: string;
  instalment: string;
  principal: string;
  interest: string;
  outstanding: string;
}

/** The `kfs.*` messages of a catalogue, without their prefix. */
function kfsLabelsOf(catalogue: Record<string, string>): KfsLabels {
  return Object.fromEntries(Object.entries(catalogue).filter(([key]) => key.startsWith('kfs.')).map(([key, text]) => [key.slice('kfs.'.length), text])) as unknown as KfsLabels;
}

/** The KFS's texts in each language of the borrower pages. */
export const KFS_LABELS: Record<'en' | 'hi', KfsLabels> = { en: kfsLabelsOf(en), hi: kfsLabelsOf(hi) };

/** One line of the schedule, formatted. */
export interface KfsViewInstalment {
  no: string;
  dueDate: string;
  instalment: string;
  principal: string;
  interest: string;
  outstanding: string;
}

/**
 * A KFS formatted for people, shared by the HTML page and the PDF: amounts as `formatRupees` (₹, Indian digit
 * grouping, 2 decimals), rates as "16.00%", dates in IST as DD-MM-YYYY (instants with HH:mm IST).
 */
export interface KfsView {
  kfsId: string;
  lenderName: string;
  issuedAt: string;
  validUntil: string;
  sanctionedAmount: string;
  netDisbursedAmount: string;
  interestRate: string;
  tenureMonths: string;
  emi: string;
  instalmentCount: string;
  totalInterest: string;
  processingFee: string;
  gst: string;
  /** The GST rate on the fee, "18.00%". */
  gstRate: string;
  totalFees: string;
  totalAmountPayable: string;
  apr: string;
  penalCharge: string;
  bounceCharge: string;
  foreclosureCharge: string;
  coolingOffDays: string;
  grievanceOfficer: { name: string; phone: string; email: string };
  schedule: KfsViewInstalment[];
}

const IST_OFFSET_MS = 330 * 60_000;
const percentE5 = (e5: number) => `${(e5 / 100_000).toFixed(2)}%`;
/** A YYYY-MM-DD date as DD-MM-YYYY. */
export const dmy = (iso: string) => `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)}`;
/** An instant as its Indian date and time: "22-01-2027 12:00 IST". */
export const istInstant = (at: Date) => {
  const shifted = new Date(at.getTime() + IST_OFFSET_MS).toISOString();
  return `${dmy(shifted.slice(0, 10))} ${shifted.slice(11, 16)} IST`;
};

/** The view of a KFS (see {@link KfsView}). Pure. */
export function kfsView(kfs: Kfs): KfsView {
  const f = kfs.figures;
  const fee = f.fees[0];
  return {
    kfsId: kfs.id,
    lenderName: kfs.lenderName,
    issuedAt: istInstant(kfs.issuedAt),
    validUntil: istInstant(new Date(kfs.validUntil.getTime() - 60_000)),
    sanctionedAmount: formatRupees(f.sanctionedMicros),
    netDisbursedAmount: formatRupees(f.netDisbursedMicros),
    interestRate: percentE5(f.interestRateE5),
    tenureMonths: String(f.instalmentCount),
    emi: formatRupees(f.emiMicros),
    instalmentCount: String(f.instalmentCount),
    totalInterest: formatRupees(f.totalInterestMicros),
    processingFee: formatRupees(fee?.amountMicros ?? 0n),
    gst: formatRupees(fee?.gstMicros ?? 0n),
    gstRate: percentE5(fee?.gstRateE5 ?? 0),
    totalFees: formatRupees(f.totalFeesMicros),
    totalAmountPayable: formatRupees(f.totalAmountPayableMicros),
    apr: `${f.apr.percent}%`,
    penalCharge: formatRupees(f.contingentCharges.penalChargeMicros),
    bounceCharge: formatRupees(f.contingentCharges.bounceChargeMicros),
    foreclosureCharge: percentE5(f.contingentCharges.foreclosureChargeRateE5),
    coolingOffDays: String(kfs.coolingOffDays),
    grievanceOfficer: { ...kfs.grievanceOfficer },
    schedule: f.schedule.map((line) => ({
      no: String(line.sequence),
      dueDate: dmy(line.dueDate),
      instalment: formatRupees(line.instalmentMicros),
      principal: formatRupees(line.principalMicros),
      interest: formatRupees(line.interestMicros),
      outstanding: formatRupees(line.outstandingMicros),
    })),
  };
}

/**
 * The KFS as an A4 PDF (pdfkit) in the language of `labels`: the key facts, the fees, the APR, contingent
 * charges, cooling-off period, grievance officer and the repayment schedule. Noto Sans and Noto Sans Devanagari
 * are embedded (subset), each string set in the one that has its script, so ₹ and Hindi render anywhere.
 * Deterministic apart from the PDF's creation date.
 */
export function renderKfsPdf(kfs: Kfs, labels: KfsLabels): Promise<Buffer> {
  const view = kfsView(kfs);
  const pdf = startBorrowerPdf({ title: `${labels.title} ${view.kfsId}`, author: view.lenderName });
  const { doc, left, width, font, heading, row, paragraph } = pdf;

  pdf.title(labels.title, labels.subtitle);
  row(labels.kfsId, view.kfsId);
  row(labels.lender, view.lenderName);
  row(labels.issuedAt, view.issuedAt);
  row(labels.validUntil, view.validUntil);

  heading(labels.loanDetails);
  row(labels.sanctionedAmount, view.sanctionedAmount);
  row(labels.tenure, `${view.tenureMonths} ${labels.months}`);
  row(labels.interestRate, view.interestRate);
  row(labels.emi, view.emi);
  row(labels.instalmentCount, view.instalmentCount);
  row(labels.totalInterest, view.totalInterest);

  heading(labels.feesTitle);
  row(labels.processingFee, view.processingFee);
  row(`${labels.gst} (${view.gstRate})`, view.gst);
  row(labels.totalFees, view.totalFees);
  row(labels.netDisbursedAmount, view.netDisbursedAmount);
  row(labels.totalAmountPayable, view.totalAmountPayable);
  row(labels.apr, view.apr);
  paragraph(labels.aprNote, 8);

  heading(labels.contingentTitle);
  row(labels.penalCharge, view.penalCharge);
  row(labels.bounceCharge, view.bounceCharge);
  row(labels.foreclosureCharge, view.foreclosureCharge);
  row(labels.coolingOff, labels.coolingOffValue.replace('{days}', view.coolingOffDays));

  heading(labels.grievanceTitle);
  row(labels.grievanceName, view.grievanceOfficer.name);
  row(labels.grievancePhone, view.grievanceOfficer.phone);
  row(labels.grievanceEmail, view.grievanceOfficer.email);

  heading(labels.scheduleTitle);
  paragraph(labels.scheduleNote, 8);
  doc.moveDown(0.3);
  const columns = [labels.instalmentNo, labels.dueDate, labels.instalment, labels.principal, labels.interest, labels.outstanding];
  const widths = [0.08, 0.16, 0.19, 0.19, 0.19, 0.19].map((share) => share * width);
  const line = (cells: string[], bold = false) => {
    if (doc.y > doc.page.height - doc.page.margins.bottom - 20) doc.addPage();
    const y = doc.y;
    let x = left;
    let bottom = y;
    cells.forEach((cell, i) => {
      font(cell, bold).fontSize(8.5).text(cell, x, y, { width: widths[i] - 4, align: i < 2 ? 'left' : 'right' });
      bottom = Math.max(bottom, doc.y);
      x += widths[i];
    });
    doc.y = bottom + 1;
  };
  line(columns, true);
  for (const item of view.schedule) line([item.no, item.dueDate, item.instalment, item.principal, item.interest, item.outstanding]);

  return pdf.end();
}
