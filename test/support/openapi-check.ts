/**
 * Checks of a served OpenAPI 3.0 document (there is no OpenAPI validator among the dependencies): its examples
 * against its own schemas (Ajv), and the structure a tool needs (every `$ref` resolves, operations unique and
 * answered, security schemes declared, no JSON Schema keyword OpenAPI 3.0 lacks).
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

/** `check({schema, example})`: 'valid', or Ajv's account of why the example does not match the document's schema. */
export function exampleChecker(spec: any): (content: { schema: unknown; example: unknown }) => string {
  const ajv = new Ajv({ strict: false });
  addFormats(ajv);
  ajv.addSchema({ $id: 'doc', components: spec.components });
  return (content) => {
    const schema = JSON.parse(JSON.stringify(content.schema).replace(/"#\/components\//g, '"doc#/components/'));
    const validate = ajv.compile(schema);
    return validate(content.example) ? 'valid' : ajv.errorsText(validate.errors);
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** What makes `spec` not a usable OpenAPI 3.0 document; none when it is. */
export function openApi30Problems(spec: any): string[] {
  const problems: string[] = [];
  if (typeof spec.openapi !== 'string' || !/^3\.0\.\d+$/.test(spec.openapi)) problems.push(`openapi is ${JSON.stringify(spec.openapi)}, not 3.0.x`);
  if (typeof spec.info?.title !== 'string' || typeof spec.info?.version !== 'string') problems.push('info needs a title and a version');
  if (!spec.paths || typeof spec.paths !== 'object') problems.push('no paths');
  for (const server of spec.servers ?? []) if (typeof server.url !== 'string') problems.push('a server has no url');

  const walk = (node: unknown, where: string, inSchema: boolean) => {
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${where}/${i}`, inSchema));
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref') {
        if (typeof value !== 'string' || !value.startsWith('#/')) problems.push(`${where}: $ref ${JSON.stringify(value)} is not local`);
        else if (value.slice(2).split('/').reduce((at: any, part) => at?.[part], spec) === undefined) problems.push(`${where}: $ref ${value} does not resolve`);
      } else if (inSchema && key === 'examples') problems.push(`${where}: "examples" inside a schema is not OpenAPI 3.0`);
      const schemaHere = inSchema || key === 'schema' || key === 'schemas';
      if (!(key === 'example' || (key === 'properties' && !inSchema && !schemaHere))) walk(value, `${where}/${key}`, schemaHere);
    }
  };
  walk(spec, '#', false);

  const schemes = Object.keys(spec.components?.securitySchemes ?? {});
  const checkSecurity = (requirements: unknown, where: string) => {
    for (const requirement of (requirements as Array<Record<string, unknown>>) ?? []) {
      for (const name of Object.keys(requirement)) if (!schemes.includes(name)) problems.push(`${where}: security names undeclared scheme ${name}`);
    }
  };
  checkSecurity(spec.security, '#/security');

  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries<any>(spec.paths ?? {})) {
    if (!path.startsWith('/')) problems.push(`path ${path} does not start with /`);
    for (const [method, operation] of Object.entries<any>(item)) {
      if (!METHODS.includes(method)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (operation.operationId) {
        if (operationIds.has(operation.operationId)) problems.push(`${where}: operationId ${operation.operationId} used twice`);
        operationIds.add(operation.operationId);
      }
      if (!operation.responses || Object.keys(operation.responses).length === 0) problems.push(`${where}: no responses`);
      for (const [status, response] of Object.entries<any>(operation.responses ?? {})) {
        if (!/^([1-5][0-9X]{2}|default)$/.test(status)) problems.push(`${where}: response key ${status}`);
        if (typeof response.description !== 'string') problems.push(`${where} ${status}: no description`);
      }
      for (const parameter of operation.parameters ?? []) {
        if (!['query', 'header', 'path', 'cookie'].includes(parameter.in) || typeof parameter.name !== 'string') problems.push(`${where}: parameter ${JSON.stringify(parameter)}`);
      }
      checkSecurity(operation.security, where);
    }
  }
  return problems;
}
