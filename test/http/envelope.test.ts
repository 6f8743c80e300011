import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Sealer } from '../../src/lib/crypto';
import { TestApp, newRequestId, startTestApp } from '../support/test-app';
import { PATHS, Phone, applyAndDecide, approveUserData, challenge, inr, newApplicationId, newPhone, readyToSubmit, submitData } from '../support/journey';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

type Res = request.Response;
type EndpointName = keyof typeof PATHS;

const ENDPOINTS = Object.entries(PATHS) as Array<[EndpointName, string]>;
const url = (path: string) => `${t.services.config.basePath}${path}`;
const header = (overrides: Record<string, unknown> = {}) => ({
  requestId: newRequestId(),
  requestTimestamp: { epochMillis: String(t.clock.now().getTime()) },
  protocolVersion: { major: 1 },
  ...overrides,
});
/** POSTs a body exactly as given (an object is serialised by supertest, a string is sent byte for byte). */
const post = (path: string, body?: string | object) => {
  const req = t.http().post(url(path)).set('content-type', 'application/json');
  return body === undefined ? req : req.send(body);
};
const fakeProof = { tokenReferenceId: 'otp_unknown_token', otp: '123456' };

/** Syntactically valid data for every endpoint; the identifiers in it are unknown to the server. */
function validData(name: EndpointName): Record<string, unknown> {
  const gid = newApplicationId();
  const phone = newPhone();
  switch (name) {
    case 'initiateChallenge':
      return { userIdentifier: { phoneNumber: phone }, challengeMechanism: [{ type: 'SMS_OTP' }], challengeContext: { userApprovalContext: {} } };
    case 'approveUser':
      return approveUserData(gid, phone, fakeProof);
    case 'getApprovalStatus':
    case 'initiateRepaymentSetup':
    case 'getStatus':
      return { googleApplicationId: gid };
    case 'fetchOffer':
      return { offerId: 'offer-unknown' };
    case 'initiateKyc':
      return { googleApplicationId: gid, offerId: 'offer-unknown' };
    case 'keyFactStatement':
      return { googleApplicationId: gid, offerId: 'offer-unknown', loanApplicationDetails: { loanAmount: { currencyCode: 'INR', amountMicros: '100000000000' }, tenure: { periodType: 'MONTH', length: 12 } } };
    case 'searchCkyc':
      return { googleApplicationId: gid, pan: 'ABCDE1234F', dateOfBirth: '1990-05-15', tncAcceptanceMetadata: [{ type: 'CKYC_DATA_FETCH', acceptance: true }] };
    case 'downloadCkyc':
      return { googleApplicationId: gid, cKycId: '12345678901234' };
    case 'getAuthToken':
      return { googleApplicationId: gid, authTokenContext: { type: 'KYC' } };
    case 'submit':
      return {
        googleApplicationId: gid,
        offerId: 'offer-unknown',
        productId: 'PERSONAL_LOAN',
        userIdentifier: { phoneNumber: phone },
        challenge: { tokenReferenceId: fakeProof.tokenReferenceId, tokens: [{ type: 'SMS_OTP', value: fakeProof.otp }] },
        tncAcceptanceMetadata: [{ type: 'MITC', acceptance: true }, { type: 'USER_DATA_SHARING_CONSENT', acceptance: true }],
        loanApplicationDetails: {
          loanAmount: inr(100_000),
          tenure: { periodType: 'MONTH', length: 12 },
          calculatedEmiAmount: { currencyCode: 'INR', amountMicros: '9073000000' },
        },
      };
    case 'getAccount':
      return { accountToken: 'acct-unknown' };
  }
}

/** The wire error shape, whatever the error: JSON, HTTP status, and nothing but responseHeader + errorResponse. */
function expectWireError(res: Res, status: number, errorResponseCode: string, paymentIntegratorErrorCode?: string) {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { errorResponse: { errorResponseCode } } });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(['errorResponse', 'responseHeader']);
  expect(res.body.responseHeader).toEqual({ requestId: expect.any(String), responseTimestamp: { epochMillis: expect.stringMatching(/^[0-9]{13}$/) } });
  const error = res.body.errorResponse;
  expect(typeof error.errorDescription).toBe('string');
  expect(error.errorDescription.length).toBeGreaterThan(0);
  expect(typeof error.paymentIntegratorErrorCode).toBe('string');
  if (paymentIntegratorErrorCode) expect(error.paymentIntegratorErrorCode).toBe(paymentIntegratorErrorCode);
  if (error.fieldViolations !== undefined) {
    expect(Array.isArray(error.fieldViolations)).toBe(true);
    expect(error.fieldViolations.length).toBeGreaterThan(0);
    for (const field of error.fieldViolations) expect(typeof field).toBe('string');
  }
}

/**
 * fieldViolations as paths from the body's root. The exact spelling of the root (`data.x` and not `body.data.x`)
 * is asserted once, in "field paths"; the other tests check which field is named.
 */
const violations = (res: Res): string[] => (res.body.errorResponse?.fieldViolations ?? []).map((f: string) => f.replace(/^body\./, ''));

/**
 * The error names `path`: either fieldViolations holds the path itself, or (for an unknown member of an inline
 * object) it holds the parent object's path and the description quotes the member.
 */
function expectNamesField(res: Res, path: string) {
  // Array elements may be spelled .0, [0] or .$0.
  const fields = violations(res).map((f) => f.replace(/\.\$([0-9]+)/g, '.$1').replace(/\[([0-9]+)\]/g, '.$1'));
  const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : undefined;
  const leaf = path.slice(path.lastIndexOf('.') + 1);
  const named = fields.includes(path) || (parent !== undefined && fields.includes(parent) && res.body.errorResponse.errorDescription.includes(`"${leaf}"`));
  if (!named) throw new Error(`expected the error to name ${path}; got fieldViolations ${JSON.stringify(fields)}: ${res.body.errorResponse?.errorDescription}`);
}

/** Every value under a key called `key`, anywhere in `value`. */
function valuesOf(value: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) value.forEach((v) => valuesOf(v, key, found));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) found.push(v);
      valuesOf(v, key, found);
    }
  }
  return found;
}

/** A string that appears nowhere unless a test put it there: the name and value of an unknown field. */
const newMarker = () => `zzUnknown${randomBytes(6).toString('hex')}`;

