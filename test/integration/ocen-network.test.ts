/**
 * This lender on an OCEN network, against a fake auth service and a fake registry over real HTTP: inbound
 * requests are authenticated by bearer token (auth service JWKS, issuer, participantId claim) and by a detached
 * JWS of the raw body checked with the registry's key of that participant; outbound we hold a client-credentials
 * token and sign what we send.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompactSign, flattenedVerify, importJWK } from 'jose';
import type { OcenConfig } from '../../src/lib/config';
import { generateKeySet, KeyRing, publicJwks, readKeySet } from '../../src/lib/keys';
import { importParticipantKey, verifyDetached } from '../../src/protocols/ocen/detached-jws';
import { OcenAuthError, OcenAuthReason } from '../../src/protocols/ocen/ocen-auth-error';
import { createOcenNetwork, OcenNetwork } from '../../src/protocols/ocen/ocen-network';
import { createTokenSource, OcenTokenError } from '../../src/protocols/ocen/ocen-token';
import { FakeAuthService, FakeRegistry, LoanAgent, startServer } from '../support/ocen-network';

const body = Buffer.from(JSON.stringify({
  metadata: { version: '4.0.0', originatorOrgId: 'org-la', originatorParticipantId: 'la-1', timestamp: '2026-11-23T10:00:00Z', traceId: 't-1', requestId: 'r-1' },
  productData: { productId: 'p-1', productNetworkId: 'n-1' },
  loanApplicationIds: ['la-app-1'],
}, null, 1));

let auth: FakeAuthService;
let registry: FakeRegistry;
let ring: KeyRing;
const agent = new LoanAgent('la-1', { kid: 'la-1-key' });
const unapproved = new LoanAgent('la-unapproved');
const jose4jAgent = new LoanAgent('la-jose4j'); // a key without kid, as the official Java sample registers it
const otherLender = new LoanAgent('lender-other'); // an approved participant in another role

const settings = (): OcenConfig => ({
  registryUrl: registry.url,
  authJwksUrl: auth.jwksUrl,
  authIssuer: auth.issuer,
  authTokenUrl: auth.tokenUrl,
  clientId: 'lender-client',
  clientSecret: 's3cret',
  participantId: 'lender-1',
  orgId: 'org-bank',
  registryCacheMs: 60_000,
  timestampWindowMs: 300_000,
});

/** The network as the lender wires it, with a clock the registry cache reads (tests move it). */
let clock = 0;
let network: OcenNetwork;
const newNetwork = (jwksCooldownMs = 30_000) => createOcenNetwork(settings(), ring, { auth: { jwksCooldownMs }, registry: { now: () => Date.now() + clock } });

