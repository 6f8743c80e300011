/**
 * One request and one response example per partner-API path, merged into the OpenAPI document.
 * The requests are real, valid requests for the sandbox journey (test/openapi.test.ts sends them).
 */
const header = (requestId: string) => ({
  requestId,
  requestTimestamp: { epochMillis: '1795000000000' },
  protocolVersion: { major: 1 },
});
const responseHeader = (requestId: string) => ({ requestId, responseTimestamp: { epochMillis: '1795000000123' } });
const inr = (micros: string) => ({ currencyCode: 'INR', amountMicros: micros });
const phone = { phoneNumber: { countryCode: '91', nationalNumber: '9876543210' } };
const address = {
  addressLine1: '101, Lake View Apartments',
  addressLine2: 'Indiranagar',
  postalCode: '560038',
  city: 'Bengaluru',
  state: 'Karnataka',
  country: 'IN',
};

export const EXAMPLES: Record<string, { request: unknown; response: unknown }> = {
  '/v1/financialservices/user/initiateChallenge': {
    request: {
      requestHeader: header('example-challenge-1'),
      data: { userIdentifier: phone, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } },
    },
    response: {
      responseHeader: responseHeader('example-challenge-1'),
      data: {
        tokenReferenceId: 'otp_3q2-7wEAAAAAAAAAAAAAAAAA',
        tokenMetadata: {
          smsOtpMetadata: {
            format: {
              length: 6,
              messageRegex:
                '(\\d{6}) is OTP for your Credit application through Google Pay app\\. OTPs are SECRET\\. DO NOT disclose it to anyone\\. Bank NEVER asks for OTP\\.',
            },
          },
        },
      },
    },
  },
  '/v1/financialservices/credit/offer/approveUser': {
    request: {
      requestHeader: header('example-approve-1'),
      data: {
        googleApplicationId: 'GAPP-EXAMPLE-1',
        productId: 'PERSONAL_LOAN',
        challenge: { tokenReferenceId: 'otp_3q2-7wEAAAAAAAAAAAAAAAAA', tokens: [{ type: 'SMS_OTP', value: '123456' }] },
        userIdentifier: phone,
        loanDetails: { amount: inr('100000000000'), loanPurpose: 'HOME_RENOVATION' },
        user: {
          fullName: 'Asha Rao',
          emailAddress: 'asha.rao@example.com',
          type: 'NEW_TO_BANK',
          addresses: [{ ...address, addressTags: ['RESIDENTIAL_ADDRESS', 'COMMUNICATION_ADDRESS'] }],
          pan: 'ABCDE1234F',
          dateOfBirth: '1990-05-15',
          employmentInfo: {
            employerName: 'Acme Software',
            employerAddress: { ...address, companyName: 'Acme Software', addressTags: ['OFFICE_ADDRESS'] },
            workExperience: { totalWorkExperienceYears: '12' },
            income: { periodType: 'MONTH', value: inr('50000000000') },
            employmentType: { salaried: {} },
          },
          residenceInfo: { timeAtCurrentResidence: '5', residenceOwnership: 'OWNED' },
          father: { firstName: 'Ravi', lastName: 'Rao', salutation: 'MR' },
        },
      },
    },
    response: {
      responseHeader: responseHeader('example-approve-1'),
      data: { applicationState: 'IN_PROCESS', partnerApplicationReferenceId: 'PAQ7X2KD9LM4', inProcessStateContext: {} },
    },
  },
  '/v1/financialservices/credit/offer/getApprovalStatus': {
    request: { requestHeader: header('example-approval-status-1'), data: { googleApplicationId: 'GAPP-EXAMPLE-1' } },
    response: {
      responseHeader: responseHeader('example-approval-status-1'),
      data: { applicationState: 'APPROVED', partnerApplicationReferenceId: 'PAQ7X2KD9LM4', approvedStateContext: { offerId: 'OFRK2J8D0QWE1' } },
    },
  },
  '/v1/financialservices/credit/offer/fetch': {
    request: { requestHeader: header('example-offer-1'), data: { offerId: 'OFRK2J8D0QWE1' } },
    response: {
      responseHeader: responseHeader('example-offer-1'),
      data: {
        offer: {
          productId: 'PERSONAL_LOAN',
          offerId: 'OFRK2J8D0QWE1',
          creditLimit: { variationStep: inr('5000000000'), maximumAmount: inr('100000000000'), minimumAmount: inr('10000000000') },
          startTime: { epochMillis: '1795000000000' },
          endTime: { epochMillis: '1795259200000' },
          termCreditOfferDetails: {
            tenureStructure: [
              {
                maximumAmount: inr('100000000000'),
                minimumAmount: inr('10000000000'),
                tenureRange: {
                  minimum: { periodType: 'MONTH', length: 6 },
                  maximum: { periodType: 'MONTH', length: 36 },
                  variationStep: { periodType: 'MONTH', length: 6 },
                },
              },
            ],
            interestStructure: { fixed: { interestCharge: { percentageValueE5: '1600000' } } },
            applicationFees: [
              { feeType: 'PROCESSING_FEE', percentageValueE5: '200000', minimumAmount: inr('500000000'), tax: [{ taxType: 'GST', percentageValueE5: '1800000' }] },
            ],
          },
        },
      },
    },
  },
  '/v1/financialservices/credit/offer/keyFactStatement': {
    request: {
      requestHeader: header('example-kfs-1'),
      data: { googleApplicationId: 'GAPP-EXAMPLE-1', offerId: 'OFRK2J8D0QWE1', loanApplicationDetails: { loanAmount: inr('100000000000'), tenure: { periodType: 'MONTH', length: 12 } } },
    },
    response: {
      responseHeader: responseHeader('example-kfs-1'),
      data: {
        kfsId: 'KFS4QZ8XW2NLD0K7RTMA',
        url: 'https://lender.example/borrower/kfs/KFS4QZ8XW2NLD0K7RTMA',
        issuedAt: { epochMillis: '1795000000100' },
        validUntil: { epochMillis: '1795372200000' },
        lenderName: 'Sandbox Bank',
        sanctionedAmount: inr('100000000000'),
        netDisbursedAmount: inr('97640000000'),
        interestRateE5: '1600000',
        tenure: { periodType: 'MONTH', length: 12 },
        emiAmount: inr('9073090000'),
        instalmentCount: 12,
        totalInterestAmount: inr('8877030000'),
        applicationFees: [{ feeType: 'PROCESSING_FEE', value: inr('2000000000'), tax: [{ taxType: 'GST', amount: inr('360000000') }] }],
        totalAmountPayable: inr('108877030000'),
        annualPercentageRate: '20.60',
        annualPercentageRateE5: '2060409',
        contingentCharges: { penalCharge: inr('0'), bounceCharge: inr('0'), foreclosureChargePercentageValueE5: '0' },
        coolingOffPeriodDays: 3,
        grievanceRedressalOfficer: { name: 'Grievance Redressal Officer (sandbox)', phone: '1800-000-0000', email: 'grievance@sandbox-bank.example' },
        schedule: [
          { instalmentNumber: 1, dueDate: '2027-01-07', instalmentAmount: inr('9073090000'), principal: inr('7739760000'), interest: inr('1333330000'), outstandingPrincipal: inr('92260240000') },
          { instalmentNumber: 12, dueDate: '2027-12-07', instalmentAmount: inr('9073040000'), principal: inr('8953660000'), interest: inr('119380000'), outstandingPrincipal: inr('0') },
        ],
      },
    },
  },
  '/v1/financialservices/credit/user/kyc/initiate': {
    request: { requestHeader: header('example-kyc-1'), data: { googleApplicationId: 'GAPP-EXAMPLE-1', offerId: 'OFRK2J8D0QWE1' } },
    response: {
      responseHeader: responseHeader('example-kyc-1'),
      data: {
        partnerApplicationReferenceId: 'PAQ7X2KD9LM4',
        urlToken: 'n2kq8Yx0c1hZ4m9VbTq7aW3eR5tY6uI8',
        expirationTime: { epochMillis: '1795000900000' },
        kycOptions: {
          ckyc: { expirationTime: { epochMillis: '1795000900000' } },
          ekyc: { expirationTime: { epochMillis: '1795000900000' } },
          offlineKyc: { expirationTime: { epochMillis: '1795000900000' } },
        },
      },
    },
  },
  '/v1/financialservices/credit/customer/searchCKycRecord': {
    request: {
      requestHeader: header('example-ckyc-search-1'),
      data: {
        googleApplicationId: 'GAPP-EXAMPLE-1',
        pan: 'ABCDE1234F',
        dateOfBirth: '1990-05-15',
        tncAcceptanceMetadata: [{ version: 'ckyc-consent-v1', type: 'CKYC_DATA_FETCH', acceptance: true }],
      },
    },
    response: { responseHeader: responseHeader('example-ckyc-search-1'), data: { cKycRecordFound: true, cKycId: '50123456789012' } },
  },
  '/v1/financialservices/credit/customer/downloadCKycRecord': {
    request: { requestHeader: header('example-ckyc-download-1'), data: { googleApplicationId: 'GAPP-EXAMPLE-1', cKycId: '50123456789012' } },
    response: {
      responseHeader: responseHeader('example-ckyc-download-1'),
      data: {
        user: {
          gender: 'FEMALE',
          dateOfBirth: '1990-05-15',
          email: 'asha.rao@example.com',
          name: { salutation: 'MRS', firstName: 'ASHA', lastName: 'RAO', fullName: 'MRS ASHA RAO' },
          father: { salutation: 'MR', firstName: 'RAVI', lastName: 'RAO', fullName: 'MR RAVI RAO' },
          addresses: [{ ...address, addressTags: ['RESIDENTIAL_ADDRESS', 'COMMUNICATION_ADDRESS'] }],
        },
      },
    },
  },
  '/v1/financialservices/credit/user/getAuthToken': {
    request: {
      requestHeader: header('example-auth-token-1'),
      data: { googleApplicationId: 'GAPP-EXAMPLE-1', authTokenContext: { type: 'KYC' }, redirectionUrl: 'https://pay.example.com/loans/return' },
    },
    response: {
      responseHeader: responseHeader('example-auth-token-1'),
      data: { authToken: 'eyJhbGciOiJFUzI1NiIsImtpZCI6IjEyMyIsInR5cCI6IkpXVCJ9.e30.c2lnbmF0dXJl', expirationTime: { epochMillis: '1795000600000' }, redirectionUrl: 'http://localhost:8080/borrower/kyc' },
    },
  },
  '/v1/financialservices/credit/application/initiateRepaymentSetup': {
    request: { requestHeader: header('example-repayment-1'), data: { googleApplicationId: 'GAPP-EXAMPLE-1' } },
    response: {
      responseHeader: responseHeader('example-repayment-1'),
      data: { partnerApplicationReferenceId: 'PAQ7X2KD9LM4', urlToken: 'abc754uifsdQ2w3e4r5t6y7u8i9o0p1a', authCode: '60e7e69fe57bf0a1', expirationTime: { epochMillis: '1795000060000' } },
    },
  },
  '/v1/financialservices/credit/application/submit': {
    request: {
      requestHeader: header('example-submit-1'),
      data: {
        googleApplicationId: 'GAPP-EXAMPLE-1',
        offerId: 'OFRK2J8D0QWE1',
        productId: 'PERSONAL_LOAN',
        userIdentifier: phone,
        challenge: { tokenReferenceId: 'otp_8f2-1wEAAAAAAAAAAAAAAAAA', tokens: [{ type: 'SMS_OTP', value: '654321' }] },
        tncAcceptanceMetadata: [
          { version: 'mitc-v3', type: 'MITC', acceptance: true },
          { version: 'data-sharing-v2', type: 'USER_DATA_SHARING_CONSENT', acceptance: true },
          { version: 'KFS4QZ8XW2NLD0K7RTMA', type: 'KFS', acceptance: true },
        ],
        user: { type: 'NEW_TO_BANK', emailAddress: 'asha.rao@example.com' },
        loanApplicationDetails: {
          loanAmount: inr('100000000000'),
          tenure: { periodType: 'MONTH', length: 12 },
          calculatedEmiAmount: inr('9073090000'),
          calculatedApplicationFees: [{ feeType: 'PROCESSING_FEE', value: inr('2000000000'), tax: [{ taxType: 'GST', amount: inr('360000000') }] }],
        },
      },
    },
    response: { responseHeader: responseHeader('example-submit-1'), data: { applicationState: 'SUBMITTED', partnerApplicationReferenceId: 'PAQ7X2KD9LM4' } },
  },
  '/v1/financialservices/credit/application/getStatus': {
    request: { requestHeader: header('example-status-1'), data: { googleApplicationId: 'GAPP-EXAMPLE-1' } },
    response: {
      responseHeader: responseHeader('example-status-1'),
      data: {
        applicationState: 'DISBURSED',
        partnerApplicationReferenceId: 'PAQ7X2KD9LM4',
        kyc: { state: 'APPROVED', eligibleKycTypes: ['CKYC', 'EKYC', 'OFFLINE'], completedKycType: 'CKYC', approvedStateContext: { expirationTime: { epochMillis: '1797592000000' } } },
        repaymentSetup: { state: 'ACTIVE' },
        accountToken: 'acct_Zk3n8Qp1Lw0Yx7Tb2Vc5Nm9Rd4Hs6Jf',
      },
    },
  },
  '/v1/financialservices/credit/account/get': {
    request: { requestHeader: header('example-account-1'), data: { accountToken: 'acct_Zk3n8Qp1Lw0Yx7Tb2Vc5Nm9Rd4Hs6Jf' } },
    response: {
      responseHeader: responseHeader('example-account-1'),
      data: {
        accountSpec: { accountToken: 'acct_Zk3n8Qp1Lw0Yx7Tb2Vc5Nm9Rd4Hs6Jf', accountType: 'LOAN_ACCOUNT' },
        accountState: { state: 'ACTIVE' },
        loan: {
          sanctionedAmount: inr('100000000000'),
          disbursedAmount: inr('97640000000'),
          interestRateE5: '1600000',
          tenure: { periodType: 'MONTH', length: 12 },
          emiAmount: inr('9073090000'),
          outstandingPrincipal: inr('92260240000'),
          outstandingInterest: inr('410140000'),
          outstandingCharges: inr('0'),
          overdueAmount: inr('0'),
          daysPastDue: 0,
          nextDue: { instalmentNumber: 2, dueDate: '2027-01-22', amount: inr('9073090000') },
          schedule: [
            { instalmentNumber: 1, dueDate: '2026-12-22', emiAmount: inr('9073090000'), principal: inr('7739760000'), interest: inr('1333330000'), paidAmount: inr('9073090000'), status: 'PAID' },
            { instalmentNumber: 2, dueDate: '2027-01-22', emiAmount: inr('9073090000'), principal: inr('7842950000'), interest: inr('1230140000'), paidAmount: inr('0'), status: 'DUE' },
          ],
          latestTransactions: [
            { date: '2026-12-22', type: 'REPAYMENT', direction: 'CREDIT', amount: inr('9073090000'), description: 'Repayment by MANDATE (instalment 1): interest ₹1,333.33, principal ₹7,739.76', reference: 'COL3F9A1C2B7E5D4A6F8B01' },
            { date: '2026-11-22', type: 'DISBURSEMENT', direction: 'DEBIT', amount: inr('97640000000'), description: 'Loan disbursed', reference: 'DSBLR7Q2K9X4M:SBXUTR000000000001' },
          ],
        },
      },
    },
  },
};
