/**
 * The borrower's repayment-mandate page, below the HTML: the link it is opened with (MandateService.openByLink),
 * what it shows (termsForPage) and the authorisation through the mandate rail (authorise): UPI Autopay and e-NACH
 * with its penny-drop name check, declines and retries, a lost answer, and nothing of the payer in clear at rest.
 * Real PostgreSQL, Redis and worker; the sandbox mandate rail (src/adapters/sandbox/sandbox-mandate-rail.ts).
 */
import { AppError, AppErrorCode } from '../../src/core/errors';
import { MandatePayerInput } from '../../src/core/mandate/mandate-payer';
import { MANDATE_RESEND_AFTER_MS } from '../../src/core/mandate/mandate.service';
import { TestApp, eventually, startTestApp } from '../support/test-app';
import { everyColumn } from '../support/databases';
import { PATHS, applicationStatus, applyAndDecide } from '../support/journey';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
afterEach(() => jest.restoreAllMocks());

const rail = () => t.services.sandbox!.mandateRail;
const UPI: MandatePayerInput = { method: 'UPI_AUTOPAY', vpa: 'asha.rao@okbank' };
/** The applicant of test/support/journey.ts is `Asha Rao`: the sandbox bank holds any account in that name but those ending in 0000. */
const ENACH: MandatePayerInput = { method: 'ENACH', accountNumber: '50100012345678', ifsc: 'HDFC0001234' };

/** An approved Google Pay-style application with its mandate PENDING, and the link initiateRepaymentSetup handed out. */
async function pendingMandate() {
  const applied = await applyAndDecide(t, { monthlyIncomeRupees: 50_000 });
  if (!applied.offerId) throw new Error(`not approved: ${JSON.stringify(applied.decision)}`);
  const res = await t.call(PATHS.initiateRepaymentSetup, { googleApplicationId: applied.gid });
  expect(res.status).toBe(200);
  const row = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: applied.gid } });
  return { ...applied, offerId: applied.offerId, applicationId: row.id, mandateId: row.currentMandateId!, urlToken: res.body.data.urlToken as string, authCode: res.body.data.authCode as string };
}

async function appError(promise: Promise<unknown>, code: AppErrorCode): Promise<AppError> {
  const error = await promise.then(() => undefined, (err: unknown) => err);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

const historyOf = async (mandateId: string) => (await t.services.transitions.history('repayment_mandate', mandateId)).map((h) => [h.fromState, h.toState]);
const authorisationsOf = (mandateId: string) => t.services.db.prisma.mandateAuthorisation.findMany({ where: { mandateId }, orderBy: { requestedAt: 'asc' } });
const mandateRow = (mandateId: string) => t.services.db.prisma.repaymentMandate.findUniqueOrThrow({ where: { id: mandateId } });

// Money and dates, computed here independently of src/core: exact rationals in paise, rounded half-up; calendar months.
const halfUp = (n: bigint, d: bigint) => (2n * n + d) / (2n * d);
/** Reducing-balance EMI in micros for a principal in micros and a rate in E5 (16% = 1,600,000): r = a / 120,000,000. */
function referenceEmiMicros(principalMicros: bigint, rateE5: number, months: number): bigint {
  const p = principalMicros / 10_000n;
  const a = BigInt(rateE5);
  const b = 120_000_000n;
  const grown = (b + a) ** BigInt(months);
  return halfUp(p * a * grown, b * (grown - b ** BigInt(months))) * 10_000n;
}
function plusMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  const last = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + months, Math.min(d, last))).toISOString().slice(0, 10);
}
const istToday = () => new Date(t.clock.now().getTime() + 330 * 60_000).toISOString().slice(0, 10);

