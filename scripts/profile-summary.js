#!/usr/bin/env node
// Where a V8 CPU profile (node --cpu-prof, or `npm run bench -- --profile DIR`) spent its time: self time by
// package or source area, and the functions with the most self time. With --windows (written by the bench) and
// --run NAME, only the samples taken during that load run count, not start-up or data preparation.
// Usage: node scripts/profile-summary.js FILE.cpuprofile [--windows FILE --run NAME] [--top N]
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { windows: { type: 'string' }, run: { type: 'string' }, top: { type: 'string' } },
});
if (positionals.length !== 1) {
  console.error('usage: node scripts/profile-summary.js FILE.cpuprofile [--windows FILE --run NAME] [--top N]');
  process.exit(2);
}
const top = Number(values.top ?? 25);
const profile = JSON.parse(fs.readFileSync(positionals[0], 'utf8'));

let window = { startUs: -Infinity, endUs: Infinity };
if (values.run) {
  if (!values.windows) throw new Error('--run needs --windows');
  const found = JSON.parse(fs.readFileSync(values.windows, 'utf8')).filter((w) => w.name === values.run);
  if (!found.length) throw new Error(`no run named ${values.run} in ${values.windows}`);
  window = found[0];
}

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map();
let at = profile.startTime;
let totalUs = 0;
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i];
  const next = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
  if (at < window.startUs || at > window.endUs) continue;
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + next);
  totalUs += next;
}

const ROOT = path.resolve(__dirname, '..');
function areaOf(callFrame) {
  const url = callFrame.url;
  if (!url) return callFrame.functionName.startsWith('(') ? callFrame.functionName : '(native)';
  if (url.startsWith('node:')) return 'node core';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scopeOrName, name] = url.slice(modules + 'node_modules/'.length).split('/');
    return scopeOrName.startsWith('@') ? `${scopeOrName}/${name}` : scopeOrName;
  }
  const file = url.replace(/^file:\/\//, '');
  const relative = path.relative(ROOT, file);
  if (relative.startsWith('dist/src/generated/prisma') || relative.startsWith('src/generated/prisma')) return 'generated Prisma client';
  return relative.startsWith('..') ? file : relative.replace(/^dist\//, '').split('/').slice(0, 3).join('/');
}

const byArea = new Map();
const byFunction = new Map();
for (const [id, us] of selfUs) {
  const { callFrame } = nodes.get(id);
  const area = areaOf(callFrame);
  byArea.set(area, (byArea.get(area) ?? 0) + us);
  const where = callFrame.url ? `${path.basename(callFrame.url)}:${callFrame.lineNumber + 1}` : '';
  const key = `${callFrame.functionName || '(anonymous)'} ${where} [${area}]`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
}

const busyUs = totalUs - (byArea.get('(idle)') ?? 0);
const share = (us) => `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`;
const sorted = (map) => [...map].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]);

console.log(`${values.run ? `run ${values.run}: ` : ''}${(totalUs / 1e6).toFixed(1)} s sampled, ${((100 * busyUs) / totalUs).toFixed(1)}% busy; shares are of busy time\n`);
console.log('self time by area:');
for (const [area, us] of sorted(byArea).slice(0, top)) console.log(`  ${share(us)}  ${area}`);
console.log('\nfunctions with the most self time:');
for (const [name, us] of sorted(byFunction).slice(0, top)) console.log(`  ${share(us)}  ${name}`);
