/**
 * A fake OCEN network for tests, over real HTTP on 127.0.0.1: the auth service (client-credentials token
 * endpoint, JWKS, JWTs it issues) and the participant registry, each its own server on its own port, counting
 * what it is asked. Loan agents are key pairs that sign bodies the way the network does.
 */
import { closeServer, listenOnLoopback } from './loopback-server';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { generateKeyPairSync, JsonWebKey, KeyObject, sign as rsaSign } from 'node:crypto';
import { exportJWK, generateKeyPair, JWTPayload, SignJWT } from 'jose';
import type { CryptoKey, JWK } from 'jose';

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

/** An HTTP server on a free loopback port. */
export async function startServer(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<TestServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  const port = await listenOnLoopback(server);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** The OCEN auth service (Keycloak-like): `/realms/test/protocol/openid-connect/token` and `/certs`. */
export class FakeAuthService {
  readonly issuer: string;
  readonly tokenUrl: string;
  readonly jwksUrl: string;
  /** Keys published in the JWKS; the first signs. */
  keys: SigningKey[] = [];
  jwksFetches = 0;
  tokenRequests: Array<{ contentType: string | undefined; form: Record<string, string> }> = [];
  /** Lifetime of the tokens the token endpoint issues, in seconds. */
  tokenLifetimeSec = 300;
  /** When set, the JWKS endpoint answers this status instead of the keys. */
  jwksStatus: number | undefined;
  private issued = 0;

  private constructor(private readonly server: TestServer, readonly client: { id: string; secret: string; participantId: string }) {
    const realm = `${server.url}/realms/test`;
    this.issuer = realm;
    this.tokenUrl = `${realm}/protocol/openid-connect/token`;
    this.jwksUrl = `${realm}/protocol/openid-connect/certs`;
  }

  static async start(client = { id: 'lender-client', secret: 's3cret', participantId: 'lender-1' }): Promise<FakeAuthService> {
    const ref: { service?: FakeAuthService } = {};
    const server = await startServer((req, res, body) => ref.service!.handle(req, res, body));
    const service = (ref.service = new FakeAuthService(server, client));
    service.keys = [await newSigningKey('auth-key-1')];
    return service;
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/realms/test/protocol/openid-connect/certs') {
      this.jwksFetches += 1;
      if (this.jwksStatus) return json(res, this.jwksStatus, { error: 'unavailable' });
      return json(res, 200, { keys: this.keys.map((k) => k.publicJwk) });
    }
    if (req.method === 'POST' && path === '/realms/test/protocol/openid-connect/token') {
      const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      this.tokenRequests.push({ contentType: req.headers['content-type'], form });
      if (form.grant_type !== 'client_credentials' || form.client_id !== this.client.id || form.client_secret !== this.client.secret) {
        return json(res, 401, { error: 'invalid_client' });
      }
      this.issueFor(this.client.participantId, this.tokenLifetimeSec).then(
        (token) => json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: this.tokenLifetimeSec, scope: 'profile' }),
        () => json(res, 500, {}),
      );
      return;
    }
    json(res, 404, { error: 'not found' });
  }

  private issueFor(participantId: string, lifetimeSec: number): Promise<string> {
    return this.issue({ participantId }, { expiresInSec: lifetimeSec });
  }

  /** A JWT as the auth service issues it (claims and header can be bent to make bad ones). */
  async issue(claims: JWTPayload, options: { expiresInSec?: number; issuer?: string; key?: SigningKey; kid?: string } = {}): Promise<string> {
    const key = options.key ?? this.keys[0];
    const now = Math.floor(Date.now() / 1000);
    this.issued += 1;
    return new SignJWT({ typ: 'Bearer', azp: 'la-client', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid, typ: 'JWT' })
      .setIssuer(options.issuer ?? this.issuer)
      .setSubject(`service-account-${this.issued}`)
      .setIssuedAt(now - 5)
      .setExpirationTime(now + (options.expiresInSec ?? 300))
      .setJti(`jti-${this.issued}`)
      .sign(key.privateKey);
  }

  /** A token for a loan agent, as the auth service would issue it. */
  tokenFor(participantId: string, options: Parameters<FakeAuthService['issue']>[1] = {}): Promise<string> {
    return this.issue({ participantId }, options);
  }

  /** Publishes a new signing key (the old one dropped), as a key rotation at the auth service. */
  async rotate(kid: string): Promise<void> {
    this.keys = [await newSigningKey(kid)];
  }

  /** A key the auth service does not publish (for forged tokens). */
  static foreignKey(kid: string): Promise<SigningKey> {
    return newSigningKey(kid);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** What the registry holds of a participant (`publicKey` is a JSON string of the JWK, as the registry serves it). */
export interface RegistryEntry {
  id: string;
  participantRole: string;
  publicKey: string;
  baseUrl: string;
  isApproved: boolean;
  participantRoleStatus?: string;
}

/** The participant registry: `GET /service/participant-roles/{id}`. */
export class FakeRegistry {
  readonly entries = new Map<string, RegistryEntry>();
  requests: Array<{ participantId: string; authorization: string | undefined }> = [];
  /** When set, every request is answered with this status. */
  status: number | undefined;

  private constructor(private readonly server: TestServer) {}

  get url(): string {
    return this.server.url;
  }

  static async start(): Promise<FakeRegistry> {
    const ref: { registry?: FakeRegistry } = {};
    const server = await startServer((req, res) => ref.registry!.handle(req, res));
    return (ref.registry = new FakeRegistry(server));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const match = /^\/service\/participant-roles\/([^/]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method !== 'GET' || !match) return json(res, 404, { error: 'not found' });
    const participantId = decodeURIComponent(match[1]);
    this.requests.push({ participantId, authorization: req.headers.authorization });
    if (this.status) return json(res, this.status, { error: 'unavailable' });
    const entry = this.entries.get(participantId);
    if (!entry) return json(res, 404, { error: 'participant not found' });
    return json(res, 200, { ...entry, createdOn: '2026-01-01T00:00:00Z', approvedBy: 'admin', participant: { id: 'org-1', name: 'Test LA' } });
  }

  /** Registers a loan agent (approved unless said otherwise). */
  register(agent: LoanAgent, overrides: Partial<RegistryEntry> = {}): void {
    this.entries.set(agent.participantId, {
      id: agent.participantId,
      participantRole: 'LOAN_AGENT',
      publicKey: JSON.stringify(agent.publicJwk, null, 2),
      baseUrl: `https://${agent.participantId}.example/ocen`,
      isApproved: true,
      participantRoleStatus: 'APPROVED',
      ...overrides,
    });
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** A loan agent's RSA key pair, and detached signatures of bodies as the network makes them. */
export class LoanAgent {
  readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey & { kid?: string };

  constructor(readonly participantId: string, options: { kid?: string; modulusLength?: number } = {}) {
    const pair = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 });
    this.privateKey = pair.privateKey;
    this.publicJwk = { ...pair.publicKey.export({ format: 'jwk' }), ...(options.kid ? { kid: options.kid, alg: 'RS256', use: 'sig' } : {}) };
  }

  /**
   * A detached JWS of `body` with an exact header: by default what jose4j (the official Java sample) sends,
   * `{"alg":"RS256","kid":<kid or null>,"b64":false}`, no crit. `headerJson` replaces the header text.
   */
  sign(body: Uint8Array | string, headerJson?: string): string {
    const header = Buffer.from(headerJson ?? `{"alg":"RS256","kid":${JSON.stringify(this.publicJwk.kid ?? null)},"b64":false}`).toString('base64url');
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    return `${header}..${rsaSign('sha256', Buffer.concat([Buffer.from(`${header}.`), bytes]), this.privateKey).toString('base64url')}`;
  }
}

/** What the fake analytics service received: the path, the bearer token and the JSON body. */
export interface AnalyticsPost {
  path: string;
  authorization: string | undefined;
  body: any;
}

/**
 * The network's heartbeat and analytics service: `POST /ocen/v4/event` and
 * `/ocen/v4/metrics/lender/loanDisbursementMetric`, answered `{message, timestamp}`. `mode` bends it: `hang` takes
 * requests and never answers (until closed), `fail` answers 500.
 */
export class FakeAnalytics {
  received: AnalyticsPost[] = [];
  mode: 'ok' | 'hang' | 'fail' = 'ok';
  /** Requests taken while hanging (still open). */
  hanging = 0;

  private constructor(private readonly server: TestServer) {}

  get url(): string {
    return this.server.url;
  }

  static async start(): Promise<FakeAnalytics> {
    const ref: { analytics?: FakeAnalytics } = {};
    const server = await startServer((req, res, body) => ref.analytics!.handle(req, res, body));
    return (ref.analytics = new FakeAnalytics(server));
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (this.mode === 'hang') {
      this.hanging += 1;
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    this.received.push({ path, authorization: req.headers.authorization, body: parsed });
    if (this.mode === 'fail') return json(res, 500, { message: 'down', errorCode: 'E500' });
    if (req.method !== 'POST' || !['/ocen/v4/event', '/ocen/v4/metrics/lender/loanDisbursementMetric'].includes(path)) return json(res, 404, { message: 'not found' });
    json(res, 200, { message: 'ok', timestamp: Date.now() });
  }

  /** The heartbeats received (their `event`), in order. */
  get events(): Array<HeartbeatEventBody> {
    return this.received.filter((r) => r.path === '/ocen/v4/event').map((r) => r.body.event);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

export interface HeartbeatEventBody {
  timestamp: number;
  eventType: string;
  requestId: string;
  loanMetaData: { loanApplicationId: string; loanId: string; productData: { productId: string; productNetworkId: string } };
  recipients: Array<{ roleId: string; responseCode: number; responseMessage: string }>;
}
