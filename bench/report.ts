import type { BundleFigures, BundleSection } from './bundles.js';
import type { EventPathFigures } from './event-path.js';
import type { LowerBound } from './lower-bound.js';
import type { SweepFigures, SweepSection } from './sweeps.js';

export interface Target {
  name: string;
  target: string;
  value: number | string;
  met: boolean;
  /** Why a target is missed and what would reach it; empty when met. */
  note: string;
}

export interface BenchReport {
  machine: { cpus: number; cpuModel: string; node: string; date: string };
  sizes: {
    accounts: number;
    organizationalUnits: number;
    repositories: number;
    projects: number;
    latencyMs: number;
    concurrency: number;
    quick: boolean;
  };
  seedingMs: number;
  coldSweep: SweepSection['cold'];
  idleSweep: SweepSection['idle'];
  sequentialSweep: SweepSection['sequential'];
  speedup: number;
  eventPath: EventPathFigures;
  bundles: BundleSection;
  targets: Target[];
  totalMs: number;
}

export interface ReportInput {
  machine: BenchReport['machine'];
  sizes: BenchReport['sizes'];
  seedingMs: number;
  sweeps: SweepSection;
  eventPath: EventPathFigures;
  bundles: BundleSection;
  totalMs: number;
}

/** The one JSON object of `--json`, targets checked. */
export function assembleReport(input: ReportInput): BenchReport {
  const report: BenchReport = {
    machine: input.machine,
    sizes: input.sizes,
    seedingMs: input.seedingMs,
    coldSweep: input.sweeps.cold,
    idleSweep: input.sweeps.idle,
    sequentialSweep: input.sweeps.sequential,
    speedup: input.sweeps.speedup,
    eventPath: input.eventPath,
    bundles: input.bundles,
    targets: [],
    totalMs: input.totalMs,
  };
  report.targets = targetsOf(report);

  return report;
}

export const CALL_RATIO_TARGET = 1.1;
export const SPEEDUP_TARGET = 5;

/** Operations that made more calls than their share of the bound. */
export function callsOverBound(figures: SweepFigures): string[] {
  return boundRows(figures.lowerBound, figures)
    .filter(([, calls, bound]) => Number(calls) > Number(bound))
    .map(([operation, calls, bound]) => `${operation} ${calls}/${bound}`);
}

/** Checks the targets against a run, each with its reason. */
export function targetsOf(report: BenchReport): Target[] {
  const cold = report.coldSweep;
  const over = callsOverBound(cold);
  const atDefaultSize = !report.sizes.quick;

  return [
    {
      name: 'callRatio',
      target: `<= ${CALL_RATIO_TARGET}`,
      value: cold.callRatio,
      met: cold.callRatio <= CALL_RATIO_TARGET,
      note:
        cold.callRatio <= CALL_RATIO_TARGET
          ? ''
          : `Calls above the bound: ${over.join(', ')}.`,
    },
    {
      name: 'idleWrites',
      target: '0',
      value: report.idleSweep.idleWrites,
      met: report.idleSweep.idleWrites === 0,
      note:
        report.idleSweep.idleWrites === 0
          ? ''
          : 'The idle sweep rewrote policies equal by content to the ' +
            'desired ones: the comparison misses a reformatting.',
    },
    {
      name: 'coldWrites',
      target: `= ${cold.repositoriesNeedingWrite} (repositories needing one)`,
      value: cold.writes,
      met: cold.writes === cold.repositoriesNeedingWrite,
      note:
        cold.writes === cold.repositoriesNeedingWrite
          ? ''
          : 'The engine wrote a different number of policies than the ' +
            "benchmark's own model of the Organization expects.",
    },
    speedupTarget(report, atDefaultSize),
    bundleTarget(report.bundles),
  ];
}

/** Clients a bundle carries that its handler has no use for. */
export function unusedClients(bundle: BundleFigures): string[] | undefined {
  const needed = bundle.neededClients;
  if (!needed) return undefined;

  return bundle.awsClients.filter((client) => !needed.includes(client));
}

