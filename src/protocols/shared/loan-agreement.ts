import { createHash } from 'node:crypto';
import type { AcceptedTerms } from '../../core/lending/loan-acceptance.service';
import { buildSchedule, totalInterestMicros } from '../../core/money/emi';
import { formatRupees } from '../../core/money/money';
import { aprOfSchedule } from '../../core/money/apr';

export interface AgreementParties {
  lenderName: string;
  /** The application's lender reference: the loan id once granted. */
  lenderReference: string;
  loanApplicationId: string;
  borrowerName: string;
  panLast4: string;
}

const percent = (rateE5: number) => `${(rateE5 / 100_000).toFixed(2)}%`;

/**
 * The loan agreement with its key facts statement, as plain text (OCEN 4.0 LoanAgreement and v3 loanAgreement `{type: TEXT, data}`; both surfaces sign the same text): the
 * parties, the chosen terms (amount, tenure, rate, APR, EMI, interest, total repayable, processing fee and GST,
 * net disbursal) and the repayment schedule by instalment number. Deterministic: it holds no date (instalment k
 * falls due k months after the disbursement), so the same terms always give the same text, and its
 * {@link agreementVersion} is recorded with the borrower's signature.
 */
export function loanAgreementText(parties: AgreementParties, terms: AcceptedTerms): string {
  const { amountMicros, tenureMonths, interestRateE5, emiMicros, charges, offer } = terms;
  const schedule = buildSchedule({ principalMicros: amountMicros, annualRateE5: BigInt(interestRateE5), tenureMonths }, '2000-01-01');
  const interest = totalInterestMicros(schedule);
  const apr = aprOfSchedule(charges.netDisbursalMicros, schedule);
  const rows = schedule.map((line) =>
    [String(line.sequence).padStart(3), formatRupees(line.emiMicros).padStart(14), formatRupees(line.principalMicros).padStart(14), formatRupees(line.interestMicros).padStart(14), formatRupees(line.closingPrincipalMicros).padStart(14)].join('  '),
  );
  return [
    'LOAN AGREEMENT AND KEY FACTS STATEMENT',
    '',
    `Lender: ${parties.lenderName}`,
    `Borrower: ${parties.borrowerName || 'the applicant'} (PAN ending ${parties.panLast4})`,
    `Loan reference: ${parties.lenderReference}`,
    `Loan application: ${parties.loanApplicationId}`,
    '',
    'KEY FACTS',
    `Loan amount (sanctioned): ${formatRupees(amountMicros)}`,
    `Tenure: ${tenureMonths} months`,
    `Interest rate: ${percent(interestRateE5)} per year, fixed, on the reducing balance`,
    `Annual percentage rate (APR): ${apr.percent}%`,
    `EMI: ${formatRupees(emiMicros)} per month, ${tenureMonths} instalments (the last one adjusted for rounding)`,
    `Total interest: ${formatRupees(interest)}`,
    `Total amount repayable: ${formatRupees(amountMicros + interest)}`,
    `Processing fee: ${formatRupees(charges.processingFeeMicros)} (${percent(offer.processingFeeRateE5)} of the loan amount, at least ${formatRupees(offer.processingFeeMinMicros)}, at most ${formatRupees(offer.processingFeeMaxMicros)}) plus GST ${formatRupees(charges.gstMicros)} (${percent(offer.gstRateE5)})`,
    `Net amount disbursed: ${formatRupees(charges.netDisbursalMicros)} (the loan amount less the processing fee and GST)`,
    '',
    'REPAYMENT SCHEDULE',
    'Instalment k falls due k months after the disbursement, on the day of the month of the disbursement.',
    ['No.', 'EMI'.padStart(14), 'Principal'.padStart(14), 'Interest'.padStart(14), 'Balance after'.padStart(14)].join('  '),
    ...rows,
    '',
    'TERMS',
    `1. ${parties.lenderName} lends the borrower the loan amount above on these terms; the net amount is paid to the disbursement account the borrower sets.`,
    '2. The borrower repays the EMIs above on their due dates through the repayment arrangement the borrower sets up.',
    `3. The borrower accepts this agreement by entering the one-time password (OTP) that ${parties.lenderName} sends to the borrower's registered mobile number; the acceptance is recorded with this text's SHA-256 digest.`,
    '',
  ].join('\n');
}

/** The version of an agreement text recorded with the signature: `sha256:<hex>` of its UTF-8 bytes. */
export function agreementVersion(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}