beforeAll(async () => {
  [auth, registry] = await Promise.all([FakeAuthService.start(), FakeRegistry.start()]);
  registry.register(agent);
  registry.register(unapproved, { isApproved: false, participantRoleStatus: 'UNDER_REVIEW' });
  registry.register(jose4jAgent);
  registry.register(otherLender, { participantRole: 'LENDER' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-ocen-keys-'));
  generateKeySet(dir, 'development');
  ring = readKeySet(dir);
});

afterAll(async () => {
  await Promise.all([auth.close(), registry.close()]);
});

beforeEach(() => {
  clock = 0;
  network = newNetwork();
});

/** The refusal `authenticateOcenRequest` throws (or a failure of the test when it accepts). */
async function refusal(headers: Record<string, string | undefined>, raw: Uint8Array = body): Promise<OcenAuthError> {
  try {
    await network.authenticateOcenRequest(headers, raw);
  } catch (err) {
    if (err instanceof OcenAuthError) return err;
    throw err;
  }
  throw new Error('the request was accepted');
}

const signedBy = async (who: LoanAgent, raw: Uint8Array = body) => ({ authorization: `Bearer ${await auth.tokenFor(who.participantId)}`, 'x-jws-signature': who.sign(raw) });

describe('inbound OCEN requests', () => {
  it('when a loan agent sends a body with its token and its detached signature, then it is the caller, with its registry entry', async () => {
    const caller = await network.authenticateOcenRequest(await signedBy(agent), body);
    expect(caller.participantId).toBe('la-1');
    expect(caller.participant).toMatchObject({ id: 'la-1', role: 'LOAN_AGENT', baseUrl: 'https://la-1.example/ocen', publicKey: { kid: 'la-1-key' } });
    expect(caller.claims).toMatchObject({ iss: auth.issuer, participantId: 'la-1' });
  });

  it('when the signature is in the Signature header instead, or made by jose4j (no crit, "kid": null), then it is accepted too', async () => {
    const headers = await signedBy(agent);
    await expect(network.authenticateOcenRequest({ authorization: headers.authorization, Signature: headers['x-jws-signature'] }, body)).resolves.toMatchObject({ participantId: 'la-1' });
    await expect(network.authenticateOcenRequest(await signedBy(jose4jAgent), body)).resolves.toMatchObject({ participantId: 'la-jose4j' });
  });

  it('when the registry was asked, then it was asked with our own bearer token, and once per participant while cached', async () => {
    registry.requests = [];
    await network.authenticateOcenRequest(await signedBy(agent), body);
    await network.authenticateOcenRequest(await signedBy(agent), body);
    expect(registry.requests).toHaveLength(1);
    const [, token] = registry.requests[0].authorization!.split(' ');
    expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())).toMatchObject({ participantId: 'lender-1', iss: auth.issuer });
    clock = 61_000; // past OCEN_REGISTRY_CACHE_MS
    await network.authenticateOcenRequest(await signedBy(agent), body);
    expect(registry.requests).toHaveLength(2);
  });

  describe('refusals: each says why, and nothing is accepted', () => {
    const cases: Array<[string, OcenAuthReason, () => Promise<Record<string, string | undefined>>]> = [
      ['no Authorization header', 'TOKEN_MISSING', async () => ({ 'x-jws-signature': agent.sign(body) })],
      ['an Authorization header that is not Bearer', 'TOKEN_MISSING', async () => ({ authorization: 'Basic bGE6cGFzcw==', 'x-jws-signature': agent.sign(body) })],
      ['a bearer token that is not a JWT', 'TOKEN_MALFORMED', async () => ({ authorization: 'Bearer not-a-jwt', 'x-jws-signature': agent.sign(body) })],
      ['an expired token', 'TOKEN_EXPIRED', async () => ({ authorization: `Bearer ${await auth.tokenFor('la-1', { expiresInSec: -120 })}`, 'x-jws-signature': agent.sign(body) })],
      ['a token from another issuer', 'TOKEN_WRONG_ISSUER', async () => ({ authorization: `Bearer ${await auth.tokenFor('la-1', { issuer: 'https://auth.elsewhere.example/realms/dev' })}`, 'x-jws-signature': agent.sign(body) })],
      ['a token signed with a key the auth service does not publish', 'TOKEN_UNKNOWN_KEY', async () => {
        const forged = await auth.tokenFor('la-1', { key: await FakeAuthService.foreignKey('forged') });
        return { authorization: `Bearer ${forged}`, 'x-jws-signature': agent.sign(body) };
      }],
      ['a token that names the auth service\'s kid but is signed with another key', 'TOKEN_INVALID', async () => {
        const forged = await auth.tokenFor('la-1', { key: await FakeAuthService.foreignKey('x'), kid: auth.keys[0].kid });
        return { authorization: `Bearer ${forged}`, 'x-jws-signature': agent.sign(body) };
      }],
      ['a token without a participantId claim', 'TOKEN_NO_PARTICIPANT', async () => ({ authorization: `Bearer ${await auth.issue({ sub: 'x' })}`, 'x-jws-signature': agent.sign(body) })],
      ['a participant the registry does not know', 'PARTICIPANT_UNKNOWN', async () => signedBy(new LoanAgent('la-unknown'))],
      ['a participant the registry has not approved', 'PARTICIPANT_NOT_APPROVED', async () => signedBy(unapproved)],
      ['a participant the registry lists in another role than LOAN_AGENT', 'PARTICIPANT_WRONG_ROLE', async () => signedBy(otherLender)],
      ['no signature', 'SIGNATURE_MISSING', async () => ({ authorization: `Bearer ${await auth.tokenFor('la-1')}` })],
      ['a signature that is not a detached JWS', 'SIGNATURE_MALFORMED', async () => ({ authorization: `Bearer ${await auth.tokenFor('la-1')}`, 'x-jws-signature': 'sig1=:AAAA:' })],
      ['a body changed after it was signed', 'SIGNATURE_INVALID', async () => ({ ...(await signedBy(agent)), 'x-jws-signature': agent.sign(Buffer.from(body.toString().replace('la-app-1', 'la-app-2'))) })],
      ['a body signed with another key than the participant\'s registered one', 'SIGNATURE_INVALID', async () => ({ authorization: `Bearer ${await auth.tokenFor('la-1')}`, 'x-jws-signature': new LoanAgent('la-1').sign(body) })],
      ['a signature naming another kid than the registered key\'s', 'SIGNATURE_KEY_MISMATCH', async () => ({ authorization: `Bearer ${await auth.tokenFor('la-1')}`, 'x-jws-signature': new LoanAgent('la-1', { kid: 'other-key' }).sign(body) })],
      ['a standard JWS (b64 true, over the base64url of the body) where b64 false is required', 'SIGNATURE_PAYLOAD_ENCODED', async () => {
        const jws = await new CompactSign(body).setProtectedHeader({ alg: 'RS256', kid: 'la-1-key' }).sign(agent.privateKey);
        const [header, , signature] = jws.split('.');
        return { authorization: `Bearer ${await auth.tokenFor('la-1')}`, 'x-jws-signature': `${header}..${signature}` };
      }],
      ['a signature with alg HS256', 'SIGNATURE_ALGORITHM', async () => ({ authorization: `Bearer ${await auth.tokenFor('la-1')}`, 'x-jws-signature': agent.sign(body, '{"alg":"HS256","b64":false}') })],
      ['a signature whose crit names a header this server does not understand', 'SIGNATURE_CRIT_UNSUPPORTED', async () => ({ authorization: `Bearer ${await auth.tokenFor('la-1')}`, 'x-jws-signature': agent.sign(body, '{"alg":"RS256","b64":false,"crit":["b64","exp"]}') })],
    ];

    it.each(cases)('when a request comes with %s, then it is refused with 401 %s', async (_what, reason, headers) => {
      const error = await refusal(await headers());
      expect(error.reason).toBe(reason);
      expect(error.status).toBe(401);
      expect(error.message).not.toBe('');
    });

    it('when the body is re-serialised after signing (same JSON, other whitespace), then it is refused: the bytes are what is signed', async () => {
      const headers = await signedBy(agent);
      const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString())));
      expect((await refusal(headers, reserialised)).reason).toBe('SIGNATURE_INVALID');
    });

    it('when credentials are missing, then nothing is fetched from the auth service or the registry', async () => {
      const before = { jwks: auth.jwksFetches, registry: registry.requests.length };
      expect((await refusal({ 'x-jws-signature': agent.sign(body) })).reason).toBe('TOKEN_MISSING');
      expect((await refusal({ authorization: `Bearer ${await auth.tokenFor('la-1')}` })).reason).toBe('SIGNATURE_MISSING');
      expect((await refusal({ authorization: `Bearer ${await auth.tokenFor('la-1', { issuer: 'https://other.example' })}`, 'x-jws-signature': agent.sign(body) })).reason).toBe('TOKEN_WRONG_ISSUER');
      expect({ jwks: auth.jwksFetches, registry: registry.requests.length }).toEqual(before);
    });
  });

  it('when the auth service rotates its key, then a token with the new kid makes us fetch the JWKS again and is accepted', async () => {
    network = newNetwork(0);
    await network.authenticateOcenRequest(await signedBy(agent), body);
    const fetches = auth.jwksFetches;
    await auth.rotate('auth-key-2');
    await expect(network.authenticateOcenRequest(await signedBy(agent), body)).resolves.toMatchObject({ participantId: 'la-1' });
    expect(auth.jwksFetches).toBe(fetches + 1);
    await network.authenticateOcenRequest(await signedBy(agent), body);
    expect(auth.jwksFetches).toBe(fetches + 1); // kept, until the cache ages or another kid appears
  });

  it('when the auth service\'s JWKS cannot be fetched, then the request is refused with 503 AUTH_SERVICE_UNAVAILABLE', async () => {
    auth.jwksStatus = 500;
    try {
      const error = await refusal(await signedBy(agent));
      expect([error.reason, error.status]).toEqual(['AUTH_SERVICE_UNAVAILABLE', 503]);
    } finally {
      auth.jwksStatus = undefined;
    }
  });

  it('when the registry cannot be asked, then the request is refused with 503 REGISTRY_UNAVAILABLE, and the failure is not cached', async () => {
    registry.status = 502;
    try {
      const error = await refusal(await signedBy(agent));
      expect([error.reason, error.status]).toEqual(['REGISTRY_UNAVAILABLE', 503]);
    } finally {
      registry.status = undefined;
    }
    await expect(network.authenticateOcenRequest(await signedBy(agent), body)).resolves.toMatchObject({ participantId: 'la-1' });
  });

  it('when an unapproved participant is approved in the registry, then it is accepted once its cached entry has aged', async () => {
    const late = new LoanAgent('la-late');
    registry.register(late, { isApproved: false, participantRoleStatus: 'UNDER_REVIEW' });
    expect((await refusal(await signedBy(late))).reason).toBe('PARTICIPANT_NOT_APPROVED');
    registry.register(late);
    expect((await refusal(await signedBy(late))).reason).toBe('PARTICIPANT_NOT_APPROVED');
    clock = 61_000;
    await expect(network.authenticateOcenRequest(await signedBy(late), body)).resolves.toMatchObject({ participantId: 'la-late' });
  });
});

