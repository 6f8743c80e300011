import { randomBytes } from 'node:crypto';
import { AppError, AppErrorCode } from '../../src/core/errors';
import { ApplicationRef } from '../../src/core/application/application';
import { Applicant } from '../../src/core/approval/applicant';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { newPhone, panWith } from '../support/journey';
import { grantedApplication } from '../support/ocen-loan-fixtures';

/**
 * The sign-first order's last steps on the core against a real database, without any protocol in front: the
 * repayment mandate of a GRANTED loan (MandateService), the payout account (PayoutAccountService, sealed at rest)
 * and the request for the payout (SubmissionService.release), then the payout to that account.
 */

const PARTNER = 'la-core';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ partners: [{ id: PARTNER, displayName: 'Loan agent', protocol: 'OCEN_4' }] });
});
afterAll(() => t.stop());

const ACCOUNT = { type: 'ACCOUNT', ifsc: 'HDFC0001234', accountNumber: '50100012345678', holderName: 'Asha Rao', accountKind: 'SAVING' };

function applicant(pan = panWith('1234')): Applicant {
  return {
    fullName: 'Asha Rao',
    emailAddress: 'asha.rao@example.com',
    pan,
    dateOfBirth: '1990-05-15',
    addresses: [],
    employment: { employerName: '', totalWorkExperienceYears: '', type: 'SALARIED', monthlyIncomeMicros: (50_000n * 1_000_000n).toString() },
    residence: { timeAtCurrentResidence: '', ownership: 'RENTED' },
    enabledFlags: [],
  };
}

async function opened(): Promise<ApplicationRef> {
  const ref = { partnerId: PARTNER, externalReference: `LA-${randomBytes(6).toString('hex')}` };
  await t.services.approvals.open({ ...ref, productId: 'PERSONAL_LOAN', requestedAmountMicros: 100_000n * 1_000_000n, loanPurpose: 'OTHER', applicant: applicant(), phone: newPhone() });
  return ref;
}

async function granted() {
  const ref = await opened();
  return { ref, loan: await grantedApplication(t.services, ref) };
}

const applicationOf = (ref: ApplicationRef) => t.services.db.prisma.application.findUnique({ where: { partnerId_externalReference: ref } }).then((a) => a!);

async function activeMandate(ref: ApplicationRef) {
  await t.services.mandates.initiate(ref);
  await t.services.mandates.complete(ref, 'APPROVED');
  await eventually(async () => (await t.services.mandates.current(await applicationOf(ref)))?.state, (state) => state === 'ACTIVE');
}

/** The promise fails with an AppError of this code (returned, to look at its fields). */
async function expectAppError(promise: Promise<unknown>, code: AppErrorCode): Promise<AppError> {
  const error = await promise.then(() => undefined, (err: unknown) => err);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

const disburseJobsFor = async (applicationId: string) =>
  (await t.services.db.prisma.outboxMessage.findMany({ where: { topic: 'loan.disburse' } })).filter((row) => (row.payload as { data?: { applicationId?: string } }).data?.applicationId === applicationId);

describe('the repayment mandate of a granted loan', () => {
  it('when repayment setup starts on a GRANTED loan, then the mandate is PENDING with a link to the bank\'s page, and ACTIVE once the borrower authorises it', async () => {
    const { ref } = await granted();
    const link = await t.services.mandates.initiate(ref, { partnerCollects: true });
    const page = new URL(link.pageUrl);
    expect(page.pathname).toBe('/borrower/repayment-setup');
    expect(page.search).toBe('');
    const fragment = new URLSearchParams(page.hash.slice(1));
    expect({ urlToken: fragment.get('urlToken'), authCode: fragment.get('authCode') }).toEqual({ urlToken: link.urlToken, authCode: link.authCode });
    const application = await applicationOf(ref);
    expect(await t.services.mandates.current(application)).toMatchObject({ state: 'PENDING', partnerCollects: true });
    await t.services.mandates.complete(ref, 'APPROVED');
    await eventually(async () => (await t.services.mandates.current(application))?.state, (state) => state === 'ACTIVE');
  });
});

describe('the payout account', () => {
  it('when an account is set, then only its masked form and a keyed hash are in clear: the number is sealed and opens back', async () => {
    const { ref, loan } = await granted();
    const summary = await t.services.payoutAccounts.set(ref, ACCOUNT);
    expect(summary).toEqual({ type: 'ACCOUNT', maskedAccount: 'XXXXXXXXXX5678' });

    const rows = await t.services.db.query<Record<string, unknown>>('SELECT * FROM disbursement_account WHERE application_id = $1', [loan.applicationId]);
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows[0]);
    expect(stored).not.toContain(ACCOUNT.accountNumber);
    expect(stored).not.toContain('12345678');
    expect(stored).not.toContain(ACCOUNT.ifsc);
    expect(stored).not.toContain(ACCOUNT.holderName);
    expect(rows[0]).toMatchObject({ account_type: 'ACCOUNT', masked_account: 'XXXXXXXXXX5678' });
    expect(await t.services.payoutAccounts.open(loan.applicationId)).toEqual(ACCOUNT);
  });

  it('when an account is set again, then it replaces the first; a UPI address is accepted and masked', async () => {
    const { ref, loan } = await granted();
    await t.services.payoutAccounts.set(ref, ACCOUNT);
    expect(await t.services.payoutAccounts.set(ref, { type: 'VPA', vpa: 'asharao@okbank' })).toEqual({ type: 'VPA', maskedAccount: 'as*****@okbank' });
    const rows = await t.services.db.query<{ n: string }>('SELECT count(*) AS n FROM disbursement_account WHERE application_id = $1', [loan.applicationId]);
    expect(Number(rows[0].n)).toBe(1);
    expect(await t.services.payoutAccounts.open(loan.applicationId)).toEqual({ type: 'VPA', vpa: 'asharao@okbank' });
  });

  it.each([
    ['an IFSC of the wrong form', { ...ACCOUNT, ifsc: 'HDFC1234' }],
    ['an account number of 8 digits', { ...ACCOUNT, accountNumber: '12345678' }],
    ['an account number of 19 digits', { ...ACCOUNT, accountNumber: '1234567890123456789' }],
    ['an account number with letters', { ...ACCOUNT, accountNumber: '12345678901A' }],
    ['a bank account without its holder', { ...ACCOUNT, holderName: ' ' }],
    ['a UPI address without a provider', { type: 'VPA', vpa: 'asharao' }],
    ['neither an account nor a VPA', { type: 'CARD' }],
  ])('when %s is given, then it is refused as INVALID_FIELD_VALUE and nothing is stored', async (_what, account) => {
    const { ref, loan } = await granted();
    await expectAppError(t.services.payoutAccounts.set(ref, account), AppErrorCode.INVALID_FIELD_VALUE);
    expect(await t.services.payoutAccounts.summary(loan.applicationId)).toBeNull();
  });
});

