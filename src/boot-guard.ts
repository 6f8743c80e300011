import { BUILTIN_ADAPTER_MODULES, Config, OCEN_REQUIRED_SETTINGS, OCEN_URLS } from './lib/config';
import { inspectKeyProvider } from './lib/key-provider';
import { ComposedAdapters, missingPortProblem } from './adapters/modules';
import { PortName } from './adapters/ports';
import { Partner } from './core/partner/partner';

/**
 * Production refuses to start unsafe. Everything that can be judged without the database is judged first and
 * reported at once, so that one failed start shows every problem to fix.
 */
export class BootRefusal extends Error {
  constructor(readonly problems: string[]) {
    super(`credit-partner refuses to start in production:\n  - ${problems.join('\n  - ')}`);
    this.name = 'BootRefusal';
  }
}

/** What is wrong with a production configuration before the database is touched (nothing outside production). */
export function productionProblems(config: Config): string[] {
  if (config.appEnv !== 'production') return [];
  const problems: string[] = [];
  if (!config.keysDirSet) {
    problems.push('KEYS_DIR is not set: provision a key set with `npm run keys -- generate --out DIR` and point KEYS_DIR at it (production never generates keys)');
  } else if (config.keys.provider === 'file') {
    const { problems: keyProblems, environment } = inspectKeyProvider(config.keys);
    problems.push(...keyProblems.map((problem) => `KEYS_DIR: ${problem}`));
    if (!keyProblems.length && environment !== 'production') {
      problems.push(`KEYS_DIR (${config.keysDir}) holds a key set generated for development; generate a production set with \`npm run keys -- generate --out DIR\``);
    }
  } else {
    const { problems: keyProblems, environment } = inspectKeyProvider(config.keys);
    problems.push(...keyProblems.map((problem) => (problem.startsWith('KEYS_DIR') ? problem : `KEY_PROVIDER=pkcs11: ${problem}`)));
    if (!keyProblems.length && environment !== 'production') {
      problems.push('KEY_PROVIDER=pkcs11: the key set (in KEYS_DIR or in the token) was generated for development; make a production one with `npm run keys -- ensure` (KEY_PROVIDER=pkcs11, a new KEYS_DIR and token)');
    }
  }
  if (config.sms.gatewayUrl && !config.sms.gatewayUrl.startsWith('https://')) problems.push('SMS_GATEWAY_URL must use https in production');
  for (const [prefix, service] of [['BUREAU_HTTP', config.httpAdapters.bureau], ['RAIL_HTTP', config.httpAdapters.rail], ['MANDATE_RAIL_HTTP', config.httpAdapters.mandateRail]] as const) {
    if (service?.url && !service.url.startsWith('https://')) problems.push(`${prefix}_URL must use https in production, got "${service.url}"`);
  }
  if (!config.publicBaseUrl.startsWith('https://')) problems.push(`PUBLIC_BASE_URL must use https in production (borrower pages are opened from it), got "${config.publicBaseUrl}"`);
  if (config.ocen) {
    // Tokens, registry keys and our client secret travel over these: never in clear.
    const fetched = ['registryUrl', 'authJwksUrl', 'authTokenUrl'] as const;
    for (const key of fetched) {
      if (!config.ocen[key].startsWith('https://')) problems.push(`${OCEN_URLS[key]} must use https in production, got "${config.ocen[key]}"`);
    }
    if (config.ocen.analyticsUrl && !config.ocen.analyticsUrl.startsWith('https://')) problems.push(`OCEN_ANALYTICS_URL must use https in production, got "${config.ocen.analyticsUrl}"`);
  } else if (config.ocenEnabled) {
    // A production lender serves OCEN unless the operator says it does not: forgotten settings must not silently turn it off.
    // (Some set and others not is refused earlier, by loadConfig, naming the missing ones.)
    problems.push(`${OCEN_REQUIRED_SETTINGS.join(', ')} are not set: production serves OCEN 4.0 and needs them all (set OCEN_ENABLED=false to run without the OCEN surface)`);
  }
  return problems;
}

/** Production needs at least one active partner that can sign its requests. */
export function partnerProblems(config: Config, partners: Partner[]): string[] {
  if (config.appEnv !== 'production') return [];
  const signing = partners.filter((p) => p.status === 'ACTIVE' && p.jwks.keys.some((key) => key.use !== 'enc'));
  return signing.length
    ? []
    : ['no active partner has verification keys, so no request could be accepted: add one with `npm run partners -- add ... --jwks FILE` or PARTNERS_FILE'];
}

/**
 * Production needs an adapter for every port (each missing one named, with how to supply it), and never the
 * sandbox's fakes (a bureau that approves by PAN digits, a rail that pays nobody).
 */
export function adapterProblems(config: Config, adapters: ComposedAdapters, missing: PortName[]): string[] {
  if (config.appEnv !== 'production') return [];
  const problems = missing.map(missingPortProblem);
  const fakes = Object.entries(adapters.suppliedBy).filter(([, module]) => module === BUILTIN_ADAPTER_MODULES.sandbox).map(([port]) => port);
  if (fakes.length) problems.push(`ADAPTERS_MODULE names ${BUILTIN_ADAPTER_MODULES.sandbox}, whose fakes move no money and ask no bureau (${fakes.join(', ')}): the sandbox's adapters are refused in production`);
  return problems;
}
