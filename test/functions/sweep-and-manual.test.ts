import {
  DeleteRepositoryPolicyCommand,
  GetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../packages/core/src/index.js';
import { InvalidPayloadError } from '../../packages/functions/src/errors.js';
import { useEventPath } from '../support/event-path.js';

describe('Event path: sweep and manual reconcile', () => {
  const path = useEventPath();

  it('indexes every account and reconciles every repository through the queue', async () => {
    // Prepare
    const { invoke, event, drainAll, grantedRoles, roleArn, ecr } = path();

    // Act
    const routed = await invoke('sweep', await event('sweep/scheduled.json'));
    const drained = await drainAll();

    // Assess
    expect(routed).toMatchObject({
      outcome: 'queued',
      accounts: 5,
      repositories: 6,
      errors: [],
    });
    expect(drained).toMatchObject({ retried: 0, deadLettered: 0 });
    expect(await grantedRoles('team/builder')).toEqual(
      [
        roleArn('payments', 'payments-build'),
        roleArn('web', 'web-build'),
      ].sort()
    );
    expect(await grantedRoles('base/node')).toEqual(
      [
        roleArn('sandbox', 'sandbox-build'),
        roleArn('web', 'web-build'),
        roleArn('web', 'web-docs-build'),
      ].sort()
    );
    expect(await grantedRoles('payments/runner')).toEqual([
      roleArn('payments', 'payments-build'),
    ]);
    await expect(
      ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'broken/tag' }))
    ).rejects.toThrow(/policy/i);
  });

  it('writes nothing on a second sweep', async () => {
    // Prepare
    const { sweep, proxy } = path();
    await sweep();
    const writes = proxy.stats.count('ecr', 'SetRepositoryPolicy');

    // Act
    await sweep();

    // Assess
    expect(writes).toBe(4);
    expect(proxy.stats.count('ecr', 'SetRepositoryPolicy')).toBe(writes);
  });

  it('plans without writing and returns the JSON report', async () => {
    // Prepare
    const { sweep, invoke, ecr, proxy } = path();
    await sweep();
    await ecr.send(
      new DeleteRepositoryPolicyCommand({ repositoryName: 'team/builder' })
    );
    proxy.stats.reset();

    // Act
    const report = (await invoke('manual-reconcile', {
      mode: 'plan',
    })) as Report;

    // Assess
    expect(report.mode).toBe('plan');
    expect(report.organizationId).toBe(path().seeded.organizationId);
    expect(report.summary).toMatchObject({
      repositories: 6,
      changed: 1,
      grantsAdded: 2,
      errors: 0,
    });
    expect(proxy.stats.count('ecr', 'SetRepositoryPolicy')).toBe(0);
  });

  it('applies one repository and queues it for the serialized path', async () => {
    // Prepare
    const { sweep, invoke, ecr, grantedRoles, roleArn, drainAll, proxy } =
      path();
    await sweep();
    await ecr.send(
      new DeleteRepositoryPolicyCommand({ repositoryName: 'team/builder' })
    );

    // Act
    const report = (await invoke('manual-reconcile', {
      mode: 'apply',
      repository: 'team/builder',
    })) as Report;
    const writes = proxy.stats.count('ecr', 'SetRepositoryPolicy');
    const drained = await drainAll();

    // Assess
    expect(report.repositories.map((plan) => plan.status)).toEqual(['changed']);
    expect(await grantedRoles('team/builder')).toEqual(
      [
        roleArn('payments', 'payments-build'),
        roleArn('web', 'web-build'),
      ].sort()
    );
    expect(drained.succeeded).toBe(1);
    expect(proxy.stats.count('ecr', 'SetRepositoryPolicy')).toBe(writes);
  });

  it('refuses a payload it does not accept and names the field', async () => {
    // Prepare
    const { invoke } = path();

    // Act
    const refused = invoke('manual-reconcile', { mode: 'delete' });

    // Assess
    await expect(refused).rejects.toBeInstanceOf(InvalidPayloadError);
    await expect(refused).rejects.toThrow(/mode: /);
  });
});
