import path from 'node:path';
import type { Redis } from 'ioredis';
import { asOutsideCall } from '../lib/db/database';
import { projectRoot } from '../lib/paths';
import { BUILTIN_ADAPTER_MODULES, Config } from '../lib/config';
import { AdapterContext, AdapterModule, AdapterSet, PORT_METHODS, PORT_NAMES, PORT_TITLES, PortName, Ports, REQUIRED_PORTS } from './ports';
import { sandboxAdapterModule } from './sandbox/sandbox-module';
import { httpAdapterModule } from './http/http-module';

/** An adapter module as loaded: what ADAPTERS_MODULE called it, and what it exports. */
export interface LoadedAdapterModule {
  spec: string;
  /** Its `name`, or the spec. */
  name: string;
  module: AdapterModule;
}

/** The ports as composed from the modules, in order, and which module supplied each. */
export interface ComposedAdapters {
  ports: AdapterSet;
  suppliedBy: Partial<Record<PortName, string>>;
  modules: string[];
}

/** Modules that could not be loaded or supplied ports without their methods: every problem, for one boot error. */
export class AdapterModuleError extends Error {
  constructor(readonly problems: string[]) {
    super(`The adapter modules cannot be used:\n  - ${problems.join('\n  - ')}`);
    this.name = 'AdapterModuleError';
  }
}

/**
 * The context the modules of this process are given: the settings they may read, a logger, the clock, the global
 * fetch, the Redis client (`redis()` is called on first use only) and the record look-ups.
 */
export function createAdapterContext(
  config: Config,
  parts: { logger: AdapterContext['logger']; clock: AdapterContext['clock']; redis: () => Redis; records: AdapterContext['records']; redisKeyPrefix?: string },
): AdapterContext {
  return {
    appEnv: config.appEnv,
    env: (name) => (process.env[name] ?? '').trim() || undefined,
    publicBaseUrl: config.publicBaseUrl,
    lenderName: config.lenderName,
    logger: parts.logger,
    clock: parts.clock,
    fetch: (input, init) => fetch(input, init),
    get redis() {
      return parts.redis();
    },
    redisKeyPrefix: parts.redisKeyPrefix ?? config.queuePrefix,
    records: parts.records,
  };
}

/** The built-in modules, built for this configuration. */
export function builtinAdapterModules(config: Config): Record<string, AdapterModule> {
  return {
    [BUILTIN_ADAPTER_MODULES.sandbox]: sandboxAdapterModule({ railDelayMs: config.sandboxRailDelayMs }),
    [BUILTIN_ADAPTER_MODULES.http]: httpAdapterModule(config),
  };
}

/** A spec that names a file: absolute, or starting with `./` or `../`, or ending in .js, .cjs or .mjs. */
function isPath(spec: string): boolean {
  return path.isAbsolute(spec) || /^\.\.?[/\\]/.test(spec) || /\.[cm]?js$/.test(spec);
}

/**
 * Loads each module of `specs` (ADAPTERS_MODULE): a built-in by its name, a file by its path (relative to `cwd`),
 * a package as Node resolves it from `cwd`, then from the server's own folder. Synchronous (`require`; an ESM
 * module without top-level await loads too on Node ≥ 20.19). Every problem is collected into one AdapterModuleError.
 */
export function loadAdapterModules(specs: string[], builtins: Record<string, AdapterModule>, cwd = process.cwd()): LoadedAdapterModule[] {
  const problems: string[] = [];
  const loaded: LoadedAdapterModule[] = [];
  if (!specs.length) problems.push('ADAPTERS_MODULE names no module');
  for (const spec of specs) {
    const builtin = builtins[spec];
    if (builtin) {
      loaded.push({ spec, name: builtin.name ?? spec, module: builtin });
      continue;
    }
    let file: string;
    try {
      file = isPath(spec) ? require.resolve(path.resolve(cwd, spec)) : require.resolve(spec, { paths: [cwd, projectRoot()] });
    } catch {
      problems.push(`${spec}: no such ${isPath(spec) ? `file (resolved from ${cwd})` : `package (looked for from ${cwd} and ${projectRoot()}); built-in modules are ${Object.keys(builtins).join(', ')}`}`);
      continue;
    }
    let exported: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      exported = require(file);
    } catch (err) {
      problems.push(`${spec}: loading ${file} failed: ${(err as Error)?.message ?? String(err)}`);
      continue;
    }
    const candidate = exported as { createAdapters?: unknown; name?: unknown; default?: { createAdapters?: unknown; name?: unknown } } | null;
    const module = typeof candidate?.createAdapters === 'function' ? candidate : typeof candidate?.default?.createAdapters === 'function' ? candidate.default : undefined;
    if (!module) {
      problems.push(`${spec}: exports no createAdapters(context) function (see src/adapters/ports.ts, AdapterModule)`);
      continue;
    }
    loaded.push({ spec, name: typeof module.name === 'string' && module.name ? module.name : spec, module: module as AdapterModule });
  }
  if (problems.length) throw new AdapterModuleError(problems);
  return loaded;
}

/**
 * What is wrong with the ports one module supplied: not an object, a promise, an unknown port, or a port without
 * one of its methods (each named).
 */