/** The tables with a row that contains `text` anywhere (every column, as JSON text). */
async function tablesContaining(text: string): Promise<string[]> {
  const prisma = t.services.db.prisma;
  const tables = await prisma.$queryRaw<Array<{ table_name: string }>>`
    SELECT table_name::text AS table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  const found: string[] = [];
  for (const { table_name: table } of tables) {
    const [{ n }] = await prisma.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM "${table}" t WHERE to_jsonb(t)::text LIKE $1`, `%${text}%`);
    if (n > 0) found.push(table);
  }
  return found;
}

/** The stored (encrypted) applicant of an application, in clear. */
async function applicantOf(gid: string): Promise<string> {
  const application = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid } });
  return new Sealer(t.services.keys.dataKeys).open(application.applicantCiphertext, `applicant:${application.id}`);
}

/** What a request could write (and the asynchronous worker does not): compared before and after a refused call. */
const counts = async () => ({
  applications: await t.services.db.prisma.application.count(),
  idempotencyRecords: await t.services.db.prisma.idempotencyRecord.count(),
  challenges: await t.services.db.prisma.otpChallenge.count(),
  decisionsStaged: await t.services.db.prisma.outboxMessage.count({ where: { topic: 'approval.decide' } }),
});

const initiateData = (phone: Phone = newPhone()) => ({
  userIdentifier: { phoneNumber: phone },
  challengeMechanism: [{ type: 'SMS_OTP' }],
  challengeContext: { userApprovalContext: {} },
});

describe('malformed JSON', () => {
  it.each(ENDPOINTS)('%s: a truncated JSON body is 400 INVALID_FIELD_VALUE / MALFORMED_REQUEST as JSON', async (_name, path) => {
    const res = await post(path, '{"requestHeader":');
    expectWireError(res, 400, 'INVALID_FIELD_VALUE', 'MALFORMED_REQUEST');
    expect(res.body.responseHeader.requestId).toBe('');
  });

  it.each([
    ['plain text', 'not json at all'],
    ['a trailing garbage byte', '{"requestHeader":{},"data":{}}x'],
    ['a bare null', 'null'],
    ['a bare number', '42'],
    ['single quotes', "{'requestHeader':{}}"],
  ])('a body of %s is 400 MALFORMED_REQUEST', async (_label, body) => {
    expectWireError(await post(PATHS.getStatus, body), 400, 'INVALID_FIELD_VALUE', 'MALFORMED_REQUEST');
  });

  it('a JSON array instead of an object is 400 in the error shape', async () => {
    const res = await post(PATHS.getStatus, '[]');
    expectWireError(res, 400, 'INVALID_FIELD_VALUE');
  });

  it('a gzip-encoded body that is not gzip is 400 MALFORMED_REQUEST', async () => {
    const res = await t.http().post(url(PATHS.getStatus)).set('content-type', 'application/json').set('content-encoding', 'gzip').send('garbage');
    expectWireError(res, 400, 'INVALID_FIELD_VALUE', 'MALFORMED_REQUEST');
  });

  it.each([
    ['requestHeader', '{"requestHeader":null,"data":{"googleApplicationId":"x"}}'],
    ['data', () => `{"requestHeader":${JSON.stringify(header())},"data":null}`],
  ])('a null %s is 400 in the error shape naming it', async (field, body) => {
    const res = await post(PATHS.getStatus, typeof body === 'function' ? body() : body);
    expect(res.status).toBe(400);
    expectWireError(res, 400, res.body.errorResponse?.errorResponseCode === 'MISSING_REQUIRED_FIELD' ? 'MISSING_REQUIRED_FIELD' : 'INVALID_FIELD_VALUE');
    expectNamesField(res, field);
  });

  it('a body in an unsupported charset is 400 MALFORMED_REQUEST, not 415 or 500', async () => {
    const res = await t.http().post(url(PATHS.getStatus)).set('content-type', 'application/json; charset=latin1').send(JSON.stringify({ requestHeader: header(), data: { googleApplicationId: 'x' } }));
    expectWireError(res, 400, 'INVALID_FIELD_VALUE', 'MALFORMED_REQUEST');
  });
});

describe('incomplete envelopes', () => {
  it.each(ENDPOINTS)('%s: an empty body is 400 MISSING_REQUIRED_FIELD naming requestHeader and data', async (_name, path) => {
    const res = await post(path);
    expectWireError(res, 400, 'MISSING_REQUIRED_FIELD', 'MISSING_REQUIRED_FIELD');
    expect(violations(res).sort()).toEqual(['data', 'requestHeader']);
  });

  it.each(ENDPOINTS)('%s: {} is 400 MISSING_REQUIRED_FIELD naming requestHeader and data', async (_name, path) => {
    const res = await post(path, {});
    expectWireError(res, 400, 'MISSING_REQUIRED_FIELD', 'MISSING_REQUIRED_FIELD');
    expect(violations(res).sort()).toEqual(['data', 'requestHeader']);
  });

  it.each(ENDPOINTS)('%s: a body without data is 400 MISSING_REQUIRED_FIELD naming data', async (_name, path) => {
    const requestHeader = header();
    const res = await post(path, { requestHeader });
    expectWireError(res, 400, 'MISSING_REQUIRED_FIELD', 'MISSING_REQUIRED_FIELD');
    expect(violations(res)).toEqual(['data']);
    expect(res.body.responseHeader.requestId).toBe(requestHeader.requestId);
  });

  it.each(ENDPOINTS)('%s: a body without requestHeader is 400 MISSING_REQUIRED_FIELD naming requestHeader', async (name, path) => {
    const res = await post(path, { data: validData(name) });
    expectWireError(res, 400, 'MISSING_REQUIRED_FIELD', 'MISSING_REQUIRED_FIELD');
    expect(violations(res)).toEqual(['requestHeader']);
  });

  it.each(ENDPOINTS)('%s: data {} is 400 MISSING_REQUIRED_FIELD naming the missing data fields', async (_name, path) => {
    const res = await t.call(path, {});
    expectWireError(res, 400, 'MISSING_REQUIRED_FIELD', 'MISSING_REQUIRED_FIELD');
    expect(violations(res).length).toBeGreaterThan(0);
    for (const field of violations(res)) expect(field).toMatch(/^data\.[A-Za-z]+$/);
  });

  it.each([
    ['requestId', (h: Record<string, unknown>) => ({ ...h, requestId: undefined })],
    ['requestTimestamp', (h: Record<string, unknown>) => ({ ...h, requestTimestamp: undefined })],
    ['protocolVersion', (h: Record<string, unknown>) => ({ ...h, protocolVersion: undefined })],
  ])('a requestHeader without %s is 400 MISSING_REQUIRED_FIELD naming it', async (field, strip) => {
    const res = await post(PATHS.getStatus, { requestHeader: strip(header()), data: { googleApplicationId: newApplicationId() } });
    expectWireError(res, 400, 'MISSING_REQUIRED_FIELD');
    expect(violations(res)).toEqual([`requestHeader.${field}`]);
  });
});

