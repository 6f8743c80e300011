/**
 * Errors of the transport and the protocol envelope, before any domain work: each protocol maps them to its
 * own wire error in its error formatter, next to the domain's AppErrorCode. Every code says when it is
 * thrown and how the caller should react.
 */
export enum ProtocolErrorCode {
  /** The body is not parseable JSON (or not UTF-8). Caller: send well-formed UTF-8 JSON. */
  MALFORMED_REQUEST = 'MALFORMED_REQUEST',
  /** The Content-Type is not application/json. Caller: send the body as application/json. */
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  /** The body is larger than the surface accepts (64 KiB). Caller: send a smaller body. */
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** The envelope's protocol version is not one this server speaks. Caller: use a supported major version. */
  UNSUPPORTED_PROTOCOL_VERSION = 'UNSUPPORTED_PROTOCOL_VERSION',
  /** The request timestamp is not within the allowed window (±60 s) of the server's clock. Caller: resend with a fresh timestamp and the same request id. */
  REQUEST_TIMESTAMP_OUT_OF_RANGE = 'REQUEST_TIMESTAMP_OUT_OF_RANGE',
  /** The request id was used before with a different body or operation. Caller: use a new request id for a new request. */
  IDEMPOTENCY_VIOLATION = 'IDEMPOTENCY_VIOLATION',
  /**
   * A string of the request (a body member or its name, a query parameter, a path segment) holds NUL, a lone
   * UTF-16 surrogate or another control character (tab, line feed and carriage return are allowed). Nothing
   * was processed or stored. Caller: send well-formed text; `fields` names the first offending member.
   */
  ILL_FORMED_TEXT = 'ILL_FORMED_TEXT',
  /**
   * The request is not signed as required: an application/jose body that is not a compact JWS (nor a JWE around
   * one), a JWS whose `kid` is missing or not one of the calling partner's registered keys, whose algorithm is not
   * ES256, PS256 or RS256 (`none` and HMAC never are) or does not fit the key, whose signature does not verify
   * (a tampered payload), or a plain JSON body where the server requires signed requests. Nothing was processed.
   * Caller: sign the JSON request with a key registered for it (kid in the header) and send it as
   * application/jose; the message says which rule failed. A retry of the same bytes fails again.
   */
  INVALID_PAYLOAD_SIGNATURE = 'INVALID_PAYLOAD_SIGNATURE',
  /**
   * An application/jose body that is a compact JWE this server cannot decrypt: one answer whatever the reason
   * (unknown or retired-and-removed kid, algorithm outside RSA-OAEP-256 / ECDH-ES+A256KW with A256GCM, compression,
   * a garbled or tampered token), so it tells nothing about the keys. Also, once a request decrypted and verified,
   * a partner with no encryption key of its own (`use: "enc"`) to encrypt the answer to (that message says so).
   * Nothing was processed. Caller: encrypt to a key currently published at /.well-known/jwks.json (by its kid),
   * or register an encryption key; a retry of the same bytes fails again.
   */
  INVALID_PAYLOAD_ENCRYPTION = 'INVALID_PAYLOAD_ENCRYPTION',
  /** No operation exists at this method and path. Caller: check the path against the OpenAPI document. */
  NO_SUCH_OPERATION = 'NO_SUCH_OPERATION',
}

export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    /** Wire paths the error is about. */
    readonly fields: string[] = [],
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
