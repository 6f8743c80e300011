#!/usr/bin/env node
// Builds src/protocols/ocen/spec/loan.patched.json: the official OCEN 4.0 loan.json with the patches of
// src/protocols/ocen/spec/loan.patches.json applied (RFC 6902 operations; a `test` op guards each change, so a
// changed source fails loudly instead of being patched in the wrong place). The raw file is never used by the code.
//
//   node scripts/ocen-spec.js            write the patched file and print the patches applied
//   node scripts/ocen-spec.js --check    exit 1 when the committed patched file is not exactly raw + patches
//   --raw PATH                           the official file (default src/protocols/ocen/spec/loan.official.json, a verbatim copy)
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const SPEC_DIR = path.join(root, 'src/protocols/ocen/spec');
const PATCHES = path.join(SPEC_DIR, 'loan.patches.json');
const PATCHED = path.join(SPEC_DIR, 'loan.patched.json');
const DEFAULT_RAW = path.join(root, 'src/protocols/ocen/spec/loan.official.json');

const unescapeToken = (token) => token.replace(/~1/g, '/').replace(/~0/g, '~');

function locate(doc, pointer) {
  if (!pointer.startsWith('/')) throw new Error(`not a JSON pointer: ${pointer}`);
  const tokens = pointer.slice(1).split('/').map(unescapeToken);
  const last = tokens.pop();
  let parent = doc;
  for (const token of tokens) {
    if (parent === null || typeof parent !== 'object' || !(token in parent)) throw new Error(`${pointer}: no ${token}`);
    parent = parent[token];
  }
  if (parent === null || typeof parent !== 'object') throw new Error(`${pointer}: the parent is not a container`);
  return { parent, key: Array.isArray(parent) ? (last === '-' ? parent.length : Number(last)) : last };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Applies RFC 6902 `test`, `add`, `replace` and `remove` operations to `doc` in place. */
function applyOperations(doc, ops) {
  for (const o of ops) {
    const { parent, key } = locate(doc, o.path);
    const present = Array.isArray(parent) ? key < parent.length : Object.prototype.hasOwnProperty.call(parent, key);
    switch (o.op) {
      case 'test':
        if (!present || !same(parent[key], o.value)) throw new Error(`test failed at ${o.path}: found ${JSON.stringify(parent[key])}`);
        break;
      case 'add':
        if (Array.isArray(parent)) parent.splice(key, 0, o.value);
        else if (present) throw new Error(`add at ${o.path}: already present (use replace)`);
        else parent[key] = o.value;
        break;
      case 'replace':
        if (!present) throw new Error(`replace at ${o.path}: nothing there`);
        parent[key] = o.value;
        break;
      case 'remove':
        if (!present) throw new Error(`remove at ${o.path}: nothing there`);
        if (Array.isArray(parent)) parent.splice(key, 1);
        else delete parent[key];
        break;
      default:
        throw new Error(`unsupported operation ${o.op}`);
    }
  }
}

/** The patched document as text: raw + every patch, in order, pretty-printed. */
function patchedText(rawText, patchSet) {
  const doc = JSON.parse(rawText);
  for (const patch of patchSet.patches) {
    try {
      applyOperations(doc, patch.ops);
    } catch (err) {
      throw new Error(`patch ${patch.id}: ${err.message}`);
    }
  }
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function main(argv) {
  const check = argv.includes('--check');
  const rawAt = argv.indexOf('--raw');
  const raw = rawAt >= 0 ? path.resolve(argv[rawAt + 1]) : DEFAULT_RAW;
  if (!fs.existsSync(raw)) {
    console.error(`the official loan.json is not at ${raw} (pass --raw PATH)`);
    return 2;
  }
  const patchSet = JSON.parse(fs.readFileSync(PATCHES, 'utf8'));
  const text = patchedText(fs.readFileSync(raw, 'utf8'), patchSet);
  for (const p of patchSet.patches) console.log(`applied ${p.id}: ${p.fix}`);
  if (check) {
    const committed = fs.existsSync(PATCHED) ? fs.readFileSync(PATCHED, 'utf8') : '';
    if (committed !== text) {
      console.error(`${path.relative(root, PATCHED)} is not the official file with the patches applied: run node scripts/ocen-spec.js`);
      return 1;
    }
    console.log(`${path.relative(root, PATCHED)} is the official file with ${patchSet.patches.length} patches applied`);
    return 0;
  }
  fs.writeFileSync(PATCHED, text);
  console.log(`wrote ${path.relative(root, PATCHED)}`);
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));

module.exports = { applyOperations, patchedText };
