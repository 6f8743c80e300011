import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');
/** Written after a build: the newest modification time of the build's inputs it compiled. */
const STAMP = path.join(ROOT, 'dist', '.built-from');
/** One lock per checkout (worktrees beside this one build their own dist/). */
const LOCK = path.join(os.tmpdir(), `credit-partner-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
const LOCK_WAIT_MS = 5 * 60_000;

/** The newest modification time of what `tsc -p tsconfig.build.json` reads: src/ (generated sources too) and the configs. */
function newestInput(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else newest = Math.max(newest, fs.statSync(file).mtimeMs);
    }
  };
  walk(path.join(ROOT, 'src'));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package.json']) newest = Math.max(newest, fs.statSync(path.join(ROOT, file)).mtimeMs);
  return newest;
}

function holderAlive(): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists (another user's); anything else (no pid file yet, ESRCH): treat by age below.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock left by a killed test process (its pid gone, or no pid written for a minute) is taken over.
      const age = Date.now() - fs.statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs;
      if (!holderAlive() && (fs.existsSync(path.join(LOCK, 'pid')) || age > 60_000)) {
        fs.rmSync(LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`the build lock ${LOCK} was held for more than ${LOCK_WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * The compiled code in dist/ (what `npm run build` makes after `npm run generate`, as the Dockerfile's build stage
 * does), built when a source is newer than the last build. Test files that run dist/ call this first: one builds
 * at a time (a lock per checkout), and a file that waited finds the build done, so dist/ is never rewritten under
 * a process another test file started from it.
 */
export async function builtCode(): Promise<void> {
  await withLock(async () => {
    const inputs = newestInput();
    const built = fs.existsSync(STAMP) ? Number(fs.readFileSync(STAMP, 'utf8')) : 0;
    if (built >= inputs) return;
    if (!fs.existsSync(path.join(ROOT, 'src/generated'))) throw new Error('src/generated is missing: run `npm run generate` first (`npm test` does)');
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT }).catch((err: Error & { stdout?: string }) => {
      throw new Error(`the build failed: ${err.message}\n${err.stdout ?? ''}`);
    });
    fs.writeFileSync(STAMP, String(inputs));
  });
}
