import { Logger } from 'pino';
import { Config } from './lib/config';
import { ensureDatabase, migrate } from './lib/db/migrate';
import { Services, buildServices, closeRedis, prepare } from './container';
import { BootRefusal, partnerProblems, productionProblems } from './boot-guard';

/**
 * The start shared by the API and the worker: the production guard (before the database is touched), the
 * database and its migrations, the services, what they need seeded, and the partner guard.
 */
export async function boot(config: Config, logger: Logger): Promise<Services> {
  refuseUnsafeProduction(config);
  await ensureDatabase(config.databaseUrl);
  const applied = await migrate(config.databaseUrl);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const services = buildServices(config, logger);
  await prepareGuarded(services);
  return services;
}

/** The guard that needs no database: every problem of a production configuration, in one BootRefusal. */
export function refuseUnsafeProduction(config: Config): void {
  const problems = productionProblems(config);
  if (problems.length) throw new BootRefusal(problems);
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
