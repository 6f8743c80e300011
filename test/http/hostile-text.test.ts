import { TestApp, startTestApp } from '../support/test-app';
import { PATHS, approveUserData, challenge, newApplicationId, newPhone, readyToSubmit, submitData } from '../support/journey';
import { expectError } from '../support/expect-error';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const HOSTILE = { NUL: 'a\u0000b', 'a lone surrogate': 'a\ud800b', 'a lone low surrogate': '\udc00', 'an escape character': 'a\u001bb', DEL: 'a\u007fb' };

function expectIllFormed(res: Awaited<ReturnType<TestApp['call']>>, field: string) {
  expectError(res, 400, 'INVALID_FIELD_VALUE', 'ILL_FORMED_TEXT');
  expect(res.body.errorResponse.fieldViolations).toEqual([field]);
}

async function storedSubmissions(): Promise<number> {
  const [{ n }] = await t.services.db.query<{ n: bigint }>('SELECT count(*) AS n FROM loan_submission');
  return Number(n);
}

describe('ill-formed text is refused at the edge with a 400, never a 500, and never stored', () => {
  it.each(Object.entries(HOSTILE))('when submit carries %s in offerId, a consent version or the e-mail, then each is 400 naming the field and nothing is submitted', async (_name, text) => {
    const ready = await readyToSubmit(t);
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    const data = () => submitData(ready.gid, ready.offerId, ready.phone, proof, { amountRupees: 100_000, tenureMonths: 12, rateE5: ready.rateE5, kfsId: ready.kfsId });
    const before = await storedSubmissions();

    expectIllFormed(await t.call(PATHS.submit, { ...data(), offerId: text }), 'data.offerId');
    const consents = data();
    consents.tncAcceptanceMetadata[1].version = text;
    expectIllFormed(await t.call(PATHS.submit, consents), 'data.tncAcceptanceMetadata[1].version');
    const email = data();
    email.user.emailAddress = `asha${text}@example.com`;
    expectIllFormed(await t.call(PATHS.submit, email), 'data.user.emailAddress');
    expect(await storedSubmissions()).toBe(before);

    // The same signed request, well formed, still goes through.
    expect((await t.call(PATHS.submit, data())).status).toBe(200);
  });

  it.each(Object.entries(HOSTILE))('when %s is in accountToken, tokenReferenceId or a member name, then it is 400 naming where', async (_name, text) => {
    expectIllFormed(await t.call(PATHS.getAccount, { accountToken: text }), 'data.accountToken');
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const body = approveUserData(newApplicationId(), phone, { ...proof, tokenReferenceId: `otp_${text}` });
    expectIllFormed(await t.call(PATHS.approveUser, body), 'data.challenge.tokenReferenceId');
    expectIllFormed(await t.call(PATHS.getStatus, { googleApplicationId: 'GAPP-1', [`x${text}`]: 1 }), 'data');
  });

  it('when text is well formed (an emoji as a surrogate pair, Devanagari, tab and newline), then it is accepted', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    const body = approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext'));
    body.user.fullName = 'आशा राव 🙂\tRao\nJr';
    expect((await t.call(PATHS.approveUser, body)).status).toBe(200);
    expect((await t.call(PATHS.getStatus, { googleApplicationId: gid })).status).toBe(200);
  });

  it('when a sandbox path or query holds NUL or an undecodable escape, then it is a plain 400, not a 500', async () => {
    const nul = await t.http().get('/sandbox/sms-outbox?phone=91%00');
    expect({ status: nul.status, code: nul.body.error?.code, fields: nul.body.error?.fields }).toEqual({ status: 400, code: 'ILL_FORMED_TEXT', fields: ['query.phone'] });
    // An encoded surrogate is invalid UTF-8: the query parser makes it U+FFFD, which the phone pattern refuses.
    const surrogate = await t.http().get('/sandbox/sms-outbox?phone=%ED%A0%80');
    expect({ status: surrogate.status, code: surrogate.body.error?.code }).toEqual({ status: 400, code: 'INVALID_FIELD_VALUE' });
    const res = await t.http().post('/sandbox/applications/GAPP%00X/kyc/complete').set('content-type', 'application/json').send('{}');
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'ILL_FORMED_TEXT' });
    const bad = await t.http().post('/sandbox/applications/%E0%A4/kyc/complete').set('content-type', 'application/json').send('{}');
    expect({ status: bad.status, code: bad.body.error?.code }).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
  });
});

describe('deep nesting is refused at the edge with a 400, never a stack overflow', () => {
  const header = () => ({ requestId: `deep-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, requestTimestamp: { epochMillis: String(t.clock.now().getTime()) }, protocolVersion: { major: 1 } });
  const nested = (depth: number, opener: string, closer: string) => `${opener.repeat(depth)}1${closer.repeat(depth)}`;

  it.each([
    ['10,000 arrays in a typed member (an int64 union)', (deep: string) => `{"requestHeader":{"requestId":"r-1","requestTimestamp":{"epochMillis":${deep}},"protocolVersion":{"major":1}},"data":{"googleApplicationId":"GAPP-1"}}`, nested(10_000, '[', ']')],
    ['10,000 objects in an unknown member', (deep: string) => `{"requestHeader":${JSON.stringify(header())},"data":{"googleApplicationId":"GAPP-1","extra":${deep}}}`, nested(10_000, '{"a":', '}')],
    ['30,000 arrays as the whole body', (deep: string) => deep, nested(30_000, '[', ']')],
  ])('when a partner-API body carries %s, then it is 400 MALFORMED_REQUEST', async (_label, body, deep) => {
    const res = await t.http().post(PATHS.getStatus).set('content-type', 'application/json').send(body(deep));
    expectError(res, 400, 'INVALID_FIELD_VALUE', 'MALFORMED_REQUEST');
    expect(res.body.errorResponse.errorDescription).toMatch(/deeper than 32 levels/);
  });

  it('when a sandbox body nests 10,000 levels deep, then it is a plain 400 MALFORMED_REQUEST', async () => {
    const res = await t.http().post('/sandbox/applications/GAPP-1/kyc/complete').set('content-type', 'application/json').send(`{"outcome":"APPROVED","x":${nested(10_000, '[', ']')}}`);
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'MALFORMED_REQUEST' });
  });

  it('when a body nests 32 levels in an unknown member, then it is still served', async () => {
    const res = await t.http().post(PATHS.getStatus).set('content-type', 'application/json').send(`{"requestHeader":${JSON.stringify(header())},"data":{"googleApplicationId":"GAPP-1","extra":${nested(29, '[', ']')}}}`);
    expectError(res, 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
  });
});
