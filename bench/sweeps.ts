import {
  DeleteRepositoryPolicyCommand,
  ECRClient,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { createAwsGateways } from '../packages/aws/src/index.js';
import { parseConfig, type Report } from '../packages/core/src/index.js';
import {
  MEMBER_ACCESS_ROLE,
  type SeededOrganization,
} from '../packages/emulator/src/index.js';
import {
  createReconciler,
  type Reconciler,
} from '../packages/reconciler/src/index.js';
import type { RealismProxy } from '../test/support/realism/index.js';
import { busyShare, machineTicks, ownCpuMs, processCpuMs } from './cpu.js';
import { censusOf, type LowerBound, lowerBound } from './lower-bound.js';
import { round } from './statistics.js';
import {
  BENCH_REGION,
  REGISTRY_ACCOUNT,
  repositoriesNeedingWrite,
  type SyntheticOrganization,
} from './synthetic-organization.js';

/** Calls one sweep made, as the realism proxy received them. */
export interface CallCount {
  total: number;
  /** `service:Operation` to calls, throttled attempts included. */
  byOperation: Record<string, number>;
  /** Attempts the SDK clients sent, counted by the call observer. */
  observedAttempts: number;
}

export interface SweepFigures {
  wallMs: number;
  /**
   * CPU time spent during the sweep: `bench` is this process (engine, SDK
   * clients and realism proxy), `emulator` is moto's server.
   */
  cpuMs: { bench: number; emulator: number | undefined };
  /** Share of the whole machine's CPU that was busy, other work included. */
  machineBusy: number | undefined;
  concurrency: number;
  calls: CallCount;
  lowerBound: LowerBound;
  callRatio: number;
  writes: number;
  changed: number;
  errors: number;
}

export interface SweepSection {
  cold: SweepFigures & { repositoriesNeedingWrite: number };
  idle: SweepFigures & { idleWrites: number };
  sequential: SweepFigures;
  speedup: number;
}

const WRITES = ['ecr:SetRepositoryPolicy', 'ecr:DeleteRepositoryPolicy'];

export function writesOf(byOperation: Record<string, number>): number {
  return WRITES.reduce((sum, key) => sum + (byOperation[key] ?? 0), 0);
}

/** Flattens the proxy's per-service tallies into `service:Operation`. */
export function flattenCalls(
  calls: Record<string, Record<string, number>>
): Record<string, number> {
  const flat: Record<string, number> = {};
  for (const [service, operations] of Object.entries(calls)) {
    for (const [operation, count] of Object.entries(operations)) {
      flat[`${service}:${operation}`] = count;
    }
  }

  return Object.fromEntries(
    Object.entries(flat).sort(([a], [b]) => a.localeCompare(b))
  );
}

export interface SweepRig {
  organization: SyntheticOrganization;
  seeded: SeededOrganization;
  proxy: RealismProxy;
  emulatorPid: number | undefined;
  latencyMs: number;
}

/** A reconciler with its own clients and sessions, as a fresh Lambda has. */
function freshReconciler(
  rig: SweepRig,
  concurrency: number,
  onAttempt: () => void
): Reconciler {
  const registryId = rig.seeded.accounts[REGISTRY_ACCOUNT] as string;
  const config = parseConfig({
    registries: [{ accountId: registryId, regions: [BENCH_REGION] }],
    roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
    concurrency,
  });
  const gateways = createAwsGateways({
    region: BENCH_REGION,
    endpoint: rig.proxy.endpoint,
    memberRoleName: MEMBER_ACCESS_ROLE,
    registryRoleName: MEMBER_ACCESS_ROLE,
    onCall: onAttempt,
  });

  return createReconciler({ config, gateways });
}

async function measure(
  rig: SweepRig,
  reconciler: Reconciler,
  attempts: { count: number },
  bound: LowerBound,
  concurrency: number
): Promise<{ figures: SweepFigures; report: Report }> {
  rig.proxy.stats.reset();
  attempts.count = 0;
  rig.proxy.setFaults({ latencyMs: rig.latencyMs });
  const emulatorCpu = processCpuMs(rig.emulatorPid);
  const benchCpu = ownCpuMs();
  const machineBefore = machineTicks();
  const started = performance.now();
  const report = await reconciler.reconcile({ mode: 'apply' });
  const wallMs = performance.now() - started;
  const emulatorCpuAfter = processCpuMs(rig.emulatorPid);
  const machineBusy = busyShare(machineBefore, machineTicks());
  const cpuMs = {
    bench: ownCpuMs() - benchCpu,
    emulator:
      emulatorCpu === undefined || emulatorCpuAfter === undefined
        ? undefined
        : emulatorCpuAfter - emulatorCpu,
  };
  rig.proxy.setFaults({ latencyMs: 0 });

  const byOperation = flattenCalls(rig.proxy.stats.calls);
  const total = rig.proxy.stats.total;

  return {
    report,
    figures: {
      wallMs: Math.round(wallMs),
      cpuMs,
      machineBusy:
        machineBusy === undefined ? undefined : round(machineBusy, 2),
      concurrency,
      calls: { total, byOperation, observedAttempts: attempts.count },
      lowerBound: bound,
      callRatio: round(total / bound.total, 3),
      writes: writesOf(byOperation),
      changed: report.summary.changed,
      errors: report.summary.errors,
    },
  };
}

/**
 * Puts every repository policy back as seeded, straight through moto, so
 * the sequential sweep starts from the same cold state as the first one.
 */
async function restoreColdState(rig: SweepRig): Promise<void> {
  const registryId = rig.seeded.accounts[REGISTRY_ACCOUNT] as string;
  const ecr = new ECRClient(rig.seeded.clientConfig(registryId));
  const byName = new Map(
    rig.organization.spec.accounts
      .flatMap((account) => account.repositories ?? [])
      .map((repository) => [repository.name, repository])
  );
  const queue = [...rig.organization.repositories];
  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const policy = byName.get(next.name)?.policy;
      if (policy) {
        await ecr.send(
          new SetRepositoryPolicyCommand({
            repositoryName: next.name,
            policyText: rig.seeded.resolve(JSON.stringify(policy)),
          })
        );
        continue;
      }
      await ecr
        .send(new DeleteRepositoryPolicyCommand({ repositoryName: next.name }))
        .catch((error: Error) => {
          if (error.name !== 'RepositoryPolicyNotFoundException') throw error;
        });
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  ecr.destroy();
}

/**
 * The cold sweep at the configured concurrency, the idle sweep right
 * after with the same clients, then the cold sweep again at concurrency 1
 * from the same starting state.
 */
export async function runSweeps(
  rig: SweepRig,
  concurrency: number,
  log: (line: string) => void
): Promise<SweepSection> {
  const coldBound = lowerBound(censusOf(rig.organization, { cold: true }));
  const idleBound = lowerBound(censusOf(rig.organization, { cold: false }));
  const needing = repositoriesNeedingWrite(rig.organization).length;

  const attempts = { count: 0 };
  const concurrent = freshReconciler(rig, concurrency, () => attempts.count++);
  log(`cold sweep at concurrency ${concurrency} ...`);
  const cold = await measure(rig, concurrent, attempts, coldBound, concurrency);
  log(`  ${cold.figures.wallMs} ms, ${cold.figures.calls.total} calls`);
  log('idle sweep ...');
  const idle = await measure(rig, concurrent, attempts, idleBound, concurrency);
  log(`  ${idle.figures.wallMs} ms, ${idle.figures.calls.total} calls`);

  await restoreColdState(rig);
  const sequentialAttempts = { count: 0 };
  const sequential = freshReconciler(rig, 1, () => sequentialAttempts.count++);
  log('cold sweep at concurrency 1 ...');
  const alone = await measure(
    rig,
    sequential,
    sequentialAttempts,
    coldBound,
    1
  );
  log(`  ${alone.figures.wallMs} ms, ${alone.figures.calls.total} calls`);

  return {
    cold: { ...cold.figures, repositoriesNeedingWrite: needing },
    idle: { ...idle.figures, idleWrites: idle.figures.writes },
    sequential: alone.figures,
    speedup: round(alone.figures.wallMs / cold.figures.wallMs, 2),
  };
}
