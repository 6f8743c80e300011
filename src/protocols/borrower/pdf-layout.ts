import path from 'node:path';
import PDFDocument from 'pdfkit';

const FONT_DIR = path.dirname(require.resolve('@expo-google-fonts/noto-sans/package.json'));
const DEVANAGARI_DIR = path.dirname(require.resolve('@expo-google-fonts/noto-sans-devanagari/package.json'));
/** The embedded fonts: Noto Sans (Latin, digits, ₹) and Noto Sans Devanagari (Hindi), regular and bold. */
export const PDF_FONTS = {
  latin: path.join(FONT_DIR, '400Regular', 'NotoSans_400Regular.ttf'),
  latinBold: path.join(FONT_DIR, '700Bold', 'NotoSans_700Bold.ttf'),
  devanagari: path.join(DEVANAGARI_DIR, '400Regular', 'NotoSansDevanagari_400Regular.ttf'),
  devanagariBold: path.join(DEVANAGARI_DIR, '700Bold', 'NotoSansDevanagari_700Bold.ttf'),
} as const;

const DEVANAGARI = /[\u0900-\u097F]/;

/**
 * An A4 borrower document being written (the KFS, the no-dues certificate): a pdfkit document with 40pt margins
 * and the {@link PDF_FONTS} registered, and the layout the documents share. Every text is set in the font that
 * has its script (Devanagari when it holds any Devanagari letter), so ₹ and Hindi render anywhere.
 */
export interface BorrowerPdf {
  /** The pdfkit document, for what the shared layout does not cover. */
  doc: PDFKit.PDFDocument;
  /** The x of the left margin. */
  left: number;
  /** The width between the margins. */
  width: number;
  /** Selects the font for `text`'s script, bold or regular; returns the document to chain `fontSize`/`text`. */
  font(text: string, bold?: boolean): PDFKit.PDFDocument;
  /** The document's title (16pt bold) and subtitle (8.5pt) at the top. */
  title(title: string, subtitle: string): void;
  /** A section heading: 12pt bold, with space before and after. */
  heading(text: string): void;
  /** A label and its value side by side (9.5pt): the label in the left 55%, the value from 57%. */
  row(label: string, value: string): void;
  /** A paragraph across the full width at the left margin. */
  paragraph(text: string, size: number, bold?: boolean): void;
  /** Ends the document; resolves to its bytes. */
  end(): Promise<Buffer>;
}

/** Starts a {@link BorrowerPdf} whose PDF metadata carries `title` and `author`. */
export function startBorrowerPdf(info: { title: string; author: string }): BorrowerPdf {
  const doc = new PDFDocument({ size: 'A4', margin: 40, info: { Title: info.title, Author: info.author } });
  doc.registerFont('latin', PDF_FONTS.latin);
  doc.registerFont('latin-bold', PDF_FONTS.latinBold);
  doc.registerFont('deva', PDF_FONTS.devanagari);
  doc.registerFont('deva-bold', PDF_FONTS.devanagariBold);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const font = (text: string, bold = false) => doc.font(`${DEVANAGARI.test(text) ? 'deva' : 'latin'}${bold ? '-bold' : ''}`);
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const paragraph = (text: string, size: number, bold = false) => {
    font(text, bold).fontSize(size).text(text, left, doc.y, { width });
  };
  return {
    doc,
    left,
    width,
    font,
    title: (title, subtitle) => {
      paragraph(title, 16, true);
      font(subtitle).fontSize(8.5).text(subtitle, { width });
      doc.moveDown(0.4);
    },
    heading: (text) => {
      doc.moveDown(0.6);
      paragraph(text, 12, true);
      doc.moveDown(0.2);
    },
    row: (label, value) => {
      const y = doc.y;
      font(label).fontSize(9.5).text(label, left, y, { width: width * 0.55 });
      const afterLabel = doc.y;
      font(value).fontSize(9.5).text(value, left + width * 0.57, y, { width: width * 0.43 });
      doc.y = Math.max(afterLabel, doc.y) + 2;
    },
    paragraph,
    end: () => {
      doc.end();
      return done;
    },
  };
}
