import { randomBytes, randomUUID } from 'node:crypto';
import { Applicant } from '../../src/core/approval/applicant';
import { ApplicationRef } from '../../src/core/application/application';
import { applicationState } from '../../src/core/application/application-state';
import { SubmissionRepository } from '../../src/core/application/submission.repository';
import { ApplicationRepository } from '../../src/core/application/application.repository';
import { loanCharges } from '../../src/core/loan/charges';
import { emiMicros } from '../../src/core/money/emi';
import { TestApp, eventually } from './test-app';
import { newPhone } from './journey';

/**
 * A DISBURSED loan of an OCEN loan agent, reached through the core alone (a stand-in until the OCEN steps up to
 * the disbursement are served; the integrator switches it to the real steps): the credit decision approves the
 * application, the offer is accepted (OfferService.accept), the signed terms are recorded as the submission
 * (EMI and charges from the core's emi.ts and charges.ts), the application moves IN_PROGRESS → SIGNED → GRANTED
 * → SUBMITTED through the TransitionWriter, and LoanService.disburse pays it out on the sandbox rail.
 */

const rupees = (n: number) => BigInt(n) * 1_000_000n;

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
 * Takes an opened application (by the core or by createLoanRequest) to DISBURSED: waits for the credit decision,
 * accepts the current offer for the requested amount (within the offer) and `tenureMonths`, and pays it out.
 * Returns the OCEN loanId (the lender reference) and the application id.
 */
export async function disburseOcenApplication(t: TestApp, ref: ApplicationRef, options: { tenureMonths?: number } = {}): Promise<{ loanId: string; applicationId: string }> {
  const s = t.services;
  await eventually(() => s.approvals.status(ref), (status) => status.state !== 'IN_PROCESS');
  const offer = (await s.offers.current(ref))!;
  if (!offer) throw new Error(`No offer for ${ref.externalReference}: the credit decision refused it`);
  const application = await new ApplicationRepository(s.db).get(ref);
  const amount = application.requestedAmountMicros > offer.maxAmountMicros ? offer.maxAmountMicros : application.requestedAmountMicros;
  const tenureMonths = options.tenureMonths ?? 12;
  await s.offers.accept({ ...ref, offerId: offer.id, amountMicros: amount, tenureMonths });

  const charges = loanCharges(amount, offer);
  const submissionId = randomUUID();
  await s.db.transaction(async () => {
    await new SubmissionRepository(s.db).create({
      id: submissionId,
      applicationId: application.id,
      loanAmountMicros: amount,
      tenureMonths,
      interestRateE5: offer.interestRateE5,
      emiMicros: emiMicros({ principalMicros: amount, annualRateE5: BigInt(offer.interestRateE5), tenureMonths }),
      processingFeeMicros: charges.processingFeeMicros,
      processingFeeGstMicros: charges.gstMicros,
      netDisbursalMicros: charges.netDisbursalMicros,
      tncAcceptances: [{ type: 'MITC', version: null, acceptance: true }],
    });
    await s.transitions.move(applicationState, application.id, 'IN_PROGRESS', 'SIGNED', {}, 'fixture: signed by OTP');
    await s.transitions.move(applicationState, application.id, 'SIGNED', 'GRANTED', {}, 'fixture: loan granted');
    await s.transitions.move(applicationState, application.id, 'GRANTED', 'SUBMITTED', { currentSubmissionId: submissionId }, 'fixture: disbursement triggered');
  });
  await s.loans.disburse(application.id);
  const disbursed = await new ApplicationRepository(s.db).get(ref);
  if (disbursed.applicationState !== 'DISBURSED') throw new Error(`${ref.externalReference} is ${disbursed.applicationState}, not DISBURSED`);
  return { loanId: disbursed.lenderReference, applicationId: application.id };
}
