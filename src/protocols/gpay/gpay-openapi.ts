import generated from '../../generated/gpay/swagger.json';
import { LICENSE, PARTNER_PARAMETER, RETRY_AFTER_HEADER, allowAdditionalProperties, exactlyOneMember, refSiblingsAsAllOf } from '../shared/openapi';
import { SUPPORTED_MAJOR_VERSION } from './gpay-exchange';
import { EXAMPLES } from './examples';
import { declareSignedMessages } from './gpay-openapi-signing';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = Omit<typeof generated, 'paths' | 'servers' | 'components'> & { servers?: Array<{ url: string; description?: string }>; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };

/**
 * The served OpenAPI document of the Google Pay-style surface: tsoa's generated spec with the base path as
 * server, the partner header, the examples of examples.ts, every status an operation can answer, and the
 * rules tsoa cannot write from the wire types (each still checked by the server where it is noted). tsoa
 * writes `additionalProperties: false` for its silently-remove-extras mode; the server accepts and drops
 * unknown members, so the document says what the server does and leaves them allowed.
 */
export function buildGpayOpenApi(options: { basePath: string; httpReturnUrls: boolean }): Spec {
  const spec = JSON.parse(JSON.stringify(generated)) as Spec;
  allowAdditionalProperties(spec.components);
  tightenSchemas(spec.components.schemas, options);
  spec.servers = [{ url: options.basePath || '/', description: 'This server' }];
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const operation of Object.values(operations)) {
      operation.summary ??= SUMMARIES[path];
      const example = EXAMPLES[path];
      if (!example) continue;
      const request = operation.requestBody?.content?.['application/json'];
      if (request) request.example = example.request;
      const ok = operation.responses?.['200']?.content?.['application/json'];
      if (ok) ok.example = example.response;
      operation.parameters = [...(operation.parameters ?? []), PARTNER_PARAMETER];
      operation.responses = { ...operation.responses, ...transportResponses(!READS.has(path)) };
    }
  }
  declareSignedMessages(spec);
  spec.info.license = LICENSE;
  spec.info.description = `${spec.info.description ?? ''}\n\nIn Swagger UI (/docs, when DOCS_ENABLED), "Try it out" sends an example with a current requestTimestamp and a fresh requestId; type your own requestId to keep it, and Execute twice to see a write replayed.`;
  spec.components = refSiblingsAsAllOf(spec.components) as Spec['components'];
  return spec;
}

/** The one-line summary of each operation (its name in the Google Pay spec, and what it does). */
export const SUMMARIES: Record<string, string> = {
  '/v1/financialservices/user/initiateChallenge': 'InitiateChallenge: send the user an SMS OTP',
  '/v1/financialservices/credit/offer/approveUser': 'ApproveUserForCredit: open an application',
  '/v1/financialservices/credit/offer/getApprovalStatus': 'GetApprovalStatus: read the credit decision',
  '/v1/financialservices/credit/offer/fetch': 'FetchOffer: read the approved offer',
  '/v1/financialservices/credit/offer/keyFactStatement': 'GetKeyFactStatement: issue the Key Fact Statement',
  '/v1/financialservices/credit/user/kyc/initiate': 'InitiateKyc: open the KYC journey',
  '/v1/financialservices/credit/customer/searchCKycRecord': 'SearchCKycRecord: search the Central KYC Registry',
  '/v1/financialservices/credit/customer/downloadCKycRecord': 'DownloadCKycRecord: read the CKYC record found',
  '/v1/financialservices/credit/user/getAuthToken': 'GetAuthToken: a token for one of the bank\'s pages',
  '/v1/financialservices/credit/application/initiateRepaymentSetup': 'InitiateRepaymentSetup: start the EMI e-mandate',
  '/v1/financialservices/credit/application/submit': 'SubmitApplication: sign, and disburse',
  '/v1/financialservices/credit/application/getStatus': 'GetApplicationStatus: read the application\'s state',
  '/v1/financialservices/credit/account/get': 'FetchAccount: read the loan account',
};

