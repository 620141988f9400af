import { describe, expect, it } from 'vitest';
import {
  busyShare,
  machineTicks,
  ownCpuMs,
  processCpuMs,
} from '../../bench/cpu.js';

describe('Function: processCpuMs', () => {
  it('reads a running process and grows as it works', () => {
    // Prepare
    const before = processCpuMs(process.pid) ?? Number.NaN;
    const start = process.cpuUsage();

    // Act: work until 50 ms of CPU, a few of /proc's clock ticks.
    while (process.cpuUsage(start).user < 50_000) Math.sqrt(Math.random());
    const after = processCpuMs(process.pid) ?? Number.NaN;

    // Assess
    expect(before).toBeGreaterThanOrEqual(0);
    expect(after).toBeGreaterThan(before);
  });

  it('gives undefined for no process', () => {
    // Act
    const missing = [processCpuMs(undefined), processCpuMs(2 ** 30)];

    // Assess
    expect(missing).toEqual([undefined, undefined]);
  });
});

describe('Function: ownCpuMs', () => {
  it('counts this process in milliseconds', () => {
    // Act
    const used = ownCpuMs();

    // Assess
    expect(used).toBeGreaterThan(0);
    expect(Number.isInteger(used)).toBe(true);
  });
});

describe('Function: busyShare', () => {
  it('gives the busy share of the ticks between two readings', () => {
    // Act
    const share = busyShare(
      { busy: 100, total: 400 },
      { busy: 175, total: 500 }
    );

    // Assess
    expect(share).toBe(0.75);
  });

  it('gives undefined without two increasing readings', () => {
    // Act
    const shares = [
      busyShare(undefined, { busy: 1, total: 2 }),
      busyShare({ busy: 1, total: 2 }, { busy: 1, total: 2 }),
    ];

    // Assess
    expect(shares).toEqual([undefined, undefined]);
  });

  it('reads the machine from /proc/stat', () => {
    // Act
    const ticks = machineTicks();

    // Assess
    expect(ticks?.total).toBeGreaterThan(0);
    expect(ticks?.busy).toBeLessThanOrEqual(ticks?.total ?? 0);
  });
});
