import generated from '../../generated/sandbox/swagger.json';
import { PARTNER_PARAMETER, allowAdditionalProperties } from '../shared/openapi';

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
export function buildSandboxOpenApi(): Spec {
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
  return spec;
}
