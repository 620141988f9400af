import { describe, expect, it } from 'vitest';
import type { BundleSection } from '../../bench/bundles.js';
import type { EventPathFigures } from '../../bench/event-path.js';
import { censusOf, lowerBound } from '../../bench/lower-bound.js';
import {
  assembleReport,
  cpuLoad,
  type ReportInput,
  renderTable,
} from '../../bench/report.js';
import type { SweepFigures } from '../../bench/sweeps.js';
import {
  QUICK_SIZE,
  syntheticOrganization,
} from '../../bench/synthetic-organization.js';

const organization = syntheticOrganization(QUICK_SIZE);
const coldBound = lowerBound(censusOf(organization, { cold: true }));

/** Calls exactly at the bound, plus `extra` calls per operation. */
function figures(
  overrides: Partial<SweepFigures> = {},
  extra: Record<string, number> = {}
): SweepFigures {
  const byOperation: Record<string, number> = {};
  for (const item of coldBound.items) {
    const operation = item.operation.split('|')[0] as string;
    byOperation[`${item.service}:${operation}`] = item.calls;
  }
  for (const [key, count] of Object.entries(extra)) {
    byOperation[key] = (byOperation[key] ?? 0) + count;
  }
  const total = Object.values(byOperation).reduce((a, b) => a + b, 0);

  return {
    wallMs: 1000,
    cpuMs: { bench: 400, emulator: 500 },
    machineBusy: 0.5,
    concurrency: 8,
    calls: { total, byOperation, observedAttempts: total },
    lowerBound: coldBound,
    callRatio: total / coldBound.total,
    writes: byOperation['ecr:SetRepositoryPolicy'] ?? 0,
    changed: 0,
    errors: 0,
    ...overrides,
  };
}

const bundles: BundleSection = {
  bundles: [
    {
      name: 'sweep',
      entry: 'packages/functions/src/sweep.ts',
      bytes: 2048,
      gzipBytes: 1024,
      coldStartMs: 120,
      coldStartSamples: [120, 121, 119, 118, 125],
      topModules: [{ module: '@aws-sdk/client-ecr', bytes: 1024 }],
      awsClients: ['client-ecr'],
      neededClients: ['client-ecr', 'client-sts'],
      libraries: [],
    },
  ],
  missing: [],
};

const eventPath: EventPathFigures = {
  events: 200,
  calls: {
    total: 1400,
    byOperation: { 'ecr:SetRepositoryPolicy': 200, 'sqs:SendMessage': 200 },
  },
  callsPerEvent: 7,
  routerCallsPerEvent: 3,
  writes: 200,
  writesPerEvent: 1,
  repositoriesTouched: 200,
  handlerMs: { p50: 90, p95: 140 },
  workerBatchMs: { p50: 700, p95: 900, batches: 20 },
  granted: 200,
  deadLettered: 0,
};

function input(cold: SweepFigures, speedup: number): ReportInput {
  const writes = cold.writes;

  return {
    machine: { cpus: 2, cpuModel: 'test', node: 'v20', date: 'today' },
    sizes: {
      ...QUICK_SIZE,
      organizationalUnits: 21,
      latencyMs: 30,
      concurrency: 8,
      quick: false,
    },
    seedingMs: 1,
    sweeps: {
      cold: { ...cold, repositoriesNeedingWrite: writes },
      idle: { ...figures({ writes: 0 }), idleWrites: 0 },
      sequential: figures({ concurrency: 1, wallMs: 1000 * speedup }),
      speedup,
    },
    eventPath,
    bundles,
    totalMs: 2,
  };
}

