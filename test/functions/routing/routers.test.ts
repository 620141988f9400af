import { describe, expect, it } from 'vitest';
import type { WorkQueueGateway } from '../../../packages/aws/src/work-queue.js';
import {
  parseConfig,
  type WorkItem,
} from '../../../packages/core/src/index.js';
import {
  imageActionSchema,
  organizationChangeSchema,
  projectChangeSchema,
} from '../../../packages/functions/src/events/schemas.js';
import { routeOrganizationChange } from '../../../packages/functions/src/routing/organization-change.js';
import { routeProjectChange } from '../../../packages/functions/src/routing/project-change.js';
import { routeImageAction } from '../../../packages/functions/src/routing/repository-change.js';
import { REGION, REGISTRY } from '../../support/domain.js';
import { RecordingTelemetry } from '../../support/telemetry.js';

const config = parseConfig({
  registries: [{ accountId: REGISTRY, regions: [REGION] }],
});

class MemoryQueue implements WorkQueueGateway {
  readonly sent: { items: readonly WorkItem[]; causeId: string }[] = [];

  async send(items: readonly WorkItem[], causeId: string) {
    this.sent.push({ items, causeId });
  }
}

function envelope(detail: unknown, extra: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: 'event-1',
    account: REGISTRY,
    region: REGION,
    time: '2026-11-20T10:00:00Z',
    resources: [],
    detail,
    ...extra,
  };
}

describe('Routers: decisions without AWS calls', () => {
  it('ignores pushes to a repository outside the configured registries', async () => {
    // Prepare
    const queue = new MemoryQueue();
    const telemetry = new RecordingTelemetry();
    const event = imageActionSchema.parse(
      envelope(
        {
          'action-type': 'PUSH',
          result: 'SUCCESS',
          'repository-name': 'team/builder',
        },
        {
          account: '999988887777',
          source: 'aws.ecr',
          'detail-type': 'ECR Image Action',
        }
      )
    );

    // Act
    const result = await routeImageAction(event, {
      config,
      telemetry,
      workQueue: queue,
    });

    // Assess
    expect(result.outcome).toBe('ignored');
    expect(queue.sent).toEqual([]);
    expect(telemetry.total('Events', { outcome: 'ignored' })).toBe(1);
  });

  it('queues a managed repository with the event id as the cause', async () => {
    // Prepare
    const queue = new MemoryQueue();
    const event = imageActionSchema.parse(
      envelope(
        {
          'action-type': 'PUSH',
          result: 'SUCCESS',
          'repository-name': 'team/builder',
        },
        { source: 'aws.ecr', 'detail-type': 'ECR Image Action' }
      )
    );

    // Act
    await routeImageAction(event, {
      config,
      telemetry: new RecordingTelemetry(),
      workQueue: queue,
      now: () => 42,
    });

    // Assess
    expect(queue.sent).toEqual([
      {
        causeId: 'event-1',
        items: [
          {
            kind: 'reconcile-repository',
            repositoryArn: `arn:aws:ecr:${REGION}:${REGISTRY}:repository/team/builder`,
            reason: 'ECR PUSH',
            observedAt: 42,
          },
        ],
      },
    ]);
  });

  it('ignores a failed CodeBuild call without reading the project', async () => {
    // Prepare
    const queue = new MemoryQueue();
    let reads = 0;
    const event = projectChangeSchema.parse(
      envelope(
        {
          eventSource: 'codebuild.amazonaws.com',
          eventName: 'DeleteProject',
          errorCode: 'ResourceNotFoundException',
          requestParameters: { name: 'api' },
        },
        {
          source: 'aws.codebuild',
          'detail-type': 'AWS API Call via CloudTrail',
        }
      )
    );

    // Act
    const result = await routeProjectChange(event, {
      config,
      telemetry: new RecordingTelemetry(),
      workQueue: queue,
      codebuild: {
        getBuildProjects: async () => {
          reads++;
          return { found: [], notFound: [] };
        },
      },
      projectIndex: undefined as never,
    });

    // Assess
    expect(result).toMatchObject({ outcome: 'ignored' });
    expect(reads).toBe(0);
    expect(queue.sent).toEqual([]);
  });

  it('ignores an account creation that failed', async () => {
    // Prepare
    const queue = new MemoryQueue();
    const event = organizationChangeSchema.parse(
      envelope(
        {
          eventSource: 'organizations.amazonaws.com',
          eventName: 'CreateAccountResult',
          serviceEventDetails: {
            createAccountStatus: { state: 'FAILED' },
          },
        },
        {
          source: 'aws.organizations',
          'detail-type': 'AWS Service Event via CloudTrail',
        }
      )
    );

    // Act
    const result = await routeOrganizationChange(event, {
      config,
      telemetry: new RecordingTelemetry(),
      workQueue: queue,
      projectIndex: { projectsOfAccount: async () => [] },
    });

    // Assess
    expect(result).toMatchObject({
      outcome: 'ignored',
      reason: 'account creation ended as FAILED',
    });
    expect(queue.sent).toEqual([]);
  });
});
