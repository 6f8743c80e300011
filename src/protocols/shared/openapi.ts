/* eslint-disable @typescript-eslint/no-explicit-any -- OpenAPI documents are plain JSON trees */

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

/**
 * Makes an object schema a oneof: exactly one of its declared members is present. Unknown members stay
 * allowed (they are dropped), so this is `oneOf` over `required`, not `maxProperties`.
 */
export function exactlyOneMember(schema: any): void {
  const members = Object.keys(schema.properties ?? {});
  schema.oneOf = members.map((member) => ({ required: [member] }));
}

/** The header that names the calling partner on every surface. */
export const PARTNER_PARAMETER = {
  name: 'X-Partner-Id',
  in: 'header',
  required: false,
  description: 'The calling partner (aggregator) as registered with this bank. Required outside the sandbox; in the sandbox a request without it is the sandbox aggregator `gpay`.',
  schema: { type: 'string', example: 'gpay' },
};

export const RETRY_AFTER_HEADER = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } };

/**
 * In OpenAPI 3.0 a `$ref` replaces its object: a `description` (or any member) beside it is ignored by tools, and
 * Redocly and Spectral flag it. Each `{$ref, ...rest}` below `node` becomes `{allOf: [{$ref}], ...rest}`, so the
 * description stays and is read. A `type` beside the `$ref` only restates the referenced schema's and is dropped.
 */
export function refSiblingsAsAllOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(refSiblingsAsAllOf);
  if (!node || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) out[key] = key === '$ref' ? value : refSiblingsAsAllOf(value);
  if (typeof out.$ref !== 'string') return out;
  const { $ref, type: _restated, ...rest } = out;
  return Object.keys(rest).length ? { allOf: [{ $ref }], ...rest } : { $ref };
}

/** The licence of every served document (the project's, package.json). */
export const LICENSE = { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' };
