import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  GetRepositoryPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { useEventPath } from '../support/event-path.js';

describe('Event path: ECR repository events', () => {
  const path = useEventPath();

  it('restores a policy deleted by hand when an image is pushed', async () => {
    // Prepare
    const { sweep, ecr, deliver, grantedRoles, roleArn, telemetry } = path();
    await sweep();
    await ecr.send(
      new DeleteRepositoryPolicyCommand({ repositoryName: 'team/builder' })
    );
    telemetry.clear();

    // Act
    const routed = await deliver('ecr-image-action', 'ecr/image-push.json');

    // Assess
    expect(routed).toMatchObject({ outcome: 'queued' });
    expect(await grantedRoles('team/builder')).toEqual(
      [
        roleArn('payments', 'payments-build'),
        roleArn('web', 'web-build'),
      ].sort()
    );
    expect(telemetry.total('PolicyWrites')).toBe(1);
  });

  it('grants the projects that waited for a repository once it is created', async () => {
    // Prepare
    const { sweep, ecr, seeded, deliver, grantedRoles, roleArn } = path();
    await sweep();
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'team/missing',
        tags: [{ Key: 'share-with', Value: seeded.resolve('{ou:Builds}') }],
      })
    );

    // Act
    await deliver('ecr-repository-change', 'ecr/create-repository.json');

    // Assess
    expect(await grantedRoles('team/missing')).toEqual([
      roleArn('web', 'web-build'),
    ]);
  });

  it('grants the audience of a repository tagged share-with', async () => {
    // Prepare
    const { sweep, ecr, seeded, deliver, grantedRoles, roleArn } = path();
    await sweep();
    const before = await grantedRoles('legacy/tools');
    await ecr.send(
      new TagResourceCommand({
        resourceArn: path().repositoryArn('legacy/tools'),
        tags: [{ Key: 'share-with', Value: seeded.resolve('{ou:Builds}') }],
      })
    );

    // Act
    await deliver('ecr-repository-change', 'ecr/tag-resource.json');

    // Assess
    expect(before).toEqual([]);
    expect(await grantedRoles('legacy/tools')).toEqual([
      roleArn('payments', 'payments-build'),
    ]);
  });

  it('removes the managed statement when the share-with tag is removed', async () => {
    // Prepare
    const { sweep, ecr, deliver, grantedRoles, telemetry } = path();
    await sweep();
    const before = await grantedRoles('base/node');
    await ecr.send(
      new UntagResourceCommand({
        resourceArn: path().repositoryArn('base/node'),
        tagKeys: ['share-with'],
      })
    );
    telemetry.clear();

    // Act
    await deliver('ecr-repository-change', 'ecr/untag-resource.json');

    // Assess
    expect(before).toHaveLength(3);
    expect(await grantedRoles('base/node')).toEqual([]);
    expect(telemetry.total('GrantsRemoved')).toBe(3);
    await expect(
      ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'base/node' }))
    ).rejects.toThrow(/policy/i);
  });

  it('settles a deleted repository without error or retry', async () => {
    // Prepare
    const { sweep, ecr, invoke, event, drainAll, telemetry } = path();
    await sweep();
    await ecr.send(
      new DeleteRepositoryCommand({
        repositoryName: 'payments/runner',
        force: true,
      })
    );

    // Act
    const routed = await invoke(
      'ecr-repository-change',
      await event('ecr/delete-repository.json')
    );
    const drained = await drainAll();

    // Assess
    expect(routed).toMatchObject({
      outcome: 'queued',
      items: [{ repositoryArn: path().repositoryArn('payments/runner') }],
    });
    expect(drained).toMatchObject({
      succeeded: 1,
      retried: 0,
      deadLettered: 0,
    });
    expect(
      telemetry.lines.some((line) => line.message.startsWith('Repository gone'))
    ).toBe(true);
  });
});