function bundleTarget(section: BundleSection): Target {
  const name = 'bundles';
  const target = 'no unused client';
  if (section.bundles.length === 0) {
    return {
      name,
      target,
      value: 'not measured',
      met: false,
      note: `No handler to bundle: ${section.missing.join('; ')}.`,
    };
  }
  const judged = section.bundles.map((bundle) => ({
    bundle,
    unused: unusedClients(bundle),
  }));
  const unknown = judged.filter(({ unused }) => unused === undefined);
  const carrying = judged.filter(({ unused }) => (unused ?? []).length > 0);
  const problems = [
    ...carrying.map(
      ({ bundle, unused }) => `${bundle.name} carries ${unused?.join(', ')}`
    ),
    ...unknown.map(({ bundle }) => `${bundle.name} has no declared clients`),
    ...section.missing,
  ];

  return {
    name,
    target,
    value: `${carrying.length} of ${section.bundles.length} carry unused clients`,
    met: problems.length === 0,
    note: problems.length === 0 ? '' : `${problems.join('; ')}.`,
  };
}

/** Share of the machine's CPUs a sweep kept busy, bench and emulator. */
export function cpuLoad(figures: SweepFigures, cpus: number): number {
  const used = figures.cpuMs.bench + (figures.cpuMs.emulator ?? 0);

  return used / (figures.wallMs * Math.max(1, cpus));
}

/**
 * Why the concurrent sweep was not quicker: a machine busy with other
 * work, moto's one core (its Python serves one call at a time), or the
 * parts of a sweep that cannot overlap.
 */
export function missedSpeedupNote(cold: SweepFigures, cpus: number): string {
  const emulator = cold.cpuMs.emulator ?? 0;
  const ours = `${Math.round(cpuLoad(cold, cpus) * 100)}%`;
  const busy = cold.machineBusy ?? 0;
  const crowded = busy >= 0.85;
  const emulatorBound = emulator >= cold.wallMs * 0.5;
  const reasons = [
    `The concurrent sweep took ${cold.wallMs} ms; moto used ${emulator} ms ` +
      `of CPU and the benchmark process ${cold.cpuMs.bench} ms (${ours} of ` +
      `${cpus} CPUs).`,
  ];
  if (crowded) {
    reasons.push(
      `The machine was ${Math.round(busy * 100)}% busy, other work ` +
        'included: the sweep waited for CPU, not for AWS latency.'
    );
  }
  if (emulatorBound) {
    reasons.push(
      'moto serves calls on one core, so its CPU time is a floor under the ' +
        'concurrent sweep at this call count; AWS serves calls in parallel.'
    );
  }
  if (!crowded && !emulatorBound) {
    return (
      `${reasons.join(' ')} The calls that cannot overlap dominate: the ` +
      'Organizations walk level by level, then the writes, which wait for ' +
      'every read.'
    );
  }
  reasons.push(
    'What would reach it: free CPU for moto and the engine, or a per-call ' +
      'latency that outweighs their CPU per call (--latency 60); fewer ' +
      'calls cannot, they are at their bound.'
  );

  return reasons.join(' ');
}

function speedupTarget(report: BenchReport, atDefaultSize: boolean): Target {
  const met = report.speedup >= SPEEDUP_TARGET;
  const cold = report.coldSweep;
  let note = '';
  if (!met && !atDefaultSize) {
    note =
      'The target applies at the default size. ' +
      missedSpeedupNote(cold, report.machine.cpus);
  } else if (!met) {
    note = missedSpeedupNote(cold, report.machine.cpus);
  }

  return {
    name: 'speedup',
    target: `>= ${SPEEDUP_TARGET}${atDefaultSize ? '' : ' (default size)'}`,
    value: report.speedup,
    met: met || !atDefaultSize,
    note,
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length))
  );

  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === 0
            ? cell.padEnd(widths?.[column] ?? 0)
            : cell.padStart(widths?.[column] ?? 0)
        )
        .join('  ')
        .trimEnd()
    )
    .join('\n');
}

function boundKeys(item: LowerBound['items'][number]): string[] {
  return item.operation
    .split('|')
    .map((operation) => `${item.service}:${operation}`);
}

function boundRows(bound: LowerBound, figures: SweepFigures): string[][] {
  const calls = figures.calls.byOperation;
  const rows = bound.items.map((item) => [
    `${item.service}:${item.operation}`,
    String(boundKeys(item).reduce((sum, key) => sum + (calls[key] ?? 0), 0)),
    String(item.calls),
    item.counts,
  ]);
  const bounded = new Set(bound.items.flatMap(boundKeys));
  for (const [key, count] of Object.entries(calls)) {
    if (!bounded.has(key)) rows.push([key, String(count), '0', 'not needed']);
  }

  return rows;
}

