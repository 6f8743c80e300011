/**
 * The patched OCEN 4.0 loan.json: the committed file is exactly the official one plus the listed patches, each
 * patch mends a defect (a schema that does not build in Ajv's strict mode without it, or a named spec-level
 * check), and the README's patch table lists every one.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { applyOperations, SpecPatch } from '../../scripts/ocen-spec';
import { compileAllOcenSchemas, OcenSpecDocument, strictSchemaProblems } from '../../src/protocols/ocen/ocen-schemas';

const root = path.resolve(__dirname, '../..');
const RAW = path.join(root, 'src/protocols/ocen/spec/loan.official.json');
const PATCHED = path.join(root, 'src/protocols/ocen/spec/loan.patched.json');
const patchSet = JSON.parse(fs.readFileSync(path.join(root, 'src/protocols/ocen/spec/loan.patches.json'), 'utf8')) as { patches: SpecPatch[] };
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as OcenSpecDocument & { components: Record<string, any>; security: unknown };

// The official file is committed unchanged beside the patched one, so every checkout runs the patch checks.
const withRaw = it;

/** Which schema a patch operation changes, named as strictSchemaProblems names it. */
function targetOf(pointer: string): string | undefined {
  const tokens = pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (tokens[0] === 'components' && tokens[1] === 'schemas') return `components.schemas.${tokens[2]}`;
  if (tokens[0] === 'paths' && tokens[2] === 'post' && ['requestBody', 'responses'].includes(tokens[3])) {
    return `${tokens[1].replace('/v4.0.0alpha/', '')} ${tokens[3] === 'requestBody' ? 'body' : 'ack'}`;
  }
  return undefined;
}

/** Patches that change no schema: each is proved by a spec-level check below. */
const SPEC_LEVEL = ['security-schemes', 'operation-ids'];

describe('the patched OCEN 4.0 loan.json', () => {
  withRaw('when the patch script checks the committed file, then it is exactly the official file with every patch applied', () => {
    const run = spawnSync(process.execPath, [path.join(root, 'scripts/ocen-spec.js'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`with ${patchSet.patches.length} patches applied`);
  });

  it('when every schema of the patched file is built in strict mode, then all build (components and the body and ack of every operation)', () => {
    expect(strictSchemaProblems(readJson(PATCHED))).toEqual([]);
    expect(compileAllOcenSchemas()).toBe(150); // 75 operations, a body and an ack each
  });

  withRaw('when the official file is built in strict mode, then it fails, first of all on MetaData requiring orgId', () => {
    const problems = strictSchemaProblems(readJson(RAW), ['components.schemas.MetaData']);
    expect(problems).toEqual([expect.stringContaining('required property "orgId" is not defined')]);
  });

  withRaw('when any one schema patch is left out, then a schema it changes no longer builds in strict mode', () => {
    const notNeeded: string[] = [];
    for (const left of patchSet.patches.filter((p) => !SPEC_LEVEL.includes(p.id))) {
      const doc = readJson(RAW);
      for (const patch of patchSet.patches) if (patch !== left) applyOperations(doc, patch.ops);
      const targets = [...new Set(left.ops.map((o) => targetOf(o.path)).filter((t): t is string => t !== undefined))];
      expect(targets.length).toBeGreaterThan(0);
      if (strictSchemaProblems(doc, targets).length === 0) notNeeded.push(left.id);
    }
    expect(notNeeded).toEqual([]);
  });

  it('when the document names security schemes, then components.securitySchemes defines each of them', () => {
    const doc = readJson(PATCHED);
    const named = (doc.security as Array<Record<string, unknown>>).flatMap((requirement) => Object.keys(requirement));
    expect(named.sort()).toEqual(Object.keys(doc.components.securitySchemes).sort());
  });

  it('when the operations are listed, then every one has an operationId and no two share one', () => {
    const ids = Object.values(readJson(PATCHED).paths).map((item) => (item.post as { operationId?: string }).operationId);
    expect(ids.filter((id) => !id)).toEqual([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  withRaw('when the official file is read, then it has the spec-level defects those two patches mend', () => {
    const doc = readJson(RAW);
    expect(doc.components.securitySchemes).toBeUndefined();
    const ids = Object.values(doc.paths).map((item) => (item.post as { operationId?: string }).operationId);
    expect(ids.filter((id) => !id)).toHaveLength(5);
    expect(new Set(ids).size).toBeLessThan(ids.length);
  });

  it('when the README is read, then its patch table lists every patch by id', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(patchSet.patches.map((p) => p.id).filter((id) => !readme.includes(`\`${id}\``))).toEqual([]);
  });
});
