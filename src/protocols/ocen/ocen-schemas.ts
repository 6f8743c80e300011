import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import spec from './spec/loan.patched.json';
import type { OcenMessage, OcenMessagePart, OcenOperation } from './ocen-wire';

/**
 * The OCEN 4.0 loan-journey schemas, from `spec/loan.patched.json`: the official loan.json with the defects of
 * docs/ocen.md §5.1 patched (`spec/loan.patches.json`, applied by `scripts/ocen-spec.js`; the raw file is never
 * used). Every operation is a path of that document without its `/v4.0.0alpha/` prefix, e.g.
 * `loanApplications/createLoanResponse`; a message is either its `body` (what the caller POSTs) or its `ack`
 * (the synchronous HTTP 200 answer).
 *
 * - {@link validateOutgoing}: what we send must be exact. Formats (`date`, `date-time`) are checked and objects
 *   are closed: a member the schema does not define (a misspelt `noOfInstallments`) is refused, except inside
 *   free-form objects (`extensibleData`, KYC `data`, ...).
 * - {@link validateIncoming}: what we receive is judged leniently (the spec's own samples disagree with it):
 *   unknown members pass and formats are not checked; normalise the envelope first (`normaliseInbound`).
 *
 * The schemas are compiled in Ajv's strict mode, so a schema defect (a required name that is not a property,
 * an unresolvable `$ref`, a non-schema value) fails the compile instead of silently accepting anything.
 */
export const OCEN_PATH_PREFIX = '/v4.0.0alpha/';

export type { OcenOperation, OcenMessagePart } from './ocen-wire';

export interface OcenSchemaViolation {
  /** JSON pointer into the message (`''` is the whole message). */
  path: string;
  message: string;
}

export type OcenValidation = { valid: true } | { valid: false; violations: OcenSchemaViolation[] };

/** A received message after the lenient check: typed as the schema says (unknown members pass but are not typed). */
export type OcenReading<Operation extends OcenOperation, Part extends OcenMessagePart = 'body'> =
  | { valid: true; message: OcenMessage<Operation, Part> }
  | { valid: false; violations: OcenSchemaViolation[] };

/** An outgoing message that does not match its schema: our bug, never sent. */
export class OcenSchemaError extends Error {
  constructor(readonly operation: string, readonly part: OcenMessagePart, readonly violations: OcenSchemaViolation[]) {
    super(`OCEN ${operation} ${part} does not match the schema: ${violations.map(describe).join('; ')}`);
    this.name = 'OcenSchemaError';
  }
}

const COMPONENTS_ID = 'urn:credit-partner:ocen-4.0:components';
const COMPONENT_REF = '#/components/schemas/';

type Schema = Record<string, unknown>;
type Operation = { requestBody?: { content?: Record<string, { schema?: Schema }> }; responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> };

/** The parts of an OpenAPI 3.0 document the schema sets read. */
export interface OcenSpecDocument {
  paths: Record<string, { post?: Operation }>;
  components: { schemas: Record<string, unknown> };
}

const patched = spec as unknown as OcenSpecDocument;
const operationNames = Object.keys(patched.paths).map((p) => p.slice(OCEN_PATH_PREFIX.length) as OcenOperation);
const byLowerCase = new Map(operationNames.map((name) => [name.toLowerCase(), name]));

/** Every operation of the patched loan.json. */
export function ocenOperations(): readonly OcenOperation[] {
  return operationNames;
}

/**
 * The operation served at `path` (with or without `/v4.0.0alpha/`): the exact string first, then ignoring case,
 * since the spec mixes `getloanRequest`, `LoanAgreementResponse` and `listLoansResponse` and callers vary.
 */
export function operationOfPath(path: string): OcenOperation | undefined {
  const name = path.startsWith(OCEN_PATH_PREFIX) ? path.slice(OCEN_PATH_PREFIX.length) : path.replace(/^\/+/, '');
  return operationNames.includes(name as OcenOperation) ? (name as OcenOperation) : byLowerCase.get(name.toLowerCase());
}

