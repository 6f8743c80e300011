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
  const problems = productionProblems(config);
  if (problems.length) throw new BootRefusal(problems);
  await ensureDatabase(config.databaseUrl);
  const applied = await migrate(config.databaseUrl);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const services = buildServices(config, logger);
  try {
    await prepare(services);
    const late = partnerProblems(config, await services.partners.list());
    if (late.length) throw new BootRefusal(late);
  } catch (err) {
    await closeRedis(services.redis);
    await services.db.close();
    throw err;
  }
  return services;
}
