import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadKeySettings } from './lib/config';
import { KeyProviderSettings, openKeySource, selfTest } from './lib/key-provider';
import { KEY_FILES, KeyRing, KeySetError, generateKeySet, publicJwks, readKeySet, rotateKeySet } from './lib/keys';
import { Pkcs11Token } from './lib/pkcs11/pkcs11-token';
import { ensureTokenKeySet, hasTokenKeySet, inspectTokenKeySet, rotateTokenKeySet } from './lib/pkcs11/pkcs11-keys';

const USAGE = `npm run keys -- <command>
  generate --out <dir>       write a complete production key set into an empty or new folder
  ensure [--dir <dir>]        a production key set in the folder: generated when it holds none, else checked (a
                              deployment's one-shot before its API containers start; several at once end with one set)
  rotate [--dir <dir>]        new active signing, encryption and data keys; the old ones are kept, retired. Running
                              servers take the new set on SIGHUP (kill -HUP) or within KEYS_RELOAD_MS, no restart
  inspect [--dir <dir>]       each key, its status and (in an HSM) its protection, and a self-test of every private
                              key; exits 1 on any problem
  export-public [--dir <dir>] print our public JWKS (what a partner needs), as served at /.well-known/jwks.json
--dir defaults to KEYS_DIR (or .keys).
KEY_PROVIDER=pkcs11, with PKCS11_MODULE, PKCS11_TOKEN_LABEL (or PKCS11_SLOT) and PKCS11_PIN_FILE (or PKCS11_PIN): the
signing and decryption keys are made, rotated and used in the HSM's token and never leave it; the folder keeps the
data and hashing keys.`;

export class UsageError extends Error {}

/**
 * The key-set command line; returns what to print (a promise for `inspect`). Nothing here talks to the database.
 * `inspect`'s answer has `ok: false` when the set has a problem.
 */
export function keysCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): unknown {
  const [command, ...rest] = argv;
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    if (!rest[i].startsWith('--') || rest[i + 1] === undefined) throw new UsageError(`Unexpected argument ${rest[i]}`);
    flags.set(rest[i].slice(2), rest[i + 1]);
  }
  const dir = path.resolve(flags.get('dir') ?? flags.get('out') ?? ((env.KEYS_DIR ?? '').trim() || '.keys'));
  const settings: KeyProviderSettings = { ...loadKeySettings(env), dir };
  const commands: Record<string, () => unknown> = settings.provider === 'pkcs11' ? pkcs11Commands(settings, flags) : fileCommands(dir, flags);
  const run = command ? commands[command] : undefined;
  if (!run) throw new UsageError(command ? `Unknown command ${command}` : 'No command given');
  return run();
}

const publicKeysOf = (ring: KeyRing) => publicJwks(ring).keys.map(({ kid, alg, use }) => ({ kid, alg, use }));

function refuseFilledFolder(dir: string): void {
  if (fs.existsSync(path.join(dir, KEY_FILES.manifest))) throw new UsageError(`${dir} holds a key set already; use rotate`);
  if (fs.existsSync(dir) && fs.readdirSync(dir).some((file) => (Object.values(KEY_FILES) as string[]).includes(file))) {
    throw new UsageError(`${dir} holds key files already; generate into an empty folder`);
  }
}

function fileCommands(dir: string, flags: Map<string, string>): Record<string, () => unknown> {
  return {
    generate() {
      if (!flags.has('out')) throw new UsageError('generate needs --out <dir>');
      refuseFilledFolder(dir);
      generateKeySet(dir, 'production');
      const ring = readKeySet(dir);
      return { generated: dir, environment: ring.environment, files: Object.values(KEY_FILES), publicKeys: publicKeysOf(ring) };
    },
    ensure() {
      // Each file is written only where it is missing (link, not overwrite), so concurrent runs end with one set.
      const existed = fs.existsSync(path.join(dir, KEY_FILES.manifest));
      if (!existed) generateKeySet(dir, 'production');
      const ring = readKeySet(dir);
      return { [existed ? 'existing' : 'generated']: dir, environment: ring.environment, publicKeys: publicKeysOf(ring) };
    },
    rotate: () => ({ rotated: dir, ...rotateKeySet(dir) }),
    'export-public': () => publicJwks(readKeySet(dir)),
    async inspect() {
      let ring: KeyRing;
      try {
        ring = readKeySet(dir);
      } catch (err) {
        if (err instanceof KeySetError) return { ok: false, provider: 'file', dir, problems: err.problems };
        throw err;
      }
      const tests = await selfTest(ring);
      return {
        ok: tests.every((t) => t.ok),
        provider: 'file',
        dir,
        environment: ring.environment,
        keys: [...ring.signingKeys, ...ring.encryptionKeys].map(({ kid, alg, status, publicJwk }) => ({ kid, alg, use: publicJwk.use, status })),
        dataKeys: { active: ring.dataKeys.activeKid, all: [...ring.dataKeys.keys.keys()] },
        problems: [],
        selfTest: tests,
      };
    },
  };
}