describe('unknown fields are dropped', () => {
  /** What a caller can tell two answers apart by, leaving out the per-call requestId and timestamps. */
  const outcome = (res: Res) => ({
    status: res.status,
    errorResponseCode: res.body.errorResponse?.errorResponseCode,
    paymentIntegratorErrorCode: res.body.errorResponse?.paymentIntegratorErrorCode,
    fieldViolations: res.body.errorResponse?.fieldViolations,
    dataKeys: res.body.data ? Object.keys(res.body.data).sort() : undefined,
  });

  /** Sends `data` twice, without and with the unknown member, and expects the same answer; the member is stored nowhere. */
  async function expectAnsweredAsWithout(path: string, send: (marker: string) => Promise<Res>, plain: () => Promise<Res>) {
    const marker = newMarker();
    const without = await plain();
    const withUnknown = await send(marker);
    expect(outcome(withUnknown)).toEqual(outcome(without));
    expect(withUnknown.text).not.toContain(marker);
    expect({ path, tables: await tablesContaining(marker) }).toEqual({ path, tables: [] });
  }

  it.each(ENDPOINTS)('%s: when the body has an unknown top-level field, then it is answered as without it and stored nowhere', async (name, path) => {
    const data = validData(name);
    await expectAnsweredAsWithout(
      path,
      (marker) => post(path, { requestHeader: header(), data, [marker]: marker }),
      () => post(path, { requestHeader: header(), data }),
    );
  });

  it.each(ENDPOINTS)('%s: when requestHeader has an unknown field, then it is answered as without it and stored nowhere', async (name, path) => {
    const data = validData(name);
    await expectAnsweredAsWithout(
      path,
      (marker) => post(path, { requestHeader: header({ [marker]: marker }), data }),
      () => post(path, { requestHeader: header(), data }),
    );
  });

  it.each(ENDPOINTS)('%s: when data has an unknown field, then it is answered as without it and stored nowhere', async (name, path) => {
    const data = validData(name);
    await expectAnsweredAsWithout(
      path,
      (marker) => t.call(path, { ...data, [marker]: marker }),
      () => t.call(path, data),
    );
  });

  it('when approveUser carries data.user.isAdmin, then the application is created as without it, the field is stored nowhere, and a retry without it replays the same answer', async () => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const gid = newApplicationId();
    const good = approveUserData(gid, phone, proof);
    const marker = newMarker();
    const requestId = newRequestId();

    const res = await t.call(PATHS.approveUser, { ...good, user: { ...good.user, isAdmin: marker } }, { requestId });
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200, body: { data: { applicationState: 'IN_PROCESS' } } });
    expect(await t.services.db.prisma.application.count({ where: { externalReference: gid } })).toBe(1);
    const otp = await t.services.db.prisma.otpChallenge.findUniqueOrThrow({ where: { id: proof.tokenReferenceId } });
    expect({ attempts: otp.attempts, consumed: otp.consumedAt !== null }).toEqual({ attempts: 1, consumed: true });
    expect(await tablesContaining(marker)).toEqual([]);
    const applicant = await applicantOf(gid);
    expect(applicant).not.toContain(marker);
    expect(applicant).not.toContain('isAdmin');

    // The field was dropped before the request was fingerprinted: the same request without it is a replay, not a conflict.
    const retry = await t.call(PATHS.approveUser, good, { requestId });
    expect(retry.status).toBe(200);
    expect(retry.text).toBe(res.text);
    expect(await t.services.db.prisma.application.count({ where: { externalReference: gid } })).toBe(1);
  });

  it.each([
    ['data.loanDetails.amount.fxRate', (d: ReturnType<typeof approveUserData>, m: string) => ({ ...d, loanDetails: { ...d.loanDetails, amount: { ...d.loanDetails.amount, fxRate: m } } })],
    ['data.loanDetails.creditScore', (d: ReturnType<typeof approveUserData>, m: string) => ({ ...d, loanDetails: { ...d.loanDetails, creditScore: m } })],
    ['data.user.addresses.0.verified', (d: ReturnType<typeof approveUserData>, m: string) => ({ ...d, user: { ...d.user, addresses: [{ ...d.user.addresses[0], verified: m }] } })],
    ['data.user.employmentInfo.income.taxFree', (d: ReturnType<typeof approveUserData>, m: string) => ({ ...d, user: { ...d.user, employmentInfo: { ...d.user.employmentInfo, income: { ...d.user.employmentInfo.income, taxFree: m } } } })],
    ['data.userIdentifier.phoneNumber.extension', (d: ReturnType<typeof approveUserData>, m: string) => ({ ...d, userIdentifier: { phoneNumber: { ...d.userIdentifier.phoneNumber, extension: m } } })],
  ])('when approveUser carries the unknown field %s, then the application is created and the field is stored nowhere', async (_path, mutate) => {
    const phone = newPhone();
    const gid = newApplicationId();
    const marker = newMarker();
    const good = approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext'));
    const res = await t.call(PATHS.approveUser, mutate(good, marker));
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200, body: { data: { applicationState: 'IN_PROCESS' } } });
    expect(res.text).not.toContain(marker);
    expect(await t.services.db.prisma.application.count({ where: { externalReference: gid } })).toBe(1);
    expect(await tablesContaining(marker)).toEqual([]);
    expect(await applicantOf(gid)).not.toContain(marker);
  });

  it('when data carries a "__proto__" member, then it is dropped like any unknown field and no object gains its members', async () => {
    // Decided first, so the two polls compared below cannot straddle the credit decision.
    const { gid } = await applyAndDecide(t);
    const marker = newMarker();
    const body = (extra: string) => `{"requestHeader":${JSON.stringify(header())},"data":{"googleApplicationId":"${gid}"${extra}}}`;
    const without = await post(PATHS.getStatus, body(''));
    const res = await post(PATHS.getStatus, body(`,"__proto__":{"isAdmin":true,"${marker}":"${marker}"}`));
    expect(without.status).toBe(200);
    expect({ status: res.status, data: res.body.data }).toEqual({ status: 200, data: without.body.data });
    expect(res.text).not.toContain(marker);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(await tablesContaining(marker)).toEqual([]);
  });

  it('when submit carries data.loanApplicationDetails.status, then the submission is processed as without it and the state is the server\'s own', async () => {
    const ready = await readyToSubmit(t);
    const proof = await challenge(t, ready.phone, 'submitApplicationContext');
    const data = submitData(ready.gid, ready.offerId, ready.phone, proof, { amountRupees: 100_000, tenureMonths: 12, rateE5: ready.rateE5, kfsId: ready.kfsId });
    const marker = newMarker();
    const res = await t.call(PATHS.submit, { ...data, loanApplicationDetails: { ...data.loanApplicationDetails, status: 'DISBURSED', [marker]: marker } });
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200, body: { data: { applicationState: 'SUBMITTED' } } });
    expect(res.text).not.toContain(marker);
    expect(await tablesContaining(marker)).toEqual([]);
  });
});

