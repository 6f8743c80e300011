import { Writable } from 'node:stream';
import { TestApp, eventually, newRequestId, startTestApp } from '../support/test-app';
import { everyColumn } from '../support/databases';
import { PATHS, applicationStatus, approvalStatus, approveUserData, challenge, newApplicationId, newPhone, panWith, submitData } from '../support/journey';

const logLines: string[] = [];
let t: TestApp;
beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  t = await startTestApp({ env: { LOG_LEVEL: 'trace' }, logDestination: sink });
});
afterAll(() => t.stop());

/** Every plaintext secret of the journey, by what it is: sent in by the partner or handed out by the server. */
class Secrets {
  readonly all = new Map<string, string>();

  add(what: string, value: string | undefined): void {
    if (typeof value !== 'string' || value.length < 5) throw new Error(`${what} is missing or too short to scan for: ${JSON.stringify(value)}`);
    this.all.set(value, what);
  }

  /** A date of birth in every form it could be written: the wire's YYYY-MM-DD and the usual Indian and compact forms. */
  addDate(what: string, isoDate: string): void {
    const [y, m, d] = isoDate.split('-');
    for (const form of [isoDate, `${d}-${m}-${y}`, `${d}/${m}/${y}`, `${y}${m}${d}`, `${d}${m}${y}`]) this.add(`${what} (${form})`, form);
  }

  /** Every token a response hands out, wherever it sits in the body. */
  addTokensOf(body: unknown): void {
    if (Array.isArray(body)) return body.forEach((item) => this.addTokensOf(item));
    if (!body || typeof body !== 'object') return;
    for (const [key, value] of Object.entries(body)) {
      if (['urlToken', 'authCode', 'authToken', 'accountToken', 'cKycId'].includes(key)) this.add(key, value as string);
      else this.addTokensOf(value);
    }
  }

  in(text: string): string[] {
    return [...this.all].filter(([value]) => text.includes(value)).map(([, what]) => what);
  }
}

