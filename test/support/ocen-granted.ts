/**
 * A stand-in for the steps before the disbursement group (verifyLoanAcceptance: IN_PROGRESS → SIGNED with the
 * signed terms; grantLoan: SIGNED → GRANTED), until they land: from an application already opened (OCEN
 * createLoan or ApprovalService.open), it waits for the credit decision, accepts the offer, completes KYC through
 * the core (as the sandbox does), records the terms the core would fix (emi.ts, charges.ts) and moves the
 * application SIGNED, then GRANTED, with the TransitionWriter. The integrator replaces it with the real steps.
 */
import type { Services } from '../../src/container';
import type { ApplicationRef } from '../../src/core/application/application';
import { applicationState } from '../../src/core/application/application-state';
import { SubmissionRepository } from '../../src/core/application/submission.repository';
import { loanCharges } from '../../src/core/loan/charges';
import { emiMicros } from '../../src/core/money/emi';
import { offeredAmountMicros } from '../../src/protocols/ocen/ocen-mappers';
import { eventually } from './test-app';

export interface GrantedLoan {
  applicationId: string;
  /** The OCEN loanId. */
  lenderReference: string;
  loanAmountMicros: bigint;
  netDisbursalMicros: bigint;
  tenureMonths: number;
}

export async function grantLoan(services: Services, ref: ApplicationRef, tenureMonths = 12): Promise<GrantedLoan> {
  const decided = await eventually(() => services.approvals.status(ref), (s) => s.state !== 'IN_PROCESS');
  if (decided.state !== 'APPROVED') throw new Error(`The credit decision of ${ref.externalReference} is ${decided.state}`);
  const offer = (await services.offers.current(ref))!;
  const application = (await services.db.prisma.application.findUnique({ where: { partnerId_externalReference: ref } }))!;
  const amount = offeredAmountMicros(offer, application.requestedAmountMicros);
  await services.offers.accept({ ...ref, offerId: offer.id, amountMicros: amount, tenureMonths });

  await services.kyc.initiate(ref, offer.id);
  await services.kyc.complete(ref, 'APPROVED');
  await eventually(async () => services.kyc.isApproved((await services.db.prisma.application.findUnique({ where: { id: application.id } }))!), (approved) => approved);

  const charges = loanCharges(amount, offer);
  const submissionId = `SUB-${application.id}`;
  await services.db.transaction(async () => {
    await new SubmissionRepository(services.db).create({
      id: submissionId,
      applicationId: application.id,
      loanAmountMicros: amount,
      tenureMonths,
      interestRateE5: offer.interestRateE5,
      emiMicros: emiMicros({ principalMicros: amount, annualRateE5: BigInt(offer.interestRateE5), tenureMonths }),
      processingFeeMicros: charges.processingFeeMicros,
      processingFeeGstMicros: charges.gstMicros,
      netDisbursalMicros: charges.netDisbursalMicros,
      tncAcceptances: [{ type: 'LOAN_AGREEMENT', version: null, acceptance: true }],
    });
    await services.transitions.move(applicationState, application.id, 'IN_PROGRESS', 'SIGNED', { currentSubmissionId: submissionId }, 'signed (test fixture)');
    await services.transitions.move(applicationState, application.id, 'SIGNED', 'GRANTED', {}, 'granted (test fixture)');
  });
  return { applicationId: application.id, lenderReference: application.lenderReference, loanAmountMicros: amount, netDisbursalMicros: charges.netDisbursalMicros, tenureMonths };
}
