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
