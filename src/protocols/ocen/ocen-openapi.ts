/* eslint-disable @typescript-eslint/no-explicit-any -- OpenAPI documents are plain JSON trees */
import spec from './spec/loan.patched.json';
import { OCEN_PATH_PREFIX, OcenOperation } from './ocen-schemas';
import { OCEN_EXAMPLES } from './ocen-examples';
import { SANDBOX_PARTICIPANT_HEADER } from './sandbox-loan-agent';
import { LICENSE } from '../shared/openapi';
import { SANDBOX_OCEN_AGENT_ID } from '../../core/partner/sandbox-partners';
import { isJsonObject } from '../shared/ocen-family';

export interface OcenOpenApiOptions {
  /** BASE_PATH: the OCEN paths are served under it. */
  basePath: string;
  /** PUBLIC_BASE_URL: where loan agents reach this server. */
  publicBaseUrl: string;
  /** The sandbox's built-in test loan agent answers (no OCEN_* settings): calls work unsigned. */
  builtInAgent: boolean;
}

type Document = {
  openapi: string;
  info: Record<string, unknown>;
  servers: Array<{ url: string; description: string }>;
  tags: Array<{ name: string; description?: string }>;
  security: Array<Record<string, string[]>>;
  paths: Record<string, { post: any }>;
  components: { schemas: Record<string, any>; securitySchemes: Record<string, any> };
};

const COMPONENT_REF = '#/components/schemas/';

/**
 * Runs in the browser before each "Try it out" call of `/ocen/docs` (so it is self-contained, and served in
 * swagger-ui-init.js, not inline). While `metadata.requestId` is an example's (ocen-examples.ts), the call is made
 * a new request: a fresh requestId and traceId, and the timestamp now. A requestId the user typed is kept, with
 * the traceId as typed and the timestamp it was first sent with from this page (remembered for the page's
 * life), so sending the same call again sends the same body and shows the replay (the same ack, the callback
 * sent again). A timestamp the user typed is sent as typed. The originator is the loan agent that the sandbox's
 * `x-ocen-participant-id` header plays, if any.
 */
