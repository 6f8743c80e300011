/**
 * The architecture rules of `npm run lint` (.dependency-cruiser.cjs) bite: small probe files that break (or keep)
 * a rule are written into src/, dependency-cruiser checks them, and the probes are removed again.
 *
 * Probes are named `__arch_probe_<pid>_<time>__…` (files, and folders where a folder is needed), so parallel or
 * repeated runs never collide, the real-tree check ignores leftovers of a killed run, and git ignores them.
 * dependency-cruiser is ESM-only, so it runs as a child process (its CLI, JSON output) rather than through jest.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const PROBE = '__arch_probe_';
const runId = `${process.pid}_${Date.now().toString(36)}`;

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

interface CruiseResult {
  modules: Array<{ source: string; dependencies: Array<{ resolved: string; couldNotResolve: boolean }> }>;
  summary: { violations: Violation[] };
}

/** dependency-cruiser over `targets` (and what they import) with the project's rules. */
function cruise(targets: string[], extraArgs: string[] = []): CruiseResult {
  const bin = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const run = spawnSync(
    process.execPath,
    [bin, ...targets, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...extraArgs],
    { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (run.error || run.status !== 0) throw new Error(`dependency-cruiser failed (${run.error?.message ?? run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as CruiseResult;
}

/** Probe files written under src/; remove() deletes exactly what was created (files, then the folders made for them). */
class Probes {
  private readonly created: string[] = [];

  /** A path for a probe: `dir/__arch_probe_<run>_<name>__<suffix>`. */
  name(dir: string, name: string, suffix = '.ts'): string {
    return `${dir}/${PROBE}${runId}_${name}__${suffix}`;
  }

  write(file: string, body: string): string {
    const abs = path.join(root, file);
    const missing: string[] = [];
    for (let dir = path.dirname(abs); !fs.existsSync(dir); dir = path.dirname(dir)) missing.unshift(dir);
    for (const dir of missing) {
      fs.mkdirSync(dir);
      this.created.push(dir);
    }
    fs.writeFileSync(abs, body, { flag: 'wx' });
    this.created.push(abs);
    return file;
  }

  remove(): void {
    for (const p of this.created.splice(0).reverse()) {
      if (fs.statSync(p, { throwIfNoEntry: false })?.isDirectory()) fs.rmdirSync(p);
      else fs.rmSync(p, { force: true });
    }
  }
}

/** The module specifier `from` uses for `to`: a relative path (extension dropped) for a file, else the package name. */
function specifier(from: string, to: string): string {
  if (!to.startsWith('src/')) return to;
  const rel = path.posix.relative(path.posix.dirname(from), to.replace(/\.ts$/, ''));
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** A probe's source: a value or type-only import of each target, used so that no linter would call it unused. */
function importing(from: string, targets: Array<{ to: string; name: string; typeOnly?: boolean }>): string {
  const lines = targets.map((t, i) =>
    t.typeOnly
      ? `import type { ${t.name} as T${i} } from '${specifier(from, t.to)}';\nexport type Uses${i} = T${i};`
      : `import { ${t.name} as v${i} } from '${specifier(from, t.to)}';\nexport const uses${i} = v${i};`,
  );
  return `${lines.join('\n')}\nexport const value = 1;\nexport interface Shape { value: number }\n`;
}

describe('architecture rules (npm run lint): probes that break a rule are refused, probes that keep it are accepted', () => {
  const probes = new Probes();
  const p = {} as Record<string, string>;
  let result: CruiseResult = { modules: [], summary: { violations: [] } };

  const violationsFrom = (file: string) => result.summary.violations.filter((v) => v.from === file);
  const ruleNamesFrom = (file: string) => violationsFrom(file).map((v) => v.rule.name);
  /** Accepted: the probe was cruised, every import of it resolved, and it broke no rule (so `[]` is not vacuous). */
  const expectAccepted = (file: string, imports: number) => {
    const cruised = result.modules.find((m) => m.source === file);
    expect(cruised?.dependencies.filter((d) => !d.couldNotResolve)).toHaveLength(imports);
    expect(violationsFrom(file)).toEqual([]);
  };

  beforeAll(() => {
    if (!fs.existsSync(path.join(root, 'src/generated/prisma/client.ts'))) {
      throw new Error('src/generated/prisma/client.ts is missing: run `npm run generate` first (npm test does)');
    }
    const generatedClient = 'src/generated/prisma/client.ts';
    // Two protocol folders of their own (a real one may be renamed while the code is restructured), and a shared one.
    const protocolA = `src/protocols/${PROBE}${runId}_protocol_a__`;
    const protocolB = `src/protocols/${PROBE}${runId}_protocol_b__`;
    p.protocolB = probes.write(probes.name(protocolB, 'wire'), importing('', []));
    p.shared = probes.write(probes.name('src/protocols/shared', 'shared'), importing('', []));
    p.protocolAOwn = probes.write(probes.name(protocolA, 'own'), importing('', []));
    p.coreTarget = probes.write(probes.name('src/core', 'core_target'), importing('', []));
    p.libTarget = probes.write(probes.name('src/lib', 'lib_target'), importing('', []));

    const file = (key: string, dir: string, name: string, targets: Parameters<typeof importing>[1], suffix?: string) => {
      const f = probes.name(dir, name, suffix);
      p[key] = probes.write(f, importing(f, targets));
    };
    file('coreToProtocol', 'src/core', 'core_to_protocol', [{ to: p.protocolB, name: 'value' }]);
    file('coreTypeToProtocol', 'src/core', 'core_type_to_protocol', [{ to: p.protocolB, name: 'Shape', typeOnly: true }]);
    file('coreToExpress', 'src/core', 'core_to_express', [{ to: 'express', name: 'Router' }]);
    file('coreToTsoa', 'src/core', 'core_to_tsoa', [{ to: '@tsoa/runtime', name: 'ValidateError' }]);
    file('coreToContainer', 'src/core', 'core_to_container', [{ to: 'src/container.ts', name: 'Services', typeOnly: true }]);
    file('protocolToPrisma', protocolA, 'to_prisma', [{ to: generatedClient, name: 'PrismaClient' }]);
    file('protocolTypeToPrisma', protocolA, 'type_to_prisma', [{ to: generatedClient, name: 'PrismaClient', typeOnly: true }]);
    file('protocolToPrismaPackage', protocolA, 'to_prisma_package', [{ to: '@prisma/adapter-pg', name: 'PrismaPg' }]);
    file('protocolToOtherProtocol', protocolA, 'to_other_protocol', [{ to: p.protocolB, name: 'value' }]);
    file('protocolToSharedAndOwn', protocolA, 'to_shared_and_own', [
      { to: p.shared, name: 'value' },
      { to: p.protocolAOwn, name: 'value' },
      { to: p.coreTarget, name: 'value' },
    ]);
    file('coreServiceToPrisma', 'src/core', 'service_to_prisma', [{ to: generatedClient, name: 'PrismaClient' }]);
    file('coreRepositoryToPrisma', 'src/core', 'repo_to_prisma', [{ to: generatedClient, name: 'PrismaClient' }], '.repository.ts');
    file('libDbToPrisma', 'src/lib/db', 'db_to_prisma', [
      { to: generatedClient, name: 'PrismaClient' },
      { to: '@prisma/adapter-pg', name: 'PrismaPg' },
    ]);
    file('coreToPromClient', 'src/core', 'core_to_prom_client', [{ to: 'prom-client', name: 'Counter' }]);
    file('libMetricsToPromClient', 'src/lib/metrics', 'metrics_to_prom_client', [{ to: 'prom-client', name: 'Counter' }]);
    file('libToOtel', 'src/lib', 'lib_to_otel', [{ to: '@opentelemetry/api', name: 'trace' }]);
    file('coreTypeToOtel', 'src/core', 'core_type_to_otel', [{ to: '@opentelemetry/api', name: 'Span', typeOnly: true }]);
    file('libTracingToOtel', 'src/lib/tracing', 'tracing_to_otel', [{ to: '@opentelemetry/api', name: 'trace' }]);
    file('libToCore', 'src/lib', 'lib_to_core', [{ to: p.coreTarget, name: 'value' }]);
    file('libToProtocol', 'src/lib', 'lib_to_protocol', [{ to: p.protocolB, name: 'value' }]);
    file('adapterToProtocol', 'src/adapters', 'adapter_to_protocol', [{ to: p.protocolB, name: 'value' }]);
    file('adapterToCoreAndLib', 'src/adapters', 'adapter_to_core_and_lib', [
      { to: p.coreTarget, name: 'value' },
      { to: p.libTarget, name: 'value' },
    ]);
    // Protocols stay thin: no adapter, no composition root, no transaction, idempotency or callback machinery, no repository.
    p.adapterTarget = probes.write(probes.name('src/adapters', 'adapter_target'), importing('', []));
    file('protocolToAdapter', protocolA, 'to_adapter', [{ to: p.adapterTarget, name: 'value' }]);
    file('protocolToContainer', protocolA, 'to_container', [{ to: 'src/container.ts', name: 'Services', typeOnly: true }]);
    file('protocolToLibDb', protocolA, 'to_lib_db', [{ to: 'src/lib/db/database.ts', name: 'UnitOfWork', typeOnly: true }]);
    file('protocolToCallbacks', protocolA, 'to_callbacks', [{ to: 'src/lib/callbacks/partner-callback.repository.ts', name: 'PartnerCallbackRepository' }]);
    file('protocolToIdempotency', protocolA, 'to_idempotency', [{ to: 'src/lib/idempotency/idempotency.ts', name: 'Idempotency' }]);
    file('protocolToRepository', protocolA, 'to_repository', [{ to: 'src/core/application/application.repository.ts', name: 'ApplicationRepository', typeOnly: true }]);
    file('protocolToLending', protocolA, 'to_lending', [{ to: 'src/core/lending/partner-requests.ts', name: 'PartnerRequests', typeOnly: true }]);
    // The core: lending above every feature folder; the feature folders one way only (CORE_FOLDERS_LOWEST_FIRST).
    file('featureToLending', 'src/core/offer', 'feature_to_lending', [{ to: 'src/core/lending/partner-requests.ts', name: 'PartnerRequests', typeOnly: true }]);
    file('lendingToFeatures', 'src/core/lending', 'lending_to_features', [
      { to: 'src/core/offer/offer.service.ts', name: 'OfferService', typeOnly: true },
      { to: 'src/core/application/application.ts', name: 'Application', typeOnly: true },
    ]);
    file('lowerToHigherFolder', 'src/core/application', 'lower_to_higher', [{ to: 'src/core/approval/approval.service.ts', name: 'ApprovalService', typeOnly: true }]);
    file('higherToLowerFolder', 'src/core/approval', 'higher_to_lower', [{ to: 'src/core/application/application.ts', name: 'Application', typeOnly: true }]);
    const unlistedFolder = `src/core/${PROBE}${runId}_feature__`;
    file('unlistedToListed', unlistedFolder, 'to_listed', [{ to: 'src/core/application/application.ts', name: 'Application', typeOnly: true }]);
    file('listedToUnlisted', 'src/core/application', 'to_unlisted', [{ to: p.unlistedToListed, name: 'value' }]);
    // A run-time cycle (value imports both ways) and a cycle that exists only for the compiler (one side `import type`).
    const cycleA = probes.name('src/core', 'cycle_a');
    const cycleB = probes.name('src/core', 'cycle_b');
    p.cycleA = probes.write(cycleA, importing(cycleA, [{ to: cycleB, name: 'value' }]));
    p.cycleB = probes.write(cycleB, importing(cycleB, [{ to: cycleA, name: 'value' }]));
    const typeCycleA = probes.name('src/core', 'type_cycle_a');
    const typeCycleB = probes.name('src/core', 'type_cycle_b');
    p.typeCycleA = probes.write(typeCycleA, importing(typeCycleA, [{ to: typeCycleB, name: 'Shape', typeOnly: true }]));
    p.typeCycleB = probes.write(typeCycleB, importing(typeCycleB, [{ to: typeCycleA, name: 'value' }]));

    try {
      result = cruise(Object.values(p));
    } finally {
      probes.remove();
    }
  });

  afterAll(() => probes.remove()); // in case beforeAll failed half-way

  it('when a core file imports a protocol, then lint refuses it (core-not-to-protocols)', () => {
    expect(violationsFrom(p.coreToProtocol)).toContainEqual(
      expect.objectContaining({ to: p.protocolB, rule: expect.objectContaining({ name: 'core-not-to-protocols', severity: 'error' }) }),
    );
  });

  it('when a core file imports only a type from a protocol, then lint refuses it too (core-not-to-protocols)', () => {
    expect(ruleNamesFrom(p.coreTypeToProtocol)).toContain('core-not-to-protocols');
  });

  it('when a core file imports express or @tsoa/runtime, then lint refuses it (core-not-to-web-framework)', () => {
    expect(ruleNamesFrom(p.coreToExpress)).toContain('core-not-to-web-framework');
    expect(ruleNamesFrom(p.coreToTsoa)).toContain('core-not-to-web-framework');
  });

  it('when a core file imports the container, then lint refuses it (core-not-to-composition-root)', () => {
    expect(ruleNamesFrom(p.coreToContainer)).toContain('core-not-to-composition-root');
  });

  it('when a core file imports prom-client, then lint refuses it; src/lib/metrics may (metrics-library-only-in-lib-metrics)', () => {
    expect(ruleNamesFrom(p.coreToPromClient)).toContain('metrics-library-only-in-lib-metrics');
    expectAccepted(p.libMetricsToPromClient, 1);
  });

  it('when a file outside src/lib/tracing imports OpenTelemetry, even a type, then lint refuses it; src/lib/tracing may (tracing-library-only-in-lib-tracing)', () => {
    expect(ruleNamesFrom(p.libToOtel)).toContain('tracing-library-only-in-lib-tracing');
    expect(ruleNamesFrom(p.coreTypeToOtel)).toContain('tracing-library-only-in-lib-tracing');
    expectAccepted(p.libTracingToOtel, 1);
  });

  it('when a protocol file imports the generated Prisma client, then lint refuses it (protocols-not-to-prisma)', () => {
    expect(violationsFrom(p.protocolToPrisma)).toContainEqual(
      expect.objectContaining({ to: 'src/generated/prisma/client.ts', rule: expect.objectContaining({ name: 'protocols-not-to-prisma' }) }),
    );
  });

  it('when a protocol file imports only a Prisma type, or @prisma/adapter-pg, then lint refuses it (protocols-not-to-prisma)', () => {
    expect(ruleNamesFrom(p.protocolTypeToPrisma)).toContain('protocols-not-to-prisma');
    expect(ruleNamesFrom(p.protocolToPrismaPackage)).toContain('protocols-not-to-prisma');
  });

  it('when a protocol folder imports another protocol folder, then lint refuses it (protocols-not-to-other-protocols)', () => {
    expect(violationsFrom(p.protocolToOtherProtocol)).toContainEqual(
      expect.objectContaining({ to: p.protocolB, rule: expect.objectContaining({ name: 'protocols-not-to-other-protocols' }) }),
    );
  });

  it('when a protocol imports protocols/shared, its own folder and core, then lint accepts it', () => {
    expectAccepted(p.protocolToSharedAndOwn, 3);
  });

  it('when a core service imports the Prisma client, then lint refuses it (prisma-client-only-in-repositories)', () => {
    expect(ruleNamesFrom(p.coreServiceToPrisma)).toEqual(['prisma-client-only-in-repositories']);
  });

  it('when a *.repository.ts file or src/lib/db imports the Prisma client (and lib/db the adapter), then lint accepts it', () => {
    expectAccepted(p.coreRepositoryToPrisma, 1);
    expectAccepted(p.libDbToPrisma, 2);
  });

  it('when lib imports core or a protocol, then lint refuses it (lib-not-to-core, lib-not-to-protocols)', () => {
    expect(ruleNamesFrom(p.libToCore)).toEqual(['lib-not-to-core']);
    expect(ruleNamesFrom(p.libToProtocol)).toEqual(['lib-not-to-protocols']);
  });

  it('when an adapter imports a protocol, then lint refuses it; core and lib it may import (adapters-not-to-protocols)', () => {
    expect(ruleNamesFrom(p.adapterToProtocol)).toEqual(['adapters-not-to-protocols']);
    expectAccepted(p.adapterToCoreAndLib, 2);
  });

  it('when a protocol imports an adapter (even a sandbox fake), then lint refuses it (protocols-not-to-adapters)', () => {
    expect(ruleNamesFrom(p.protocolToAdapter)).toEqual(['protocols-not-to-adapters']);
  });

  it('when a protocol imports the composition root, even only its Services type, then lint refuses it (protocols-not-to-composition-root)', () => {
    expect(ruleNamesFrom(p.protocolToContainer)).toEqual(['protocols-not-to-composition-root']);
  });

  it('when a protocol imports lib/db, lib/callbacks, lib/idempotency or a repository, then lint refuses it (protocols-not-to-core-infrastructure)', () => {
    expect(ruleNamesFrom(p.protocolToLibDb)).toEqual(['protocols-not-to-core-infrastructure']);
    expect(ruleNamesFrom(p.protocolToCallbacks)).toEqual(['protocols-not-to-core-infrastructure']);
    expect(ruleNamesFrom(p.protocolToIdempotency)).toEqual(['protocols-not-to-core-infrastructure']);
    expect(ruleNamesFrom(p.protocolToRepository)).toEqual(['protocols-not-to-core-infrastructure']);
  });

  it('when a protocol calls the core\'s journey services (src/core/lending), then lint accepts it', () => {
    expectAccepted(p.protocolToLending, 1);
  });

  it('when a core feature folder imports src/core/lending, then lint refuses it; lending may import any feature folder (core-features-not-to-lending)', () => {
    expect(ruleNamesFrom(p.featureToLending)).toContain('core-features-not-to-lending');
    expectAccepted(p.lendingToFeatures, 2);
  });

  it('when a core folder imports one listed above it (application → approval, which imports application), then lint refuses it; the other way it accepts (core-folders-one-way)', () => {
    expect(ruleNamesFrom(p.lowerToHigherFolder)).toEqual(['core-folders-one-way']);
    expectAccepted(p.higherToLowerFolder, 1);
  });

  it('when a core folder is not listed, then it counts as above every listed one: it may import them, they may not import it (core-folders-one-way)', () => {
    expectAccepted(p.unlistedToListed, 1);
    expect(ruleNamesFrom(p.listedToUnlisted)).toEqual(['core-folders-one-way']);
  });

  it('when two files import each other at run time, then lint refuses the cycle (no-circular)', () => {
    expect([...ruleNamesFrom(p.cycleA), ...ruleNamesFrom(p.cycleB)]).toContain('no-circular');
  });

  it('when a cycle goes through an `import type`, then lint accepts it (types are erased at run time)', () => {
    expectAccepted(p.typeCycleA, 1);
    expectAccepted(p.typeCycleB, 1);
  });

  it('when the probes are gone, then none is left in src/', () => {
    expect(Object.values(p).filter((file) => fs.existsSync(path.join(root, file)))).toEqual([]);
  });
});

describe('the real source tree', () => {
  it('when src/ is checked against the target architecture, then no rule is broken', () => {
    const result = cruise(['src'], ['--exclude', PROBE]); // leftovers of a killed run are not the real tree
    expect(result.modules.some((m) => m.source.startsWith('src/core/'))).toBe(true); // the cruise really ran over src
    expect(result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  });
});
