import generated from '../../generated/gpay/swagger.json';
import { EXAMPLES } from './examples';

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
    }
  }
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
