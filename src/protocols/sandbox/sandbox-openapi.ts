import generated from '../../generated/sandbox/swagger.json';
import { PARTNER_PARAMETER, allowAdditionalProperties, refSiblingsAsAllOf } from '../shared/openapi';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = Omit<typeof generated, 'paths' | 'components'> & { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };

const plain = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/SandboxError' } } },
});

/**
 * The served OpenAPI document of the sandbox surface: tsoa's generated spec with the partner header and
 * every status the edge (body handling, partner resolution) and the server can answer, in the sandbox's
 * plain error shape. Unknown members are allowed, as the surface drops them.
 */
export function buildSandboxOpenApi(options: { ocenCallbacks: boolean }): Spec {
  const spec = JSON.parse(JSON.stringify(generated)) as Spec;
  allowAdditionalProperties(spec.components);
  for (const operations of Object.values(spec.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      operation.parameters = [...(operation.parameters ?? []), PARTNER_PARAMETER];
      operation.responses = {
        ...operation.responses,
        '401': plain('PARTNER_UNKNOWN: the partner is not known, or does not use this API'),
        '403': plain('PARTNER_SUSPENDED: the partner is suspended'),
        ...(method === 'post' ? { '409': plain('CONCURRENT_MODIFICATION: another request changed the application meanwhile; retry') } : {}),
        '413': plain('PAYLOAD_TOO_LARGE: the body is larger than 64 KiB'),
        '415': plain('UNSUPPORTED_MEDIA_TYPE: a body that is not Content-Type application/json'),
        '429': plain('PARTNER_RATE_LIMITED: the partner\'s per-minute limit; retry in a minute'),
        '500': plain('INTERNAL: an unexpected error'),
        '503': plain('SERVICE_UNAVAILABLE: a dependency (database, queue) is unavailable; retry later'),
      };
    }
  }
  if (options.ocenCallbacks) {
    spec.paths['/sandbox/ocen/callbacks'] = { get: OCEN_CALLBACKS_OPERATION };
    spec.components.schemas.SandboxOcenCallback = OCEN_CALLBACK_SCHEMA;
  }
  spec.components = refSiblingsAsAllOf(spec.components) as Spec['components'];
  return spec;
}

/** Adds the sandbox's paths, schemas and tag to the partner API's document (the sandbox's Swagger is `/docs`). */
export function mergeSandbox(target: { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> }; tags?: Array<{ name: string; description?: string }> }, sandbox: Spec): void {
  Object.assign(target.paths, sandbox.paths);
  Object.assign(target.components.schemas, sandbox.components.schemas);
  target.tags = [...(target.tags ?? []), ...(sandbox.tags ?? [])];
}

const OCEN_CALLBACK_SCHEMA = {
  type: 'object',
  description: 'A callback the lender built for the loan agent (in the sandbox\'s built-in agent mode it is stored, not POSTed).',
  required: ['operation', 'participantId', 'requestId', 'builtAt', 'deliveredAt', 'attempts', 'lastError', 'body'],
  properties: {
    operation: { type: 'string', description: 'The callback\'s OCEN path after /v4.0.0alpha/, e.g. `offers/generateOffersResponse`.', example: 'offers/generateOffersResponse' },
    participantId: { type: 'string', description: 'The loan agent it is for.', example: 'ocen-test-agent' },
    requestId: { type: 'string', description: 'The `metadata.requestId` of the request it answers.' },
    builtAt: { type: 'string', format: 'date-time' },
    deliveredAt: { type: 'string', format: 'date-time', nullable: true, description: 'When the loan agent acknowledged it; null while stored or being retried.' },
    attempts: { type: 'integer', minimum: 0, description: 'Delivery attempts so far.' },
    lastError: { type: 'string', nullable: true, description: 'Why the last delivery attempt failed, if it did.' },
    body: { type: 'object', description: 'The callback as the loan agent receives it: the `...Response` body of the OCEN document ([/ocen/openapi.json](/ocen/openapi.json), each request\'s `callbacks`).' },
  },
};

const OCEN_CALLBACKS_OPERATION = {
  operationId: 'OcenCallbacks',
  summary: 'Read the OCEN callbacks built for a loan application',
  description: 'The OCEN callbacks the lender built about a loan application, newest first (at most 100), with their bodies: what a loan agent would have received. With the built-in test loan agent they are stored, not POSTed, and this is where to read them (e.g. the offer to choose, the loan id, the OTP session key).',
  tags: ['Sandbox'],
  security: [],
  parameters: [
    { name: 'loanApplicationId', in: 'query', required: true, description: 'The loan agent\'s loanApplicationId.', schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$', example: 'sandbox-la-0001' } },
    { name: 'participantId', in: 'query', required: false, description: 'Only the callbacks for this loan agent (default: every agent\'s).', schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{1,62}$', example: 'ocen-test-agent' } },
  ],
  responses: {
    '200': {
      description: 'The callbacks, newest first',
      content: { 'application/json': { schema: { type: 'object', required: ['callbacks'], properties: { callbacks: { type: 'array', items: { $ref: '#/components/schemas/SandboxOcenCallback' } } } } } },
    },
    '400': plain('MISSING_FIELD: name the loanApplicationId; INVALID_FIELD_VALUE: a parameter does not match its pattern; ILL_FORMED_TEXT: a parameter holds NUL, a lone surrogate or a control character; MALFORMED_REQUEST: a stray body that is not JSON, or nested too deep'),
    '413': plain('PAYLOAD_TOO_LARGE: a stray body larger than 64 KiB'),
    '415': plain('UNSUPPORTED_MEDIA_TYPE: a stray body that is not Content-Type application/json'),
    '500': plain('INTERNAL: an unexpected error'),
    '503': plain('SERVICE_UNAVAILABLE: a dependency (database, queue) is unavailable; retry later'),
  },
};
