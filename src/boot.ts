import { Logger } from 'pino';
import { BUILTIN_ADAPTER_MODULES, Config } from './lib/config';
import { ensureDatabase, migrate } from './lib/db/migrate';
import { Clock, systemClock } from './lib/clock';
import { ChosenAdapters, Services, buildServices, chooseAdapters, closeRedis, prepare } from './container';
import { BootRefusal, adapterProblems, partnerProblems, productionProblems } from './boot-guard';
import { AdapterModuleError } from './adapters/modules';

/**
 * The start shared by the API and the worker: the adapter modules and the production guard (before the database
 * is touched), the database and its migrations, the services, what they need seeded, and the partner guard.
 */
export async function boot(config: Config, logger: Logger): Promise<Services> {
  const adapters = guardedAdapters(config, logger);
  try {
    await ensureDatabase(config.databaseUrl);
    const applied = await migrate(config.databaseUrl);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  } catch (err) {
    await adapters.close();
    throw err;
  }
  const services = buildServices(config, logger, systemClock, adapters);
  await prepareGuarded(services);
  return services;
}

/** The guard that needs no database: every problem of a production configuration, in one BootRefusal. */
export function refuseUnsafeProduction(config: Config): void {
  const problems = productionProblems(config);
  if (problems.length) throw new BootRefusal(problems);
}

/**
 * The adapter modules of ADAPTERS_MODULE, loaded and composed (src/adapters/modules.ts), with the production guard:
 * every problem of the configuration and of its adapters (a module that cannot be loaded, a port without a method,
 * a port no module supplies, the sandbox's fakes) in one BootRefusal. Outside production a module that cannot be
 * used stops the start too (AdapterModuleError), and a missing port only answers 503 (and /readyz names it).
 */
export function guardedAdapters(config: Config, logger: Logger, clock: Clock = systemClock): ChosenAdapters {
  const problems = productionProblems(config);
  let adapters: ChosenAdapters | undefined;
  try {
    adapters = chooseAdapters(config, logger, clock);
  } catch (err) {
    if (!(err instanceof AdapterModuleError) || config.appEnv !== 'production') throw err;
    problems.push(...err.problems.map((problem) => `ADAPTERS_MODULE ${problem}`));
  }
  if (adapters) problems.push(...adapterProblems(config, adapters.composed, adapters.missing));
  if (problems.length) {
    void adapters?.close();
    throw new BootRefusal(problems);
  }
  const { composed, missing } = adapters!;
  // "port: module" strings, not an object keyed by port: the log's redaction would hide a key named like a secret (aadhaar).
  const suppliedBy = Object.entries(composed.suppliedBy).map(([port, module]) => `${port}: ${module}`);
  logger.info({ modules: composed.modules, ports: suppliedBy, missing }, 'adapters loaded');
  for (const [port, setting] of [['bureau', 'BUREAU_HTTP_URL'], ['rail', 'RAIL_HTTP_URL'], ['mandateRail', 'MANDATE_RAIL_HTTP_URL']] as const) {
    if (config.httpAdapters[port] && composed.suppliedBy[port] !== BUILTIN_ADAPTER_MODULES.http) {
      logger.warn({ port, suppliedBy: composed.suppliedBy[port] ?? null }, `${setting} is set but not used: ${BUILTIN_ADAPTER_MODULES.http} is not the last module in ADAPTERS_MODULE to supply the ${port}`);
    }
  }
  return adapters!;
}

/**
 * What the services need seeded (`prepare`, then `seed`), then the partner guard. On any failure the services'
 * connections are closed before the error goes on.
 */
export async function prepareGuarded(services: Services, seed: () => Promise<void> = async () => undefined): Promise<void> {
  try {
    await prepare(services);
    await seed();
    const late = partnerProblems(services.config, await services.partners.list());
    if (late.length) throw new BootRefusal(late);
  } catch (err) {
    await closeRedis(services.redis);
    await services.db.close();
    services.keys.close();
    throw err;
  }
}