describe('openByLink', () => {
  it('when the page is opened with the urlToken and authCode handed out, then it is for that application and mandate (with or without the code)', async () => {
    const m = await pendingMandate();
    const row = await mandateRow(m.mandateId);
    const opened = { applicationId: m.applicationId, mandateId: m.mandateId, expiresAt: row.linkExpiresAt };
    expect(await t.services.mandates.openByLink(m.urlToken, m.authCode)).toEqual(opened);
    expect(await t.services.mandates.openByLink(m.urlToken)).toEqual(opened);
  });

  it('when the borrower pages exchange the repayment-setup link for a page session, then the session is for its application, once', async () => {
    const m = await pendingMandate();
    const session = await t.services.borrowerSessions.open('REPAYMENT_SETUP', { kind: 'urlToken', urlToken: m.urlToken, authCode: m.authCode });
    expect(session).toMatchObject({ applicationId: m.applicationId, step: 'REPAYMENT_SETUP' });
    await appError(t.services.borrowerSessions.open('REPAYMENT_SETUP', { kind: 'urlToken', urlToken: m.urlToken, authCode: m.authCode }), AppErrorCode.PAGE_LINK_USED);
    const other = await pendingMandate();
    await appError(t.services.borrowerSessions.open('REPAYMENT_SETUP', { kind: 'urlToken', urlToken: other.urlToken, authCode: 'wrong-code' }), AppErrorCode.PAGE_LINK_INVALID);
  });

  it('when the authCode is wrong or the urlToken unknown, then PAGE_LINK_INVALID, the same for both', async () => {
    const m = await pendingMandate();
    const wrongCode = await appError(t.services.mandates.openByLink(m.urlToken, `${m.authCode}x`), AppErrorCode.PAGE_LINK_INVALID);
    const unknown = await appError(t.services.mandates.openByLink(`${m.urlToken}x`, m.authCode), AppErrorCode.PAGE_LINK_INVALID);
    expect(wrongCode.message).toBe(unknown.message);
    await appError(t.services.mandates.openByLink('', m.authCode), AppErrorCode.PAGE_LINK_INVALID);
  });

  it('when a fresh link was asked for, then the earlier one is no longer valid', async () => {
    const m = await pendingMandate();
    await t.call(PATHS.initiateRepaymentSetup, { googleApplicationId: m.gid }).expect(200);
    await appError(t.services.mandates.openByLink(m.urlToken, m.authCode), AppErrorCode.PAGE_LINK_INVALID);
  });

  it('when the link is older than its 60 seconds, then PAGE_LINK_EXPIRED', async () => {
    const m = await pendingMandate();
    t.clock.advance(60_001);
    await appError(t.services.mandates.openByLink(m.urlToken, m.authCode), AppErrorCode.PAGE_LINK_EXPIRED);
  });
});

describe('termsForPage', () => {
  it('when no terms were chosen (Google Pay), then the ceiling is twice the highest EMI the offer allows and the dates span its longest tenure from the first due date', async () => {
    const m = await pendingMandate();
    const offer = await t.services.db.prisma.offer.findUniqueOrThrow({ where: { id: m.offerId } });
    const terms = await t.services.mandates.termsForPage(m.applicationId);
    const first = plusMonths(istToday(), 1);
    expect(terms).toEqual({
      applicationId: m.applicationId,
      mandateId: m.mandateId,
      lenderReference: expect.any(String),
      state: 'PENDING',
      maxAmountMicros: 2n * referenceEmiMicros(offer.maxAmountMicros, offer.interestRateE5, offer.minTenureMonths), // MANDATE_CEILING_EMIS
      frequency: 'MONTHLY',
      firstDebitDate: first,
      lastDebitDate: plusMonths(first, offer.maxTenureMonths - 1),
      instalments: offer.maxTenureMonths,
      basis: 'OFFER_CEILING',
      borrowerName: 'Asha Rao',
      mandateReference: null,
      failureReason: null,
      lastAuthorisation: null,
    });
  });

  it('when the borrower accepted terms in the offer, then the ceiling is twice their EMI and the dates span their tenure', async () => {
    const m = await pendingMandate();
    const offer = await t.services.db.prisma.offer.findUniqueOrThrow({ where: { id: m.offerId } });
    await t.services.offers.accept({ partnerId: 'gpay', externalReference: m.gid, offerId: m.offerId, amountMicros: 50_000_000_000n, tenureMonths: 6 });
    const terms = await t.services.mandates.termsForPage(m.applicationId);
    const first = plusMonths(istToday(), 1);
    expect(terms).toMatchObject({
      maxAmountMicros: 2n * referenceEmiMicros(50_000_000_000n, offer.interestRateE5, 6),
      firstDebitDate: first,
      lastDebitDate: plusMonths(first, 5),
      instalments: 6,
      basis: 'ACCEPTED_TERMS',
    });
  });
});