describe('wrong types and formats', () => {
  const withAmount = (d: ReturnType<typeof approveUserData>, amountMicros: unknown) => ({ ...d, loanDetails: { ...d.loanDetails, amount: { currencyCode: 'INR', amountMicros } } });

  it('amountMicros as 1.5, "12.5", "abc", true or {} is 400 INVALID_FIELD_VALUE naming it, and nothing is written', async () => {
    // A real challenge: if the amount slipped through, the application would be created.
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const good = approveUserData(newApplicationId(), phone, proof);
    const before = await counts();
    for (const amountMicros of [1.5, '12.5', 'abc', '', '1e11', ' 100000000000', true, {}, null]) {
      const res = await t.call(PATHS.approveUser, withAmount(good, amountMicros));
      expectWireError(res, 400, 'INVALID_FIELD_VALUE');
      expectNamesField(res, 'data.loanDetails.amount.amountMicros');
    }
    expect(await counts()).toEqual(before);
    const otp = await t.services.db.prisma.otpChallenge.findUniqueOrThrow({ where: { id: proof.tokenReferenceId } });
    expect(otp.attempts).toBe(0);
  });

  // 9007199254740993 arrives as 9007199254740992 after JSON.parse; 90071992547410000 is exactly representable and
  // whole paise, so only the 2^53 rule can refuse it.
  it.each(['9007199254740993', '90071992547410000'])('amountMicros as the JSON number %s (beyond 2^53) is 400 INVALID_FIELD_VALUE, not silently rounded', async (raw) => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const good = approveUserData(newApplicationId(), phone, proof);
    const body = JSON.stringify({ requestHeader: header(), data: withAmount(good, 'BIG') }).replace('"BIG"', raw);
    expect(body).toContain(`"amountMicros":${raw}}`);
    const before = await counts();
    const res = await post(PATHS.approveUser, body);
    expectWireError(res, 400, 'INVALID_FIELD_VALUE', 'INVALID_FIELD_VALUE');
    expectNamesField(res, 'data.loanDetails.amount.amountMicros');
    expect(await counts()).toEqual(before);
  });

  it('amountMicros as a safe-integer JSON number is accepted and means the same amount', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    const good = approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext'), { amountRupees: 150_000 });
    const data = {
      ...withAmount(good, 150_000_000_000),
      user: { ...good.user, employmentInfo: { ...good.user.employmentInfo, income: { periodType: 'MONTH', value: { currencyCode: 'INR', amountMicros: 50_000_000_000 } } } },
    };
    const res = await t.call(PATHS.approveUser, data);
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200, body: { data: { applicationState: 'IN_PROCESS' } } });
    const stored = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid } });
    expect(stored.requestedAmountMicros).toBe(150_000_000_000n);
  });

  it('amountMicros as a decimal string is accepted', async () => {
    const phone = newPhone();
    const gid = newApplicationId();
    const good = approveUserData(gid, phone, await challenge(t, phone, 'userApprovalContext'), { amountRupees: 120_000 });
    expect(good.loanDetails.amount.amountMicros).toBe('120000000000');
    const res = await t.call(PATHS.approveUser, good);
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200, body: { data: { applicationState: 'IN_PROCESS' } } });
    const stored = await t.services.db.prisma.application.findFirstOrThrow({ where: { externalReference: gid } });
    expect(stored.requestedAmountMicros).toBe(120_000_000_000n);
  });

  it.each([
    ['a lower-case PAN', 'data.user.pan', (d: ReturnType<typeof approveUserData>) => ({ ...d, user: { ...d.user, pan: 'abcde1234f' } })],
    ['a PAN with digits in the wrong place', 'data.user.pan', (d: ReturnType<typeof approveUserData>) => ({ ...d, user: { ...d.user, pan: 'ABCD12345F' } })],
    ['a PAN one character too long', 'data.user.pan', (d: ReturnType<typeof approveUserData>) => ({ ...d, user: { ...d.user, pan: 'ABCDE1234FG' } })],
    ['dateOfBirth 1990-02-30', 'data.user.dateOfBirth', (d: ReturnType<typeof approveUserData>) => ({ ...d, user: { ...d.user, dateOfBirth: '1990-02-30' } })],
    ['dateOfBirth 1990-13-01', 'data.user.dateOfBirth', (d: ReturnType<typeof approveUserData>) => ({ ...d, user: { ...d.user, dateOfBirth: '1990-13-01' } })],
    ['dateOfBirth 15/05/1990', 'data.user.dateOfBirth', (d: ReturnType<typeof approveUserData>) => ({ ...d, user: { ...d.user, dateOfBirth: '15/05/1990' } })],
    ['an unknown loanPurpose', 'data.loanDetails.loanPurpose', (d: ReturnType<typeof approveUserData>) => ({ ...d, loanDetails: { ...d.loanDetails, loanPurpose: 'CASINO' } })],
    ['currencyCode USD', 'data.loanDetails.amount.currencyCode', (d: ReturnType<typeof approveUserData>) => ({ ...d, loanDetails: { ...d.loanDetails, amount: { currencyCode: 'USD', amountMicros: '100000000000' } } })],
    ['googleApplicationId with a slash', 'data.googleApplicationId', (d: ReturnType<typeof approveUserData>) => ({ ...d, googleApplicationId: 'GAPP/1' })],
    ['a phone number with letters', 'data.userIdentifier.phoneNumber.nationalNumber', (d: ReturnType<typeof approveUserData>) => ({ ...d, userIdentifier: { phoneNumber: { countryCode: '91', nationalNumber: '98765abcde' } } })],
    // No coercion: the document's types are the server's (an array of one number was once read as that number).
    ['a latitude as a string', 'data.user.deviceLocation.latitude', (d: ReturnType<typeof approveUserData>) => ({ ...d, user: { ...d.user, deviceLocation: { latitude: '12.9' as unknown as number, longitude: 77.6 } } })],
    ['a latitude as [12.9]', 'data.user.deviceLocation.latitude', (d: ReturnType<typeof approveUserData>) => ({ ...d, user: { ...d.user, deviceLocation: { latitude: [12.9] as unknown as number, longitude: 77.6 } } })],
    ['a single address instead of a list', 'data.user.addresses', (d: ReturnType<typeof approveUserData>) => ({ ...d, user: { ...d.user, addresses: d.user.addresses[0] as unknown as typeof d.user.addresses } })],
  ])('approveUser with %s is 400 INVALID_FIELD_VALUE naming the field, and nothing is written', async (_label, field, mutate) => {
    const phone = newPhone();
    const proof = await challenge(t, phone, 'userApprovalContext');
    const before = await counts();
    const res = await t.call(PATHS.approveUser, mutate(approveUserData(newApplicationId(), phone, proof)));
    expectWireError(res, 400, 'INVALID_FIELD_VALUE', 'INVALID_FIELD_VALUE');
    expectNamesField(res, field);
    expect(await counts()).toEqual(before);
    expect((await t.services.db.prisma.otpChallenge.findUniqueOrThrow({ where: { id: proof.tokenReferenceId } })).consumedAt).toBeNull();
  });

  it.each([
    ['protocolVersion.major as "1"', (h: Record<string, unknown>) => ({ ...h, protocolVersion: { major: '1' } }), 'requestHeader.protocolVersion.major'],
    ['protocolVersion.major as [1]', (h: Record<string, unknown>) => ({ ...h, protocolVersion: { major: [1] } }), 'requestHeader.protocolVersion.major'],
    ['protocolVersion.major as [[[1]]]', (h: Record<string, unknown>) => ({ ...h, protocolVersion: { major: [[[1]]] } }), 'requestHeader.protocolVersion.major'],
  ])('a header with %s is 400 INVALID_FIELD_VALUE naming it (integers are JSON numbers)', async (_label, mutate, field) => {
    const res = await post(PATHS.getStatus, { requestHeader: mutate(header()), data: { googleApplicationId: newApplicationId() } });
    expectWireError(res, 400, 'INVALID_FIELD_VALUE', 'INVALID_FIELD_VALUE');
    expectNamesField(res, field);
  });

  it.each([
    ['acceptance "true"', (d: any) => ({ ...d, tncAcceptanceMetadata: [{ type: 'MITC', acceptance: 'true' }, d.tncAcceptanceMetadata[1]] }), 'data.tncAcceptanceMetadata.0.acceptance'],
    ['tenure length "12"', (d: any) => ({ ...d, loanApplicationDetails: { ...d.loanApplicationDetails, tenure: { periodType: 'MONTH', length: '12' } } }), 'data.loanApplicationDetails.tenure.length'],
    ['tenure length [12]', (d: any) => ({ ...d, loanApplicationDetails: { ...d.loanApplicationDetails, tenure: { periodType: 'MONTH', length: [12] } } }), 'data.loanApplicationDetails.tenure.length'],
  ])('submit with %s is 400 INVALID_FIELD_VALUE naming it (booleans and integers are JSON booleans and numbers)', async (_label, mutate, field) => {
    const res = await t.call(PATHS.submit, mutate(validData('submit')));
    expectWireError(res, 400, 'INVALID_FIELD_VALUE', 'INVALID_FIELD_VALUE');
    expectNamesField(res, field);
  });

  it.each([
    ['without slashes', 'https:pay.example.com/back'],
    ['with a space', 'https://pay.example.com/a b'],
    ['without a host', 'https:///back'],
    ['with a raw non-ASCII character (percent-encode it)', 'https://pay.example.com/➾'],
  ])('getAuthToken with a redirectionUrl %s is 400 INVALID_FIELD_VALUE naming it', async (_label, redirectionUrl) => {
    const res = await t.call(PATHS.getAuthToken, { ...validData('getAuthToken'), redirectionUrl });
    expectWireError(res, 400, 'INVALID_FIELD_VALUE', 'INVALID_FIELD_VALUE');
    expectNamesField(res, 'data.redirectionUrl');
  });

  it('searchCKycRecord with dateOfBirth 1990-02-30 is 400 INVALID_FIELD_VALUE naming it', async () => {
    const res = await t.call(PATHS.searchCkyc, { ...validData('searchCkyc'), dateOfBirth: '1990-02-30' });
    expectWireError(res, 400, 'INVALID_FIELD_VALUE', 'INVALID_FIELD_VALUE');
    expectNamesField(res, 'data.dateOfBirth');
  });
});