export function freshOcenRequest(request: { body?: unknown; headers?: Record<string, string> }): typeof request {
  if (typeof request.body === 'string' && request.body.includes('"metadata"')) {
    try {
      const body = JSON.parse(request.body);
      const metadata = body.metadata;
      if (metadata && typeof metadata === 'object') {
        const exampleTimestamp = metadata.timestamp === '2026-12-01T10:00:00.000Z';
        if (/^00000000-0000-4000-8000-0000000000[0-9]{2}$/.test(String(metadata.requestId))) {
          const id = `docs-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;
          metadata.requestId = id;
          metadata.traceId = `trace-${id}`;
          if (exampleTimestamp) metadata.timestamp = new Date().toISOString();
        } else if (exampleTimestamp) {
          const sent: Record<string, string> = ((globalThis as Record<string, unknown>).ocenTryItOutTimestamps ??= {}) as Record<string, string>;
          metadata.timestamp = sent[String(metadata.requestId)] ??= new Date().toISOString();
        }
        const agent = request.headers?.['x-ocen-participant-id'];
        if (agent) metadata.originatorParticipantId = agent;
        request.body = JSON.stringify(body);
      }
    } catch {
      /* leave the body as typed */
    }
  }
  return request;
}

/** The Swagger UI page of the OCEN document. */
export const OCEN_SWAGGER_OPTIONS = { customSiteTitle: 'credit-partner OCEN 4.0 lender', swaggerOptions: { requestInterceptor: freshOcenRequest } };

/**
 * The OpenAPI document of the OCEN 4.0 lender surface (`GET /ocen/openapi.json`, Swagger UI at `/ocen/docs`): the
 * request paths this lender hosts (`operations`, i.e. `OcenLender.operations`, so it grows with them), each with
 * its request schema from the patched loan.json, an example of one sandbox journey (ocen-examples.ts), the `Ack`
 * of HTTP 200 and the Ack errors the router answers, and which `...Response` callback it triggers. Only the
 * component schemas these paths use are included.
 */
export function buildOcenOpenApi(operations: ReadonlyArray<{ request: OcenOperation; response: OcenOperation | null }>, options: OcenOpenApiOptions): Document {
  const source = spec as unknown as { paths: Record<string, { post: any }>; components: { schemas: Record<string, any> }; info: { version: string } };
  const paths: Document['paths'] = {};
  const groups: string[] = [];
  for (const { request, response } of [...operations].sort((a, b) => order(a.request) - order(b.request))) {
    const original = source.paths[`${OCEN_PATH_PREFIX}${request}`]?.post;
    if (!original) throw new Error(`The patched loan.json has no path for ${request}`);
    const group = request.split('/')[0];
    if (!groups.includes(group)) groups.push(group);
    const example = OCEN_EXAMPLES[request];
    const requestSchema = asOpenApi30(clone(original.requestBody.content['application/json'].schema));
    ENFORCED[request]?.(requestSchema);
    paths[`${OCEN_PATH_PREFIX}${request}`] = {
      post: {
        tags: [group],
        summary: original.summary,
        operationId: original.operationId,
        description: describe(request, response, original.description, example?.note, options.builtInAgent),
        ...(options.builtInAgent ? { parameters: [PARTICIPANT_PARAMETER] } : {}),
        requestBody: {
          required: true,
          content: { 'application/json': { schema: requestSchema, ...(example ? { example: example.body } : {}) } },
        },
        responses: ackResponses(),
        ...(response ? { callbacks: callbackOf(response, source, options.builtInAgent) } : {}),
      },
    };
  }

  const schemas: Record<string, any> = {};
  const wanted = [...new Set(['Ack', ...referenced(paths)])];
  while (wanted.length) {
    const name = wanted.pop()!;
    if (schemas[name]) continue;
    const schema = source.components.schemas[name];
    if (!schema) throw new Error(`The patched loan.json has no component ${name}`);
    schemas[name] = asOpenApi30(clone(schema));
    wanted.push(...referenced(schemas[name]).filter((n) => !schemas[n]));
  }

  const base = options.basePath || '';
  const servers = [{ url: base || '/', description: 'This server' }];
  const absolute = `${options.publicBaseUrl}${base}`;
  if (absolute !== (base || '/')) servers.push({ url: absolute, description: 'The public address (PUBLIC_BASE_URL): the loan agent calls baseUrl + /v4.0.0alpha/...' });

  return {
    openapi: '3.0.3',
    info: {
      title: 'credit-partner: OCEN 4.0 lender',
      version: source.info.version,
      description: infoDescription(options.builtInAgent),
      license: LICENSE,
    },
    servers,
    tags: groups.map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? `The ${name} operations of the OCEN 4.0 loan journey.` })),
    security: [...(options.builtInAgent ? [{}] : []), { ocenBearer: [], ocenSignature: [] }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.keys(schemas).sort().map((name) => [name, schemas[name]])),
      securitySchemes: {
        ocenBearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The access token the OCEN auth service issued to the calling loan agent (client credentials). Verified against the auth service\'s JWKS (OCEN_AUTH_JWKS_URL) and issuer (OCEN_AUTH_ISSUER), RS256, PS256 or ES256; its `participantId` claim names the caller, which must be an approved participant of the registry.',
        },
        ocenSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'x-jws-signature',
          description: 'A detached JWS of the exact request body bytes (RFC 7515 appendix F, RFC 7797 unencoded payload): `BASE64URL(header)..BASE64URL(signature)`, header `{"alg":"RS256","kid":...,"b64":false,"crit":["b64"]}`, signed with the key the caller registered in the OCEN registry. `Signature` is accepted as the header name too.',
        },
      },
    },
  };
}

/**
 * What the lender enforces beyond loan.json, said in the request schemas (each refused 400 INVALID_REQUEST by the
 * operation, src/protocols/ocen/operations/), so that a loan agent's generated client and validator know it.
 */
const ENFORCED: Partial<Record<OcenOperation, (schema: any) => void>> = {
  'loanApplications/createLoanRequest': (schema) => {
    requireMember(schema, 'loanApplications');
    enforce(schema.properties.loanApplications, { minItems: 1, maxItems: 10 }, '1 to 10 loan applications.');
  },
  'loanApplications/getAdditionalPledgedDocumentsResponse': (schema) => {
    const documents = schema.properties.pledgedDocuments?.properties?.documents;
    if (documents) enforce(documents, { maxItems: 20 }, 'At most 20 documents at a time.');
  },
  'consent/consentHandleRequest': (schema) => enforce(schema.properties.loanApplicationIds, { minItems: 1, maxItems: 50, items: { type: 'string', minLength: 1 } }, '1 to 50 loan application ids.'),
  'consent/journeyNotify': (schema) => enforce(schema.properties.loanApplicationIds, { minItems: 1, maxItems: 50, items: { type: 'string', minLength: 1 } }, '1 to 50 loan application ids.'),
  'offers/generateOffersRequest': (schema) => enforce(schema.properties.loanApplicationIds, { minItems: 1, maxItems: 50 }, '1 to 50 loan application ids.'),
  'offers/sendAdditionalDocumentsRequest': (schema) => {
    const applications = schema.properties.loanApplications;
    enforce(applications, { minItems: 1, maxItems: 50 }, '1 to 50 loan applications.');
    enforce(applications.items.properties.additionalDocuments, { minItems: 1 }, 'At least one document.');
  },
  'loanAcceptance/verifyLoanAcceptanceRequest': (schema) => {
    const data = schema.properties.credBlock.properties.data;
    enforce(data, { required: ['otpSessionKey', 'otp'] }, 'The OTP session key of triggerLoanAcceptanceResponse and the OTP the borrower received.');
    requireMember(schema.properties.credBlock, 'data');
  },
};

function requireMember(schema: any, member: string): void {
  schema.required = [...new Set([...(schema.required ?? []), member])];
}

function enforce(schema: any, rules: Record<string, unknown>, said: string): void {
  Object.assign(schema, rules);
  schema.description = [schema.description, `Enforced by this lender: ${said}`].filter(Boolean).join(' ');
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  loanApplications: 'Open loan applications (createLoanRequest) and exchange pledged documents.',
  consent: 'The borrower\'s account-aggregator consent: its handle, the journey notification and its status.',
  offers: 'Offers: generated from the application and its data, with additional documents, and the one the borrower chose.',
  kyc: 'The borrower\'s KYC: the methods this lender accepts, starting one, and its status.',
  loanAcceptance: 'The loan agreement (Key Fact Statement) and the borrower\'s OTP signature.',
  grantLoan: 'The loan granted on the signed agreement.',
  disbursement: 'The repayment plan (e-mandate), the disbursement account and the payout.',
  repayment: 'Repayments the borrower makes through the loan agent, and changes to the repayment conditions.',
  loanDetails: 'A loan, its statement and summary, and the borrower\'s loans.',
};

/**
 * The callback a request triggers (OpenAPI `callbacks`): what the lender POSTs to the loan agent, with its schema
 * from loan.json, and the Ack the loan agent answers. Its URL is the loan agent's registered baseUrl (the OCEN
 * registry's, not the request's) + the callback's path.
 */
function callbackOf(response: OcenOperation, source: { paths: Record<string, { post: any }> }, builtInAgent: boolean): Record<string, unknown> {
  const original = source.paths[`${OCEN_PATH_PREFIX}${response}`]?.post;
  if (!original) throw new Error(`The patched loan.json has no path for ${response}`);
  const name = response.split('/')[1];
  return {
    [name]: {
      [`${OCEN_PATH_PREFIX}${response}`]: {
        post: {
          summary: original.summary ?? name,
          operationId: `callback_${name}`,
          description: [
            `The lender POSTs \`${name}\` to the loan agent's baseUrl (as registered in the OCEN registry) + \`${OCEN_PATH_PREFIX}${response}\`, with the request's \`metadata.requestId\`, signed (\`x-jws-signature\`: a detached JWS by our key at \`/.well-known/jwks.json\`) and with our bearer token. It is valid against this schema (checked before it is sent); it is retried until acked.`,
            builtInAgent ? 'In the sandbox with the built-in test loan agent it is not POSTed but stored: read it at `GET /sandbox/ocen/callbacks?loanApplicationId=...`.' : undefined,
            original.description ? `From the OCEN specification: ${String(original.description).trim()}` : undefined,
          ].filter(Boolean).join('\n\n'),
          requestBody: { required: true, content: { 'application/json': { schema: asOpenApi30(clone(original.requestBody.content['application/json'].schema)) } } },
          responses: {
            '200': { description: 'Delivered. The loan agent\'s Ack: `error` "0" when accepted; an Ack with an error is logged, and the callback is not sent again.', content: { 'application/json': { schema: { $ref: `${COMPONENT_REF}Ack` } } } },
            '4XX': { description: 'Not delivered: sent again with back-off (the same bytes), as on a 5xx or no answer.' },
            '5XX': { description: 'Not delivered: sent again with back-off (the same bytes).' },
          },
        },
      },
    },
  };
}

