import fs from 'node:fs';
import path from 'node:path';
import { KEY_FILES, KeySetError, generateKeySet, publicJwks, readKeySet, rotateKeySet } from './lib/keys';

const USAGE = `npm run keys -- <command>
  generate --out <dir>       write a complete production key set into an empty or new folder
  ensure [--dir <dir>]        a production key set in the folder: generated when it holds none, else checked (a
                              deployment's one-shot before its API containers start; several at once end with one set)
  rotate [--dir <dir>]        new active signing, encryption and data keys; the old ones are kept, retired
  export-public [--dir <dir>] print our public JWKS (what a partner needs), as served at /.well-known/jwks.json
--dir defaults to KEYS_DIR (or .keys).`;

export class UsageError extends Error {}

/** The key-set command line; returns what to print. Nothing here talks to the database. */
export function keysCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): unknown {
  const [command, ...rest] = argv;
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    if (!rest[i].startsWith('--') || rest[i + 1] === undefined) throw new UsageError(`Unexpected argument ${rest[i]}`);
    flags.set(rest[i].slice(2), rest[i + 1]);
  }
  const dir = path.resolve(flags.get('dir') ?? flags.get('out') ?? ((env.KEYS_DIR ?? '').trim() || '.keys'));
  switch (command) {
    case 'generate': {
      if (!flags.has('out')) throw new UsageError('generate needs --out <dir>');
      if (fs.existsSync(path.join(dir, KEY_FILES.manifest))) throw new UsageError(`${dir} holds a key set already; use rotate`);
      if (fs.existsSync(dir) && fs.readdirSync(dir).some((file) => (Object.values(KEY_FILES) as string[]).includes(file))) {
        throw new UsageError(`${dir} holds key files already; generate into an empty folder`);
      }
      generateKeySet(dir, 'production');
      const ring = readKeySet(dir);
      return { generated: dir, environment: ring.environment, files: Object.values(KEY_FILES), publicKeys: publicJwks(ring).keys.map(({ kid, alg, use }) => ({ kid, alg, use })) };
    }
    case 'ensure': {
      // Each file is written only where it is missing (link, not overwrite), so concurrent runs end with one set.
      const existed = fs.existsSync(path.join(dir, KEY_FILES.manifest));
      if (!existed) generateKeySet(dir, 'production');
      const ring = readKeySet(dir);
      return { [existed ? 'existing' : 'generated']: dir, environment: ring.environment, publicKeys: publicJwks(ring).keys.map(({ kid, alg, use }) => ({ kid, alg, use })) };
    }
    case 'rotate':
      return { rotated: dir, ...rotateKeySet(dir) };
    case 'export-public':
      return publicJwks(readKeySet(dir));
    default:
      throw new UsageError(command ? `Unknown command ${command}` : 'No command given');
  }
}

if (require.main === module) {
  try {
    process.stdout.write(`${JSON.stringify(keysCommand(process.argv.slice(2)), null, 2)}\n`);
  } catch (err) {
    const message = err instanceof UsageError ? `${err.message}\n\n${USAGE}` : err instanceof KeySetError ? `The key set cannot be used:\n  - ${err.problems.join('\n  - ')}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`${message}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  }
}