describe('field paths', () => {
  // Handler-side errors name fields from the body's root (`data.loanDetails.amount.amountMicros`); schema errors
  // must use the same spelling, so a caller can map every fieldViolation onto its request the same way.
  it('a handler-side error names the field from the body root', async () => {
    const res = await t.call(PATHS.approveUser, { ...approveUserData(newApplicationId(), newPhone(), fakeProof), loanDetails: { amount: { currencyCode: 'INR', amountMicros: 'abc' }, loanPurpose: 'MEDICAL' } });
    expect(res.status).toBe(400);
    expect(res.body.errorResponse.fieldViolations).toEqual(['data.loanDetails.amount.amountMicros']);
  });

  it.each([
    ['an empty body', () => post(PATHS.getStatus), ['data', 'requestHeader']],
    ['a body without data', () => post(PATHS.getStatus, { requestHeader: header() }), ['data']],
    ['data {}', () => t.call(PATHS.getStatus, {}), ['data.googleApplicationId']],
    ['a pattern mismatch in data', () => t.call(PATHS.getStatus, { googleApplicationId: 'bad/id' }), ['data.googleApplicationId']],
    ['a pattern mismatch in requestHeader', () => post(PATHS.getStatus, { requestHeader: header({ requestId: 'bad id' }), data: { googleApplicationId: 'x' } }), ['requestHeader.requestId']],
    ['a wrong type at the top level', () => post(PATHS.getStatus, { requestHeader: header(), data: 'x' }), ['data']],
    ['a pattern mismatch in an array element deep in data', () => t.call(PATHS.approveUser, (() => { const d = approveUserData(newApplicationId(), newPhone(), fakeProof); return { ...d, user: { ...d.user, addresses: [{ ...d.user.addresses[0], postalCode: 'ABC' }] } }; })()), ['data.user.addresses[0].postalCode']],
    // Unknown members are dropped, not errors: next to a real error they are not named.
    ['a pattern mismatch next to an unknown field', () => post(PATHS.getStatus, { requestHeader: header(), data: { googleApplicationId: 'bad/id', extra: 1 }, extra: 1 }), ['data.googleApplicationId']],
  ])('a schema error for %s names fields from the body root, without a "body." prefix', async (_label, send, expected) => {
    const res = await (send as () => Promise<Res>)();
    expect(res.status).toBe(400);
    expect([...res.body.errorResponse.fieldViolations].sort()).toEqual(expected);
  });
});

