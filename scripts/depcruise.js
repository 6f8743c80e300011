#!/usr/bin/env node
// Checks the architecture rules in .dependency-cruiser.cjs over src/ (or the paths given) and prints the violations.
// Why not call `depcruise` directly: its exit code is the number of errors, and an exit status is 8 bits, so exactly
// 256 violations would exit 0. This runs the CLI for JSON, formats it with dependency-cruiser's own 'err' reporter,
// and exits 1 on any error-severity violation, 2 if the cruise itself failed.
// Needs the generated code (npm run generate): imports resolve to src/generated.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const targets = process.argv.length > 2 ? process.argv.slice(2) : ['src'];

const run = spawnSync(process.execPath, [bin, ...targets, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
  stdio: ['ignore', 'pipe', 'inherit'],
});
if (run.error || run.status !== 0) {
  console.error(`dependency-cruiser failed (${run.error ? run.error.message : `exit status ${run.status}`})`);
  process.exit(2);
}

(async () => {
  const { format } = await import('dependency-cruiser'); // ESM-only package
  const result = JSON.parse(run.stdout);
  const report = await format(result, { outputType: 'err' });
  process.stdout.write(report.output);
  process.exit(result.summary.error > 0 ? 1 : 0);
})().catch((err) => {
  console.error(err);
  process.exit(2);
});