describe('authorise', () => {
  it('when the borrower authorises with UPI Autopay, then the mandate is ACTIVE with the rail\'s UMRN, getStatus reports it, and the rail was asked once', async () => {
    const m = await pendingMandate();
    const terms = await t.services.mandates.termsForPage(m.applicationId);
    const authorise = jest.spyOn(rail(), 'authorise');
    const result = await t.services.mandates.authorise(m.applicationId, UPI);
    expect(result).toEqual({ outcome: 'AUTHORISED', state: 'ACTIVE', umrn: expect.stringMatching(/^SBOX[0-9]{16}$/), method: 'UPI_AUTOPAY', maskedPayer: 'as******@okbank' });
    expect(authorise).toHaveBeenCalledTimes(1);
    expect(authorise.mock.calls[0][0]).toMatchObject({
      method: 'UPI_AUTOPAY', vpa: 'asha.rao@okbank', maxAmountMicros: terms.maxAmountMicros, frequency: 'MONTHLY', firstDebitDate: terms.firstDebitDate, lastDebitDate: terms.lastDebitDate,
    });

    const [row] = await authorisationsOf(m.mandateId);
    expect(row).toMatchObject({ method: 'UPI_AUTOPAY', outcome: 'AUTHORISED', umrn: result.outcome === 'AUTHORISED' ? result.umrn : '', railCalls: 1, maskedPayer: 'as******@okbank' });
    expect(await rail().calls(row.reference)).toBe(1);
    expect((await mandateRow(m.mandateId)).mandateReference).toBe(row.umrn);
    expect(await historyOf(m.mandateId)).toEqual([[null, 'PENDING'], ['PENDING', 'ACTIVE']]);
    expect((await applicationStatus(t, m.gid)).repaymentSetup).toEqual({ state: 'ACTIVE' });
    expect(await t.services.mandates.termsForPage(m.applicationId)).toMatchObject({ state: 'ACTIVE', mandateReference: row.umrn, lastAuthorisation: { method: 'UPI_AUTOPAY', maskedPayer: 'as******@okbank', outcome: 'AUTHORISED' } });

    await appError(t.services.mandates.authorise(m.applicationId, UPI), AppErrorCode.PRECONDITION_FAILED);
    expect(authorise).toHaveBeenCalledTimes(1);
  });

  it('when the borrower gives a bank account in their own name (e-NACH), then the penny-drop matches and the mandate is ACTIVE', async () => {
    const m = await pendingMandate();
    const verify = jest.spyOn(rail(), 'verifyAccount');
    const result = await t.services.mandates.authorise(m.applicationId, { method: 'ENACH', accountNumber: '5010 0012 3456 78', ifsc: 'hdfc0001234' });
    expect(result).toMatchObject({ outcome: 'AUTHORISED', state: 'ACTIVE', method: 'ENACH', maskedPayer: 'XXXXXXXXXX5678' });
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0][0]).toMatchObject({ accountNumber: '50100012345678', ifsc: 'HDFC0001234' });
    expect(await verify.mock.results[0].value).toEqual({ outcome: 'FOUND', nameAtBank: 'ASHA RAO' });
    expect((await applicationStatus(t, m.gid)).repaymentSetup.state).toBe('ACTIVE');
  });

  it('when the account is held in another name (penny-drop mismatch), then ACCOUNT_NAME_MISMATCH, no authorisation is sent or recorded and the mandate stays PENDING', async () => {
    const m = await pendingMandate();
    const authorise = jest.spyOn(rail(), 'authorise');
    const error = await appError(t.services.mandates.authorise(m.applicationId, { ...ENACH, accountNumber: '50100012340000' }), AppErrorCode.ACCOUNT_NAME_MISMATCH);
    expect(error.fields).toEqual(['accountNumber']);
    expect(error.message).not.toMatch(/RAHUL|ASHA/i);
    expect(authorise).not.toHaveBeenCalled();
    expect(await authorisationsOf(m.mandateId)).toEqual([]);
    expect(await historyOf(m.mandateId)).toEqual([[null, 'PENDING']]);
    expect((await applicationStatus(t, m.gid)).repaymentSetup.state).toBe('PENDING');

    // The bank has no such account: the account number is refused, nothing recorded either.
    await appError(t.services.mandates.authorise(m.applicationId, { ...ENACH, accountNumber: '50100012344040' }), AppErrorCode.INVALID_FIELD_VALUE);
    expect(await authorisationsOf(m.mandateId)).toEqual([]);
  });

  it('when the rail declines, then the mandate is FAILED with the reason, and the borrower may try again on the page (FAILED → PENDING → ACTIVE)', async () => {
    const m = await pendingMandate();
    const declined = await t.services.mandates.authorise(m.applicationId, { method: 'UPI_AUTOPAY', vpa: 'asha.rao@fail' });
    expect(declined).toEqual({ outcome: 'DECLINED', state: 'FAILED', reason: 'The payer declined the mandate in the UPI app', method: 'UPI_AUTOPAY', maskedPayer: 'as******@fail' });
    expect((await applicationStatus(t, m.gid)).repaymentSetup.state).toBe('FAILED');
    expect((await mandateRow(m.mandateId)).failureReason).toBe('The payer declined the mandate in the UPI app');
    expect(await t.services.mandates.termsForPage(m.applicationId)).toMatchObject({ state: 'FAILED', failureReason: expect.any(String), lastAuthorisation: { outcome: 'DECLINED' } });

    const retried = await t.services.mandates.authorise(m.applicationId, ENACH);
    expect(retried).toMatchObject({ outcome: 'AUTHORISED', state: 'ACTIVE' });
    expect(await historyOf(m.mandateId)).toEqual([[null, 'PENDING'], ['PENDING', 'FAILED'], ['FAILED', 'PENDING'], ['PENDING', 'ACTIVE']]);
    const rows = await authorisationsOf(m.mandateId);
    expect(rows.map((row) => [row.method, row.outcome])).toEqual([['UPI_AUTOPAY', 'DECLINED'], ['ENACH', 'AUTHORISED']]);
    expect(new Set(rows.map((row) => row.reference)).size).toBe(2);
    expect((await mandateRow(m.mandateId)).failureReason).toBeNull();
  });

  it('when the partner initiates again after a decline, then the mandate is PENDING and the page can authorise it', async () => {
    const m = await pendingMandate();
    await t.services.mandates.authorise(m.applicationId, { ...ENACH, accountNumber: '50100012349005' });
    expect((await applicationStatus(t, m.gid)).repaymentSetup.state).toBe('FAILED');
    await t.call(PATHS.initiateRepaymentSetup, { googleApplicationId: m.gid }).expect(200);
    expect((await applicationStatus(t, m.gid)).repaymentSetup.state).toBe('PENDING');
    expect(await t.services.mandates.authorise(m.applicationId, UPI)).toMatchObject({ outcome: 'AUTHORISED', state: 'ACTIVE' });
  });

  it.each<[string, MandatePayerInput, string]>([
    ['a VPA without a handle', { method: 'UPI_AUTOPAY', vpa: 'asha.rao' }, 'vpa'],
    ['a VPA with two @', { method: 'UPI_AUTOPAY', vpa: 'asha@rao@okbank' }, 'vpa'],
    ['an IFSC without the 0', { ...ENACH, ifsc: 'HDFC1001234' } as MandatePayerInput, 'ifsc'],
    ['an IFSC too short', { ...ENACH, ifsc: 'HDFC000123' } as MandatePayerInput, 'ifsc'],
    ['an account number of 8 digits', { ...ENACH, accountNumber: '12345678' } as MandatePayerInput, 'accountNumber'],
    ['an account number of 19 digits', { ...ENACH, accountNumber: '1234567890123456789' } as MandatePayerInput, 'accountNumber'],
    ['an account number with letters', { ...ENACH, accountNumber: '5010001234567A' } as MandatePayerInput, 'accountNumber'],
    ['another method', { method: 'NETBANKING', vpa: 'asha.rao@okbank' } as unknown as MandatePayerInput, 'mandateMethod'],
  ])('when the page sends %s, then INVALID_FIELD_VALUE names the field before the rail is asked anything', async (_what, input, field) => {
    const m = await pendingMandate();
    const calls = [jest.spyOn(rail(), 'verifyAccount'), jest.spyOn(rail(), 'authorise'), jest.spyOn(rail(), 'status')];
    const error = await appError(t.services.mandates.authorise(m.applicationId, input), AppErrorCode.INVALID_FIELD_VALUE);
    expect(error.fields).toEqual([field]);
    for (const call of calls) expect(call).not.toHaveBeenCalled();
    expect(await authorisationsOf(m.mandateId)).toEqual([]);
  });

  it('when the rail\'s answer is lost, then the retry asks its status and never authorises twice', async () => {
    const m = await pendingMandate();
    const authorise = jest.spyOn(rail(), 'authorise');
    const real = authorise.getMockImplementation() ?? Object.getPrototypeOf(rail()).authorise;
    authorise.mockImplementationOnce(async (order) => {
      await real.call(rail(), order);
      throw new Error('socket hang up');
    });
    await expect(t.services.mandates.authorise(m.applicationId, UPI)).rejects.toThrow('socket hang up');
    const [taken] = await authorisationsOf(m.mandateId);
    expect(taken).toMatchObject({ outcome: null, railCalls: 1 });
    expect((await applicationStatus(t, m.gid)).repaymentSetup.state).toBe('PENDING');

    const status = jest.spyOn(rail(), 'status');
    const result = await t.services.mandates.authorise(m.applicationId, UPI);
    expect(result).toMatchObject({ outcome: 'AUTHORISED', state: 'ACTIVE' });
    expect(status).toHaveBeenCalledWith(taken.reference);
    expect(authorise).toHaveBeenCalledTimes(1);
    expect(await rail().calls(taken.reference)).toBe(1);
    expect(await authorisationsOf(m.mandateId)).toHaveLength(1);
    expect((await mandateRow(m.mandateId)).mandateReference).toBe((await authorisationsOf(m.mandateId))[0].umrn);
  });

  it('when the rail never took the authorisation (the process died before the call), then it is not sent again while it may be in flight, and after that with the same reference', async () => {
    const m = await pendingMandate();
    const authorise = jest.spyOn(rail(), 'authorise').mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
    await expect(t.services.mandates.authorise(m.applicationId, UPI)).rejects.toThrow('ECONNREFUSED');
    const [taken] = await authorisationsOf(m.mandateId);

    await appError(t.services.mandates.authorise(m.applicationId, UPI), AppErrorCode.CONCURRENT_MODIFICATION);
    expect(authorise).toHaveBeenCalledTimes(1);
    expect((await applicationStatus(t, m.gid)).repaymentSetup.state).toBe('PENDING');

    t.clock.advance(MANDATE_RESEND_AFTER_MS);
    expect(await t.services.mandates.authorise(m.applicationId, UPI)).toMatchObject({ outcome: 'AUTHORISED', state: 'ACTIVE' });
    expect(authorise).toHaveBeenCalledTimes(2);
    expect(authorise.mock.calls[1][0].reference).toBe(taken.reference);
    expect(await rail().calls(taken.reference)).toBe(1);
    expect((await authorisationsOf(m.mandateId))[0]).toMatchObject({ railCalls: 2, outcome: 'AUTHORISED' });
  });

  it('when another payer is given while an authorisation awaits the rail, then it is refused until that one is answered', async () => {
    const m = await pendingMandate();
    jest.spyOn(rail(), 'authorise').mockRejectedValueOnce(new Error('timeout'));
    await expect(t.services.mandates.authorise(m.applicationId, UPI)).rejects.toThrow('timeout');
    await appError(t.services.mandates.authorise(m.applicationId, ENACH), AppErrorCode.CONCURRENT_MODIFICATION);
    expect(await authorisationsOf(m.mandateId)).toHaveLength(1);
  });

  it('when two requests authorise at once, then one is refused CONCURRENT_MODIFICATION or both see the one authorisation', async () => {
    const m = await pendingMandate();
    const results = await Promise.allSettled([t.services.mandates.authorise(m.applicationId, UPI), t.services.mandates.authorise(m.applicationId, UPI)]);
    for (const result of results) {
      if (result.status === 'rejected') expect([AppErrorCode.CONCURRENT_MODIFICATION, AppErrorCode.PRECONDITION_FAILED]).toContain((result.reason as AppError).code);
    }
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    expect(await authorisationsOf(m.mandateId)).toHaveLength(1);
    expect((await applicationStatus(t, m.gid)).repaymentSetup.state).toBe('ACTIVE');
  });
});