describe('requestHeader.requestId', () => {
  const hundred = () => {
    const seed = newRequestId().replace(/[^A-Za-z0-9]/g, '');
    return `${seed}:_-`.padEnd(100, 'Zz9_-:').slice(0, 100);
  };

  it.each([
    ['101 characters', () => `${hundred()}x`],
    ['a space', () => 'req 1'],
    ['a slash', () => 'req/1'],
    ['a dot', () => 'req.1'],
    ['a non-ASCII letter', () => 'reqé1'],
    ['nothing (empty)', () => ''],
  ])('a requestId with %s is 400 INVALID_FIELD_VALUE naming it, and is not echoed', async (_label, make) => {
    const requestId = make();
    const before = await counts();
    const res = await post(PATHS.initiateChallenge, { requestHeader: header({ requestId }), data: initiateData() });
    expectWireError(res, 400, 'INVALID_FIELD_VALUE', 'INVALID_FIELD_VALUE');
    expectNamesField(res, 'requestHeader.requestId');
    expect(res.body.responseHeader.requestId).toBe('');
    expect(await counts()).toEqual(before);
  });

  it('a requestId that is a number is 400 INVALID_FIELD_VALUE', async () => {
    const res = await post(PATHS.initiateChallenge, { requestHeader: header({ requestId: 12345 }), data: initiateData() });
    expectWireError(res, 400, 'INVALID_FIELD_VALUE');
    expectNamesField(res, 'requestHeader.requestId');
  });

  it('a requestId of exactly 100 characters of [A-Za-z0-9:_-] is accepted and echoed', async () => {
    const requestId = hundred();
    expect(requestId).toMatch(/^[A-Za-z0-9:_-]{100}$/);
    expect(requestId).toMatch(/:/);
    const res = await t.call(PATHS.initiateChallenge, initiateData(), { requestId });
    expect(res.status).toBe(200);
    expect(res.body.responseHeader.requestId).toBe(requestId);
  });

  it('a requestId of one character is accepted', async () => {
    const res = await t.call(PATHS.initiateChallenge, initiateData(), { requestId: 'Q' });
    expect(res.status).toBe(200);
    expect(res.body.responseHeader.requestId).toBe('Q');
  });

  it('error answers echo a valid requestId', async () => {
    const requestId = newRequestId();
    for (const res of [
      await t.call(PATHS.getStatus, { googleApplicationId: newApplicationId() }, { requestId }),
      await t.call(PATHS.getStatus, {}, { requestId }),
      await t.call(PATHS.getStatus, { googleApplicationId: 'bad/id' }, { requestId }),
      await t.call(PATHS.getStatus, { googleApplicationId: newApplicationId() }, { requestId, major: 2 }),
      await t.call(PATHS.getStatus, { googleApplicationId: newApplicationId() }, { requestId, epochMillis: t.clock.now().getTime() - 3_600_000 }),
    ]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.responseHeader.requestId).toBe(requestId);
    }
  });
});