function pkcs11Commands(settings: KeyProviderSettings, flags: Map<string, string>): Record<string, () => unknown> {
  const { dir } = settings;
  const withToken = <T>(fn: (token: Pkcs11Token) => T): T => {
    const token = Pkcs11Token.open(settings.pkcs11!);
    let result: T | undefined;
    try {
      result = fn(token);
      return result;
    } finally {
      if (result instanceof Promise) result.finally(() => token.close()).catch(() => undefined);
      else token.close();
    }
  };
  const read = (): KeyRing => {
    const source = openKeySource(settings, { mayGenerate: false });
    try {
      return source.read();
    } finally {
      source.close();
    }
  };
  const tokenInfo = (token: Pkcs11Token) => ({ label: token.label, ...token.info });
  return {
    generate: () =>
      withToken((token) => {
        if (!flags.has('out')) throw new UsageError('generate needs --out <dir>');
        refuseFilledFolder(dir);
        if (hasTokenKeySet(token)) throw new UsageError(`The PKCS#11 token ${token.label} holds a key set already; use rotate (or ensure)`);
        generateKeySet(dir, 'production', new Date(), 'symmetric');
        ensureTokenKeySet(token, 'production');
        const ring = read();
        return { generated: dir, provider: 'pkcs11', token: tokenInfo(token), environment: ring.environment, files: [KEY_FILES.manifest, KEY_FILES.data, KEY_FILES.hashing], publicKeys: publicKeysOf(ring) };
      }),
    ensure: () =>
      withToken((token) => {
        const folderExisted = fs.existsSync(path.join(dir, KEY_FILES.manifest));
        if (!folderExisted) generateKeySet(dir, 'production', new Date(), 'symmetric');
        const made = ensureTokenKeySet(token, 'production');
        const ring = read();
        return { [folderExisted && !made ? 'existing' : 'generated']: dir, provider: 'pkcs11', token: tokenInfo(token), environment: ring.environment, publicKeys: publicKeysOf(ring) };
      }),
    rotate: () =>
      withToken((token) => {
        const inToken = rotateTokenKeySet(token);
        const inFolder = rotateKeySet(dir, new Date(), 'symmetric');
        return { rotated: dir, provider: 'pkcs11', token: tokenInfo(token), retired: [...inToken.retired, ...inFolder.retired], added: [...inToken.added, ...inFolder.added] };
      }),
    'export-public': () => publicJwks(read()),
    inspect: () =>
      withToken(async (token) => {
        const described = inspectTokenKeySet(token);
        const problems = [...described.problems];
        let ring: KeyRing | undefined;
        try {
          ring = read();
        } catch (err) {
          if (!(err instanceof KeySetError)) throw err;
          problems.push(...err.problems.filter((problem) => !described.problems.includes(problem)));
        }
        const tests = ring ? await selfTest(ring) : [];
        return {
          ok: problems.length === 0 && tests.every((t) => t.ok),
          provider: 'pkcs11',
          dir,
          module: settings.pkcs11!.module,
          token: tokenInfo(token),
          environment: ring?.environment ?? described.environment,
          generation: described.generation,
          createdAt: described.createdAt,
          rotatedAt: described.rotatedAt,
          keys: described.keys,
          rsaOaep: { native: 'CKM_RSA_PKCS_OAEP (SHA-256, MGF1-SHA-256) in the token', raw: 'CKM_RSA_X_509 in the token, OAEP (SHA-256) checked in software (the token refuses OAEP with SHA-256)', none: 'not used yet' }[token.rsaOaep ?? 'none'],
          dataKeys: ring ? { active: ring.dataKeys.activeKid, all: [...ring.dataKeys.keys.keys()] } : undefined,
          problems,
          selfTest: tests,
        };
      }),
  };
}

async function main(): Promise<void> {
  try {
    const result = await keysCommand(process.argv.slice(2));
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if ((result as { ok?: boolean }).ok === false) process.exitCode = 1;
  } catch (err) {
    const message = err instanceof UsageError
      ? `${err.message}\n\n${USAGE}`
      : err instanceof KeySetError ? `The key set cannot be used:\n  - ${err.problems.join('\n  - ')}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`${message}\n`);
    process.exitCode = err instanceof UsageError || err instanceof ConfigError ? 2 : 1;
  }
}

if (require.main === module) void main();
