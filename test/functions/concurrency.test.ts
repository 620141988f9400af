import {
  CodeBuildClient,
  CreateProjectCommand,
} from '@aws-sdk/client-codebuild';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { mapSettled } from '../../packages/core/src/index.js';
import { CODEBUILD_TRUST_POLICY } from '../../packages/emulator/src/index.js';
import { useEventPath } from '../support/event-path.js';

const PROJECTS = 50;
const DRAINS = 4;

describe('Event path: concurrency and duplicates', () => {
  const path = useEventPath();

  it('grants all 50 roles when 50 project events for one repository are processed concurrently', async () => {
    // Prepare
    const { seeded, event, invoke, drainAll, grantedRoles, proxy } = path();
    const payments = seeded.accounts.payments as string;
    const iam = new IAMClient(seeded.clientConfig(payments));
    const codebuild = new CodeBuildClient(seeded.clientConfig(payments));
    const image = seeded.resolve(
      '{account:registry}.dkr.ecr.{region}.amazonaws.com/team/builder:latest'
    );
    const names = Array.from(
      { length: PROJECTS },
      (_, index) => `burst-${String(index).padStart(2, '0')}`
    );
    await mapSettled(names, 8, async (name) => {
      const { Role } = await iam.send(
        new CreateRoleCommand({
          RoleName: `${name}-build`,
          Path: '/service-role/',
          AssumeRolePolicyDocument: CODEBUILD_TRUST_POLICY,
        })
      );
      await codebuild.send(
        new CreateProjectCommand({
          name,
          source: { type: 'NO_SOURCE', location: 'none', buildspec: 'x' },
          artifacts: { type: 'NO_ARTIFACTS' },
          environment: {
            type: 'LINUX_CONTAINER',
            computeType: 'BUILD_GENERAL1_SMALL',
            image,
            imagePullCredentialsType: 'SERVICE_ROLE',
          },
          serviceRole: Role?.Arn,
          tags: [{ key: 'ecr-pull', value: 'auto' }],
        })
      );
    });
    const template = (await event('codebuild/create-project.json')) as {
      id: string;
      detail: { responseElements: { project: { name: string } } };
    };
    const events = names.map((name, index) => {
      const copy = structuredClone(template);
      copy.id = `burst-event-${index}`;
      copy.detail.responseElements.project.name = name;

      return copy;
    });
    // A little latency widens the window in which two unserialized
    // read-modify-write cycles would overlap.
    proxy.setFaults({ latencyMs: 3 });

    // Act
    const routed = await Promise.all(
      events.map((sample) => invoke('codebuild-project-change', sample))
    );
    const drains = await Promise.all(
      Array.from({ length: DRAINS }, () => drainAll())
    );

    // Assess
    expect(
      routed.every(
        (result) => (result as { outcome: string }).outcome === 'queued'
      )
    ).toBe(true);
    expect(drains.reduce((sum, drain) => sum + drain.deadLettered, 0)).toBe(0);
    expect(await grantedRoles('team/builder')).toEqual(
      names
        .map(
          (name) => `arn:aws:iam::${payments}:role/service-role/${name}-build`
        )
        .sort()
    );
  });

  it('writes at most once when one event is delivered 10 times', async () => {
    // Prepare
    const { event, invoke, drainAll, grantedRoles, roleArn, proxy } = path();
    const sample = await event('codebuild/create-project.json');
    proxy.stats.reset();

    // Act: five deliveries at once, then five more, each drained, since
    // SQS only deduplicates against messages still in the queue.
    await Promise.all(
      Array.from({ length: 5 }, () =>
        invoke('codebuild-project-change', sample)
      )
    );
    const first = await drainAll();
    const later = [];
    for (let delivery = 0; delivery < 5; delivery++) {
      await invoke('codebuild-project-change', sample);
      later.push(await drainAll());
    }

    // Assess
    expect(first.succeeded).toBe(1);
    expect(later.map((drain) => drain.succeeded)).toEqual([1, 1, 1, 1, 1]);
    expect(proxy.stats.count('ecr', 'SetRepositoryPolicy')).toBe(1);
    expect(await grantedRoles('team/builder')).toEqual([
      roleArn('payments', 'payments-build'),
    ]);
  });
});