/** The order of the journey (the examples' order); operations without an example go last. */
function order(operation: OcenOperation): number {
  const index = Object.keys(OCEN_EXAMPLES).indexOf(operation);
  return index < 0 ? Number.MAX_SAFE_INTEGER : index;
}

function infoDescription(builtInAgent: boolean): string {
  const lines = [
    'The OCEN 4.0 (v4.0.0alpha) loan-journey endpoints this lender hosts for loan agents. Every call is a POST answered at once with the spec\'s `Ack` (`error` "0" when accepted; otherwise `CODE: reason` with a 4xx or 5xx status) and, for most operations, later by a `...Response` callback that the lender POSTs to the loan agent\'s registered baseUrl + the same path prefix, signed with our RS256 key (listed at `/.well-known/jwks.json`).',
    '',
    'A request is idempotent per loan agent and `metadata.requestId`: sent again with the same body it gets the same ack and its answer is sent again; with another body it is 409 REQUEST_ID_REUSED. Each loan agent sees only its own loan applications and loans.',
    '',
    'Unasked, the lender POSTs `repayment/confirmRepaymentRequest` for each debit of the repayment mandate it presents itself (when the loan agent does not collect): `PENDING_AUTH` with the pre-debit notice, then `SUCCESS` or `FAILURE` (a bounce), the same `payment.id` in each. Loan status, dues and statements are read on the business date, arrears and charges included (docs/ocen.md §4.4).',
    '',
  ];
  if (builtInAgent) {
    lines.push(
      `**Sandbox, built-in test loan agent.** No OCEN_* setting is present, so calls work unsigned: each is made as the loan agent \`${SANDBOX_OCEN_AGENT_ID}\` (or the one named by the \`${SANDBOX_PARTICIPANT_HEADER}\` header), and its callbacks are not POSTed anywhere but stored: read them, newest first, at \`GET /sandbox/ocen/callbacks?loanApplicationId=...\`. "Try it out" sends an example with a fresh \`metadata.requestId\`, \`traceId\` and \`timestamp\`; type your own requestId to keep it (with the timestamp it was first sent with), and Execute twice to see the replay: the same ack, the callback sent again. As soon as OCEN_REGISTRY_URL and the other OCEN_* settings are set, the bearer token and the signature are required, in the sandbox as in production.`,
      '',
    );
  }
  lines.push('The partner API (Google Pay-style) is documented at [/docs](/docs).');
  return lines.join('\n');
}

