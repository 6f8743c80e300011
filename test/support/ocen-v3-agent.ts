/**
 * An OCEN v3 test loan agent (Juspay's LSP-Lender API), beside the 4.0 one (ocen-lender-harness.ts): onboarded
 * bilaterally as a partner with protocol OCEN_3 (its RS512 public key and callback base URL on its row), it signs
 * every request as iSPIRT/OCEN Security/README.md says (flattened JWS `{payload, header, signature}`, RS512), and
 * receives our callbacks on its own HTTP server, where each is verified with our RSA key from
 * /.well-known/jwks.json (node:crypto, not the server's code) and checked against the official v3 schemas.
 */
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { V3_CONFIRM_REPAYMENT_SCHEMA } from '../../src/protocols/ocen-v3/operations/confirm-repayment';
import { closeServer, listenOnLoopback } from './loopback-server';
import { createPublicKey, generateKeyPairSync, KeyObject, randomUUID, sign, verify } from 'node:crypto';
import { V3_OPERATIONS, isValidV3 } from '../../src/protocols/ocen-v3/ocen-v3-schemas';
import { TestApp, eventually, startTestApp } from './test-app';

const b64url = (text: string | Buffer) => Buffer.from(text).toString('base64url');

/** A v3 loan agent's identity: its org id (its partner id here) and its RSA key pair (RS512). */
export class V3LoanAgent {
  readonly privateKey: KeyObject;
  readonly publicJwk: { kid: string; kty: string; [member: string]: unknown };

  constructor(readonly orgId: string, readonly kid = `${orgId}-rs512`) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    const jwk = pair.publicKey.export({ format: 'jwk' });
    this.publicJwk = { ...jwk, kty: 'RSA', kid, alg: 'RS512', use: 'sig' };
  }

  /** `message` as a signed v3 body. */
  sign(message: unknown): { payload: string; header: string; signature: string } {
    const header = b64url(JSON.stringify({ kid: this.kid, alg: 'RS512' }));
    const payload = b64url(JSON.stringify(message));
    return { payload, header, signature: b64url(sign('sha512', Buffer.from(`${header}.${payload}`), this.privateKey)) };
  }
}

/** The message of a signed v3 body, if its RS512 signature verifies with `key`. */
export function openSigned(body: unknown, key: KeyObject, kid?: string): { message: Record<string, any>; valid: boolean } {
  const { payload, header, signature } = (body ?? {}) as Record<string, string>;
  const message = JSON.parse(Buffer.from(String(payload), 'base64url').toString('utf8'));
  const protectedHeader = JSON.parse(Buffer.from(String(header), 'base64url').toString('utf8'));
  const valid = protectedHeader.alg === 'RS512' && (kid === undefined || protectedHeader.kid === kid) && verify('sha512', Buffer.from(`${header}.${payload}`), key, Buffer.from(String(signature), 'base64url'));
  return { message, valid };
}

export interface V3Callback {
  path: string;
  message: Record<string, any>;
  signatureValid: boolean;
  /** Violations of the official (patched) schema of the callback's operation; empty when valid. */
  schemaProblems: string[];
}

const RESPONSE_SCHEMAS = new Map<string, string>([
  ...Object.values(V3_OPERATIONS).map((o) => [`/lsp/v3/${o.response}`, o.responseSchema] as [string, string]),
  // Unsolicited: our own mandate collections (docs/ocen.md §4.4).
  ['/lsp/v3/repayment/confirmRepaymentRequest', V3_CONFIRM_REPAYMENT_SCHEMA],
]);

/** The agent's callback endpoint: verifies, checks and keeps every callback, and answers a signed ack. */
export class V3AgentEndpoint {
  received: V3Callback[] = [];
  private server: http.Server | undefined;
  port = 0;

  constructor(private readonly agent: V3LoanAgent, private readonly lenderKey: () => Promise<{ key: KeyObject; kid: string }>) {}

