import { readFileSync } from 'node:fs';
import { loadConfig } from './lib/config';
import { createLogger } from './lib/logger';
import { Database } from './lib/db/database';
import { systemClock } from './lib/clock';
import { ensureDatabase, migrate } from './lib/db/migrate';
import { PartnerRepository } from './core/partner/partner.repository';
import { PartnerService } from './core/partner/partner.service';
import { NewPartner, Partner, PartnerKey, partnerProtocolOf } from './core/partner/partner';

const USAGE = `npm run partners -- <command>
  list
  add <id> --name <display name> --protocol gpay|ocen_4|ocen_3 [--callback-url <url>] [--sms-template <text with {code}>] [--rate-limit <per minute>] [--jwks <file>]
  suspend <id>
  activate <id>
  rotate-key <id> --jwk <file with one public JWK> [--retire <kid>]`;

/** The partners command line: each command is one call on the PartnerService; the answer is printed as JSON. */
export async function partnersCommand(argv: string[], partners: PartnerService): Promise<unknown> {
  const [command, id, ...rest] = argv;
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    if (!rest[i].startsWith('--') || rest[i + 1] === undefined) throw new UsageError(`Unexpected argument ${rest[i]}`);
    flags.set(rest[i].slice(2), rest[i + 1]);
  }
  const need = (value: string | undefined, what: string) => {
    if (!value) throw new UsageError(`Missing ${what}`);
    return value;
  };
  switch (command) {
    case 'list':
      return (await partners.list()).map(summary);
    case 'add': {
      const protocol = partnerProtocolOf(need(flags.get('protocol'), '--protocol'));
      if (!protocol) throw new UsageError('--protocol is gpay, ocen_4 or ocen_3 (ocen reads as ocen_4)');
      const rateLimit = flags.get('rate-limit');
      const partner: NewPartner = {
        id: need(id, 'the partner id'),
        displayName: need(flags.get('name'), '--name'),
        protocol,
        callbackBaseUrl: flags.get('callback-url') ?? null,
        smsTemplate: flags.get('sms-template') ?? null,
        rateLimitPerMinute: rateLimit === undefined ? null : positiveInteger(rateLimit),
        jwks: flags.has('jwks') ? (JSON.parse(readFileSync(flags.get('jwks')!, 'utf8')) as { keys: PartnerKey[] }) : { keys: [] },
      };
      return summary(await partners.add(partner));
    }
    case 'suspend':
      await partners.suspend(need(id, 'the partner id'));
      return summary(await partners.get(id));
    case 'activate':
      await partners.activate(need(id, 'the partner id'));
      return summary(await partners.get(id));
    case 'rotate-key': {
      const key = JSON.parse(readFileSync(need(flags.get('jwk'), '--jwk'), 'utf8')) as PartnerKey;
      return summary(await partners.rotateKey(need(id, 'the partner id'), key, flags.get('retire')));
    }
    default:
      throw new UsageError(command ? `Unknown command ${command}` : 'No command given');
  }
}

export class UsageError extends Error {}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--rate-limit is a positive whole number of requests per minute');
  return n;
}

function summary(partner: Partner) {
  return { ...partner, jwks: { keys: partner.jwks.keys.map((key) => ({ kid: key.kid, kty: key.kty })) } };
}

async function main(): Promise<void> {
  const config = loadConfig();
  createLogger(config.logLevel);
  await ensureDatabase(config.databaseUrl);
  await migrate(config.databaseUrl);
  const db = new Database(config.databaseUrl, 2);
  try {
    const result = await partnersCommand(process.argv.slice(2), new PartnerService(new PartnerRepository(db), systemClock, 0));
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof UsageError ? `${err.message}\n\n${USAGE}` : err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  });
}
