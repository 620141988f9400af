import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString());
    } catch {
      ticksPerSecond = 100;
    }
  }

  return ticksPerSecond;
}

/**
 * CPU time (user and system, all threads) a process has used so far, from
 * /proc; undefined where there is no /proc or no such process.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);

    return Math.round((ticks * 1000) / clockTicks());
  } catch {
    return undefined;
  }
}

/** CPU time of this Node.js process so far. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();

  return Math.round((user + system) / 1000);
}

/** Busy and total CPU time of the whole machine so far, in clock ticks. */
export interface MachineTicks {
  busy: number;
  total: number;
}

export function machineTicks(): MachineTicks | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: idle and iowait rest.
    const total = ticks.slice(0, 8).reduce((sum, tick) => sum + tick, 0);
    const resting = (ticks[3] ?? 0) + (ticks[4] ?? 0);

    return { busy: total - resting, total };
  } catch {
    return undefined;
  }
}

/** Share of the machine's CPU time that was busy between two readings. */
export function busyShare(
  before: MachineTicks | undefined,
  after: MachineTicks | undefined
): number | undefined {
  if (!before || !after || after.total <= before.total) return undefined;

  return (after.busy - before.busy) / (after.total - before.total);
}
