import { Partner } from '../../core/partner/partner';
import { KycMethod } from '../../core/kyc/kyc-state';
import { Offer as CoreOffer } from '../../core/offer/offer';
import { ApprovalRequest, ApprovalStatus } from '../../core/approval/approval.service';
import { Applicant, Address as CoreAddress } from '../../core/approval/applicant';
import { ChallengeContext } from '../../core/challenge/challenge-policy';
import { ChallengeProof, IssuedChallenge } from '../../core/challenge/challenge.service';
import { KycSession } from '../../core/kyc/kyc.service';
import { CkycRecord } from '../../core/kyc/ckyc-registry';
import { ApplicationStatus } from '../../core/lending/application-status';
import { ApplicationState as CoreApplicationState } from '../../core/application/application-state';
import { SubmissionRequest } from '../../core/lending/submission.service';
import type { LoanPosition } from '../../core/servicing/loan-position';
import { CkycQuery } from '../../core/kyc/ckyc.service';
import { MandateLink } from '../../core/mandate/mandate.service';
import { IssuedAuthToken } from '../../core/auth-token/auth-token.service';
import { BusinessError } from './gpay-exchange';
import { invalidWireField, money, oneOf, parseDate, parseMoney, timestamp } from './wire-values';
import { Challenge, PhoneNumber } from './wire/common';
import { ChallengeContext as WireChallengeContext, InitiateChallengeRequest, InitiateChallengeResponse } from './wire/challenge';
import { Address, ApprovalStatusData, ApproveUserRequest, KeyFactStatementRequest, KeyFactStatementResponse, Offer } from './wire/credit';
import { Kfs, KfsTerms } from '../../core/kfs/kfs';
import { CkycUser, InitiateKycResponse, KycOptions, GetAuthTokenResponse, SearchCkycRecordRequest, SearchCkycRecordResponse } from './wire/kyc';
import { FetchAccountResponse, GetApplicationStatusResponse, InitiateRepaymentSetupResponse, SubmitApplicationRequest } from './wire/application';

const CONTEXTS: Record<keyof WireChallengeContext, ChallengeContext> = {
  userApprovalContext: ChallengeContext.USER_APPROVAL,
  submitApplicationContext: ChallengeContext.SUBMIT_APPLICATION,
  offerActivationContext: ChallengeContext.OFFER_ACTIVATION,
  userDetailsContext: ChallengeContext.USER_DETAILS,
  cardDetailsContext: ChallengeContext.CARD_DETAILS,
};

export function toChallengeContext(data: InitiateChallengeRequest['data']): ChallengeContext {
  if (!data.challengeMechanism.some((m) => m.type === 'SMS_OTP')) {
    throw invalidWireField('data.challengeMechanism', 'SMS_OTP is the only supported challenge mechanism; include it');
  }
  return CONTEXTS[oneOf(data.challengeContext, Object.keys(CONTEXTS) as Array<keyof WireChallengeContext>, 'data.challengeContext')];
}

export function fromIssuedChallenge(issued: IssuedChallenge): InitiateChallengeResponse['data'] {
  return {
    tokenReferenceId: issued.tokenReferenceId,
    tokenMetadata: { smsOtpMetadata: { format: { length: issued.length, messageRegex: issued.messageRegex } } },
  };
}

function toProof(challenge: Challenge, phone: PhoneNumber, context: ChallengeContext): ChallengeProof {
  const sms = challenge.tokens.find((token) => token.type === 'SMS_OTP');
  return { tokenReferenceId: challenge.tokenReferenceId, code: sms?.value, phone, context };
}

function toAddress(address: Address): CoreAddress {
  return { ...address, addressTags: [...address.addressTags] };
}

