#!/usr/bin/env node
// OCEN v3 (iSPIRT/OCEN, originally Juspay's LSP-Lender protocol): the official JSON Schemas (draft-07, one per
// object) bundled verbatim into src/protocols/ocen-v3/spec/ocen-v3.official.json, keyed by their path in the
// source repository; ocen-v3.patched.json is that bundle with the patches of ocen-v3.patches.json applied (RFC 6902,
// a `test` op guarding each change, the same engine as scripts/ocen-spec.js for 4.0). Only the patched bundle is used.
//
//   node scripts/ocen-v3-spec.js                 write the patched bundle and print the patches applied
//   node scripts/ocen-v3-spec.js --check         exit 1 when the committed patched bundle is not exactly official + patches
//   node scripts/ocen-v3-spec.js --from DIR      first re-copy the official bundle from a checkout of iSPIRT/OCEN
const fs = require('node:fs');
const path = require('node:path');
const { patchedText } = require('./ocen-spec');

const root = path.resolve(__dirname, '..');
const SPEC_DIR = path.join(root, 'src/protocols/ocen-v3/spec');
const OFFICIAL = path.join(SPEC_DIR, 'ocen-v3.official.json');
const PATCHES = path.join(SPEC_DIR, 'ocen-v3.patches.json');
const PATCHED = path.join(SPEC_DIR, 'ocen-v3.patched.json');

/** Every `<Group>/schema/<version>/**.json` of a checkout, as {path: schema}, sorted by path. */
function officialBundle(dir) {
  const found = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const next = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(next);
      else if (entry.name.endsWith('.json') && next.split('/')[1] === 'schema') found.push(next);
    }
  };
  walk('');
  const bundle = {};
  for (const rel of found.sort()) bundle[rel] = JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8'));
  return bundle;
}

function main(argv) {
  const fromAt = argv.indexOf('--from');
  if (fromAt >= 0) {
    fs.writeFileSync(OFFICIAL, `${JSON.stringify(officialBundle(path.resolve(argv[fromAt + 1])), null, 2)}\n`);
    console.log(`wrote ${path.relative(root, OFFICIAL)}`);
  }
  const patchSet = JSON.parse(fs.readFileSync(PATCHES, 'utf8'));
  const text = patchedText(fs.readFileSync(OFFICIAL, 'utf8'), patchSet);
  for (const p of patchSet.patches) console.log(`applied ${p.id}: ${p.fix}`);
  if (argv.includes('--check')) {
    const committed = fs.existsSync(PATCHED) ? fs.readFileSync(PATCHED, 'utf8') : '';
    if (committed !== text) {
      console.error(`${path.relative(root, PATCHED)} is not the official bundle with the patches applied: run node scripts/ocen-v3-spec.js`);
      return 1;
    }
    console.log(`${path.relative(root, PATCHED)} is the official bundle with ${patchSet.patches.length} patches applied`);
    return 0;
  }
  fs.writeFileSync(PATCHED, text);
  console.log(`wrote ${path.relative(root, PATCHED)}`);
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));

module.exports = { officialBundle };
