import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useMotoServer } from '../support/emulator.js';
import {
  type RealismProxy,
  startRealismProxy,
} from '../support/realism/index.js';
import {
  plannedAfter,
  reconcilerFor,
  type SweepWorld,
  seedSweepWorld,
  storedPolicies,
} from './sweep-fixture.js';

describe('Safety: two sweeps started together', () => {
  const server = useMotoServer();
  let proxy: RealismProxy | undefined;
  let world: SweepWorld;

  beforeEach(async () => {
    world = await seedSweepWorld(server().endpoint);
  });

  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  it('converge on the same policies, and a third sweep finds nothing to do', async () => {
    // Prepare: latency makes the two read-modify-write cycles overlap.
    const expected = await reconcilerFor(world, server().endpoint).reconcile({
      mode: 'plan',
    });
    proxy = await startRealismProxy({
      target: server().endpoint,
      latencyMs: 15,
    });

    // Act
    const [first, second] = await Promise.all([
      reconcilerFor(world, proxy.endpoint).reconcile({ mode: 'apply' }),
      reconcilerFor(world, proxy.endpoint).reconcile({ mode: 'apply' }),
    ]);

    // Assess
    const arns = expected.repositories.map((plan) => plan.arn);
    const writes = expected.repositories.filter(
      (plan) => plan.write !== 'none'
    ).length;
    expect([first.errors, second.errors]).toEqual([[], []]);
    expect(plannedAfter(first)).toEqual(plannedAfter(expected));
    expect(plannedAfter(second)).toEqual(plannedAfter(expected));
    expect(await storedPolicies(world, arns)).toEqual(plannedAfter(expected));
    expect(writes).toBeGreaterThanOrEqual(4);
    expect(proxy.stats.writesApplied).toBe(2 * writes);
    const third = await reconcilerFor(world, proxy.endpoint).reconcile({
      mode: 'plan',
    });
    expect(third.repositories.filter((plan) => plan.write !== 'none')).toEqual(
      []
    );
  });
});