function describe(request: OcenOperation, response: OcenOperation | null, specText: string | undefined, note: string | undefined, builtInAgent: boolean): string {
  const answer = response
    ? `**Answered later by \`${response.split('/')[1]}\`**: the lender POSTs it to the loan agent's baseUrl + \`${OCEN_PATH_PREFIX}${response}\`, with the request's \`metadata.requestId\`${builtInAgent ? ' (here: read it at `GET /sandbox/ocen/callbacks?loanApplicationId=...`)' : ''}.`
    : '**Acknowledged only**: the Ack is the whole answer, no callback follows.';
  return [answer, note, specText ? `From the OCEN specification: ${specText.trim()}` : undefined].filter(Boolean).join('\n\n');
}

const PARTICIPANT_PARAMETER = {
  name: SANDBOX_PARTICIPANT_HEADER,
  in: 'header',
  required: false,
  description: `Sandbox without OCEN_* settings only: play this loan agent instead of the built-in \`${SANDBOX_OCEN_AGENT_ID}\` (e.g. a second agent, to see that it cannot reach the first one's applications). A partner id: 2-63 characters of a-z, 0-9, ".", "_" and "-".`,
  schema: { type: 'string', example: 'second-test-agent' },
};

const ack = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: { $ref: `${COMPONENT_REF}Ack` } } },
});

