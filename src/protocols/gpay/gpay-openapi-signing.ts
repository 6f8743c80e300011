/* eslint-disable @typescript-eslint/no-explicit-any -- the OpenAPI document is plain JSON */
import { CONTENT_ENCRYPTION_ALGORITHMS, JOSE_MEDIA_TYPE, KEY_MANAGEMENT_ALGORITHMS, SIGNING_ALGORITHMS } from '../shared/jose-envelope';

export const SIGNATURE_SCHEME = 'partnerSignature';

const SCHEME_DESCRIPTION = [
  '**Signed (and optionally encrypted) messages.** `X-Partner-Id` names the partner (in the sandbox it may be omitted: the sandbox aggregator `gpay`); the body proves it.',
  '',
  `- **Request:** \`Content-Type: ${JOSE_MEDIA_TYPE}\`, a compact JWS (RFC 7515) whose payload is the JSON request, signed with ${SIGNING_ALGORITHMS.join(', ')}; its protected header's \`kid\` names one of the keys registered for this partner (several may be live during a rotation). A kid never identifies a partner by itself.`,
  `- **Encrypted request (optional):** that JWS inside a compact JWE (RFC 7516), \`alg\` ${KEY_MANAGEMENT_ALGORITHMS.join(' or ')}, \`enc\` ${CONTENT_ENCRYPTION_ALGORITHMS.join()}, no \`zip\`, to one of our encryption keys by \`kid\`, from \`GET /.well-known/jwks.json\`.`,
  `- **Answer:** to a verified request (errors included), \`${JOSE_MEDIA_TYPE}\`: a compact JWS of the JSON answer signed with our ES256 key (\`typ: JOSE\`, \`kid\` in /.well-known/jwks.json), encrypted to the partner's newest \`use: "enc"\` key when the request was encrypted. Answers given before the message was verified (401, 403, 415, a rate limit) are plain JSON.`,
  '- **Refusals:** 401 `INVALID_PAYLOAD_SIGNATURE`: no such kid for this partner, an algorithm outside the list (`none` and HMAC never), a signature that does not verify, or a plain JSON request where signatures are required (production). 400 `INVALID_PAYLOAD_ENCRYPTION`: a JWE that does not decrypt, one answer whatever the reason; or an encrypted request from a partner with no encryption key.',
  '',
  'Outside production, plain `application/json` requests are served too, with plain JSON answers.',
].join('\n');

/** A compact JWS or JWE, as the body of a signed request or answer. */
const COMPACT = {
  type: 'string',
  pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]*){2}((\\.[A-Za-z0-9_-]*){2})?$',
  description: 'A compact JWS whose payload is the application/json body of this operation, or a compact JWE around such a JWS (see the partnerSignature security scheme).',
};

/** Statuses answered before a signed request is verified: always plain JSON. */
const NEVER_SIGNED = new Set(['401', '403', '415']);

/**
 * Declares the signed-message scheme (jose-envelope.ts) on every partner operation: the security scheme,
 * application/jose as a request and answer content type, and the 401's meaning.
 */
export function declareSignedMessages(spec: { components: Record<string, any>; paths: Record<string, Record<string, any>> }): void {
  spec.components.securitySchemes = { ...spec.components.securitySchemes, [SIGNATURE_SCHEME]: { type: 'apiKey', in: 'header', name: 'X-Partner-Id', description: SCHEME_DESCRIPTION } };
  spec.components.schemas = { ...spec.components.schemas, CompactJose: COMPACT };
  const compact = { schema: { $ref: '#/components/schemas/CompactJose' } };
  for (const [path, operations] of Object.entries(spec.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const operation of Object.values(operations)) {
      operation.security = [{ [SIGNATURE_SCHEME]: [] }];
      if (operation.requestBody?.content) operation.requestBody.content[JOSE_MEDIA_TYPE] = compact;
      for (const [status, response] of Object.entries<any>(operation.responses ?? {})) {
        if (!NEVER_SIGNED.has(status) && response.content?.['application/json']) response.content[JOSE_MEDIA_TYPE] = compact;
      }
      if (operation.responses?.['413']) operation.responses['413'].description += ' (an application/jose body: 128 KiB, and 64 KiB once opened)';
      if (operation.responses?.['401']) {
        operation.responses['401'].description = 'UNAUTHENTICATED: the partner is not known (PARTNER_UNKNOWN); INVALID_PAYLOAD_SIGNATURE: the application/jose body does not verify, or a signed body is required';
      }
    }
  }
}
