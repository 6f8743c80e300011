import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const ENTRIES = { api: 'src/main.ts', worker: 'src/worker-main.ts' } as const;

/**
 * The server as a real process (`npm start` or `npm run worker`, run from the TypeScript sources), for what
 * only a process can show: a kill -9, a SIGTERM, a restart. Its JSON log lines are kept for assertions.
 */
export class ServerProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly lines: string[] = [];
  private readonly watchers = new Set<() => void>();

  private constructor(private readonly child: ChildProcess) {
    let partial = '';
    const collect = (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const complete = text.split('\n');
      partial = complete.pop() ?? '';
      this.lines.push(...complete.filter((line) => line.trim() !== ''));
      for (const watcher of this.watchers) watcher();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    // 'close': the process has exited and its output pipes are closed too (nothing of it is left open).
    this.exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  }

  /** Starts `entry` with the given environment on top of a test one (log level info, so readiness can be seen). */
  static start(entry: keyof typeof ENTRIES, env: Record<string, string>): ServerProcess {
    const child = spawn(process.execPath, ['-r', './test/support/register-ts.js', ENTRIES[entry]], {
      cwd: ROOT,
      env: { ...process.env, APP_ENV: 'sandbox', LOG_LEVEL: 'info', METRICS_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServerProcess(child);
  }

  /**
   * Starts a command from the project folder (the built image's entry point, `sh scripts/docker-entrypoint.sh api`,
   * say) with the same test environment.
   */
  static command(argv: string[], env: Record<string, string>): ServerProcess {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: ROOT,
      env: { ...process.env, APP_ENV: 'sandbox', LOG_LEVEL: 'info', METRICS_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServerProcess(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The log lines so far, parsed (a line that is not JSON is kept as its text). */
  get log(): Array<Record<string, unknown>> {
    return this.lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { msg: line };
      }
    });
  }

  /** Resolves when a log line's message matches `pattern`; fails when the process exits first or after `timeoutMs`. */
  async logged(pattern: RegExp, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const find = () => this.log.find((entry) => pattern.test(String(entry.msg)));
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found) finish(() => resolve(found));
      };
      const finish = (then: () => void) => {
        clearTimeout(timer);
        this.watchers.delete(check);
        then();
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no log line matched ${pattern} in ${timeoutMs} ms:\n${this.lines.slice(-20).join('\n')}`))), timeoutMs);
      this.watchers.add(check);
      void this.exited.then(({ code, signal }) => {
        if (!find()) finish(() => reject(new Error(`the process exited (${code ?? signal}) before logging ${pattern}:\n${this.lines.slice(-20).join('\n')}`)));
      });
      check();
    });
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Ends the process if it still runs (kill -9), for cleanup. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
