import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Yaml, entrypointCommands, execForm, lastOf, parseDockerfile, parseYaml } from '../support/image-files';

/**
 * The image and the topology, read as files (no container engine runs here): what the Dockerfile copies exists
 * in a clean checkout (or is made by the build stage), what the image runs is a file the build produces, and
 * compose.yaml has the services, health checks and start order README "Deploying" describes.
 */
const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
/** A clean checkout: the files git tracks (the image is built from one). */
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
const trackedMode = new Map(
  execFileSync('git', ['ls-files', '-s', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean)
    .map((entry) => {
      const [meta, file] = entry.split('\t');
      return [file, meta.split(' ')[0]] as const;
    }),
);
const inCheckout = (source: string) => {
  const clean = source.replace(/^\.\//, '').replace(/\/$/, '');
  return clean === '.' || tracked.includes(clean) || tracked.some((file) => file.startsWith(`${clean}/`));
};

const dockerfile = parseDockerfile(read('Dockerfile'));
const stage = (name: string) => {
  const found = dockerfile.stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const entrypoint = entrypointCommands(read('scripts/docker-entrypoint.sh'));
const compose = parseYaml(read('compose.yaml')) as { services: Record<string, Record<string, Yaml>>; volumes: Record<string, Yaml> };
const services = compose.services;
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };

/** The `.dockerignore` patterns this project uses: a path, a folder, or `*.ext`. */
const ignored = (file: string) =>
  read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .some((pattern) => (pattern.startsWith('*.') ? file.endsWith(pattern.slice(1)) : file === pattern || file.startsWith(`${pattern}/`)));

/** What the build stage leaves in /app: `npm ci` (node_modules), `npm run build` (dist, src/generated), and what it copied. */
function producedByStage(name: string): string[] {
  const s = stage(name);
  const made: string[] = [];
  for (const instruction of s.instructions) {
    if (instruction.keyword !== 'RUN') continue;
    if (/\bnpm ci\b/.test(instruction.args)) made.push('/app/node_modules');
    if (/\bnpm run build\b/.test(instruction.args)) made.push('/app/dist', '/app/src/generated');
  }
  for (const copy of dockerfile.copies.filter((c) => c.stage === name && !c.from)) {
    for (const source of copy.sources) made.push(path.posix.join('/app', copy.destination.endsWith('/') ? path.posix.basename(source) : copy.destination));
  }
  return made;
}

describe('the Dockerfile', () => {
  it('builds on a supported Node LTS (22 or 24) on Debian bookworm slim, in every stage', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    for (const s of dockerfile.stages) expect({ stage: s.name, from: s.from }).toEqual({ stage: s.name, from: expect.stringMatching(/^node:(22|24)-bookworm-slim$/) });
  });

  it('copies from the build context only files a clean checkout has, none of them excluded by .dockerignore', () => {
    const local = dockerfile.copies.filter((copy) => !copy.from);
    expect(local.length).toBeGreaterThan(5);
    for (const copy of local) {
      for (const source of copy.sources) {
        expect({ line: copy.line, source, inCheckout: inCheckout(source), ignored: ignored(source.replace(/^\.\//, '')) }).toEqual({ line: copy.line, source, inCheckout: true, ignored: false });
      }
    }
  });

  it('copies from the other stages only what they make (the build output, the production node_modules)', () => {
    const staged = dockerfile.copies.filter((copy) => copy.from);
    expect(staged.map((c) => `${c.from}:${c.sources.join(' ')}`)).toEqual(['deps:/app/node_modules', 'build:/app/dist']);
    for (const copy of staged) {
      for (const source of copy.sources) expect({ source, made: producedByStage(copy.from!).includes(source) }).toEqual({ source, made: true });
    }
    // The build's output folder is dist/ (tsconfig outDir), and the build compiles all of src/.
    expect(JSON.parse(read('tsconfig.json')).compilerOptions.outDir).toBe('dist');
    expect(JSON.parse(read('tsconfig.build.json')).include).toEqual(['src/**/*.ts']);
    expect(packageJson.scripts.build).toBe('npm run generate && tsc -p tsconfig.build.json');
    expect(stage('deps').instructions.find((i) => i.keyword === 'RUN')!.args).toMatch(/npm ci --omit=dev/);
  });

  it('gives the build stage everything `npm run build` reads: every tsoa.*.json, prisma.config.ts, the tsconfigs, scripts/generate.js, prisma/ and src/', () => {
    const copied = dockerfile.copies.filter((c) => c.stage === 'build' && !c.from).flatMap((c) => c.sources);
    const needed = [...tracked.filter((file) => /^tsoa\.[\w-]+\.json$/.test(file)), 'prisma.config.ts', 'tsconfig.json', 'tsconfig.build.json', 'scripts/generate.js', 'prisma', 'src', 'package.json', 'package-lock.json'];
    expect(needed.filter((file) => !copied.includes(file))).toEqual([]);
    expect(copied).not.toContain('tsoa.json');
  });

  it('gives the final image the files read at run time: package.json (the project root), the migrations, public/, the page templates', () => {
    const finalSources = dockerfile.copies.filter((c) => c.stage === dockerfile.final.name && !c.from).map((c) => ({ source: c.sources[0], destination: c.destination }));
    // Each path.join(projectRoot(), '<literal>', …) in src/ names a folder the image must hold.
    const read_at_run_time = new Set<string>(['prisma/migrations', 'package.json']);
    for (const file of tracked.filter((f) => f.startsWith('src/') && f.endsWith('.ts'))) {
      for (const match of read(file).matchAll(/path\.join\(projectRoot\(\),\s*((?:'[^']+',?\s*)+)\)/g)) {
        read_at_run_time.add(match[1].split(',').map((part) => part.trim().replace(/^'|'$/g, '')).filter(Boolean).join('/'));
      }
    }
    expect([...read_at_run_time].sort()).toEqual(['package.json', 'prisma/migrations', 'public', 'public/borrower', 'src/protocols/borrower/views']);
    for (const needed of read_at_run_time) {
      const covered = finalSources.some(({ source, destination }) => (needed === source || needed.startsWith(`${source}/`)) && path.posix.normalize(destination).replace(/^\.\/?/, '').replace(/\/$/, '') === (source === 'package.json' ? '' : source));
      expect({ needed, covered }).toEqual({ needed, covered: true });
    }
    // The migration runner finds prisma/migrations upwards from dist/src/lib/db, i.e. at /app/prisma/migrations.
    expect(read('src/lib/db/migrate.ts')).toContain("findUp(__dirname, path.join('prisma', 'migrations'))");
    // And nothing of the sources or the dev tools beyond that: no src/ but the templates, no scripts/ but the entrypoint.
    expect(finalSources.filter(({ source }) => source.startsWith('src') && source !== 'src/protocols/borrower/views')).toEqual([]);
  });

  it('runs as a non-root user, with a HEALTHCHECK on /healthz, and starts the built API by default', () => {
    const user = lastOf(dockerfile.final, 'USER');
    expect(user).toBe('node');
    const healthcheck = lastOf(dockerfile.final, 'HEALTHCHECK')!;
    expect(healthcheck).toMatch(/--interval=\S+ --timeout=\S+/);
    expect(execForm(healthcheck)).toEqual(['credit-partner', 'healthcheck']);
    expect(entrypoint.get('healthcheck')!.join(' ')).toContain("'/healthz'");
    expect(execForm(lastOf(dockerfile.final, 'ENTRYPOINT')!)).toEqual(['credit-partner']);
    expect(execForm(lastOf(dockerfile.final, 'CMD')!)).toEqual(['api']);
    const env = lastOf(dockerfile.final, 'ENV')!;
    expect(env).toContain('NODE_ENV=production');
    expect(env).toContain('KEYS_DIR=/var/lib/credit-partner/keys');
    // The volumes' mount points belong to that user, so that a new named volume does too.
    expect(dockerfile.final.instructions.find((i) => i.keyword === 'RUN')!.args).toContain('chown -R node:node /var/lib/credit-partner');
  });

  it('has the entry points api, worker, migrate, partners, keys and adapters, each running a built file (never npm, never a build)', () => {
    const copy = dockerfile.copies.find((c) => c.destination === '/usr/local/bin/credit-partner');
    expect(copy?.sources).toEqual(['scripts/docker-entrypoint.sh']);
    expect(trackedMode.get('scripts/docker-entrypoint.sh')).toBe('100755');
    expect(read('scripts/docker-entrypoint.sh')).not.toMatch(/\bnpm\b|\btsc\b|ts-node/);
    const expected = { api: 'main', worker: 'worker-main', migrate: 'migrate-main', partners: 'partners-main', keys: 'keys-main', adapters: 'adapters-main' };
    for (const [command, main] of Object.entries(expected)) {
      const words = entrypoint.get(command);
      expect({ command, words }).toEqual({ command, words: ['node', `dist/src/${main}.js`, '"$@"'] });
      // dist/src/<x>.js is what tsc makes of src/<x>.ts (tsconfig.build.json compiles src/**/*.ts into dist/).
      expect({ command, source: tracked.includes(`src/${main}.ts`) }).toEqual({ command, source: true });
    }
    // No instruction of the final image runs npm (the old image's `npm run worker` rebuilt first).
    expect(dockerfile.final.instructions.filter((i) => /\bnpm\b/.test(i.args))).toEqual([]);
  });
});

describe('compose.yaml', () => {
  const commandOf = (service: Record<string, Yaml>) => service.command as string[];
  const envOf = (service: Record<string, Yaml>) => service.environment as Record<string, string>;
  const app = (name: string) => ['api', 'worker', 'migrate', 'keys'].includes(commandOf(services[name])?.[0]);
  const dependsOn = (name: string) => services[name].depends_on as Record<string, { condition: string }> | undefined;

  it('runs PostgreSQL and Redis with health checks, one-shot keys and migrate jobs, two API and two worker containers', () => {
    expect(Object.keys(services).sort()).toEqual(['api-1', 'api-2', 'keys', 'migrate', 'postgres', 'redis', 'worker-1', 'worker-2']);
    for (const name of ['postgres', 'redis']) expect((services[name].healthcheck as { test: string[] }).test[0]).toBe('CMD');
    expect((services.redis.command as string[]).join(' ')).toContain('--maxmemory-policy noeviction');
    const byCommand = (command: string) => Object.keys(services).filter((name) => commandOf(services[name])?.[0] === command);
    expect(byCommand('api')).toEqual(['api-1', 'api-2']);
    expect(byCommand('worker')).toEqual(['worker-1', 'worker-2']);
    expect({ migrate: commandOf(services.migrate), restart: services.migrate.restart }).toEqual({ migrate: ['migrate'], restart: 'no' });
    expect({ keys: commandOf(services.keys), restart: services.keys.restart }).toEqual({ keys: ['keys', 'ensure'], restart: 'no' });
  });

  it('runs only the image entry points, from the image the Dockerfile builds', () => {
    for (const name of Object.keys(services).filter(app)) {
      expect({ name, known: entrypoint.has(commandOf(services[name])[0]) }).toEqual({ name, known: true });
      expect({ name, build: services[name].build }).toEqual({ name, build: { context: '.' } });
    }
  });

  it('starts the APIs and workers only once PostgreSQL and Redis are healthy and the key set and migrations are done', () => {
    for (const name of ['api-1', 'api-2', 'worker-1', 'worker-2']) {
      expect({ name, dependsOn: dependsOn(name) }).toEqual({
        name,
        dependsOn: {
          postgres: { condition: 'service_healthy' },
          redis: { condition: 'service_healthy' },
          keys: { condition: 'service_completed_successfully' },
          migrate: { condition: 'service_completed_successfully' },
        },
      });
    }
    expect(dependsOn('migrate')).toEqual({ postgres: { condition: 'service_healthy' } });
    // The APIs keep the image's HEALTHCHECK (/healthz); the workers serve no HTTP and turn it off.
    for (const name of ['api-1', 'api-2']) expect(services[name].healthcheck).toBeUndefined();
    for (const name of ['worker-1', 'worker-2', 'keys', 'migrate']) expect(services[name].healthcheck).toEqual({ disable: true });
  });

  it('keeps the worker out of the API containers, and gives every container the sandbox settings, one key set and one document store', () => {
    for (const name of ['api-1', 'api-2']) expect(envOf(services[name]).RUN_WORKER).toBe('false');
    for (const name of ['worker-1', 'worker-2']) expect(envOf(services[name]).RUN_WORKER).toBeUndefined();
    for (const name of Object.keys(services).filter(app)) {
      const env = envOf(services[name]);
      expect({ name, env }).toMatchObject({
        name,
        env: {
          APP_ENV: 'sandbox',
          DATABASE_URL: expect.stringMatching(/^postgresql:\/\/[^@]+@postgres:5432\//),
          REDIS_URL: 'redis://redis:6379',
          PUBLIC_BASE_URL: expect.stringMatching(/^http/),
          KEYS_DIR: '/var/lib/credit-partner/keys',
          DOCUMENTS_DIR: '/var/lib/credit-partner/documents',
        },
      });
      expect({ name, volumes: services[name].volumes }).toEqual({ name, volumes: ['keys:/var/lib/credit-partner/keys', 'documents:/var/lib/credit-partner/documents'] });
    }
    expect(Object.keys(compose.volumes).sort()).toEqual(['documents', 'keys', 'pgdata', 'redisdata']);
  });

  it('keeps its PostgreSQL connections under the server limit: 4 app processes × (pool + 4 + worker claims) + migrate', () => {
    const maxConnections = Number((services.postgres.command as string[]).find((word) => word.startsWith('max_connections='))!.split('=')[1]);
    const perProcess = (name: string) => {
      const env = envOf(services[name]);
      return Number(env.DATABASE_POOL_SIZE ?? 20) + 4 + Number(env.WORKER_CONCURRENCY ?? 8) + 2;
    };
    const total = ['api-1', 'api-2', 'worker-1', 'worker-2'].reduce((sum, name) => sum + perProcess(name), 0) + 2;
    expect(total).toBeLessThan(maxConnections);
  });
});

describe('the YAML subset reader', () => {
  it('refuses what it does not read rather than misreading it', () => {
    expect(() => parseYaml('a: yes\n')).toThrow(/ambiguous/);
    expect(() => parseYaml('a: b # c\n')).toThrow(/inline comments/);
    expect(() => parseYaml('a:\n  - b: c\n')).toThrow(/mappings inside lists/);
    expect(() => parseYaml('a: 1\na: 2\n')).toThrow(/duplicate key/);
    expect(parseYaml('x: &base\n  a: 1\n  b: 2\ny:\n  <<: *base\n  b: 3\n')).toEqual({ x: { a: 1, b: 2 }, y: { a: 1, b: 3 } });
  });
});