/** The Ack answers of a hosted request, as ocen-router.ts and the lender give them (`error` is `CODE: reason`). */
function ackResponses(): Record<string, unknown> {
  return {
    '200': {
      description: 'Accepted: `error` is "0", `traceId` the request\'s `metadata.traceId`. A duplicate request (same requestId and body) gets the same ack and its answer is sent again.',
      content: { 'application/json': { schema: { $ref: `${COMPONENT_REF}Ack` }, example: { error: '0', traceId: 'sandbox-trace-01', timestamp: '2026-12-01T10:00:00.120Z' } } },
    },
    '400': ack('INVALID_REQUEST (not JSON, not an object, not valid against the OCEN schema, a member the operation needs is missing or unusable), ILL_FORMED_TEXT (NUL, lone surrogate or control character)'),
    '401': ack('The caller is not authenticated (nothing is processed): TOKEN_MISSING, TOKEN_EXPIRED, TOKEN_WRONG_ISSUER, TOKEN_UNKNOWN_KEY, TOKEN_INVALID, TOKEN_NO_PARTICIPANT, PARTICIPANT_UNKNOWN, PARTICIPANT_NOT_APPROVED, PARTICIPANT_KEY_UNUSABLE, SIGNATURE_MISSING, SIGNATURE_INVALID, ...'),
    '403': ack('PARTICIPANT_ID_UNSUPPORTED (a participant id this lender cannot serve, or not an OCEN partner), PARTNER_SUSPENDED (the loan agent is suspended here)'),
    '404': ack('UNKNOWN_LOAN_APPLICATION / UNKNOWN_LOAN / UNKNOWN_CONSENT (none of this loan agent: another agent\'s is answered the same), NOT_SERVED (an operation this lender does not host)'),
    '409': ack('REQUEST_ID_REUSED (the metadata.requestId was used before for another body), DUPLICATE_LOAN_APPLICATION (the loanApplicationId was used before)'),
    '413': ack('PAYLOAD_TOO_LARGE: the body is larger than 64 KiB'),
    '415': ack('UNSUPPORTED_MEDIA_TYPE: send the body as Content-Type: application/json'),
    '422': ack('The request cannot be done on the application as it stands: OFFER_UNKNOWN (not one of our offers, or its terms changed), REPAYMENT_PLAN_UNKNOWN (not the chosen offer\'s repayment plan), OFFER_EXPIRED, or the core\'s refusal (its code, e.g. a step asked for out of order)'),
    '500': ack('INTERNAL_ERROR: nothing was half-done; send the request again with the same requestId'),
    '503': ack('AUTH_SERVICE_UNAVAILABLE / REGISTRY_UNAVAILABLE (the network could not be asked), or a dependency of this server is unavailable; retry later with the same requestId', { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } }),
  };
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Component names referenced below `node`. */
function referenced(node: unknown): string[] {
  const found: string[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      for (const [key, value] of Object.entries(n)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT_REF)) found.push(value.slice(COMPONENT_REF.length));
        else walk(value);
      }
    }
  };
  walk(node);
  return found;
}

/**
 * loan.json uses JSON Schema's `examples` (an array) inside schemas, which OpenAPI 3.0 does not have: each becomes
 * `example` (its first value). Where loan.json's example does not fit its own schema (an amount as "10000" where
 * the schema says number, a date-time where it says date), it is given in the schema's type when it reads as one,
 * else left out; a `default` outside the schema's `enum` is left out. A `$ref` with siblings (a description)
 * becomes `allOf: [{$ref}]` beside them, as 3.0 ignores the siblings of a `$ref`.
 */
function asOpenApi30(node: any): any {
  if (Array.isArray(node)) return node.map(asOpenApi30);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, any> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'examples' && Array.isArray(value)) {
      if (out.example === undefined && value.length) out.example = value[0];
    } else if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, asOpenApi30(sub)]));
    } else if (key === 'example' || key === '$ref') {
      out[key] = value;
    } else {
      out[key] = asOpenApi30(value);
    }
  }
  if (out.example !== undefined) {
    const fitted = fittedExample(out, out.example);
    if (fitted === undefined) delete out.example;
    else out.example = fitted;
  }
  if (out.default !== undefined && Array.isArray(out.enum) && !out.enum.includes(out.default)) delete out.default;
  if (typeof out.$ref !== 'string') return out;
  const { $ref, type: _restated, ...siblings } = out;
  return Object.keys(siblings).length ? { allOf: [{ $ref }], ...siblings } : { $ref };
}

/** `value` as an example of the leaf `schema`: as it is, or converted to the schema's type; undefined when neither fits. */
function fittedExample(schema: any, value: unknown): unknown {
  const candidates = [value];
  if ((schema.type === 'number' || schema.type === 'integer') && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) candidates.push(Number(value));
  if (schema.type === 'string' && (typeof value === 'number' || typeof value === 'boolean')) candidates.push(String(value));
  if (schema.format === 'date' && typeof value === 'string') candidates.push(value.slice(0, 10));
  return candidates.find((candidate) => fits(schema, candidate));
}

function fits(schema: any, value: unknown): boolean {
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return false;
  const types: Record<string, (v: unknown) => boolean> = {
    string: (v) => typeof v === 'string',
    number: (v) => typeof v === 'number' && Number.isFinite(v),
    integer: (v) => Number.isInteger(v),
    boolean: (v) => typeof v === 'boolean',
    array: (v) => Array.isArray(v),
    object: isJsonObject,
  };
  if (typeof schema.type === 'string' && types[schema.type] && !types[schema.type](value)) return false;
  if (typeof value !== 'string') return true;
  if (schema.format === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  if (schema.format === 'date-time' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) return false;
  return !(typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value));
}
