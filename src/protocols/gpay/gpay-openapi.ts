import generated from '../../generated/gpay/swagger.json';
import { PARTNER_PARAMETER, RETRY_AFTER_HEADER, allowAdditionalProperties, exactlyOneMember } from '../shared/openapi';
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
  return spec;
}

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
