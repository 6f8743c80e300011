import { Writable } from 'node:stream';
import { accessLog, createLogger, scrub } from '../../src/lib/logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

describe('structured logs never carry PII or secrets', () => {
  it('when a log object holds PAN, phone, date of birth, OTP and tokens, then they are redacted', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        pan: 'ABCDE1234F',
        user: { pan: 'ABCDE1234F', dateOfBirth: '1990-05-15', phoneNumber: { countryCode: '91', nationalNumber: '9876543210' } },
        challenge: { tokens: [{ type: 'SMS_OTP', value: '123456' }] },
        data: { authToken: 'eyJhbGciOi.x.y', urlToken: 'u-secret', authCode: 'a-secret', accountToken: 'acct_secret' },
        otp: '654321',
      },
      'something happened',
    );
    const out = lines.join('');
    for (const secret of ['ABCDE1234F', '1990-05-15', '9876543210', '123456', '654321', 'eyJhbGciOi', 'u-secret', 'a-secret', 'acct_secret']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[REDACTED]');
  });

  it('when a log object holds tokens handed out, a CKYC id or a CKYC record, at any depth, then they are redacted', () => {
    const { logger, lines } = capture();
    const person = { salutation: 'MRS', firstName: 'NAMRTA', middleName: 'NIMESH', lastName: 'SHAHX', fullName: 'MRS NAMRTA NIMESH SHAHX' };
    logger.info(
      {
        cKycId: '50123456789012',
        search: { cKycId: '50123456789013' },
        response: {
          data: {
            authToken: 'eyJhbGciOi.deep.token',
            urlToken: 'deep-url-secret',
            authCode: 'deep-auth-code',
            accountSpec: { accountToken: 'acct_deep_secret' },
            user: { name: person, father: { fullName: 'MR HARISH KUMAR SHAHX' }, email: 'namrta@example.com', addresses: [{ addressLine1: '101, Sandbox Residency' }] },
          },
        },
        record: { name: person, mother: { fullName: 'MRS MEENA SHAHX' } },
      },
      'answered',
    );
    const out = lines.join('');
    for (const secret of ['5012345678901', 'eyJhbGciOi', 'deep-url-secret', 'deep-auth-code', 'acct_deep_secret', 'NAMRTA', 'HARISH', 'MEENA', 'namrta@example.com', 'Sandbox Residency']) {
      expect({ secret, found: out.includes(secret) }).toEqual({ secret, found: false });
    }
  });

  it('when free text holds a JWT, an account token or a CKYC id, then it is scrubbed', () => {
    expect(scrub('token eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl for acct_Zk3n8Qp1Lw0Yx7Tb2Vc5 and KIN 50123456789012')).toBe(
      'token [JWT] for [ACCOUNT_TOKEN] and KIN [CKYC_ID]',
    );
  });

  it('when free text or an error message contains a PAN, phone, date or code, then it is scrubbed', () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error('PAN ABCDE1234F for 919876543210 born 1990-05-15 sent 123456') }, 'failed for ABCDE1234F');
    const out = lines.join('');
    expect(out).not.toMatch(/ABCDE1234F|9876543210|1990-05-15|123456/);
    expect(scrub('call 9876543210 with OTP 123456')).toBe('call [PHONE] with OTP [CODE]');
  });

  it('when a log object or free text holds an Aadhaar number (plain, spaced or hyphenated) or an Aadhaar OTP, then it is redacted or scrubbed', () => {
    const { logger, lines } = capture();
    logger.info({ aadhaarNumber: '234123412346', request: { aadhaar: '499812345673', uid: '765432109878', aadhaarOtp: '918273' } }, 'asked UIDAI');
    logger.warn({ err: new Error('UIDAI refused 2341 2341 2346 and 4998-1234-5673') }, 'Aadhaar 765432109878 failed');
    const out = lines.join('');
    for (const secret of ['234123412346', '2341 2341 2346', '499812345673', '4998-1234-5673', '765432109878', '918273']) {
      expect({ secret, found: out.includes(secret) }).toEqual({ secret, found: false });
    }
    expect(out).toContain('[AADHAAR]');
    // Masked to the last four digits, as the KYC page shows it, it stays readable.
    expect(scrub('sent to XXXX XXXX 2346')).toBe('sent to XXXX XXXX 2346');
  });
});

describe('the access log', () => {
  it('writes one line per request to the logger\'s own stream, with the path scrubbed', () => {
    const { logger, lines } = capture();
    logger.info('before');
    accessLog(logger)({ traceId: 't-1', method: 'GET', path: '/sandbox/sms-outbox/919876543210', status: 200, ms: 1.5 });
    logger.info('after');
    expect(lines).toHaveLength(3);
    const entry = JSON.parse(lines[1]);
    expect(entry).toMatchObject({ level: 'info', service: 'credit-partner', msg: 'request', traceId: 't-1', method: 'GET', status: 200, ms: 1.5 });
    expect(entry.path).toBe('/sandbox/sms-outbox/[PHONE]');
  });

  it('follows the logger\'s level', () => {
    const lines: string[] = [];
    const quiet = createLogger('warn', new Writable({ write: (chunk, _enc, done) => void (lines.push(chunk.toString()), done()) }));
    accessLog(quiet)({ traceId: 't-2', method: 'POST', path: '/x', status: 200, ms: 1 });
    expect(lines).toEqual([]);
  });
});

describe('mandate payers in logs', () => {
  it('when a log object or free text holds a UPI address, an account number or a penny-drop name, then they are redacted or scrubbed', () => {
    const { logger, lines } = capture();
    logger.info({ payer: { vpa: 'asha.rao@okbank' }, order: { accountNumber: '50100012345678', ifsc: 'HDFC0001234' }, answer: { nameAtBank: 'ASHA RAO' } }, 'mandate for asha.rao@okbank from 501000123456789');
    const out = lines.join('');
    for (const secret of ['asha.rao@okbank', '50100012345678', '501000123456789', 'ASHA RAO']) expect({ secret, found: out.includes(secret) }).toEqual({ secret, found: false });
    expect(scrub('debit 123456789 via ab.cd@upi')).toBe('debit [ACCOUNT_NUMBER] via [VPA]');
  });
});
