import fc from 'fast-check';
import { LOAN_CLOSURES, maskUmrn, noDuesCertificateOf } from '../../src/core/loan/no-dues-certificate';
import { NoDuesCertificateLinks } from '../../src/core/loan/no-dues-certificate-link';
import { IdentityHasher } from '../../src/core/shared/identity';
import { Hasher } from '../../src/lib/crypto';
import { formatRupees } from '../../src/core/money/money';
import { NO_DUES_CERTIFICATE_LABELS, NoDuesCertificateLabels, noDuesCertificateView, renderNoDuesCertificatePdf } from '../../src/protocols/borrower/no-dues-certificate-document';
import { closedBalances, closedLoan, closingFacts } from '../support/no-dues-certificates';
import { pdfText } from '../support/pdf-text';

const squash = (s: string) => s.replace(/\s+/g, '');

describe('noDuesCertificateOf', () => {
  it('when the loan is CLOSED with nothing receivable, then the certificate states its references, dates, paid parts, refund and masked mandate', () => {
    const certificate = noDuesCertificateOf(closedLoan(), closingFacts());
    expect(certificate).toEqual({
      certificateNumber: 'NDC-LR7Q2K9X4M',
      lenderName: 'Sandbox Bank',
      lenderReference: 'LR7Q2K9X4M',
      externalReference: 'GPAY-APP-0001',
      borrowerName: 'Asha Verma',
      sanctionedMicros: 100_000_000_000n,
      disbursedOn: '2027-01-23',
      closedOn: '2028-01-23',
      closure: 'REPAID',
      principalPaidMicros: 100_000_000_000n,
      interestPaidMicros: 8_877_030_000n,
      chargesPaidMicros: 590_000_000n,
      refundedMicros: 12_340_000n,
      mandate: { maskedUmrn: 'XXXXXXXXXXXXXXXX2345', cancelledOn: '2028-01-23' },
      issuedAt: new Date('2028-01-23T05:30:00Z'),
    });
  });

  it('when built twice from the same loan, then the number and every fact are the same', () => {
    expect(noDuesCertificateOf(closedLoan(), closingFacts())).toEqual(noDuesCertificateOf(closedLoan(), closingFacts()));
  });

  it('when the application holds no name (null, absent or blank), then the certificate has no borrowerName', () => {
    for (const borrowerName of [null, undefined, '  ']) {
      expect(noDuesCertificateOf(closedLoan(), closingFacts({ borrowerName }))).not.toHaveProperty('borrowerName');
    }
  });

  it('when the loan had no mandate, then mandate is null; when the cancellation is pending, then cancelledOn is null', () => {
    expect(noDuesCertificateOf(closedLoan(), closingFacts({ mandate: null })).mandate).toBeNull();
    expect(noDuesCertificateOf(closedLoan(), closingFacts({ mandate: { umrn: 'UMRN0001', cancelledOn: null } })).mandate).toEqual({ maskedUmrn: 'XXXX0001', cancelledOn: null });
  });

  it.each(['ACTIVE', 'DELINQUENT', 'INACTIVE'] as const)('when the loan is %s, then no certificate is built', (state) => {
    expect(() => noDuesCertificateOf(closedLoan({ state }), closingFacts())).toThrow(RangeError);
  });

  it.each([
    ['principal', { principalOutstandingMicros: 1n }],
    ['interest', { interestReceivableMicros: 10_000n }],
    ['charges', { chargesReceivableMicros: 590_000_000n }],
  ])('when %s is still receivable on a CLOSED loan, then no certificate is built', (_part, due) => {
    const balances = { ...closedBalances({ principal: 1n, interest: 0n, charges: 0n }), ...due };
    expect(() => noDuesCertificateOf(closedLoan({ balances }), closingFacts())).toThrow(/still has dues/);
  });

  it('when the closure date or the cancellation date is not a YYYY-MM-DD date, or the refund is negative, then it is refused', () => {
    expect(() => noDuesCertificateOf(closedLoan(), closingFacts({ closedOn: '2028-02-30' }))).toThrow(RangeError);
    expect(() => noDuesCertificateOf(closedLoan(), closingFacts({ mandate: { umrn: 'U1234567', cancelledOn: '23-01-2028' } }))).toThrow(RangeError);
    expect(() => noDuesCertificateOf(closedLoan(), closingFacts({ refundedMicros: -1n }))).toThrow(RangeError);
  });
});

