/**
 * OCEN loans brought to GRANTED or DISBURSED through the real core steps, for the tests of what comes after:
 * the credit decision, OfferService.accept, KYC, LoanAcceptanceService (the OTP read from the sandbox phone,
 * the signature, the grant), then MandateService, PayoutAccountService.set, SubmissionService.release and
 * LoanService.disburse. Nothing here writes a row or a transition itself.
 */
import { randomBytes } from 'node:crypto';
import type { Services } from '../../src/container';
import type { ApplicationRef } from '../../src/core/application/application';
import { ApplicationRepository } from '../../src/core/application/application.repository';
import { Applicant } from '../../src/core/approval/applicant';
import { AppError, AppErrorCode } from '../../src/core/errors';
import { TestApp, eventually } from './test-app';
import { newPhone } from './journey';

const rupees = (n: number) => BigInt(n) * 1_000_000n;

export interface GrantedLoan {
  applicationId: string;
  /** The OCEN loanId. */
  lenderReference: string;
  loanAmountMicros: bigint;
  netDisbursalMicros: bigint;
  tenureMonths: number;
}

/** A PAN unlikely to be any other test's (five random letters), whose digits pick the sandbox persona. */
export const uniquePan = (digits = '1234') => `${[...randomBytes(5)].map((b) => String.fromCharCode(65 + (b % 26))).join('')}${digits}Z`;

export function ocenApplicant(pan: string): Applicant {
  return {
    fullName: 'Asha Rao',
    emailAddress: 'asha.rao@example.com',
    pan,
    dateOfBirth: '1990-05-15',
    addresses: [{ addressLine1: '101, Lake View Apartments', postalCode: '560038', city: 'Bengaluru', state: 'Karnataka', country: 'IN', addressTags: ['RESIDENTIAL_ADDRESS'] }],
    employment: { employerName: 'Acme Software', totalWorkExperienceYears: '12', type: 'SALARIED', monthlyIncomeMicros: rupees(50_000).toString() },
    residence: { timeAtCurrentResidence: '5', ownership: 'OWNED' },
    enabledFlags: [],
  };
}

/** Opens an application for an OCEN partner with ApprovalService.open (as createLoanRequest does); the PAN's digits pick the sandbox persona. */
export async function openOcenApplication(t: TestApp, partnerId: string, options: { pan?: string; amountRupees?: number } = {}): Promise<ApplicationRef & { pan: string }> {
  const pan = options.pan ?? uniquePan();
  const externalReference = `app-${randomBytes(6).toString('hex')}`;
  await t.services.approvals.open({
    partnerId,
    externalReference,
    productId: 'PERSONAL_LOAN',
    requestedAmountMicros: rupees(options.amountRupees ?? 100_000),
    loanPurpose: 'OTHER',
    applicant: ocenApplicant(pan),
    phone: newPhone(),
  });
  return { partnerId, externalReference, pan };
}

/**
 * Takes an opened application (by the core or by createLoanRequest) to GRANTED: waits for the credit decision,
 * accepts the current offer for the requested amount (within the offer) over `tenureMonths`, approves KYC, issues
 * the Key Fact Statement of those terms (as the loan agreement does), signs
 * the agreement with the OTP sent to the application's phone, and grants the loan.
 */
export async function grantedApplication(services: Services, ref: ApplicationRef, tenureMonths = 12): Promise<GrantedLoan> {
  const decided = await eventually(() => services.approvals.status(ref), (s) => s.state !== 'IN_PROCESS');
  if (decided.state !== 'APPROVED') throw new Error(`The credit decision of ${ref.externalReference} is ${decided.state}`);
  const offer = (await services.offers.current(ref))!;
  const application = await new ApplicationRepository(services.db).get(ref);
  const amountMicros = application.requestedAmountMicros > offer.maxAmountMicros ? offer.maxAmountMicros : application.requestedAmountMicros;
  await services.offers.accept({ ...ref, offerId: offer.id, amountMicros, tenureMonths });

  await services.kyc.initiate(ref, offer.id);
  await services.kyc.complete(ref, 'APPROVED');
  await eventually(async () => (await services.kyc.current(ref))?.state, (state) => state === 'APPROVED');

  // The loan agreement was shown (loanAgreementRequest): its Key Fact Statement is issued for the chosen terms.
  await services.acceptance.issueKeyFacts(ref);
  const appToken = `fx${randomBytes(6).toString('hex')}`;
  const { sessionKey } = await services.acceptance.requestAcceptance(ref, appToken);
  const code = await acceptanceOtp(services, services.acceptance.borrower(application).phone!, appToken);
  await services.acceptance.sign(ref, { sessionKey, code }, 'test-fixture');
  const granted = await services.acceptance.grant(ref);
  const submission = granted.submission;
  return {
    applicationId: application.id,
    lenderReference: granted.application.lenderReference,
    loanAmountMicros: submission.loanAmountMicros,
    netDisbursalMicros: submission.netDisbursalMicros,
    tenureMonths: submission.tenureMonths,
  };
}

/** The code of the acceptance SMS that ends with `appToken`, from the sandbox phone (the worker sends it). */
async function acceptanceOtp(services: Services, phone: { countryCode: string; nationalNumber: string }, appToken: string): Promise<string> {
  const messages = await eventually(() => services.sandbox!.sms.read(`${phone.countryCode}${phone.nationalNumber}`), (m) => m.some((sms) => sms.text.endsWith(` ${appToken}`)));
  return /^(\d{6}) /.exec(messages.find((sms) => sms.text.endsWith(` ${appToken}`))!.text)![1];
}

/**
 * Takes an opened application to DISBURSED: {@link grantedApplication}, an ACTIVE repayment mandate, a payout
 * account, the release (GRANTED → SUBMITTED) and the payout on the sandbox rail. Returns the OCEN loanId (the
 * lender reference) and the application id.
 */
export async function disbursedLoan(s: Services, ref: ApplicationRef, options: { tenureMonths?: number } = {}): Promise<{ loanId: string; applicationId: string }> {
  const loan = await grantedApplication(s, ref, options.tenureMonths);
  await s.mandates.initiate(ref);
  await s.mandates.complete(ref, 'APPROVED');
  await eventually(async () => (await s.mandates.current(await new ApplicationRepository(s.db).get(ref)))?.state, (state) => state === 'ACTIVE');
  await s.payoutAccounts.set(ref, { type: 'ACCOUNT', ifsc: 'HDFC0001234', accountNumber: '50100012345678', holderName: 'Asha Rao', accountKind: 'SAVING' });
  await s.submissions.release(ref, { amountMicros: loan.netDisbursalMicros });
  // The worker takes the payout job too: whichever of the two pays it out, the other leaves it as it is.
  await s.loans.disburse(loan.applicationId).catch((err: unknown) => {
    if (!(err instanceof AppError && err.code === AppErrorCode.CONCURRENT_MODIFICATION)) throw err;
  });
  const disbursed = await eventually(() => new ApplicationRepository(s.db).get(ref), (a) => a.applicationState !== 'SUBMITTED');
  if (disbursed.applicationState !== 'DISBURSED') throw new Error(`${ref.externalReference} is ${disbursed.applicationState}, not DISBURSED`);
  return { loanId: loan.lenderReference, applicationId: loan.applicationId };
}
