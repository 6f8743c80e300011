import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from './lib/config';
import { createLogger } from './lib/logger';
import { systemClock } from './lib/clock';
import { AdapterModuleError, builtinAdapterModules, composeAdapters, createAdapterContext, loadAdapterModules } from './adapters/modules';
import { PORT_NAMES, PortName } from './adapters/ports';
import { verifyAdapters } from './adapters/conformance/kit';
import { formatReport } from './adapters/conformance/report';

const USAGE = `npm run adapters -- <command>     (the image: credit-partner adapters <command>)
  verify [module[,module...]] [--port <name>]... [--timeout-ms <ms, default 15000>]
      runs the conformance kit on the ports the modules supply (default: ADAPTERS_MODULE), against their own
      test endpoints; exit 0 when every check passes, 1 when one fails (or no port was checked), 2 when a module
      cannot be loaded
  ports [module[,module...]]
      which module supplies each port`;

class UsageError extends Error {}

/** The adapters command line: what it prints, and its exit code. */
export async function adaptersCommand(argv: string[], write: (text: string) => void): Promise<number> {
  const [command, ...rest] = argv;
  let specs: string[] | undefined;
  const ports: PortName[] = [];
  let timeoutMs = 15_000;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--port') {
      const port = rest[++i] as PortName;
      if (!PORT_NAMES.includes(port)) throw new UsageError(`--port is one of ${PORT_NAMES.join(', ')}`);
      ports.push(port);
    } else if (arg === '--timeout-ms') {
      timeoutMs = Number(rest[++i]);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 10 || timeoutMs > 600_000) throw new UsageError('--timeout-ms is a number of milliseconds from 10 to 600000');
    } else if (!arg.startsWith('--') && !specs) {
      specs = arg.split(',').map((spec) => spec.trim()).filter(Boolean);
    } else {
      throw new UsageError(`Unexpected argument ${arg}`);
    }
  }
  if (command !== 'verify' && command !== 'ports') throw new UsageError(command ? `Unknown command ${command}` : 'No command given');

  const config = loadConfig();
  // The adapters' own log lines go to stderr, warnings and worse only unless LOG_LEVEL says otherwise.
  const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn', process.stderr);
  const modules = loadAdapterModules(specs ?? config.adapterModules, builtinAdapterModules(config));
  const prefix = `${config.queuePrefix}:adapters-kit`;
  let redis: Redis | undefined;
  const context = createAdapterContext(config, {
    logger,
    clock: systemClock,
    redis: () => (redis ??= kitRedis(config.redisUrl, { offline: true })),
    records: { nameBehindMandateReference: async () => null, panDigitsBehindUmrn: async () => null, nameBehindAadhaarReference: async () => null },
    redisKeyPrefix: prefix,
  });
  try {
    if (command === 'ports') {
      const composed = composeAdapters(modules, context);
      const none = (port: string) => (port === 'documentStore' ? '(the default: sealed files in DOCUMENTS_DIR)' : '(none: answers 503; production refuses to start)');
      write(`${PORT_NAMES.map((port) => `${port.padEnd(18)} ${composed.suppliedBy[port] ?? none(port)}`).join('\n')}\n`);
      return 0;
    }
    const report = await verifyAdapters({
      modules,
      context,
      timeoutMs,
      ...(ports.length ? { ports } : {}),
      unreachableRedis: () => kitRedis('redis://127.0.0.1:1', { offline: false }),
    });
    write(formatReport(report));
    // Nothing checked is no proof: a deployment that supplies none of the ports asked for fails too.
    return report.failed || !report.ports.length ? 1 : 0;
  } finally {
    if (redis) {
      const keys = await redis.keys(`${prefix}:*`).catch(() => [] as string[]);
      if (keys.length) await redis.del(...keys).catch(() => undefined);
      redis.disconnect();
    }
  }
}

/**
 * A Redis client for the kit's run: commands wait for the connection (`offline`), or fail at once while Redis
 * cannot be reached (the unreachable Redis of a fault); it gives up reconnecting after a few tries.
 */
function kitRedis(url: string, options: { offline: boolean }): Redis {
  const client = new Redis(url, { enableOfflineQueue: options.offline, maxRetriesPerRequest: 1, connectTimeout: 2_000, retryStrategy: (times) => (times > 3 ? null : 200) });
  client.on('error', () => undefined);
  return client;
}

if (require.main === module) {
  adaptersCommand(process.argv.slice(2), (text) => process.stdout.write(text))
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`${err.message}\n\n${USAGE}\n`);
        process.exit(64);
      }
      const problems = err instanceof AdapterModuleError || err instanceof ConfigError ? err.message : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      process.stderr.write(`credit-partner adapters: ${problems}\n`);
      process.exit(2);
    });
}