export function toApprovalRequest(data: ApproveUserRequest['data'], partner: Partner): ApprovalRequest {
  const user = data.user;
  const income = user.employmentInfo.income;
  const incomeMicros = parseMoney(income.value, 'data.user.employmentInfo.income.value');
  const employment = oneOf(user.employmentInfo.employmentType, ['salaried', 'selfEmployed'] as const, 'data.user.employmentInfo.employmentType');
  const dateOfBirth = parseDate(user.dateOfBirth, 'data.user.dateOfBirth');
  if (!user.addresses.some((a) => a.addressTags.includes('RESIDENTIAL_ADDRESS'))) {
    throw invalidWireField('data.user.addresses', 'A RESIDENTIAL_ADDRESS is required');
  }
  const applicant: Applicant = {
    fullName: user.fullName,
    emailAddress: user.emailAddress,
    type: user.type,
    pan: user.pan,
    dateOfBirth,
    addresses: user.addresses.map(toAddress),
    employment: {
      employerName: user.employmentInfo.employerName,
      employerAddress: toAddress(user.employmentInfo.employerAddress),
      totalWorkExperienceYears: user.employmentInfo.workExperience.totalWorkExperienceYears,
      type: employment === 'salaried' ? 'SALARIED' : 'SELF_EMPLOYED',
      monthlyIncomeMicros: (income.periodType === 'YEAR' ? incomeMicros / 12n : incomeMicros).toString(),
    },
    residence: { timeAtCurrentResidence: user.residenceInfo.timeAtCurrentResidence, ownership: user.residenceInfo.residenceOwnership },
    father: user.father,
    deviceLocation: user.deviceLocation,
    enabledFlags: data.extension?.enabledFlags ?? [],
  };
  return {
    partnerId: partner.id,
    externalReference: data.googleApplicationId,
    productId: data.productId,
    cKycId: data.cKycId,
    challenge: toProof(data.challenge, data.userIdentifier.phoneNumber, ChallengeContext.USER_APPROVAL),
    requestedAmountMicros: parseMoney(data.loanDetails.amount, 'data.loanDetails.amount'),
    loanPurpose: data.loanDetails.loanPurpose,
    applicant,
  };
}

/** The application this partner means by its googleApplicationId. */
export function ref(partner: Partner, googleApplicationId: string) {
  return { partnerId: partner.id, externalReference: googleApplicationId };
}

export function toApprovalStatus(status: ApplicationStatus): ApprovalStatus {
  return {
    state: status.approvalState,
    lenderReference: status.lenderReference,
    offerId: status.approvalState === 'APPROVED' ? status.currentOfferId : undefined,
    rejection: status.approvalState === 'REJECTED' ? (status.approvalRejection ?? { reason: 'OTHERS', description: '' }) : undefined,
  };
}

export function fromApprovalStatus(status: ApprovalStatus): ApprovalStatusData {
  const base = { applicationState: status.state, partnerApplicationReferenceId: status.lenderReference };
  switch (status.state) {
    case 'APPROVED':
      return { ...base, approvedStateContext: { offerId: status.offerId ?? '' } };
    case 'REJECTED':
      return { ...base, rejectedStateContext: status.rejection as ApprovalStatusData['rejectedStateContext'] };
    case 'INCOME_VERIFICATION':
      return { ...base, incomeVerificationContext: {} };
    default:
      return { ...base, inProcessStateContext: {} };
  }
}

export function fromOffer(offer: CoreOffer): { offer: Offer } {
  const tenurePoint = (length: number) => ({ periodType: 'MONTH' as const, length });
  return {
    offer: {
      productId: offer.productId,
      offerId: offer.id,
      creditLimit: {
        variationStep: money(offer.amountStepMicros),
        maximumAmount: money(offer.maxAmountMicros),
        minimumAmount: money(offer.minAmountMicros),
      },
      startTime: timestamp(offer.startsAt),
      endTime: timestamp(offer.endsAt),
      termCreditOfferDetails: {
        tenureStructure: [
          {
            maximumAmount: money(offer.maxAmountMicros),
            minimumAmount: money(offer.minAmountMicros),
            tenureRange: {
              minimum: tenurePoint(offer.minTenureMonths),
              maximum: tenurePoint(offer.maxTenureMonths),
              variationStep: tenurePoint(offer.tenureStepMonths),
            },
          },
        ],
        interestStructure: { fixed: { interestCharge: { percentageValueE5: String(offer.interestRateE5) } } },
        applicationFees: [
          {
            feeType: 'PROCESSING_FEE',
            percentageValueE5: String(offer.processingFeeRateE5),
            minimumAmount: money(offer.processingFeeMinMicros),
            tax: [{ taxType: 'GST', percentageValueE5: String(offer.gstRateE5) }],
          },
        ],
      },
    },
  };
}

const KYC_OPTION: Record<KycMethod, keyof KycOptions> = { EKYC: 'ekyc', VIDEO_KYC: 'videoKyc', CKYC: 'ckyc', OFFLINE: 'offlineKyc' };