function messageSchema(doc: OcenSpecDocument, operation: string, part: OcenMessagePart): Schema | undefined {
  const post = doc.paths[`${OCEN_PATH_PREFIX}${operation}`]?.post;
  if (!post) throw new Error(`Unknown OCEN operation ${JSON.stringify(operation)}`);
  const content = part === 'body' ? post.requestBody?.content : post.responses?.['200']?.content;
  return content?.['application/json']?.schema;
}

/** A deep copy of `schema` with component references made absolute (and, when `close`, objects closed). */
function prepare(schema: unknown, close: boolean): unknown {
  if (Array.isArray(schema)) return schema.map((item) => prepare(item, close));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT_REF)) {
      out.$ref = `${COMPONENTS_ID}#/definitions/${value.slice(COMPONENT_REF.length)}`;
    } else if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, prepare(sub, close)]));
    } else if (key === 'example' || key === 'examples') {
      out[key] = value; // annotations, never schemas
    } else {
      out[key] = prepare(value, close);
    }
  }
  if (close && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** OpenAPI 3.0 number formats: documentation only. */
const NUMBER_FORMATS = ['float', 'double', 'int32'];

function newAjv(doc: OcenSpecDocument, close: boolean, checkFormats: boolean): Ajv {
  const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true, validateFormats: checkFormats });
  ajv.addKeyword({ keyword: 'example' }); // OpenAPI 3.0's annotation
  if (checkFormats) addFormats(ajv, ['date', 'date-time']);
  for (const format of NUMBER_FORMATS) ajv.addFormat(format, { type: 'number', validate: () => true });
  if (!checkFormats) for (const format of ['date', 'date-time']) ajv.addFormat(format, () => true);
  ajv.addSchema({ $id: COMPONENTS_ID, definitions: prepare(doc.components.schemas, close) });
  return ajv;
}

class Validators {
  private ajv: Ajv | undefined;
  private readonly compiled = new Map<string, ValidateFunction | null>();

  constructor(private readonly doc: OcenSpecDocument, private readonly close: boolean, private readonly checkFormats: boolean) {}

  private instance(): Ajv {
    this.ajv ??= newAjv(this.doc, this.close, this.checkFormats);
    return this.ajv;
  }

