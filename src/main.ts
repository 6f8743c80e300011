import { loadConfig } from './lib/config';
import { createLogger } from './lib/logger';
import { startTracing } from './lib/trace';
import { reloadOnSignal } from './lib/key-provider';
import { Background, shutDown } from './container';
import { boot } from './boot';
import { createApp } from './app';
import { GracefulServer } from './graceful-server';
import { MetricsServer } from './lib/metrics/metrics-server';
import { createHttpServer } from './lib/http-server';

/** How long requests in flight get to finish after SIGTERM (orchestrators usually allow 30 s in all). */
const SHUTDOWN_GRACE_MS = 20_000;

/** `npm start`: migrations, then the API and a worker in one process. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  // Before the services are built, so that their adapters are traced too (nothing happens without an OTLP endpoint).
  if (await startTracing(config.tracing, 'api', (fields, message) => logger.warn(fields, message))) {
    logger.info({ tracesUrl: config.tracing.tracesUrl }, 'exporting spans over OTLP/HTTP');
  }
  const services = await boot(config, logger);
  // `kill -HUP <pid>` reads the key set again (after `npm run keys -- rotate`); so does every KEYS_RELOAD_MS.
  reloadOnSignal(services.keys);
  const background = new Background(services, config.runWorker);
  background.start();
  // Metrics on their own port (METRICS_PORT), never on the partner port.
  const metrics = await MetricsServer.start(services.metrics.registry, config.metrics.port, config.metrics.host);
  logger.info({ metricsPort: metrics.port }, 'metrics at GET /metrics');
  const server = createHttpServer(createApp(services), config.http);
  const graceful = new GracefulServer(server);
  server.listen(config.port, () => logger.info({ port: config.port, appEnv: config.appEnv, docs: `${config.publicBaseUrl}/docs` }, 'credit-partner listening'));

  // New connections are refused at once; requests in flight are answered, and jobs in flight finish, before
  // the relay, Redis and the pools stop under them.
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: answering the requests and finishing the jobs in flight');
    void shutDown(services, background, () => graceful.close(SHUTDOWN_GRACE_MS));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`credit-partner failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