describe('requestHeader.requestTimestamp', () => {
  it.each([
    ['61 s in the past', -61_000],
    ['61 s in the future', 61_000],
    ['an hour in the past', -3_600_000],
    ['a day in the future', 86_400_000],
  ])('a timestamp %s is 400 REQUEST_TIMESTAMP_OUT_OF_RANGE, writes nothing, and the same requestId works with a fresh timestamp', async (_label, offset) => {
    const requestId = newRequestId();
    const data = initiateData();
    const before = await counts();
    const res = await t.call(PATHS.initiateChallenge, data, { requestId, epochMillis: t.clock.now().getTime() + offset });
    expectWireError(res, 400, 'REQUEST_TIMESTAMP_OUT_OF_RANGE', 'REQUEST_TIMESTAMP_OUT_OF_RANGE');
    expect(res.body.errorResponse.fieldViolations).toEqual(['requestHeader.requestTimestamp']);
    expect(res.body.responseHeader.requestId).toBe(requestId);
    expect(await counts()).toEqual(before);
    expect((await t.call(PATHS.initiateChallenge, data, { requestId })).status).toBe(200);
  });

  it.each([
    ['59 s in the past', -59_000],
    ['59 s in the future', 59_000],
  ])('a timestamp %s is accepted', async (_label, offset) => {
    const res = await t.call(PATHS.initiateChallenge, initiateData(), { epochMillis: t.clock.now().getTime() + offset });
    expect(res.status).toBe(200);
  });

  it('epochMillis as a JSON number is accepted', async () => {
    const res = await post(PATHS.initiateChallenge, { requestHeader: header({ requestTimestamp: { epochMillis: t.clock.now().getTime() } }), data: initiateData() });
    expect(res.status).toBe(200);
  });

  it('when the timestamp is out of range, then the description gives the server\'s time and says milliseconds are expected; seconds are recognised as such', async () => {
    const stale = await t.call(PATHS.initiateChallenge, initiateData(), { epochMillis: t.clock.now().getTime() - 3_600_000 });
    const description = stale.body.errorResponse.errorDescription as string;
    const serverTime = Number(/now (\d{13})/.exec(description)?.[1]);
    expect(Math.abs(serverTime - t.clock.now().getTime())).toBeLessThan(10_000);
    expect(description).toContain(new Date(serverTime).toISOString());
    expect(description).toMatch(/milliseconds/);
    expect(description).not.toMatch(/looks like seconds/);
    const seconds = await t.call(PATHS.initiateChallenge, initiateData(), { epochMillis: Math.floor(t.clock.now().getTime() / 1000) });
    expectWireError(seconds, 400, 'REQUEST_TIMESTAMP_OUT_OF_RANGE');
    expect(seconds.body.errorResponse.errorDescription).toMatch(/looks like seconds: send milliseconds/);
  });

  it('the server clock is the reference: a timestamp that matches the wall clock but not the server clock is refused', async () => {
    t.clock.advance(120_000);
    try {
      const res = await t.call(PATHS.initiateChallenge, initiateData(), { epochMillis: Date.now() });
      expectWireError(res, 400, 'REQUEST_TIMESTAMP_OUT_OF_RANGE');
    } finally {
      t.clock.advance(-120_000);
    }
  });

  it.each([
    ['a fraction', 1.5],
    ['a non-numeric string', 'yesterday'],
    ['an ISO date', '2024-01-01T00:00:00Z'],
    ['a decimal string', '1700000000000.5'],
  ])('epochMillis as %s is 400 INVALID_FIELD_VALUE', async (_label, epochMillis) => {
    const res = await post(PATHS.initiateChallenge, { requestHeader: header({ requestTimestamp: { epochMillis } }), data: initiateData() });
    expectWireError(res, 400, 'INVALID_FIELD_VALUE');
    expectNamesField(res, 'requestHeader.requestTimestamp.epochMillis');
  });
});

describe('requestHeader.protocolVersion', () => {
  it('major 2 is 400 INVALID_API_VERSION naming the field', async () => {
    const before = await counts();
    const res = await t.call(PATHS.initiateChallenge, initiateData(), { major: 2 });
    expectWireError(res, 400, 'INVALID_API_VERSION', 'UNSUPPORTED_PROTOCOL_VERSION');
    expect(res.body.errorResponse.fieldViolations).toEqual(['requestHeader.protocolVersion.major']);
    expect(await counts()).toEqual(before);
  });

  it('major 1.5 is 400 naming the field', async () => {
    const res = await t.call(PATHS.initiateChallenge, initiateData(), { major: 1.5 });
    expect(res.status).toBe(400);
    expectWireError(res, 400, res.body.errorResponse?.errorResponseCode === 'INVALID_API_VERSION' ? 'INVALID_API_VERSION' : 'INVALID_FIELD_VALUE');
    expectNamesField(res, 'requestHeader.protocolVersion.major');
  });

  it.each([0, -1, 'one'])('major %p is 400', async (major) => {
    const res = await post(PATHS.initiateChallenge, { requestHeader: header({ protocolVersion: { major } }), data: initiateData() });
    expect(res.status).toBe(400);
    expect(['INVALID_API_VERSION', 'INVALID_FIELD_VALUE']).toContain(res.body.errorResponse.errorResponseCode);
    expectNamesField(res, 'requestHeader.protocolVersion.major');
  });
});

describe('body size', () => {
  it('a body larger than 64 KiB is 413 in the error shape', async () => {
    const body = JSON.stringify({ requestHeader: header(), data: { googleApplicationId: 'G'.repeat(70 * 1024) } });
    const res = await post(PATHS.getStatus, body);
    expectWireError(res, 413, 'INVALID_FIELD_VALUE', 'PAYLOAD_TOO_LARGE');
  });

  it('a body just under 64 KiB is read (and refused for its content, not its size)', async () => {
    const body = JSON.stringify({ requestHeader: header(), data: { googleApplicationId: 'G'.repeat(60 * 1024) } });
    const res = await post(PATHS.getStatus, body);
    expectWireError(res, 400, 'INVALID_FIELD_VALUE', 'INVALID_FIELD_VALUE');
    expectNamesField(res, 'data.googleApplicationId');
  });
});

describe('content type', () => {
  const body = () => JSON.stringify({ requestHeader: header(), data: initiateData() });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/jsonp'])(
    'when a body is sent as %s, then it is 415 INVALID_FIELD_VALUE / UNSUPPORTED_MEDIA_TYPE and nothing is written',
    async (contentType) => {
      const before = await counts();
      const res = await t.http().post(url(PATHS.initiateChallenge)).set('content-type', contentType).send(body());
      expectWireError(res, 415, 'INVALID_FIELD_VALUE', 'UNSUPPORTED_MEDIA_TYPE');
      // The body was not read, so there is no requestId to echo.
      expect(res.body.responseHeader.requestId).toBe('');
      expect(await counts()).toEqual(before);
    },
  );

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON; charset=UTF-8'])('when a body is sent as %s, then it is read', async (contentType) => {
    const res = await t.http().post(url(PATHS.initiateChallenge)).set('content-type', contentType).send(body());
    expect(res.status).toBe(200);
    expect(res.body.data.tokenReferenceId).toEqual(expect.any(String));
  });
});