export function fromKycSession(session: KycSession): InitiateKycResponse['data'] {
  const kycOptions: KycOptions = {};
  for (const method of session.eligibleMethods) kycOptions[KYC_OPTION[method]] = { expirationTime: timestamp(session.expiresAt) };
  return {
    partnerApplicationReferenceId: session.lenderReference,
    urlToken: session.urlToken,
    expirationTime: timestamp(session.expiresAt),
    kycOptions,
  };
}

export function fromCkycRecord(record: CkycRecord | null): { user: CkycUser } | BusinessError {
  if (!record) {
    return new BusinessError({
      errorDescription: 'Ckyc record not found for given user.',
      paymentIntegratorErrorCode: 'IL234',
      errorResponseResult: { ckycDataNotFound: {} },
    });
  }
  return { user: record };
}

export function fromAuthToken(issued: IssuedAuthToken): GetAuthTokenResponse['data'] {
  return { authToken: issued.authToken, expirationTime: timestamp(issued.expiresAt), redirectionUrl: issued.redirectionUrl };
}

export function fromMandateLink(link: MandateLink): InitiateRepaymentSetupResponse['data'] {
  return {
    partnerApplicationReferenceId: link.lenderReference,
    urlToken: link.urlToken,
    authCode: link.authCode,
    expirationTime: timestamp(link.expiresAt),
  };
}

export function toSubmissionRequest(data: SubmitApplicationRequest['data'], partner: Partner): SubmissionRequest {
  const details = data.loanApplicationDetails;
  const fee = details.calculatedApplicationFees?.find((f) => f.feeType === 'PROCESSING_FEE');
  return {
    ...ref(partner, data.googleApplicationId),
    offerId: data.offerId,
    productId: data.productId,
    challenge: toProof(data.challenge, data.userIdentifier.phoneNumber, ChallengeContext.SUBMIT_APPLICATION),
    consents: data.tncAcceptanceMetadata,
    loanAmountMicros: parseMoney(details.loanAmount, 'data.loanApplicationDetails.loanAmount'),
    tenureMonths: details.tenure.length,
    calculatedEmiMicros: parseMoney(details.calculatedEmiAmount, 'data.loanApplicationDetails.calculatedEmiAmount'),
    calculatedProcessingFeeMicros: fee ? parseMoney(fee.value, 'data.loanApplicationDetails.calculatedApplicationFees.value') : undefined,
  };
}

/**
 * The wire applicationState of a core state. SIGNED and GRANTED belong to the sign-first order of another surface
 * (OCEN): an application in them is, for this surface, still IN_PROGRESS.
 */
export function gpayApplicationState(state: CoreApplicationState): GetApplicationStatusResponse['data']['applicationState'] {
  return state === 'SIGNED' || state === 'GRANTED' ? 'IN_PROGRESS' : state;
}

export function fromApplicationStatus(status: ApplicationStatus): GetApplicationStatusResponse['data'] {
  const kyc = status.kyc;
  return {
    applicationState: gpayApplicationState(status.applicationState),
    partnerApplicationReferenceId: status.lenderReference,
    kyc: {
      state: kyc.state,
      eligibleKycTypes: kyc.eligibleMethods,
      ...(kyc.completedMethod ? { completedKycType: kyc.completedMethod } : {}),
      ...(kyc.state === 'APPROVED' && kyc.approvalValidUntil ? { approvedStateContext: { expirationTime: timestamp(kyc.approvalValidUntil) } } : {}),
      ...(kyc.rejectionReason ? { rejectedStateContext: { reason: kyc.rejectionReason } } : {}),
    },
    repaymentSetup: { state: status.repaymentSetup.state },
    ...(status.applicationState === 'REJECTED'
      ? { rejectedStateContext: (status.rejection ?? { reason: 'OTHERS', description: '' }) as GetApplicationStatusResponse['data']['rejectedStateContext'] }
      : {}),
    ...(status.applicationState === 'DISBURSED' && status.accountToken ? { accountToken: status.accountToken } : {}),
  };
}