describe('Function: assembleReport', () => {
  it('carries the keys the issue names', () => {
    // Act
    const report = JSON.parse(
      JSON.stringify(assembleReport(input(figures(), 6)))
    );

    // Assess
    expect(report.coldSweep).toMatchObject({
      wallMs: expect.any(Number),
      callRatio: expect.any(Number),
      writes: expect.any(Number),
      repositoriesNeedingWrite: expect.any(Number),
      calls: { total: expect.any(Number), byOperation: expect.any(Object) },
      lowerBound: { total: coldBound.total, items: expect.any(Array) },
    });
    expect(report.idleSweep.idleWrites).toBe(0);
    expect(report.sequentialSweep.concurrency).toBe(1);
    expect(report.speedup).toBe(6);
    expect(report.machine.cpus).toBe(2);
    expect(report.eventPath).toMatchObject({
      callsPerEvent: 7,
      writesPerEvent: 1,
      handlerMs: { p50: 90, p95: 140 },
    });
    expect(report.bundles.bundles[0]).toMatchObject({
      bytes: 2048,
      coldStartMs: 120,
      topModules: [{ module: '@aws-sdk/client-ecr', bytes: 1024 }],
    });
  });

  it('meets every target when calls sit at the bound', () => {
    // Act
    const report = assembleReport(input(figures(), 6));

    // Assess
    expect(report.targets.map((target) => target.name)).toEqual([
      'callRatio',
      'idleWrites',
      'coldWrites',
      'speedup',
      'bundles',
    ]);
    expect(report.targets.every((target) => target.met)).toBe(true);
    expect(report.targets.every((target) => target.note === '')).toBe(true);
  });

  it('misses callRatio and names the operations above their bound', () => {
    // Prepare
    const cold = figures({}, { 'ecr:ListTagsForResource': 100 });

    // Act
    const report = assembleReport(input({ ...cold, callRatio: 1.6 }, 6));
    const callRatio = report.targets.find(({ name }) => name === 'callRatio');

    // Assess
    expect(callRatio?.met).toBe(false);
    expect(callRatio?.note).toContain('ecr:ListTagsForResource 140/40');
  });

  it('blames other work when a missed speedup found the machine busy', () => {
    // Prepare
    const crowded = figures({ machineBusy: 0.97 });

    // Act
    const report = assembleReport(input(crowded, 2));
    const speedup = report.targets.find(({ name }) => name === 'speedup');

    // Assess
    expect(speedup?.met).toBe(false);
    expect(speedup?.note).toContain('The machine was 97% busy');
    expect(speedup?.note).toContain('What would reach it');
  });

  it("blames moto's one core when its CPU filled the sweep", () => {
    // Prepare: moto busy 0.8 s of a 1 s sweep, the machine half idle.
    const bound = figures({ cpuMs: { bench: 300, emulator: 800 } });

    // Act
    const report = assembleReport(input(bound, 2));
    const speedup = report.targets.find(({ name }) => name === 'speedup');

    // Assess
    expect(cpuLoad(bound, 2)).toBeCloseTo(0.55);
    expect(speedup?.note).toContain('(55% of 2 CPUs)');
    expect(speedup?.note).toContain('moto serves calls on one core');
  });

  it('blames the serial parts when a missed speedup left CPUs idle', () => {
    // Prepare: 0.3 s of CPU in 1 s of wall time, the machine half idle.
    const idle = figures({ cpuMs: { bench: 100, emulator: 200 } });

    // Act
    const report = assembleReport(input(idle, 2));
    const speedup = report.targets.find(({ name }) => name === 'speedup');

    // Assess
    expect(speedup?.met).toBe(false);
    expect(speedup?.note).toContain('cannot overlap');
  });

  it('names a bundle that carries a client its handler does not use', () => {
    // Prepare
    const [sweep] = bundles.bundles;
    const heavy = { ...sweep, awsClients: ['client-ecr', 'client-iam'] };
    const base = input(figures(), 6);

    // Act
    const report = assembleReport({
      ...base,
      bundles: { bundles: [heavy as NonNullable<typeof sweep>], missing: [] },
    });
    const target = report.targets.find(({ name }) => name === 'bundles');

    // Assess
    expect(target?.met).toBe(false);
    expect(target?.note).toContain('sweep carries client-iam');
  });

  it('misses the bundle target when no handler could be measured', () => {
    // Prepare
    const base = input(figures(), 6);
    const missing = ['sweep: packages/functions/src/sweep.ts does not exist'];

    // Act
    const report = assembleReport({
      ...base,
      bundles: { bundles: [], missing },
    });
    const target = report.targets.find(({ name }) => name === 'bundles');

    // Assess
    expect(target?.met).toBe(false);
    expect(target?.value).toBe('not measured');
    expect(target?.note).toContain('sweep.ts does not exist');
  });
});

describe('Function: renderTable', () => {
  it('shows calls not in the bound as not needed', () => {
    // Prepare
    const cold = figures({}, { 'sts:GetCallerIdentity': 1 });

    // Act
    const text = renderTable(assembleReport(input(cold, 6)));

    // Assess
    expect(text).toMatch(/sts:GetCallerIdentity\s+1\s+0\s+not needed/);
    expect(text).toContain('speedup (sequential / concurrent): 6');
    expect(text).toMatch(/cold\s+8\s+1000\s+400\s+500\s+50%\s/);
  });
});