  async up(): Promise<void> {
    this.server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const { key, kid } = await this.lenderKey();
        const { message, valid } = openSigned(JSON.parse(Buffer.concat(chunks).toString('utf8')), key, kid);
        const schema = RESPONSE_SCHEMAS.get(req.url ?? '');
        const check = schema ? isValidV3(schema, message) : { valid: false, violations: [{ path: '', message: `no v3 response at ${req.url}` }] };
        this.received.push({ path: req.url ?? '', message, signatureValid: valid, schemaProblems: check.violations.map((v) => `${v.path} ${v.message}`) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.agent.sign({ error: '0', traceId: message.metadata?.traceId ?? 'x', timestamp: new Date().toISOString() })));
      });
    });
    this.port = await listenOnLoopback(this.server);
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeServer(server);
  }

  /** The base URL agreed at onboarding: callbacks go to it + `/v3/<operation>`. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/lsp`;
  }
}

export interface OcenV3Harness {
  app: TestApp;
  agent: V3LoanAgent;
  endpoint: V3AgentEndpoint;
  /** Our RSA public key, from /.well-known/jwks.json. */
  lenderKey(): Promise<{ key: KeyObject; kid: string }>;
  /** POSTs a body to `/v3/<operation>` as is (a signed one, or anything else). */
  post(operation: string, body: unknown): Promise<import('supertest').Response>;
  /** A v3 envelope of the agent: `metadata` (orgId, now) and a fresh top-level `requestId`. */
  envelope(): { metadata: { version: string; orgId: string; timestamp: string; traceId: string }; requestId: string };
  /**
   * Sends `members` in a fresh envelope, signed, to `operation`; its signed ack must verify and say "0". Waits for
   * the callback answering it (by requestId).
   */
  ask(operation: string, members: Record<string, unknown>, timeoutMs?: number): Promise<V3Callback>;
  stop(): Promise<void>;
}

/** The server with one v3 loan agent onboarded (partner `orgId`, OCEN_3, its key and base URL on file). */
export async function startOcenV3Lender(orgId: string): Promise<OcenV3Harness> {
  const agent = new V3LoanAgent(orgId);
  const ref: { app?: TestApp } = {};
  let cached: { key: KeyObject; kid: string } | undefined;
  const lenderKey = async () => {
    if (cached) return cached;
    const jwks = (await ref.app!.http().get('/.well-known/jwks.json')).body as { keys: Array<{ kid: string; alg: string }> };
    const jwk = jwks.keys.find((k) => k.alg === 'RS256')!;
    cached = { key: createPublicKey({ key: jwk, format: 'jwk' }), kid: jwk.kid };
    return cached;
  };
  const endpoint = new V3AgentEndpoint(agent, lenderKey);
  await endpoint.up();
  const app = (ref.app = await startTestApp({
    partners: [{ id: orgId, displayName: 'v3 loan agent', protocol: 'OCEN_3', jwks: { keys: [agent.publicJwk] }, callbackBaseUrl: endpoint.baseUrl }],
  }));
  const harness: OcenV3Harness = {
    app,
    agent,
    endpoint,
    lenderKey,
    post: (operation, body) => app.http().post(`/v3/${operation}`).set('content-type', 'application/json').send(JSON.stringify(body)),
    envelope() {
      const requestId = randomUUID();
      return { metadata: { version: '3.2', orgId, timestamp: new Date().toISOString(), traceId: `trace-${requestId}` }, requestId };
    },
    async ask(operation, members, timeoutMs = 30_000) {
      const request = { ...harness.envelope(), ...members };
      const answer = await harness.post(operation, agent.sign(request));
      const { key, kid } = await lenderKey();
      const ack = openSigned(answer.body, key, kid);
      if (answer.status !== 200 || !ack.valid || ack.message.error !== '0') throw new Error(`${operation} was refused: HTTP ${answer.status} ${JSON.stringify(ack.message)} (signature ${ack.valid ? 'valid' : 'INVALID'})`);
      const [callback] = await eventually(async () => endpoint.received.filter((r) => r.message.requestId === request.requestId), (r) => r.length > 0, timeoutMs);
      return callback;
    },
    async stop() {
      await app.stop();
      await endpoint.down();
    },
  };
  return harness;
}
