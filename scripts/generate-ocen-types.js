#!/usr/bin/env node
// Generates TypeScript types for the OCEN 4.0 wire from the official schemas, with json-schema-to-typescript:
//
//   src/protocols/ocen/spec/loan.patched.json            -> src/generated/ocen/loan.ts      (OcenLoanMessages)
//   src/protocols/ocen/spec/hb.official.json             -> src/generated/ocen/hb.ts        (OcenHeartbeatMessages)
//   src/protocols/ocen/spec/auth.official.json           -> src/generated/ocen/auth.ts      (OcenAuthMessages)
//   src/protocols/ocen/spec/registry.official.json       -> src/generated/ocen/registry.ts  (OcenRegistryMessages)
//
// (the *.official.json files are verbatim copies of the OCEN 4.0 OpenAPI documents: hb.json, auth.json, ocen-registry.json)
//
// Each OpenAPI document becomes one JSON Schema: its `components.schemas` are `definitions` (refs rewritten from
// `#/components/schemas/X` to `#/definitions/X`, each titled with its own name so the type is named `X`), and the
// root is an interface with one member per operation, `{ body?, ack? }`: the JSON POSTed (request body) and the
// JSON answered with HTTP 200. The loan operation is its path without `/v4.0.0alpha/`, as in ocen-schemas.ts;
// elsewhere it is the path. Objects with properties are closed (as validateOutgoing closes them), so a misspelt member does
// not compile (validation stays lenient for what we receive: see ocen-schemas.ts). Run by scripts/generate.js.
const fs = require('node:fs');
const path = require('node:path');
const { compile } = require('json-schema-to-typescript');

const root = path.resolve(__dirname, '..');
const OUT = path.join(root, 'src/generated/ocen');
const SPEC = path.join(root, 'src/protocols/ocen/spec');
const COMPONENT_REF = '#/components/schemas/';

const SOURCES = [
  { file: path.join(SPEC, 'loan.patched.json'), out: 'loan.ts', title: 'OcenLoanMessages', prefix: '/v4.0.0alpha/' },
  { file: path.join(SPEC, 'hb.official.json'), out: 'hb.ts', title: 'OcenHeartbeatMessages', prefix: '/ocen/v4/' },
  { file: path.join(SPEC, 'auth.official.json'), out: 'auth.ts', title: 'OcenAuthMessages', prefix: '/' },
  { file: path.join(SPEC, 'registry.official.json'), out: 'registry.ts', title: 'OcenRegistryMessages', prefix: '/' },
];

const pascal = (text) => text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');

/**
 * A deep copy with component refs rewritten, OpenAPI's `nullable` turned into JSON Schema and `example` dropped.
 * A `$ref`'s siblings are dropped (OpenAPI 3.0 ignores them; kept, each would make a copy of the referenced type).
 * Objects with `properties` are closed as the outgoing validator closes them; one without stays free-form.
 */
function toJsonSchema(schema) {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith(COMPONENT_REF)) return { $ref: `#/definitions/${schema.$ref.slice(COMPONENT_REF.length)}` };
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'example' || key === 'nullable') continue;
    else if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub)]));
    } else out[key] = toJsonSchema(value);
  }
  if (schema.nullable === true && typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

const jsonContent = (content) => content?.['application/json']?.schema;

function messagesSchema(doc, source) {
  const definitions = {};
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    const converted = toJsonSchema(schema);
    if (converted.title && converted.title !== name) converted.description ??= converted.title;
    definitions[name] = { ...converted, title: name };
  }
  const properties = {};
  const aliases = [];
  for (const [specPath, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const name = specPath.startsWith(source.prefix) ? specPath.slice(source.prefix.length) : specPath;
      const key = Object.keys(item).length > 1 ? `${method.toUpperCase()} ${name}` : name;
      const message = { type: 'object', additionalProperties: false, required: [], properties: {} };
      for (const [part, schema] of [['body', jsonContent(operation.requestBody?.content)], ['ack', jsonContent(operation.responses?.['200']?.content)]]) {
        if (!schema) continue;
        const typeName = `${pascal(key)}${pascal(part)}`;
        if (definitions[typeName]) throw new Error(`${typeName} is both a component and a message of ${specPath}`);
        const converted = toJsonSchema(schema);
        if (converted.$ref) {
          aliases.push(`export type ${typeName} = ${converted.$ref.slice('#/definitions/'.length)};`); // a component as it is
          message.properties[part] = converted;
        } else {
          definitions[typeName] = { ...converted, title: typeName };
          message.properties[part] = { $ref: `#/definitions/${typeName}` };
        }
        message.required.push(part);
      }
      properties[key] = { ...message, description: operation.summary ?? operation.operationId };
    }
  }
  const schema = {
    title: source.title,
    description: `Every operation of ${path.basename(source.file)} (${doc.info?.title}): \`body\` is the JSON sent to it, \`ack\` its HTTP 200 answer.`,
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties),
    properties,
    definitions,
  };
  return { schema, aliases };
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const written = [];
  for (const source of SOURCES) {
    const doc = JSON.parse(fs.readFileSync(source.file, 'utf8'));
    const { schema, aliases } = messagesSchema(doc, source);
    const ts = await compile(schema, source.title, {
      bannerComment: `/* Generated by scripts/generate-ocen-types.js from ${path.relative(root, source.file)}: do not edit. */`,
      unreachableDefinitions: true,
      strictIndexSignatures: true,
      declareExternallyReferenced: true,
      format: true,
      cwd: path.dirname(source.file),
      $refOptions: { resolve: { external: false } },
    });
    for (const alias of aliases) {
      const name = /^export type (\w+)/.exec(alias)[1];
      if (new RegExp(`^export (type|interface) ${name}\\b`, 'm').test(ts)) throw new Error(`${source.file}: the message type ${name} clashes with a generated type`);
    }
    fs.writeFileSync(path.join(OUT, source.out), `${ts}\n/** Each message that is a component as it stands, by its message name. */\n${aliases.join('\n')}\n`);
    written.push(source.out);
  }
  process.stdout.write(`generated: OCEN 4.0 wire types (src/generated/ocen/{${written.join(',')}})\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