describe('partner identification', () => {
  beforeAll(async () => {
    await t.services.partners.add({ id: 'suspended-app', displayName: 'Suspended app', protocol: 'GPAY' });
    await t.services.partners.suspend('suspended-app');
  });

  it.each([
    ['an unknown partner', 'nobody-known', 401, 'UNAUTHENTICATED', 'PARTNER_UNKNOWN'],
    ['a partner of another protocol', 'ocen-test-agent', 401, 'UNAUTHENTICATED', 'PARTNER_UNKNOWN'],
    ['a suspended partner', 'suspended-app', 403, 'PERMISSION_DENIED', 'PARTNER_SUSPENDED'],
  ])('when X-Partner-Id names %s (%s), then it is %i %s / %s in the wire error shape, echoing the requestId, and nothing is written', async (_label, partnerId, status, code, reason) => {
    const requestId = newRequestId();
    const before = await counts();
    const res = await t.call(PATHS.initiateChallenge, initiateData(), { requestId, partnerId });
    expectWireError(res, status as number, code as string, reason as string);
    expect(res.body.responseHeader.requestId).toBe(requestId);
    expect(await counts()).toEqual(before);
  });

  it('when X-Partner-Id is absent in the sandbox, then the request is the sandbox partner gpay\'s', async () => {
    const requestId = newRequestId();
    expect((await t.call(PATHS.initiateChallenge, initiateData(), { requestId })).status).toBe(200);
    const [record] = await t.services.db.prisma.idempotencyRecord.findMany({ where: { requestId } });
    expect(record.partnerId).toBe('gpay');
  });
});

describe('routing', () => {
  it('POST to an unknown path is 404 INVALID_IDENTIFIER as JSON', async () => {
    const res = await post('/v1/financialservices/nope', { requestHeader: header(), data: {} });
    expectWireError(res, 404, 'INVALID_IDENTIFIER', 'NO_SUCH_OPERATION');
  });

  it.each(ENDPOINTS)('GET on %s is 404 as JSON, not an HTML page', async (_name, path) => {
    const res = await t.http().get(url(path));
    expectWireError(res, 404, 'INVALID_IDENTIFIER', 'NO_SUCH_OPERATION');
    expect(res.text).not.toMatch(/<html|<!DOCTYPE/i);
  });

  it('PUT on a POST endpoint is 404 as JSON', async () => {
    const res = await t.http().put(url(PATHS.getStatus)).send({ requestHeader: header(), data: { googleApplicationId: 'x' } });
    expectWireError(res, 404, 'INVALID_IDENTIFIER', 'NO_SUCH_OPERATION');
  });
});

describe('success envelopes', () => {
  let applied: Awaited<ReturnType<typeof applyAndDecide>>;
  beforeAll(async () => {
    applied = await applyAndDecide(t);
  });

  it('fetchOffer answers {responseHeader: {requestId, responseTimestamp: {epochMillis: string}}, data} with every amountMicros a string', async () => {
    expect(applied.offerId).toEqual(expect.any(String));
    const requestId = newRequestId();
    const sentAt = t.clock.now().getTime();
    const res = await t.call(PATHS.fetchOffer, { offerId: applied.offerId }, { requestId });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(res.body).sort()).toEqual(['data', 'responseHeader']);
    expect(res.body.responseHeader).toEqual({ requestId, responseTimestamp: { epochMillis: expect.stringMatching(/^[0-9]+$/) } });
    const answeredAt = Number(res.body.responseHeader.responseTimestamp.epochMillis);
    expect(answeredAt).toBeGreaterThanOrEqual(sentAt);
    expect(answeredAt).toBeLessThanOrEqual(t.clock.now().getTime());

    const amounts = valuesOf(res.body.data, 'amountMicros');
    expect(amounts.length).toBeGreaterThanOrEqual(6);
    for (const amount of amounts) expect(amount).toEqual(expect.stringMatching(/^[0-9]+$/));
    for (const currency of valuesOf(res.body.data, 'currencyCode')) expect(currency).toBe('INR');
    for (const millis of valuesOf(res.body.data, 'epochMillis')) expect(millis).toEqual(expect.stringMatching(/^[0-9]+$/));
    for (const rate of valuesOf(res.body.data, 'percentageValueE5')) expect(rate).toEqual(expect.stringMatching(/^[0-9]+$/));
    // On the wire itself, no int64 is a bare JSON number.
    expect(res.text).not.toMatch(/"(amountMicros|epochMillis|percentageValueE5)":\s*[-0-9]/);
    expect(res.body.data.offer.offerId).toBe(applied.offerId);
    // A read is answered afresh every time: it leaves no idempotency record.
    expect(await t.services.db.prisma.idempotencyRecord.count({ where: { requestId } })).toBe(0);
  });

  it('getApprovalStatus echoes the requestId and answers in the success shape', async () => {
    const requestId = newRequestId();
    const res = await t.call(PATHS.getApprovalStatus, { googleApplicationId: applied.gid }, { requestId });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['data', 'responseHeader']);
    expect(res.body.responseHeader).toEqual({ requestId, responseTimestamp: { epochMillis: expect.stringMatching(/^[0-9]+$/) } });
    expect(res.body.data).toMatchObject({ applicationState: 'APPROVED', approvedStateContext: { offerId: applied.offerId } });
    expect(await t.services.db.prisma.idempotencyRecord.count({ where: { requestId } })).toBe(0);
  });
});

describe('unknown identifiers', () => {
  it.each([
    ['getApprovalStatus with an unknown googleApplicationId', PATHS.getApprovalStatus, () => ({ googleApplicationId: newApplicationId() })],
    ['getStatus with an unknown googleApplicationId', PATHS.getStatus, () => ({ googleApplicationId: newApplicationId() })],
    ['fetchOffer with an unknown offerId', PATHS.fetchOffer, () => ({ offerId: `offer-${newRequestId()}` })],
    ['account/get with an unknown accountToken', PATHS.getAccount, () => ({ accountToken: `acct-${newRequestId()}` })],
  ])('%s is 404 INVALID_IDENTIFIER', async (_label, path, data) => {
    const requestId = newRequestId();
    const res = await t.call(path, data(), { requestId });
    expectWireError(res, 404, 'INVALID_IDENTIFIER', 'NOT_FOUND');
    expect(res.body.responseHeader.requestId).toBe(requestId);
    expect(await t.services.db.prisma.idempotencyRecord.count({ where: { requestId } })).toBe(0);
  });
});
