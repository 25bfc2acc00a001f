import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository's root: built apps and root scripts are run from here, as `npm start` runs them. */
export const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs a node script of the repository to its end; its stdout, or an error with all it printed. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', [script, ...args], {
      cwd: repositoryRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${script} failed (${code}):\n${out}\n${err}`)),
    );
  });
}

/**
 * A service as a real process from its build output (as `npm start` runs it), on the test's NATS and
 * database: a service's tests talk to the real services it asks, never to fakes of them.
 */
export class ServiceProcess {
  /** Every JSON line it has logged so far (`{ raw }` for a line that is not JSON). */
  readonly logs: Record<string, unknown>[] = [];
  private child?: ChildProcess;

  constructor(
    readonly name: 'identity' | 'tickets' | 'forms' | 'inbox',
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Starts it and waits (up to 30 s) until it logs that it is ready. */
  async start(): Promise<void> {
    const child = spawn('node', [`apps/${this.name}/dist/main.js`], {
      cwd: repositoryRoot,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let partial = '';
    const collect = (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.trim())) {
        try {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.logs.push({ raw: line });
        }
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const deadline = Date.now() + 30_000;
    while (!this.logs.some((line) => line.msg === `${this.name} service ready`)) {
      if (child.exitCode !== null)
        throw new Error(`${this.name} exited with ${child.exitCode}: ${JSON.stringify(this.logs.slice(-5))}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not start within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM, and waits until it has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
