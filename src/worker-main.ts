import { loadConfig } from './lib/config';
import { createLogger } from './lib/logger';
import { startTracing } from './lib/trace';
import { reloadOnSignal } from './lib/key-provider';
import { Background, shutDown } from './container';
import { boot } from './boot';
import { MetricsServer } from './lib/metrics/metrics-server';

/** `npm run worker`: a worker (and outbox relay) alone, to scale apart from the API. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  // Before the services are built, so that their adapters are traced too (nothing happens without an OTLP endpoint).
  if (await startTracing(config.tracing, 'worker', (fields, message) => logger.warn(fields, message))) {
    logger.info({ tracesUrl: config.tracing.tracesUrl }, 'exporting spans over OTLP/HTTP');
  }
  const services = await boot(config, logger);
  // `kill -HUP <pid>` reads the key set again (after `npm run keys -- rotate`); so does every KEYS_RELOAD_MS.
  reloadOnSignal(services.keys);
  const background = new Background(services, true);
  background.start();
  // The worker's own metrics (jobs, queue depth, outbox lag, adapter calls), on METRICS_PORT of its host.
  const metrics = await MetricsServer.start(services.metrics.registry, config.metrics.port, config.metrics.host);
  logger.info({ concurrency: config.worker.concurrency, metricsPort: metrics.port }, 'credit-partner worker running');
  // Jobs in flight finish (up to WORKER_SHUTDOWN_GRACE_MS) before the relay, Redis and the pools stop.
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: finishing the jobs in flight');
    void shutDown(services, background);
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`credit-partner worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
