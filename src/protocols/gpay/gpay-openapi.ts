import generated from '../../generated/gpay/swagger.json';
import { EXAMPLES } from './examples';
import { declareSignedMessages } from './gpay-openapi-signing';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = Omit<typeof generated, 'paths' | 'servers'> & { servers?: Array<{ url: string; description?: string }>; paths: Record<string, Record<string, any>> };

/**
 * The served OpenAPI document of the Google Pay-style surface: tsoa's generated spec with the base path as
 * server, the partner header, and the examples of examples.ts. tsoa writes `additionalProperties: false`
 * for its silently-remove-extras mode; the server accepts and drops unknown members, so the document says
 * what the server does and leaves them allowed.
 */
export function buildGpayOpenApi(options: { basePath: string }): Spec {
  const spec = JSON.parse(JSON.stringify(generated)) as Spec;
  allowAdditionalProperties(spec.components);
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

const PARTNER_PARAMETER = {
  name: 'X-Partner-Id',
  in: 'header',
  required: false,
  description: 'The calling partner (aggregator) as registered with this bank. Required outside the sandbox; in the sandbox a request without it is the sandbox aggregator `gpay`.',
  schema: { type: 'string', example: 'gpay' },
};

/** Removes every `additionalProperties: false` below `node` (the surfaces drop unknown members instead). */
export function allowAdditionalProperties(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(allowAdditionalProperties);
  } else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.additionalProperties === false) delete record.additionalProperties;
    Object.values(record).forEach(allowAdditionalProperties);
  }
}

/** The reads: they change nothing, so no concurrent writer can get in their way (no 409). */
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

/** The answers any operation can get from the transport and the server, besides its own. */
function transportResponses(write: boolean): Record<string, unknown> {
  return {
    ...(write ? { '409': envelope('USER_ACTION_IN_PROGRESS: another request changed the application meanwhile; read its state and retry if still needed') } : {}),
    '413': envelope('INVALID_FIELD_VALUE (PAYLOAD_TOO_LARGE): the body is larger than 64 KiB'),
    '415': envelope('INVALID_FIELD_VALUE (UNSUPPORTED_MEDIA_TYPE): the body is neither Content-Type application/json nor application/jose'),
    '429': envelope('RESOURCE_EXHAUSTED: the partner\'s per-minute limit, or a phone\'s OTP limits; retry after `Retry-After` seconds', {
      'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } },
    }),
    '500': envelope('INTERNAL: an unexpected error; nothing was half-written, the request may be retried with the same requestId'),
    '503': envelope('UNAVAILABLE: a dependency (database, queue) is unavailable; retry later with the same requestId'),
  };
}