describe('our own token (client credentials)', () => {
  it('when a token is asked for, then it is fetched form-encoded with our client credentials, and cached', async () => {
    auth.tokenRequests = [];
    const tokens = createTokenSource({ tokenUrl: auth.tokenUrl, clientId: 'lender-client', clientSecret: 's3cret' });
    const first = await tokens.token();
    expect(await tokens.token()).toBe(first);
    expect(auth.tokenRequests).toEqual([
      { contentType: 'application/x-www-form-urlencoded', form: { grant_type: 'client_credentials', client_id: 'lender-client', client_secret: 's3cret' } },
    ]);
  });

  it('when the token nears its expiry, then a new one is fetched (60 s before it, or half-way for short lifetimes)', async () => {
    auth.tokenRequests = [];
    auth.tokenLifetimeSec = 300;
    let now = Date.now();
    const tokens = createTokenSource({ tokenUrl: auth.tokenUrl, clientId: 'lender-client', clientSecret: 's3cret', now: () => now });
    const first = await tokens.token();
    now += 239_000;
    expect(await tokens.token()).toBe(first);
    now += 2_000; // 59 s before expiry
    const second = await tokens.token();
    expect(second).not.toBe(first);
    expect(auth.tokenRequests).toHaveLength(2);
  });

  it('when many callers ask at once, then one request is made and all get its token', async () => {
    auth.tokenRequests = [];
    const tokens = createTokenSource({ tokenUrl: auth.tokenUrl, clientId: 'lender-client', clientSecret: 's3cret' });
    const all = await Promise.all(Array.from({ length: 8 }, () => tokens.token()));
    expect(new Set(all).size).toBe(1);
    expect(auth.tokenRequests).toHaveLength(1);
  });

  it('when the token is invalidated (a callee refused it), then the next call fetches a new one', async () => {
    auth.tokenRequests = [];
    const tokens = createTokenSource({ tokenUrl: auth.tokenUrl, clientId: 'lender-client', clientSecret: 's3cret' });
    const first = await tokens.token();
    tokens.invalidate();
    expect(await tokens.token()).not.toBe(first);
    expect(auth.tokenRequests).toHaveLength(2);
  });

  it('when the auth service refuses our credentials, then OcenTokenError says so, and the next call asks again', async () => {
    auth.tokenRequests = [];
    const tokens = createTokenSource({ tokenUrl: auth.tokenUrl, clientId: 'lender-client', clientSecret: 'wrong' });
    await expect(tokens.token()).rejects.toThrow(new OcenTokenError('The OCEN auth service refused the token request with HTTP 401 (invalid_client)'));
    await expect(tokens.token()).rejects.toBeInstanceOf(OcenTokenError);
    expect(auth.tokenRequests).toHaveLength(2);
  });

  it('when the auth service is unreachable or slow, then OcenTokenError says it could not be asked', async () => {
    const silent = await startServer(() => undefined); // accepts, never answers
    try {
      const tokens = createTokenSource({ tokenUrl: `${silent.url}/token`, clientId: 'a', clientSecret: 'b', timeoutMs: 200 });
      await expect(tokens.token()).rejects.toThrow(/could not be asked for a token/);
    } finally {
      await silent.close();
    }
  });
});