describe('no secrets at rest', () => {
  it('when a whole journey has run, then no column of any table and no log line holds a PAN, phone, date of birth, CKYC name or id, or a token handed out', async () => {
    const secrets = new Secrets();
    const phone = newPhone();
    const pan = panWith('1234');
    const dateOfBirth = '1987-03-29';
    const gid = newApplicationId();
    secrets.add('PAN', pan);
    secrets.add('PAN (lower case)', pan.toLowerCase());
    secrets.add('phone (national number)', phone.nationalNumber);
    secrets.add('phone (MSISDN)', `${phone.countryCode}${phone.nationalNumber}`);
    secrets.addDate('date of birth', dateOfBirth);
    const remember = <T extends { status: number; body: unknown; text: string }>(what: string, res: T): T => {
      if (res.status !== 200) throw new Error(`${what} answered ${res.status}: ${res.text}`);
      secrets.addTokensOf(res.body);
      return res;
    };

    // CKYC: a consented search, then the record with names, parents, date of birth and address.
    const consent = [{ type: 'CKYC_DATA_FETCH', version: 'ckyc-v1', acceptance: true }];
    const search = remember('searchCKycRecord', await t.call(PATHS.searchCkyc, { googleApplicationId: gid, pan, dateOfBirth, tncAcceptanceMetadata: consent }));
    const cKycId: string = search.body.data.cKycId;
    const record = (await t.call(PATHS.downloadCkyc, { googleApplicationId: gid, cKycId }).expect(200)).body.data.user;
    for (const person of [record.name, record.father, record.mother]) {
      secrets.add('CKYC full name', person.fullName);
      secrets.add('CKYC first name', person.firstName);
      if (person.middleName) secrets.add('CKYC middle name', person.middleName);
    }
    secrets.add('CKYC e-mail', record.email);
    secrets.add('CKYC address', record.addresses[0].addressLine1);
    expect(record.dateOfBirth).toBe(dateOfBirth);

    // The application, with the CKYC id, decided by the worker.
    const approval = { ...approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext'), { pan, dateOfBirth }), cKycId };
    secrets.add('applicant name', approval.user.fullName);
    secrets.add('applicant e-mail', approval.user.emailAddress);
    remember('approveUser', await t.call(PATHS.approveUser, approval));
    const decision = await eventually(() => approvalStatus(t, gid), (d) => d.applicationState !== 'IN_PROCESS');
    const offerId: string = decision.approvedStateContext.offerId;

    // KYC: the link token and an auth token for the bank's page; a retried getAuthToken replays the same token.
    remember('kyc/initiate', await t.call(PATHS.initiateKyc, { googleApplicationId: gid, offerId }));
    const authTokenRequest = newRequestId();
    const kycToken = remember('getAuthToken', await t.call(PATHS.getAuthToken, { googleApplicationId: gid, authTokenContext: { type: 'KYC' } }, { requestId: authTokenRequest }));
    const replayed = await t.call(PATHS.getAuthToken, { googleApplicationId: gid, authTokenContext: { type: 'KYC' } }, { requestId: authTokenRequest });
    expect(replayed.text).toBe(kycToken.text);
    await t.http().post(`/sandbox/applications/${gid}/kyc/complete`).send({ outcome: 'APPROVED' }).expect(200);
    await eventually(() => applicationStatus(t, gid), (s) => s.kyc.state === 'APPROVED');

    // The e-mandate: link token, auth code and an auth token.
    remember('initiateRepaymentSetup', await t.call(PATHS.initiateRepaymentSetup, { googleApplicationId: gid }));
    remember('getAuthToken', await t.call(PATHS.getAuthToken, { googleApplicationId: gid, authTokenContext: { type: 'REPAYMENT_SETUP' } }));
    await t.http().post(`/sandbox/applications/${gid}/repayment-setup/complete`).send({ outcome: 'APPROVED' }).expect(200);
    await eventually(() => applicationStatus(t, gid), (s) => s.repaymentSetup.state === 'ACTIVE');

    // Submit, disbursement, the account token and the account.
    const offer = (await t.call(PATHS.fetchOffer, { offerId }).expect(200)).body.data.offer;
    const rateE5 = Number(offer.termCreditOfferDetails.interestStructure.fixed.interestCharge.percentageValueE5);
    const kfs = remember('keyFactStatement', await t.call(PATHS.keyFactStatement, {
      googleApplicationId: gid, offerId, loanApplicationDetails: { loanAmount: { currencyCode: 'INR', amountMicros: '100000000000' }, tenure: { periodType: 'MONTH', length: 12 } },
    }));
    const submitProof = await challenge(t, phone, 'submitApplicationContext');
    remember('submit', await t.call(PATHS.submit, submitData(gid, offerId, phone, submitProof, { amountRupees: 100_000, tenureMonths: 12, rateE5, kfsId: kfs.body.data.kfsId })));
    const status = await eventually(() => applicationStatus(t, gid), (s) => s.applicationState === 'DISBURSED');
    secrets.addTokensOf(status);
    const account = remember('account/get', await t.call(PATHS.getAccount, { accountToken: status.accountToken }));
    expect(account.body.data.accountSpec.accountToken).toBe(status.accountToken);

    const kinds = new Set(secrets.all.values());
    for (const kind of ['cKycId', 'urlToken', 'authCode', 'authToken', 'accountToken']) expect(kinds).toContain(kind);

    const leaks: string[] = [];
    for (const [column, values] of await everyColumn(t.services.config.databaseUrl)) {
      const found = new Set(values.flatMap((value) => secrets.in(value)));
      if (found.size) leaks.push(`${column}: ${[...found].join(', ')}`);
    }
    expect(logLines.length).toBeGreaterThan(0);
    logLines.forEach((line, i) => {
      const found = secrets.in(line);
      if (found.length) leaks.push(`log line ${i + 1}: ${found.join(', ')}`);
    });
    expect(leaks).toEqual([]);
  });
});
