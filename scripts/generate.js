#!/usr/bin/env node
// Generates the Prisma client and the tsoa routes + OpenAPI spec, with nothing downloaded.
// Prisma's CLI wants native engine files it would download; generation itself is WebAssembly, so any
// existing file satisfies the check (Prisma is used offline: engines are never downloaded). The client runs on @prisma/adapter-pg.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const placeholder = path.join(root, 'package.json');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || placeholder,
  PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY || placeholder,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });

run(bin("prisma"), ["generate", "--no-hints"]);
for (const surface of ['gpay', 'sandbox']) run(bin('tsoa'), ['spec-and-routes', '-c', `tsoa.${surface}.json`]);
run(process.execPath, [path.join(__dirname, 'generate-ocen-types.js')]);
run(process.execPath, [path.join(__dirname, 'generate-ocen-v3-types.js')]);
process.stdout.write('generated: Prisma client, tsoa routes and OpenAPI of each surface (src/generated/<surface>)\n');
