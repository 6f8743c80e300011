import type { ServicedLoan } from '../../src/core/loan/servicing';
import express, { Express } from 'express';
import pino from 'pino';
import type { ClosingFacts, NoDuesCertificate, NoDuesCertificateSource } from '../../src/core/loan/no-dues-certificate';
import { NoDuesCertificateLinks } from '../../src/core/loan/no-dues-certificate-link';
import { IdentityHasher } from '../../src/core/shared/identity';
import { Hasher } from '../../src/lib/crypto';
import { ManualClock } from '../../src/lib/clock';
import { borrowerRouter } from '../../src/protocols/borrower/borrower-router';
import type { BorrowerServices } from '../../src/protocols/borrower/borrower-services';
import { noDuesCertificatePage } from '../../src/protocols/borrower/no-dues-certificate-page';
import type { LoanBalances } from '../../src/core/ledger/balances';

/** The ledger balances of a loan closed after paying these parts: nothing receivable, nothing in excess. */
export function closedBalances(paid: { principal: bigint; interest: bigint; charges: bigint }): LoanBalances {
  return {
    principalOutstandingMicros: 0n,
    interestReceivableMicros: 0n,
    chargesReceivableMicros: 0n,
    excessMicros: 0n,
    owedMicros: 0n,
    principalRepaidMicros: paid.principal,
    interestRepaidMicros: paid.interest,
    chargesRepaidMicros: paid.charges,
    collectedMicros: paid.principal + paid.interest + paid.charges,
  };
}

/**
 * A ₹1,00,000 loan paid out on 2027-01-22 at 20:00 UTC (2027-01-23 in India) and closed: ₹1,00,000.00 principal,
 * ₹8,877.03 interest and ₹590.00 of charges paid.
 */
export function closedLoan(overrides: Partial<ServicedLoan> = {}): ServicedLoan {
  return {
    loanId: '6f1c2b7e-0d4a-4c1e-9b7a-2f5d8e3c1a90',
    applicationId: 'app-1',
    externalReference: 'GPAY-APP-0001',
    lenderReference: 'LR7Q2K9X4M',
    state: 'CLOSED',
    sanctionedMicros: 100_000_000_000n,
    disbursedMicros: 97_640_000_000n,
    interestRateE5: 1_600_000,
    tenureMonths: 12,
    emiMicros: 9_073_090_000n,
    disbursedAt: new Date('2027-01-22T20:00:00Z'),
    requestedAmountMicros: 100_000_000_000n,
    createdAt: new Date('2027-01-22T20:00:00Z'),
    instalments: [],
    repayments: [],
    charges: [],
    disbursedOn: '2027-01-23',
    daysPastDue: 0,
    assetClass: 'STANDARD',
    closedOn: '2028-01-23',
    closure: 'REPAID',
    mandateCancelledOn: '2028-01-23',
    balances: closedBalances({ principal: 100_000_000_000n, interest: 8_877_030_000n, charges: 590_000_000n }),
    ...overrides,
  };
}

/** Closing facts: repaid on 2028-01-23, ₹12.34 refunded, the mandate cancelled the same day. */
export function closingFacts(overrides: Partial<ClosingFacts> = {}): ClosingFacts {
  return {
    lenderName: 'Sandbox Bank',
    borrowerName: 'Asha Verma',
    closedOn: '2028-01-23',
    closure: 'REPAID',
    refundedMicros: 12_340_000n,
    mandate: { umrn: 'HDFC7000000000012345', cancelledOn: '2028-01-23' },
    issuedAt: new Date('2028-01-23T05:30:00Z'),
    ...overrides,
  };
}

/** The borrower pages with only the certificate module, on a fake source (no database): what the page tests serve. */
export function certificatePagesApp(certificates: NoDuesCertificateSource, links: NoDuesCertificateLinks): Express {
  const services = {
    config: { lenderName: 'Sandbox Bank', publicBaseUrl: 'http://127.0.0.1' },
    logger: pino({ level: 'silent' }),
    clock: new ManualClock(),
  } as unknown as BorrowerServices;
  const app = express();
  app.use('/borrower', borrowerRouter(services, [noDuesCertificatePage({ certificates, links })]));
  return app;
}

/** Links signed with a fixed test key. */
export const testCertificateLinks = () => new NoDuesCertificateLinks(new IdentityHasher(new Hasher(Buffer.alloc(32, 7))));

/** A source holding the certificates of the loans given (by loan id); any other loan is not closed (null). Counts its reads. */
export function fakeCertificateSource(closed: Record<string, NoDuesCertificate>): NoDuesCertificateSource & { reads: string[] } {
  const reads: string[] = [];
  return { reads, certificate: async (loanId) => (reads.push(loanId), closed[loanId] ?? null) };
}
