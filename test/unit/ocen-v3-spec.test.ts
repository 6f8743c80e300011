/**
 * The OCEN v3 schemas as shipped: the patched bundle is exactly the official one with the listed patches, each
 * patch mends a defect that refuses real v3 messages, and the RS512 signature round-trips and refuses what the
 * source (iSPIRT/OCEN Security/README.md) does not allow.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import path from 'node:path';
import Ajv from 'ajv';
import official from '../../src/protocols/ocen-v3/spec/ocen-v3.official.json';
import patches from '../../src/protocols/ocen-v3/spec/ocen-v3.patches.json';
import { isValidV3 } from '../../src/protocols/ocen-v3/ocen-v3-schemas';
import { V3SignatureError, signV3, verifyV3 } from '../../src/protocols/ocen-v3/ocen-v3-jws';
import type { SigningKey } from '../../src/lib/keys';

const root = path.join(__dirname, '../..');
const PLAN = 'Core/schema/Version 0.0.1/paymentplan.json';
const TRIGGER = 'Loan Acceptance/schema/Version 0.0.1/Trigger Loan Acceptance/TriggerLoanAcceptanceRequest.json';
const GRANT = 'Grant Loan/schema/Version 0.0.1/Grant Loan/GrantLoanResponse.json';

/** Whether `body` is valid against the official (unpatched) schema `file`; undefined when the schema cannot even be compiled. */
function validOfficially(file: string, body: unknown): boolean | undefined {
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const schema of Object.values(official)) ajv.addSchema(schema);
  try {
    return ajv.getSchema(String((official as Record<string, { $id: string }>)[file].$id))!(body) as boolean;
  } catch {
    return undefined;
  }
}

const metadata = { version: '3.2', orgId: 'LSP123', timestamp: '2018-12-06T11:39:57.153Z', traceId: 'e8cc6822bd4bbb4eb1b9e1b4996fbff8acb' };

describe('the v3 schemas', () => {
  it('when checked, then the committed patched bundle is the official bundle with every listed patch applied', () => {
    const run = spawnSync(process.execPath, [path.join(root, 'scripts/ocen-v3-spec.js'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(patches.patches.map((p) => p.id)).toEqual(['chosen-repayment-id', 'loan-application-offers-array', 'defaults-outside-enum', 'otp-block-status-optional', 'payment-plan-installments', 'verify-request-id-type', 'otp-example-type']);
  });

  it('when a plan is checked, then the official schema refuses one with the member it defines (noOfInstallment) and cannot type the one it requires; the patched one types noOfInstallments as a string', () => {
    const plan = { id: 'P1', automatic: true, scheduleType: 'RECURRING', noOfInstallments: '12', totalAmount: '110000.00' };
    const { noOfInstallments, ...rest } = plan;
    expect(validOfficially(PLAN, { ...rest, noOfInstallment: noOfInstallments })).toBe(false);
    expect(validOfficially(PLAN, { ...plan, noOfInstallments: 12 })).toBe(true);
    expect(isValidV3(PLAN, plan).valid).toBe(true);
    expect(isValidV3(PLAN, { ...plan, noOfInstallments: 12 }).valid).toBe(false);
  });

  it('when the README\'s own triggerLoanAcceptanceRequest is checked, then the official schema refuses it (OTPBlock.status) and the patched one takes it', () => {
    const request = { metadata, requestId: 'r1', loanApplicationIds: ['a1'], credBlock: { type: 'OTP', data: { appToken: '0aBCD7DMr7s' } } };
    expect(validOfficially(TRIGGER, request)).toBe(false);
    expect(isValidV3(TRIGGER, request).valid).toBe(true);
  });

  it('when grantLoanResponse is compiled, then the official bundle cannot resolve chosenRepayment, and the patched one can', () => {
    expect(validOfficially(GRANT, {})).toBeUndefined();
    expect(isValidV3(GRANT, {}).valid).toBe(false);
  });
});

describe('the v3 signature (RS512, flattened JWS)', () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kty: 'RSA', kid: 'k1' };
  const key: SigningKey = {
    kid: 'k1', alg: 'RS256', status: 'active', publicKey: pair.publicKey, publicJwk: { ...jwk, alg: 'RS256', use: 'sig' },
    sign: async (input, hash = 'sha256') => sign(hash, input, pair.privateKey),
  };

  it('when signed, then the body is {payload, header, signature} with header {kid, alg: RS512}, and it verifies with the key', async () => {
    const signed = await signV3({ metadata, requestId: 'r1' }, key);
    expect(Object.keys(signed).sort()).toEqual(['header', 'payload', 'signature']);
    expect(JSON.parse(Buffer.from(signed.header, 'base64url').toString())).toEqual({ kid: 'k1', alg: 'RS512' });
    expect(JSON.parse(Buffer.from(await verifyV3(signed, [jwk])).toString())).toEqual({ metadata, requestId: 'r1' });
  });

  it('when the protected header is named `protected` (RFC 7515), then it verifies too', async () => {
    const { header, ...rest } = await signV3({ requestId: 'r2' }, key);
    await expect(verifyV3({ ...rest, protected: header }, [jwk])).resolves.toBeInstanceOf(Uint8Array);
  });

  it('when it is signed RS256, or by an unknown kid, or the payload is altered, then it is refused', async () => {
    const signed = await signV3({ requestId: 'r3' }, key);
    const rs256Header = Buffer.from(JSON.stringify({ kid: 'k1', alg: 'RS256' })).toString('base64url');
    const rs256 = { header: rs256Header, payload: signed.payload, signature: sign('sha256', Buffer.from(`${rs256Header}.${signed.payload}`), pair.privateKey).toString('base64url') };
    await expect(verifyV3(rs256, [jwk])).rejects.toMatchObject({ reason: 'SIGNATURE_INVALID' });
    await expect(verifyV3(signed, [{ ...jwk, kid: 'other' }])).rejects.toMatchObject({ reason: 'UNKNOWN_KEY' });
    await expect(verifyV3({ ...signed, payload: Buffer.from('{"requestId":"r4"}').toString('base64url') }, [jwk])).rejects.toBeInstanceOf(V3SignatureError);
    await expect(verifyV3({ requestId: 'unsigned' }, [jwk])).rejects.toMatchObject({ reason: 'UNSIGNED' });
  });
});
