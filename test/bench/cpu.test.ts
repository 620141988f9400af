import { describe, expect, it } from 'vitest';
import { ownCpuMs, processCpuMs } from '../../bench/cpu.js';

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