describe('what we send', () => {
  it('when a callback body is prepared, then it carries our token and a detached JWS of its exact bytes that verifies with our published RS256 key', async () => {
    const headers = await network.outboundHeaders(body);
    expect(headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(headers['content-type']).toBe('application/json');
    const jws = headers['x-jws-signature'];
    const [protectedHeader, payload, signature] = jws.split('.');
    expect(payload).toBe('');
    const published = publicJwks(ring).keys.find((k) => k.alg === 'RS256')!;
    expect(JSON.parse(Buffer.from(protectedHeader, 'base64url').toString())).toEqual({ alg: 'RS256', kid: published.kid, b64: false, crit: ['b64'] });
    // jose (an independent RFC 7797 implementation) verifies it over the raw bytes ...
    const { kid: _kid, use: _use, alg: _alg, ...material } = published;
    await expect(flattenedVerify({ protected: protectedHeader, payload: body, signature }, await importJWK(material, 'RS256'))).resolves.toBeTruthy();
    // ... and so does the loan agent's side, as we verify theirs; one byte changed and it does not
    expect(verifyDetached(jws, body, importParticipantKey(JSON.stringify(published)))).toMatchObject({ alg: 'RS256', b64: false });
    const changed = Buffer.from(body);
    changed[10] ^= 1;
    expect(() => verifyDetached(jws, changed, importParticipantKey(published))).toThrow(expect.objectContaining({ reason: 'SIGNATURE_INVALID' }));
  });
});
