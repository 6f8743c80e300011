import { V3_ACK_SCHEMA, V3_OPERATIONS, V3_PATH_PREFIX, V3_SCHEMAS, V3Operation } from './ocen-v3-schemas';

export interface OcenV3OpenApiOptions {
  /** BASE_PATH: the v3 paths are served under it. */
  basePath: string;
  /** PUBLIC_BASE_URL: where loan agents reach this server. */
  publicBaseUrl: string;
}

type Schema = { [member: string]: unknown };
type Document = {
  openapi: string;
  info: Schema;
  servers: Array<{ url: string; description: string }>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, { post: Schema }>;
  components: { schemas: Record<string, Schema> };
};

/** `Core/schema/Version 0.0.1/loanterms.json` → `Loanterms` (the names of the generated TypeScript types too). */
export function v3SchemaName(file: string): string {
  const base = (file.split('/').pop() ?? file).replace(/\.json$/, '').replace(/[^A-Za-z0-9]/g, '');
  return base.charAt(0).toUpperCase() + base.slice(1);
}

const GROUP_DESCRIPTIONS: Record<string, string> = {
  loanApplication: 'Loan applications (iSPIRT/OCEN `Loan Application`).',
  consent: 'Account-aggregator consent (iSPIRT/OCEN `Consent`).',
  offer: 'Offers (iSPIRT/OCEN `Offers`).',
  loan: 'Loan acceptance, grant, loan details and disputes (iSPIRT/OCEN `Loan Acceptance`, `Grant Loan`, `Dispute Management`).',
  repayment: 'The repayment plan (iSPIRT/OCEN `Repayment`).',
  disbursement: 'Disbursement (iSPIRT/OCEN `Disbursement`).',
};

const SIGNED = 'SignedMessage';

/** The Swagger UI page of the v3 document (no "Try it out" helper: every v3 body must be signed by the loan agent's key). */
export const OCEN_V3_SWAGGER_OPTIONS = { customSiteTitle: 'credit-partner OCEN v3 lender' };

/**
 * The OpenAPI 3.1 document of the OCEN v3 lender surface (`GET /ocen-v3/openapi.json`): every served request path
 * (`served`, i.e. OcenV3Lender.operations, so it grows with them),
 * its signed body (whose payload is the official request schema), the signed ack it is answered with, and the
 * `...Response` it triggers, as an OpenAPI callback with the official response schema. The component schemas are
 * the patched official JSON Schemas (draft-07, valid JSON Schema for OpenAPI 3.1), `$ref`s rewritten to components.
 */