describe('the sandbox completion', () => {
  it('when the sandbox completes the mandate, then it goes through the rail and the UMRN is the rail\'s', async () => {
    const m = await pendingMandate();
    await t.http().post(`/sandbox/applications/${m.gid}/repayment-setup/complete`).send({}).expect(200);
    await eventually(() => applicationStatus(t, m.gid), (s) => s.repaymentSetup.state === 'ACTIVE');
    const [row] = await authorisationsOf(m.mandateId);
    expect(row).toMatchObject({ method: 'UPI_AUTOPAY', outcome: 'AUTHORISED', umrn: expect.stringMatching(/^SBOX[0-9]{16}$/) });
    expect((await mandateRow(m.mandateId)).mandateReference).toBe(row.umrn);
    expect(await rail().calls(row.reference)).toBe(1);
  });
});

describe('at rest', () => {
  it('when mandates were authorised with a UPI address and a bank account, then no column of any table holds either in clear', async () => {
    const vpa = 'priya.unique42@okhdfc';
    const accountNumber = '918273645500123';
    const upi = await pendingMandate();
    await t.services.mandates.authorise(upi.applicationId, { method: 'UPI_AUTOPAY', vpa });
    const enach = await pendingMandate();
    await t.services.mandates.authorise(enach.applicationId, { method: 'ENACH', accountNumber, ifsc: 'HDFC0001234' });
    expect((await authorisationsOf(enach.mandateId))[0].maskedPayer).toBe('XXXXXXXXXXX0123');

    const needles = [vpa.toLowerCase(), accountNumber, 'priya.unique42'];
    const found = [...(await everyColumn(t.services.config.databaseUrl))]
      .filter(([, values]) => values.some((v) => needles.some((needle) => v.toLowerCase().includes(needle))))
      .map(([column]) => column);
    expect(found).toEqual([]);
  });
});
