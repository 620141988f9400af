import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EmulatorError, EmulatorUnavailableError } from './errors.js';

/** The moto release this project is tested against. */
export const MOTO_VERSION = '5.2.1';

const PROBE = 'import moto, moto.server, flask, flask_cors';

export interface MotoServer {
  endpoint: string;
  port: number;
  /** Process id of the server, e.g. to read its CPU time. */
  pid: number | undefined;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

function cacheFolder(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'ecr-pull-reconciler', `moto-${MOTO_VERSION}`);
}

function canRunMoto(python: string): boolean {
  const probe = spawnSync(python, ['-c', PROBE], { stdio: 'ignore' });

  return probe.status === 0;
}

function run(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status === 0) return undefined;

  return (result.stderr || result.stdout || String(result.error)).trim();
}

/**
 * Finds a Python that can run moto's server, installing a pinned
 * `moto[server]` into a virtual environment under the user's cache folder
 * when no Python on the machine has it.
 */
export function provisionMoto(log: (line: string) => void = () => {}): string {
  const configured = process.env.MOTO_PYTHON;
  if (configured) {
    if (canRunMoto(configured)) return configured;
    throw new EmulatorUnavailableError(
      `MOTO_PYTHON=${configured} cannot import moto's server.`
    );
  }
  if (canRunMoto('python3')) return 'python3';

  const venv = cacheFolder();
  const python = join(venv, 'bin', 'python');
  if (existsSync(python) && canRunMoto(python)) return python;

  log(`Installing moto[server]==${MOTO_VERSION} into ${venv} ...`);
  mkdirSync(venv, { recursive: true });
  const failure =
    run('python3', ['-m', 'venv', venv]) ??
    run(python, [
      '-m',
      'pip',
      'install',
      '--quiet',
      `moto[server]==${MOTO_VERSION}`,
    ]);
  if (failure === undefined && canRunMoto(python)) return python;

  throw new EmulatorUnavailableError(
    [
      `The local AWS emulator (moto ${MOTO_VERSION}) is not installed and`,
      'could not be installed automatically.',
      'Needs: Python 3.10 or later with venv, and access to the Python',
      `package index. Install it by hand with: pip install`,
      `"moto[server]==${MOTO_VERSION}", or point MOTO_PYTHON at a Python`,
      'that has it.',
      failure
        ? `Installer said: ${failure.split('\n').slice(-3).join(' ')}`
        : '',
    ]
      .filter(Boolean)
      .join(' ')
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new EmulatorError(
        `moto's server exited with code ${child.exitCode} while starting.`
      );
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new EmulatorError(
    `moto's server did not answer within ${timeoutMs} ms.`
  );
}

/** Starts moto's server on a free loopback port. */
export async function startMotoServer(
  options: { log?: (line: string) => void; port?: number; python?: string } = {}
): Promise<MotoServer> {
  const python = options.python ?? provisionMoto(options.log);
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const env = { ...process.env };
  // A server-wide account id would override the STS-based account choice.
  delete env.MOTO_ACCOUNT_ID;
  const child = spawn(
    python,
    ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    { env, stdio: ['ignore', 'ignore', 'pipe'] }
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  try {
    await waitUntilReady(endpoint, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new EmulatorError(`${(error as Error).message}\n${stderr}`, {
      cause: error,
    });
  }

  return {
    endpoint,
    port,
    pid: child.pid,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, {
        method: 'POST',
      });
      if (!response.ok) {
        throw new EmulatorError(`Reset failed: HTTP ${response.status}`);
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
