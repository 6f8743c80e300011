#!/usr/bin/env node
// Prints the SQL that takes the schema from --from (a schema file, default: empty) to prisma/schema.prisma,
// using Prisma's WebAssembly schema engine (no database touched). Save it as a new
// prisma/migrations/<timestamp>_<name>/migration.sql. Usage: npm run db:diff [-- path/to/old-schema.prisma]
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const from = process.argv[2] ? ['--from-schema-datamodel', process.argv[2]] : ['--from-empty'];
const placeholder = path.join(root, 'package.json');
execFileSync(
  path.join(root, 'node_modules', '.bin', 'prisma'),
  ['migrate', 'diff', '--config', 'scripts/prisma-diff.config.ts', ...from, '--to-schema-datamodel', 'prisma/schema.prisma', '--script'],
  { cwd: root, stdio: 'inherit', env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: placeholder, PRISMA_QUERY_ENGINE_LIBRARY: placeholder } },
);
