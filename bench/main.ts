import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import {
  seedOrganization,
  startMotoServer,
} from '../packages/emulator/src/index.js';
import { startRealismProxy } from '../test/support/realism/index.js';
import { measureHandlers } from './bundles.js';
import { runEventPath } from './event-path.js';
import { assembleReport, renderTable } from './report.js';
import { runSweeps } from './sweeps.js';
import {
  DEFAULT_SIZE,
  type OrganizationSize,
  QUICK_SIZE,
  syntheticOrganization,
} from './synthetic-organization.js';

const USAGE = `npm run bench -- [--quick] [--json] [--accounts N]
  [--repositories N] [--projects N] [--latency MS] [--concurrency N]
  [--events N]`;

export interface BenchOptions {
  size: OrganizationSize;
  latencyMs: number;
  concurrency: number;
  /** CreateProject events sent through the event path. */
  events: number;
  json: boolean;
  quick: boolean;
}

function positive(value: string | undefined, name: string, fallback: number) {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new Error(`--${name} must be a whole number, not "${value}".`);
  }

  return parsed;
}

export function parseBenchArguments(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      accounts: { type: 'string' },
      repositories: { type: 'string' },
      projects: { type: 'string' },
      latency: { type: 'string' },
      concurrency: { type: 'string' },
      events: { type: 'string' },
    },
    strict: true,
  });
  const base = values.quick ? QUICK_SIZE : DEFAULT_SIZE;

  return {
    size: {
      accounts: Math.max(
        1,
        positive(values.accounts, 'accounts', base.accounts)
      ),
      repositories: Math.max(
        1,
        positive(values.repositories, 'repositories', base.repositories)
      ),
      projects: positive(values.projects, 'projects', base.projects),
    },
    latencyMs: positive(values.latency, 'latency', 30),
    concurrency: Math.max(1, positive(values.concurrency, 'concurrency', 8)),
    events: Math.max(
      1,
      positive(values.events, 'events', values.quick ? 40 : 200)
    ),
    json: values.json ?? false,
    quick: values.quick ?? false,
  };
}

function machine() {
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    date: new Date().toISOString(),
  };
}

export async function runBench(argv: string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArguments(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);

    return 1;
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = performance.now();
  const organization = syntheticOrganization(options.size);
  const server = await startMotoServer({ log });
  try {
    log(
      `seeding ${options.size.accounts} accounts, ` +
        `${options.size.repositories} repositories, ` +
        `${options.size.projects} projects ...`
    );
    const seeded = await seedOrganization(server.endpoint, organization.spec, {
      concurrency: 8,
    });
    log(`  seeded in ${seeded.elapsedMs} ms (not measured)`);
    const proxy = await startRealismProxy({ target: server.endpoint });
    try {
      const sweeps = await runSweeps(
        {
          organization,
          seeded,
          proxy,
          emulatorPid: server.pid,
          latencyMs: options.latencyMs,
        },
        options.concurrency,
        log
      );
      const eventPath = await runEventPath(
        {
          organization,
          seeded,
          proxy,
          latencyMs: options.latencyMs,
        },
        options.events,
        log
      );
      const { HANDLERS } = await import('../stacks/Reconciler.js');
      const bundles = await measureHandlers(HANDLERS, {
        outdir: 'build/bench/bundles',
        log,
      });
      const report = assembleReport({
        machine: machine(),
        sizes: {
          ...options.size,
          organizationalUnits: organization.organizationalUnits.length,
          latencyMs: options.latencyMs,
          concurrency: options.concurrency,
          quick: options.quick,
        },
        seedingMs: seeded.elapsedMs,
        sweeps,
        eventPath,
        bundles,
        totalMs: Math.round(performance.now() - started),
      });
      process.stdout.write(
        options.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : `${renderTable(report)}\n`
      );

      return report.targets.every((target) => target.met) ? 0 : 2;
    } finally {
      await proxy.stop();
    }
  } finally {
    await server.stop();
  }
}