export function fromLoan(position: LoanPosition & { accountToken: string; noDuesCertificateUrl?: string }): FetchAccountResponse['data'] {
  const { loan } = position;
  return {
    accountSpec: { accountToken: position.accountToken, accountType: 'LOAN_ACCOUNT' },
    accountState: { state: loan.state },
    loan: {
      sanctionedAmount: money(loan.sanctionedMicros),
      disbursedAmount: money(loan.disbursedMicros),
      interestRateE5: String(loan.interestRateE5),
      tenure: { periodType: 'MONTH', length: loan.tenureMonths },
      emiAmount: money(loan.emiMicros),
      outstandingPrincipal: money(position.principalOutstandingMicros),
      outstandingInterest: money(position.interestOutstandingMicros),
      outstandingCharges: money(position.chargesOutstandingMicros),
      overdueAmount: money(position.overdueMicros),
      daysPastDue: position.daysPastDue,
      ...(position.nextDue ? { nextDue: { instalmentNumber: position.nextDue.sequence, dueDate: position.nextDue.dueDate, amount: money(position.nextDue.amountMicros) } } : {}),
      schedule: loan.instalments.flatMap((line) => (line.status === 'CANCELLED' ? [] : [{
        instalmentNumber: line.sequence,
        dueDate: line.dueDate,
        emiAmount: money(line.emiMicros),
        principal: money(line.principalMicros),
        interest: money(line.interestMicros),
        paidAmount: money(line.principalPaidMicros + line.interestPaidMicros),
        status: line.status,
      }])),
      latestTransactions: position.latestTransactions.map((line) => ({
        date: line.valueDate,
        type: line.kind,
        direction: line.direction,
        amount: money(line.amountMicros),
        description: line.narration,
        reference: line.reference,
      })),
      ...(loan.state === 'CLOSED' && loan.closedOn && loan.closure
        ? { closure: { closedOn: loan.closedOn, type: loan.closure, ...(position.noDuesCertificateUrl ? { noDuesCertificateUrl: position.noDuesCertificateUrl } : {}) } }
        : {}),
    },
  };
}

export function toCkycQuery(data: SearchCkycRecordRequest['data'], partner: Partner): CkycQuery {
  return { ...ref(partner, data.googleApplicationId), pan: data.pan, dateOfBirth: parseDate(data.dateOfBirth, 'data.dateOfBirth'), consents: data.tncAcceptanceMetadata };
}

export function fromCkycSearch(result: { cKycId: string | null }): SearchCkycRecordResponse['data'] {
  return { cKycRecordFound: result.cKycId !== null, ...(result.cKycId ? { cKycId: result.cKycId } : {}) };
}

/** A KeyFactStatement request's terms. */
export function toKfsTerms(data: KeyFactStatementRequest['data']): KfsTerms {
  return {
    offerId: data.offerId,
    amountMicros: parseMoney(data.loanApplicationDetails.loanAmount, 'data.loanApplicationDetails.loanAmount'),
    tenureMonths: data.loanApplicationDetails.tenure.length,
  };
}

/** A KFS on the wire; `url` is its borrower page. */
export function fromKfs(kfs: Kfs, url: string): KeyFactStatementResponse['data'] {
  const f = kfs.figures;
  return {
    kfsId: kfs.id,
    url,
    issuedAt: timestamp(kfs.issuedAt),
    validUntil: timestamp(kfs.validUntil),
    lenderName: kfs.lenderName,
    sanctionedAmount: money(f.sanctionedMicros),
    netDisbursedAmount: money(f.netDisbursedMicros),
    interestRateE5: String(f.interestRateE5),
    tenure: { periodType: 'MONTH', length: f.instalmentCount },
    emiAmount: money(f.emiMicros),
    instalmentCount: f.instalmentCount,
    totalInterestAmount: money(f.totalInterestMicros),
    applicationFees: f.fees.map((fee) => ({ feeType: fee.type, value: money(fee.amountMicros), tax: [{ taxType: 'GST' as const, amount: money(fee.gstMicros) }] })),
    totalAmountPayable: money(f.totalAmountPayableMicros),
    annualPercentageRate: f.apr.percent,
    annualPercentageRateE5: String(f.apr.e5),
    contingentCharges: {
      penalCharge: money(f.contingentCharges.penalChargeMicros),
      bounceCharge: money(f.contingentCharges.bounceChargeMicros),
      foreclosureChargePercentageValueE5: String(f.contingentCharges.foreclosureChargeRateE5),
    },
    coolingOffPeriodDays: kfs.coolingOffDays,
    grievanceRedressalOfficer: { ...kfs.grievanceOfficer },
    schedule: f.schedule.map((line) => ({
      instalmentNumber: line.sequence,
      dueDate: line.dueDate,
      instalmentAmount: money(line.instalmentMicros),
      principal: money(line.principalMicros),
      interest: money(line.interestMicros),
      outstandingPrincipal: money(line.outstandingMicros),
    })),
  };
}