export function buildOcenV3OpenApi(served: readonly V3Operation[], options: OcenV3OpenApiOptions): Document {
  const byId = new Map(Object.entries(V3_SCHEMAS).map(([file, schema]) => [String(schema.$id), v3SchemaName(file)]));
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    const out: Schema = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.$ref = `#/components/schemas/${byId.get(value) ?? 'unknown'}`;
      else if (key !== '$id' && key !== '$schema') out[key] = rewrite(value);
    }
    return out;
  };
  const schemas: Record<string, Schema> = {};
  const use = (file: string): string => {
    const name = v3SchemaName(file);
    if (schemas[name]) return name;
    const schema = rewrite(V3_SCHEMAS[file]) as Schema;
    schemas[name] = { ...schema, description: typeof schema.description === 'string' ? schema.description : `iSPIRT/OCEN \`${file}\`.` };
    for (const ref of JSON.stringify(schema).matchAll(/#\/components\/schemas\/([A-Za-z0-9]+)/g)) {
      const file2 = Object.keys(V3_SCHEMAS).find((f) => v3SchemaName(f) === ref[1]);
      if (file2) use(file2);
    }
    return name;
  };
  schemas[SIGNED] = {
    type: 'object',
    description: 'Every v3 body, both ways: a flattened JWS (iSPIRT/OCEN Security/README.md), RS512, signed over `header.payload`. The protected header is named `header` (RFC 7515 calls it `protected`, also read).',
    required: ['payload', 'header', 'signature'],
    properties: {
      payload: { type: 'string', description: 'BASE64URL of the message JSON (the operation\'s schema).' },
      header: { type: 'string', description: 'BASE64URL of `{"kid": <signer key id>, "alg": "RS512"}`.' },
      signature: { type: 'string', description: 'BASE64URL of the RS512 signature.' },
    },
  };
  const ack = use(V3_ACK_SCHEMA);
  /** A signed message whose payload is a `name`: the flattened JWS, its payload's JSON described by contentSchema. */
  const signed = (name: string) => ({
    allOf: [{ $ref: `#/components/schemas/${SIGNED}` }],
    properties: { payload: { type: 'string', contentEncoding: 'base64url', contentMediaType: 'application/json', contentSchema: { $ref: `#/components/schemas/${name}` } } },
  });
  const signedBody = (name: string, description: string) => ({ required: true, description, content: { 'application/json': { schema: signed(name) } } });
  const ackAnswer = (description: string) => ({ description, content: { 'application/json': { schema: signed(ack) } } });
  const paths: Document['paths'] = {};
  const groups: string[] = [];
  for (const operation of served) {
    const { schema, response, responseSchema } = V3_OPERATIONS[operation];
    const group = operation.split('/')[0];
    if (!groups.includes(group)) groups.push(group);
    const request = use(schema);
    const answer = use(responseSchema);
    const name = operation.split('/').pop() ?? operation;
    paths[`${options.basePath}${V3_PATH_PREFIX}${operation}`] = {
      post: {
        tags: [group],
        operationId: `v3_${operation.replace(/\//g, '_')}`,
        summary: `${name} (answered by ${response.split('/').pop()})`,
        description: `The payload is a \`${request}\` (iSPIRT/OCEN \`${schema}\`). The signed \`${ack}\` answers at once; the answer, a \`${answer}\`, is POSTed signed to the loan agent's base URL (agreed at onboarding) + \`/v3/${response}\`.`,
        requestBody: signedBody(request, `A signed \`${request}\`.`),
        // Authentication is the message's own RS512 signature with a key exchanged at onboarding, not an HTTP scheme.
        security: [],
        responses: {
          '200': ackAnswer(`A signed \`${ack}\` with \`error\` "0": accepted; the answer follows.`),
          '400': ackAnswer(`A signed \`${ack}\`: the message is not valid against its schema (\`INVALID_REQUEST: …\`).`),
          '401': ackAnswer(`A signed \`${ack}\`: unsigned, signed by a key not on file, an unknown \`metadata.orgId\`, or a timestamp outside the replay window.`),
        },
        callbacks: {
          [response]: {
            [`{$request.body#/header}/v3/${response}`]: {
              post: {
                summary: `${response.split('/').pop()}`,
                description: `The answer: a signed \`${answer}\` (iSPIRT/OCEN \`${responseSchema}\`), POSTed to the loan agent's base URL on file. The agent answers with a signed \`${ack}\`.`,
                requestBody: signedBody(answer, `A signed \`${answer}\`.`),
                security: [],
                responses: {
                  '200': ackAnswer(`The loan agent's signed \`${ack}\`.`),
                  '400': ackAnswer(`The loan agent refuses the answer (its signed \`${ack}\` says why); the answer is sent again with back-off.`),
                },
              },
            },
          },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'credit-partner OCEN v3 lender',
      version: '3.2',
      description: 'The OCEN v3 (Juspay LSP–Lender) operations this lender hosts, for loan agents onboarded bilaterally (partner protocol `OCEN_3`). Schemas: the official iSPIRT/OCEN JSON Schemas, patched where broken (src/protocols/ocen-v3/spec/ocen-v3.patches.json).',
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      contact: { name: 'The lender\'s integration desk (agreed at onboarding)' },
    },
    servers: [{ url: options.publicBaseUrl.replace(/\/+$/, ''), description: 'This lender' }],
    tags: groups.map((name) => ({ name, description: GROUP_DESCRIPTIONS[name] ?? name })),
    paths,
    components: { schemas },
  };
}