describe('maskUmrn', () => {
  it('then only the last 4 characters show, and a UMRN of 4 or fewer shows none', () => {
    expect(maskUmrn('HDFC7000000000012345')).toBe('XXXXXXXXXXXXXXXX2345');
    expect(maskUmrn('1234')).toBe('XXXX');
  });
});

describe('NoDuesCertificateLinks', () => {
  const links = new NoDuesCertificateLinks(new IdentityHasher(new Hasher(Buffer.alloc(32, 7))));
  const loanId = closedLoan().loanId;

  it('when a token is made for a loan, then it names that loan, is the same every time, and its path is under /borrower/loans', () => {
    const token = links.tokenFor(loanId);
    expect(links.loanIdOf(token)).toBe(loanId);
    expect(links.tokenFor(loanId)).toBe(token);
    expect(links.pathFor(loanId)).toBe(`/borrower/loans/${token}/no-dues-certificate`);
  });

  it('when the token is altered, made with another key or for another loan, then it names no loan', () => {
    const token = links.tokenFor(loanId);
    const other = new NoDuesCertificateLinks(new IdentityHasher(new Hasher(Buffer.alloc(32, 8))));
    const [, mac] = token.split('.');
    for (const forged of [
      `${loanId.replace(/^6/, '7')}.${mac}`,
      `${loanId}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      other.tokenFor(loanId),
      loanId,
      `${loanId}.`,
      '',
      `../${loanId}.${mac}`,
    ]) expect([forged, links.loanIdOf(forged)]).toEqual([forged, null]);
  });
});

describe('the certificate labels', () => {
  it('in English and Hindi have the same keys, none empty, the statement with {reference} and {date}', () => {
    const { en, hi } = NO_DUES_CERTIFICATE_LABELS;
    const keys = Object.keys(en).sort();
    expect(keys).toContain('closureCoolingOffExit');
    expect(Object.keys(hi).sort()).toEqual(keys);
    for (const set of [en, hi] as NoDuesCertificateLabels[]) {
      for (const value of Object.values(set)) expect(value.trim()).not.toBe('');
      expect(set.statement).toContain('{reference}');
      expect(set.statement).toContain('{date}');
    }
  });
});

describe('the certificate view', () => {
  it('when rendered, then every fact appears: amounts as exact rupee strings, dates DD-MM-YYYY, issue time in IST', () => {
    const labels = NO_DUES_CERTIFICATE_LABELS.en;
    const view = noDuesCertificateView(noDuesCertificateOf(closedLoan(), closingFacts()), labels);
    expect(view).toEqual({
      certificateNumber: 'NDC-LR7Q2K9X4M',
      lenderName: 'Sandbox Bank',
      issuedAt: '23-01-2028 11:00 IST',
      borrowerName: 'Asha Verma',
      statement: 'This is to certify that the loan LR7Q2K9X4M has been closed on 23-01-2028 and that nothing is due from the borrower under it.',
      lenderReference: 'LR7Q2K9X4M',
      externalReference: 'GPAY-APP-0001',
      sanctionedAmount: '₹1,00,000.00',
      disbursedOn: '23-01-2027',
      closedOn: '23-01-2028',
      closure: 'Repaid in full',
      principalPaid: '₹1,00,000.00',
      interestPaid: '₹8,877.03',
      chargesPaid: '₹590.00',
      totalPaid: '₹1,09,467.03',
      refunded: '₹12.34',
      mandate: { umrn: 'XXXXXXXXXXXXXXXX2345', cancelledOn: '23-01-2028' },
    });
  });

  it.each(LOAN_CLOSURES)('when the loan closed as %s, then the closure reads in each language', (closure) => {
    for (const labels of Object.values(NO_DUES_CERTIFICATE_LABELS)) {
      const view = noDuesCertificateView(noDuesCertificateOf(closedLoan(), closingFacts({ closure })), labels);
      expect(Object.values(labels)).toContain(view.closure);
    }
    const en = NO_DUES_CERTIFICATE_LABELS.en;
    expect(noDuesCertificateView(noDuesCertificateOf(closedLoan(), closingFacts({ closure })), en).closure).toBe({ REPAID: en.closureRepaid, FORECLOSED: en.closureForeclosed, COOLING_OFF_EXIT: en.closureCoolingOffExit }[closure]);
  });

  it('when the cancellation is pending or there was no mandate, then the view says so', () => {
    const labels = NO_DUES_CERTIFICATE_LABELS.hi;
    expect(noDuesCertificateView(noDuesCertificateOf(closedLoan(), closingFacts({ mandate: { umrn: 'UMRN0001', cancelledOn: null } })), labels).mandate).toEqual({ umrn: 'XXXX0001', cancelledOn: labels.mandateCancellationPending });
    expect(noDuesCertificateView(noDuesCertificateOf(closedLoan(), closingFacts({ mandate: null, borrowerName: null })), labels)).toMatchObject({ mandate: null });
    expect(noDuesCertificateView(noDuesCertificateOf(closedLoan(), closingFacts({ borrowerName: null })), labels)).not.toHaveProperty('borrowerName');
  });

  it('when the paid parts are any whole paise, however large, then each amount and the total are exact (no float on the way)', () => {
    const paise = fc.bigInt({ min: 0n, max: 10n ** 17n });
    fc.assert(fc.property(paise, paise, paise, (p, i, c) => {
      const paid = { principal: p * 10_000n, interest: i * 10_000n, charges: c * 10_000n };
      const view = noDuesCertificateView(noDuesCertificateOf(closedLoan({ balances: closedBalances(paid) }), closingFacts()), NO_DUES_CERTIFICATE_LABELS.en);
      const digits = (text: string) => BigInt(text.replace(/[₹,.]/g, ''));
      expect(view.principalPaid).toBe(formatRupees(paid.principal));
      expect(digits(view.interestPaid)).toBe(i);
      expect(digits(view.totalPaid)).toBe(p + i + c);
    }));
  });
});

describe('the certificate PDF', () => {
  it.each(['en', 'hi'] as const)('in %s is a PDF with Noto Sans embedded, showing the certificate number, references and ₹ amounts', async (lang) => {
    const labels = NO_DUES_CERTIFICATE_LABELS[lang];
    const pdf = await renderNoDuesCertificatePdf(noDuesCertificateOf(closedLoan(), closingFacts()), labels);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const raw = pdf.toString('latin1');
    expect(raw).toMatch(/\/FontName \/[A-Z]{6}\+NotoSans-Regular/);
    if (lang === 'hi') expect(raw).toMatch(/\/FontName \/[A-Z]{6}\+NotoSansDevanagari/);
    const text = squash(pdfText(pdf));
    for (const fact of ['NDC-LR7Q2K9X4M', 'GPAY-APP-0001', 'Asha Verma', '₹1,00,000.00', '₹8,877.03', '₹590.00', '₹1,09,467.03', '₹12.34', 'XXXXXXXXXXXXXXXX2345', '23-01-2027', '23-01-2028', 'Sandbox Bank']) {
      expect([fact, text.includes(squash(fact))]).toEqual([fact, true]);
    }
    if (lang === 'en') expect(text).toContain(squash(labels.closureRepaid));
  });

  it('when the loan had no mandate and the application no name, then the PDF says there was no mandate and names nobody', async () => {
    const labels = NO_DUES_CERTIFICATE_LABELS.en;
    const pdf = await renderNoDuesCertificatePdf(noDuesCertificateOf(closedLoan(), closingFacts({ mandate: null, borrowerName: null })), labels);
    const text = squash(pdfText(pdf));
    expect(text).toContain(squash(labels.mandateNone));
    expect(text).not.toContain(squash(labels.borrower));
    expect(text).not.toContain('AshaVerma');
  });
});