function sweepRow(name: string, figures: SweepFigures): string[] {
  return [
    name,
    String(figures.concurrency),
    String(figures.wallMs),
    String(figures.cpuMs.bench),
    String(figures.cpuMs.emulator ?? '?'),
    figures.machineBusy === undefined
      ? '?'
      : `${Math.round(figures.machineBusy * 100)}%`,
    String(figures.calls.total),
    String(figures.lowerBound.total),
    figures.callRatio.toFixed(3),
    String(figures.writes),
    String(figures.errors),
  ];
}

function eventLines(events: EventPathFigures): string[] {
  const operations = Object.entries(events.calls.byOperation)
    .map(([operation, calls]) => `${operation} ${calls}`)
    .join(', ');

  return [
    `Event path: ${events.events} CreateProject events through the ` +
      'project-change handler, then the reconcile worker:',
    `  calls per event ${events.callsPerEvent} (router ` +
      `${events.routerCallsPerEvent}), writes per event ` +
      `${events.writesPerEvent} (${events.repositoriesTouched} ` +
      `repositories touched); granted ${events.granted} of ` +
      `${events.events}; dead-lettered ${events.deadLettered}`,
    `  handler ms p50 ${events.handlerMs.p50}, p95 ${events.handlerMs.p95}; ` +
      `worker ms per batch p50 ${events.workerBatchMs.p50}, p95 ` +
      `${events.workerBatchMs.p95} (${events.workerBatchMs.batches} batches)`,
    `  calls: ${operations}`,
  ];
}

function kib(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

function bundleLines(section: BundleSection): string[] {
  if (section.bundles.length === 0) {
    return ['Bundles: none measured.', ...section.missing.map((m) => `  ${m}`)];
  }

  return [
    'Bundles (esbuild, minified, ESM, node22; cold start = import() in a ' +
      'fresh Node.js, median of 5):',
    table([
      ['handler', 'KiB', 'gzip KiB', 'cold ms', 'AWS clients'],
      ...section.bundles.map((bundle) => [
        bundle.name,
        kib(bundle.bytes),
        kib(bundle.gzipBytes),
        bundle.importError ? 'failed' : String(bundle.coldStartMs),
        bundle.awsClients.join(' ') || '-',
      ]),
    ]),
    'Heaviest modules (KiB):',
    ...section.bundles.map(
      (bundle) =>
        `  ${bundle.name}: ` +
        bundle.topModules
          .map((share) => `${share.module} ${kib(share.bytes)}`)
          .join(', ')
    ),
    ...section.bundles
      .filter((bundle) => bundle.importError)
      .map((bundle) => `  ${bundle.name} import failed: ${bundle.importError}`),
    ...section.missing.map((missing) => `  not measured: ${missing}`),
  ];
}

/** The report for people: sizes, sweeps, the bound line by line, targets. */
export function renderTable(report: BenchReport): string {
  const { sizes, machine } = report;
  const cold = report.coldSweep;
  const lines = [
    `Benchmark on ${machine.cpus} CPUs (${machine.cpuModel}), Node.js ` +
      `${machine.node}, ${machine.date}`,
    `Organization: ${sizes.accounts} member accounts in ` +
      `${sizes.organizationalUnits} OUs (3 levels), ${sizes.repositories} ` +
      `repositories, ${sizes.projects} projects; ${sizes.latencyMs} ms ` +
      'latency per call',
    '',
    table([
      [
        'sweep',
        'conc.',
        'wall ms',
        'cpu ms bench',
        'cpu ms moto',
        'machine busy',
        'calls',
        'bound',
        'ratio',
        'writes',
        'errors',
      ],
      sweepRow('cold', cold),
      sweepRow('idle', report.idleSweep),
      sweepRow('cold, sequential', report.sequentialSweep),
    ]),
    '',
    `speedup (sequential / concurrent): ${report.speedup}`,
    `writes: ${cold.writes} against ${cold.repositoriesNeedingWrite} ` +
      `repositories that needed one; idle writes: ${report.idleSweep.idleWrites}`,
    '',
    'Cold sweep, calls against the lower bound:',
    table([
      ['operation', 'calls', 'bound', 'the bound counts'],
      ...boundRows(cold.lowerBound, cold),
    ]),
    '',
    ...eventLines(report.eventPath),
    '',
    ...bundleLines(report.bundles),
    '',
    'Targets:',
    table([
      ['target', 'wanted', 'measured', 'met'],
      ...report.targets.map((target) => [
        target.name,
        target.target,
        String(target.value),
        target.met ? 'yes' : 'NO',
      ]),
    ]),
    ...report.targets
      .filter((target) => target.note)
      .map((target) => `  ${target.name}: ${target.note}`),
  ];

  return lines.join('\n');
}