/** The rules the wire types cannot carry as tsoa annotations (the mappers and the exchange check them). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function tightenSchemas(schemas: Record<string, any>, options: { httpReturnUrls: boolean }): void {
  exactlyOneMember(schemas.ChallengeContext);
  exactlyOneMember(schemas.EmploymentType);
  const major = schemas.ProtocolVersion.properties.major;
  major.maximum = SUPPORTED_MAJOR_VERSION;
  major.description = `Major version of the protocol. This server speaks major version ${SUPPORTED_MAJOR_VERSION}; any other is 400 INVALID_API_VERSION.`;
  if (!options.httpReturnUrls) {
    const url = schemas.GetAuthTokenRequest.properties.data.properties.redirectionUrl;
    url.pattern = url.pattern.replace('[Ss]?', '[Ss]');
    url.description = 'Where the bank\'s page sends the user back when the step is done: an absolute https URL of RFC 3986 characters (non-ASCII percent-encoded), else 400 INVALID_FIELD_VALUE.';
  }
}

/** The reads: they change nothing, so no concurrent writer can get in their way (no 409) and nothing is recorded (no 412). */
const READS = new Set([
  '/v1/financialservices/credit/offer/getApprovalStatus',
  '/v1/financialservices/credit/offer/fetch',
  '/v1/financialservices/credit/customer/downloadCKycRecord',
  '/v1/financialservices/credit/application/getStatus',
  '/v1/financialservices/credit/account/get',
]);

const envelope = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
});

/** The answers any operation can get from the transport, the partner check and the server, besides its own. */
function transportResponses(write: boolean): Record<string, unknown> {
  return {
    '401': envelope('UNAUTHENTICATED (PARTNER_UNKNOWN): the partner is not known, or does not use this API'),
    '403': envelope('PERMISSION_DENIED (PARTNER_SUSPENDED): the partner is suspended'),
    ...(write ? { '409': envelope('USER_ACTION_IN_PROGRESS: another request changed the application meanwhile; read its state and retry if still needed') } : {}),
    ...(write ? { '412': envelope('IDEMPOTENCY_VIOLATION: the requestId was used before for a different body or operation; use a new requestId') } : {}),
    '413': envelope('INVALID_FIELD_VALUE (PAYLOAD_TOO_LARGE): the body is larger than 64 KiB'),
    '415': envelope('INVALID_FIELD_VALUE (UNSUPPORTED_MEDIA_TYPE): the body is neither Content-Type application/json nor application/jose'),
    '429': envelope('RESOURCE_EXHAUSTED: the partner\'s per-minute limit, or a phone\'s OTP limits; retry after `Retry-After` seconds', RETRY_AFTER_HEADER),
    '500': envelope('INTERNAL: an unexpected error; nothing was half-written, the request may be retried with the same requestId'),
    '503': envelope('UNAVAILABLE: a dependency (database, queue) is unavailable; retry later with the same requestId'),
  };
}

/**
 * Runs in the browser before each "Try it out" call of `/docs` (so it is self-contained, and served in
 * swagger-ui-init.js, not inline). The timestamp is always made now (the server checks ±60 s; a replay is
 * recognised by requestId and body, not by timestamp). The requestId is made fresh only while it is an
 * example's (`example-…`, examples.ts): one the user typed is sent as typed, so sending the same call twice
 * shows the replayed answer.
 */
export function freshGpayRequest(request: { body?: unknown }): typeof request {
  if (typeof request.body === 'string' && request.body.includes('"requestHeader"')) {
    try {
      const body = JSON.parse(request.body);
      if (body.requestHeader && typeof body.requestHeader === 'object') {
        body.requestHeader.requestTimestamp = { epochMillis: String(Date.now()) };
        if (/^example-[a-z0-9-]+$/.test(String(body.requestHeader.requestId))) body.requestHeader.requestId = `docs-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
        request.body = JSON.stringify(body);
      }
    } catch {
      /* leave the body as typed */
    }
  }
  return request;
}

/** The Swagger UI page of the partner API (and the sandbox's endpoints). */
export const GPAY_SWAGGER_OPTIONS = { customSiteTitle: 'credit-partner API', swaggerOptions: { requestInterceptor: freshGpayRequest } };