  get(operation: string, part: OcenMessagePart): ValidateFunction | null {
    const key = `${part} ${operation}`;
    let validate = this.compiled.get(key);
    if (validate === undefined) {
      const schema = messageSchema(this.doc, operation, part);
      validate = schema ? this.instance().compile(prepare(schema, this.close) as Schema) : null;
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /** Compiles every component schema on its own (one that no message references is still checked). */
  component(name: string): ValidateFunction {
    return this.instance().compile({ $ref: `${COMPONENTS_ID}#/definitions/${name}` });
  }
}

const outgoing = new Validators(patched, true, true);
const incoming = new Validators(patched, false, false);

function run(validators: Validators, operation: string, body: unknown, part: OcenMessagePart): OcenValidation {
  const validate = validators.get(operation, part);
  if (!validate) return { valid: true }; // the spec defines no schema for this message
  if (validate(body)) return { valid: true };
  return { valid: false, violations: (validate.errors ?? []).map(violation) };
}

/**
 * The lenient validator of a message, typed: the generated type is what the schema it compiles describes
 * (scripts/generate-ocen-types.js reads the same file), so a value it accepts has that type. A message the spec
 * gives no schema is the empty object schema (anything that is a JSON object).
 */
function incomingValidator<Operation extends OcenOperation, Part extends OcenMessagePart>(operation: Operation, part: Part): ValidateFunction<OcenMessage<Operation, Part>> {
  return (incoming.get(operation, part) ?? ANY_OBJECT) as ValidateFunction<OcenMessage<Operation, Part>>;
}

const ANY_OBJECT: ValidateFunction = new Ajv().compile({ type: 'object' });

function violation(error: ErrorObject): OcenSchemaViolation {
  const params = error.params as Record<string, unknown>;
  const detail = typeof params.additionalProperty === 'string'
    ? `: ${params.additionalProperty}`
    : Array.isArray(params.allowedValues) ? ` (${params.allowedValues.join(', ')})` : '';
  return { path: error.instancePath, message: `${error.message ?? 'is invalid'}${detail}` };
}

function describe(v: OcenSchemaViolation): string {
  return `${v.path || '(message)'} ${v.message}`;
}

/**
 * Checks a message we are about to send against the patched schema of `operation` (`part` `body`: a callback
 * we POST, e.g. `validateOutgoing('loanApplications/createLoanResponse', body)`; `ack`: our answer to a request
 * we host). Exact: formats checked, members the schema does not define refused.
 */
export function validateOutgoing(operation: OcenOperation, body: unknown, part: OcenMessagePart = 'body'): OcenValidation {
  return run(outgoing, operation, body, part);
}

/**
 * {@link validateOutgoing}, throwing {@link OcenSchemaError} when the message does not match; afterwards `body` has
 * the message's type (the exact check accepts no less than the generated type describes).
 */
export function assertOutgoing<Operation extends OcenOperation, Part extends OcenMessagePart = 'body'>(operation: Operation, body: unknown, part?: Part): asserts body is OcenMessage<Operation, Part> {
  const checked = part ?? 'body';
  const result = validateOutgoing(operation, body, checked);
  if (!result.valid) throw new OcenSchemaError(operation, checked, result.violations);
}

/**
 * Checks a message we received (after `normaliseInbound`) leniently: required members and types as the patched
 * schema says, unknown members and unformatted dates accepted.
 */
export function validateIncoming(operation: OcenOperation, body: unknown, part: OcenMessagePart = 'body'): OcenValidation {
  return run(incoming, operation, body, part);
}

/**
 * {@link validateIncoming} that hands back the message typed as the schema says, e.g.
 * `readIncoming('loanApplications/createLoanRequest', body)` gives `OcenMessage<'loanApplications/createLoanRequest'>`.
 * The same lenient check: members the schema does not define pass (and are not typed), formats are not checked.
 */
export function readIncoming<Operation extends OcenOperation, Part extends OcenMessagePart = 'body'>(operation: Operation, body: unknown, part?: Part): OcenReading<Operation, Part> {
  const validate = incomingValidator(operation, part ?? ('body' as Part));
  if (validate(body)) return { valid: true, message: body };
  return { valid: false, violations: (validate.errors ?? []).map(violation) };
}

/** Whether `body` passes the lenient check of `operation`'s message, as a type guard (see {@link readIncoming}). */
export function isIncoming<Operation extends OcenOperation, Part extends OcenMessagePart = 'body'>(operation: Operation, body: unknown, part?: Part): body is OcenMessage<Operation, Part> {
  return incomingValidator(operation, part ?? ('body' as Part))(body);
}

/** The patched schema of a message, as it stands in loan.patched.json (component references unresolved). */
export function ocenMessageSchema(operation: OcenOperation, part: OcenMessagePart = 'body'): Readonly<Schema> | undefined {
  return messageSchema(patched, operation, part);
}

/**
 * Every schema of `doc` (each component, each operation's body and ack; or only the `targets` named as
 * `components.schemas.<Name>` or `<operation> body|ack`) that does not build in Ajv's strict mode, as
 * `target: why`. None for the patched loan.json; a test runs it on the raw file to prove each patch.
 */
export function strictSchemaProblems(doc: OcenSpecDocument, targets?: readonly string[]): string[] {
  const problems: string[] = [];
  const attempt = (target: string, build: () => unknown) => {
    if (targets && !targets.includes(target)) return;
    try {
      build();
    } catch (err) {
      problems.push(`${target}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const set = new Validators(doc, true, true);
  for (const name of Object.keys(doc.components.schemas)) attempt(`components.schemas.${name}`, () => set.component(name));
  for (const path of Object.keys(doc.paths)) {
    const operation = path.slice(OCEN_PATH_PREFIX.length);
    for (const part of ['body', 'ack'] as const) attempt(`${operation} ${part}`, () => set.get(operation, part));
  }
  return problems;
}

/** Compiles every message schema of both validators for the patched file; returns how many there are. */
export function compileAllOcenSchemas(): number {
  let messages = 0;
  for (const operation of operationNames) {
    for (const part of ['body', 'ack'] as const) {
      if (outgoing.get(operation, part)) messages += 1;
      incoming.get(operation, part);
    }
  }
  return messages;
}