export function adapterSetProblems(name: string, supplied: unknown): string[] {
  if (supplied === null || typeof supplied !== 'object') return [`${name}: createAdapters returned ${supplied === null ? 'null' : typeof supplied}, not an object of ports`];
  if (typeof (supplied as { then?: unknown }).then === 'function') return [`${name}: createAdapters returned a promise; it must return the adapters themselves (connect on first use)`];
  const problems: string[] = [];
  for (const [port, adapter] of Object.entries(supplied)) {
    if (adapter === undefined || adapter === null) continue;
    if (!(port in PORT_METHODS)) {
      problems.push(`${name}: supplies "${port}", which is no port (the ports are ${PORT_NAMES.join(', ')})`);
      continue;
    }
    const methods = PORT_METHODS[port as PortName] as readonly string[];
    if (typeof adapter !== 'object' && typeof adapter !== 'function') {
      problems.push(`${name}: ${port} is a ${typeof adapter}, not an object with ${methods.map((m) => `${m}()`).join(', ')}`);
      continue;
    }
    const lacking = methods.filter((method) => typeof (adapter as Record<string, unknown>)[method] !== 'function');
    if (lacking.length) problems.push(`${name}: ${port} (the ${PORT_TITLES[port as PortName]}) lacks ${lacking.map((m) => `${m}()`).join(', ')}; it needs ${methods.map((m) => `${m}()`).join(', ')}`);
  }
  return problems;
}

/**
 * Calls each module's `createAdapters` in order with the context (its logger naming the module) and composes the
 * ports: a later module overrides an earlier one. Every module's problems are collected into one AdapterModuleError.
 */
export function composeAdapters(modules: LoadedAdapterModule[], context: AdapterContext): ComposedAdapters {
  const problems: string[] = [];
  const ports: Record<string, unknown> = {};
  const suppliedBy: Partial<Record<PortName, string>> = {};
  for (const { name, module } of modules) {
    let supplied: unknown;
    try {
      supplied = module.createAdapters(moduleContext(context, name));
    } catch (err) {
      problems.push(`${name}: createAdapters failed: ${(err as Error)?.message ?? String(err)}`);
      continue;
    }
    const found = adapterSetProblems(name, supplied);
    if (found.length) {
      problems.push(...found);
      continue;
    }
    for (const [port, adapter] of Object.entries(supplied as Record<string, unknown>)) {
      if (adapter === undefined || adapter === null) continue;
      ports[port] = adapter;
      suppliedBy[port as PortName] = name;
    }
  }
  if (problems.length) throw new AdapterModuleError(problems);
  return { ports: ports as AdapterSet, suppliedBy, modules: modules.map((m) => m.name) };
}

/** The context as one module sees it: its own logger (lines carry `adapterModule`); `redis` still opened on first use only. */
function moduleContext(context: AdapterContext, name: string): AdapterContext {
  const logger = context.logger as AdapterContext['logger'] & { child?: (bindings: object) => AdapterContext['logger'] };
  return {
    appEnv: context.appEnv,
    env: context.env,
    publicBaseUrl: context.publicBaseUrl,
    lenderName: context.lenderName,
    logger: typeof logger.child === 'function' ? logger.child({ adapterModule: name }) : logger,
    clock: context.clock,
    fetch: context.fetch,
    get redis() {
      return context.redis;
    },
    redisKeyPrefix: context.redisKeyPrefix,
    records: context.records,
  };
}

/** The required ports no module supplied. */
export function missingPorts(composed: ComposedAdapters): PortName[] {
  return REQUIRED_PORTS.filter((port) => !composed.ports[port]);
}

/** How a deployment supplies a missing port: the generic HTTP adapter's settings where there is one, else a module. */
export function missingPortProblem(port: PortName): string {
  const how: Partial<Record<PortName, string>> = {
    bureau: `set BUREAU_HTTP_URL and BUREAU_HTTP_SECRET with ${BUILTIN_ADAPTER_MODULES.http} in ADAPTERS_MODULE (the generic HTTP bureau), or name a module that supplies it`,
    rail: `set RAIL_HTTP_URL and RAIL_HTTP_SECRET with ${BUILTIN_ADAPTER_MODULES.http} in ADAPTERS_MODULE (the generic HTTP rail), or name a module that supplies it`,
    sms: `set SMS_GATEWAY_URL with ${BUILTIN_ADAPTER_MODULES.http} in ADAPTERS_MODULE, or name a module that supplies it`,
  };
  return `no adapter for the ${PORT_TITLES[port]} (${port}): ${how[port] ?? 'name a module that supplies it in ADAPTERS_MODULE'}`;
}

/** Ports whose calls may run inside a transaction: the repayment collector is pure and local. */
const LOCAL_PORTS: ReadonlySet<PortName> = new Set<PortName>(['collector']);

/**
 * The port as the core calls it: each method runs as an outside call (src/lib/db/database.ts `asOutsideCall`),
 * refused when a transaction is open on the caller's path, and unable to open one itself. The collector, pure and
 * local, is left as it is.
 */
export function guardedPort<P extends PortName>(port: P, adapter: Ports[P]): Ports[P] {
  if (LOCAL_PORTS.has(port)) return adapter;
  return new Proxy(adapter as object, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor') return value;
      return function guarded(this: unknown, ...args: unknown[]) {
        return asOutsideCall(`${port}.${property}`, () => (value as (...a: unknown[]) => unknown).apply(this === receiver ? target : this, args));
      };
    },
  }) as Ports[P];
}
