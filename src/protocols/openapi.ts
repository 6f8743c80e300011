import generated from '../generated/swagger.json';
import { EXAMPLES } from './gpay/examples';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = Omit<typeof generated, 'paths' | 'servers'> & { servers?: Array<{ url: string; description?: string }>; paths: Record<string, Record<string, any>> };

/**
 * The served OpenAPI document: tsoa's generated spec with the base path as server, the examples of
 * gpay/examples.ts, and without the sandbox paths when the sandbox is off.
 */
export function buildOpenApi(options: { basePath: string; sandbox: boolean; publicBaseUrl: string }): Spec {
  const spec = JSON.parse(JSON.stringify(generated)) as Spec;
  spec.servers = [{ url: options.basePath || '/', description: 'This server' }];
  for (const [path, operations] of Object.entries(spec.paths)) {
    if (!options.sandbox && path.startsWith('/sandbox')) {
      delete spec.paths[path];
      continue;
    }
    for (const operation of Object.values(operations)) {
      const example = EXAMPLES[path];
      if (!example) continue;
      const request = operation.requestBody?.content?.['application/json'];
      if (request) request.example = example.request;
      const ok = operation.responses?.['200']?.content?.['application/json'];
      if (ok) ok.example = example.response;
    }
  }
  return spec;
}