describe('releasing the payout of a granted loan', () => {
  it('when the mandate is not ACTIVE, then the release is refused and the loan stays GRANTED with no payout staged', async () => {
    const { ref, loan } = await granted();
    await t.services.payoutAccounts.set(ref, ACCOUNT);
    await expectAppError(t.services.submissions.release(ref), AppErrorCode.PRECONDITION_FAILED);
    await t.services.mandates.initiate(ref);
    await expectAppError(t.services.submissions.release(ref), AppErrorCode.PRECONDITION_FAILED);
    expect((await applicationOf(ref)).applicationState).toBe('GRANTED');
    expect(await disburseJobsFor(loan.applicationId)).toHaveLength(0);
  });

  it('when no payout account is set, then the release is refused and the loan stays GRANTED', async () => {
    const { ref, loan } = await granted();
    await activeMandate(ref);
    await expectAppError(t.services.submissions.release(ref), AppErrorCode.PRECONDITION_FAILED);
    expect((await applicationOf(ref)).applicationState).toBe('GRANTED');
    expect(await disburseJobsFor(loan.applicationId)).toHaveLength(0);
  });

  it('when the application is not granted, then the release is an illegal transition', async () => {
    const ref = await opened();
    await eventually(() => t.services.approvals.status(ref), (s) => s.state === 'APPROVED');
    expect((await applicationOf(ref)).applicationState).toBe('IN_PROGRESS');
    await expectAppError(t.services.submissions.release(ref), AppErrorCode.ILLEGAL_STATE_TRANSITION);
    expect((await applicationOf(ref)).applicationState).toBe('IN_PROGRESS');
  });

  it('when the amount asked is not the net disbursal, then the release is refused naming the amount', async () => {
    const { ref, loan } = await granted();
    await activeMandate(ref);
    await t.services.payoutAccounts.set(ref, ACCOUNT);
    const error = await expectAppError(t.services.submissions.release(ref, { amountMicros: loan.netDisbursalMicros + 10_000n }), AppErrorCode.INVALID_FIELD_VALUE);
    expect(error.fields).toEqual(['disbursementAmount']);
    expect((await applicationOf(ref)).applicationState).toBe('GRANTED');
  });

  it('when mandate and account are set, then GRANTED → SUBMITTED with one payout job, the loan is paid out with a UTR, a second release changes nothing, and the payout is reported once', async () => {
    const { ref, loan } = await granted();
    await activeMandate(ref);
    await t.services.payoutAccounts.set(ref, ACCOUNT);
    expect(await t.services.submissions.release(ref, { amountMicros: loan.netDisbursalMicros })).toEqual({ released: true, lenderReference: loan.lenderReference, netDisbursalMicros: loan.netDisbursalMicros });
    expect(await disburseJobsFor(loan.applicationId)).toHaveLength(1);
    await eventually(async () => (await applicationOf(ref)).applicationState, (state) => state === 'DISBURSED');
    const payout = (await t.services.loans.payout(loan.applicationId))!;
    expect(payout).toMatchObject({ state: 'SUCCEEDED', amountMicros: loan.netDisbursalMicros, utr: expect.stringMatching(/^[0-9A-F]{16}$/), reportedAt: null });

    expect((await t.services.submissions.release(ref)).released).toBe(false);
    expect(await disburseJobsFor(loan.applicationId)).toHaveLength(1);
    await expectAppError(t.services.payoutAccounts.set(ref, ACCOUNT), AppErrorCode.PRECONDITION_FAILED);

    const claims = await Promise.all([t.services.loans.claimPayoutReport(loan.applicationId), t.services.loans.claimPayoutReport(loan.applicationId)]);
    expect(claims.sort()).toEqual([false, true]);
    expect(await t.services.loans.claimPayoutReport(loan.applicationId)).toBe(false);
  });

  it('when the rail refuses the account given (sandbox: a number ending in 9005), then the payout FAILED and the application is REJECTED: the payout went to that account', async () => {
    const { ref, loan } = await granted();
    await activeMandate(ref);
    await t.services.payoutAccounts.set(ref, { ...ACCOUNT, accountNumber: '50100012349005' });
    await t.services.submissions.release(ref);
    await eventually(async () => (await applicationOf(ref)).applicationState, (state) => state === 'REJECTED');
    expect(await t.services.loans.payout(loan.applicationId)).toMatchObject({ state: 'FAILED', utr: null });
    expect(await t.services.loans.claimPayoutReport(loan.applicationId)).toBe(false);
  });
});
