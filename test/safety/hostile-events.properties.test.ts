import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  parseConfig,
  parseRepositoryArn,
  type WorkItem,
} from '../../packages/core/src/index.js';
import { MEMBER_ACCESS_ROLE } from '../../packages/emulator/src/index.js';
import { createHandler as projectRouter } from '../../packages/functions/src/codebuild-project-change.js';
import { createHandler as imageRouter } from '../../packages/functions/src/ecr-image-action.js';
import { createHandler as repositoryRouter } from '../../packages/functions/src/ecr-repository-change.js';
import { localContext } from '../../packages/functions/src/local/lambda-context.js';
import { createHandler as organizationRouter } from '../../packages/functions/src/organization-change.js';
import { createHandler as reconcileWorker } from '../../packages/functions/src/reconcile-worker.js';
import type { RouteResult } from '../../packages/functions/src/routing/types.js';
import { createHandler as sweepHandler } from '../../packages/functions/src/sweep.js';
import { type EventPath, useEventPath } from '../support/event-path.js';
import { RecordingTelemetry } from '../support/telemetry.js';
import { reconcilerFor, type SweepWorld } from './sweep-fixture.js';

/** Hostile events generated; each goes to every router. */
const RUNS = 150;
const tally = { events: 0, deliveries: 0, queued: 0, ignored: 0, rejected: 0 };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Where a value sits in an event: keys and array indexes from the top. */
type JsonPath = (string | number)[];

function pathsOf(value: Json, prefix: JsonPath = []): JsonPath[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);

  return entries.flatMap(([key, item]) => [
    [...prefix, key],
    ...pathsOf(item, [...prefix, key]),
  ]);
}

const DELETE = Symbol('delete');

function mutate(event: Json, at: JsonPath, value: Json | typeof DELETE) {
  const parent = at
    .slice(0, -1)
    .reduce<Json>(
      (node, key) => (node as Record<string | number, Json>)[key] ?? null,
      event
    );
  const key = at.at(-1);
  if (parent === null || typeof parent !== 'object' || key === undefined) {
    return;
  }
  if (Array.isArray(parent)) {
    if (value === DELETE) parent.splice(Number(key), 1);
    else parent[Number(key)] = value;
    return;
  }
  if (value === DELETE) delete parent[key];
  else parent[key] = value;
}

const OVERSIZED = 'x'.repeat(300_000);

/** Missing, wrong-typed, oversized and odd values for any field. */
const hostileValue: fc.Arbitrary<Json | typeof DELETE> = fc.oneof(
  { arbitrary: fc.constant(DELETE), weight: 4 },
  { arbitrary: fc.constant(null), weight: 2 },
  { arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean()), weight: 2 },
  { arbitrary: fc.constantFrom<Json>([], {}, [{}], ''), weight: 2 },
  { arbitrary: fc.constant(OVERSIZED), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      '000000000000',
      '123456789012',
      '777777777777',
      'us-east-1',
      'eu-west-1',
      'team/builder',
      'TEAM/Builder',
      '../etc/passwd',
      'arn:aws:ecr:us-east-1:777777777777:repository/team/builder',
      'ou-ab12-11111111'
    ),
    weight: 3,
  },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, weight: 1 }
);

/** Well-formed values that point somewhere else: other accounts, Regions. */
const plausibleValue = fc.constantFrom<Json>(
  '777777777777',
  '123456789012',
  '000000000000',
  'eu-west-1',
  'us-gov-west-1',
  'cn-north-1',
  'team/builder',
  'legacy/tools',
  'no/such-repository',
  'arn:aws:ecr:us-east-1:777777777777:repository/team/builder',
  'arn:aws:ecr:eu-west-1:777777777777:repository/team/builder',
  'DeleteRepository',
  'UntagResource',
  'DELETE',
  'FAILURE',
  'AccessDenied'
);

/** Fields that say which account, Region, repository or change is meant. */
const IDENTITY_FIELDS = new Set<string | number>([
  'account',
  'region',
  'repository-name',
  'action-type',
  'result',
  'resourceArn',
  'repositoryName',
  'registryId',
  'accountId',
  'recipientAccountId',
  'awsRegion',
  'eventName',
  'arn',
  'name',
  'serviceRole',
  'image',
]);

function identityLeaves(event: Json): JsonPath[] {
  return pathsOf(event).filter((at) => {
    if (!IDENTITY_FIELDS.has(at.at(-1) ?? '')) return false;
    const value = at.reduce<Json>(
      (node, key) => (node as Record<string | number, Json>)[key] ?? null,
      event
    );

    return typeof value === 'string';
  });
}

function hostileEvent(bases: Json[]): fc.Arbitrary<unknown> {
  const redirected = fc
    .tuple(
      fc.nat(bases.length - 1),
      fc.array(fc.tuple(fc.nat(), plausibleValue), {
        minLength: 1,
        maxLength: 2,
      })
    )
    .map(([which, substitutions]) => {
      const event = structuredClone(bases[which] ?? null);
      for (const [pick, value] of substitutions) {
        const leaves = identityLeaves(event);
        const at = leaves[pick % Math.max(1, leaves.length)];
        if (at) mutate(event, at, value);
      }

      return event;
    });
  const mutated = fc
    .tuple(
      fc.nat(bases.length - 1),
      fc.array(fc.tuple(fc.nat(), hostileValue), {
        minLength: 1,
        maxLength: 3,
      })
    )
    .map(([which, mutations]) => {
      const event = structuredClone(bases[which] ?? null);
      for (const [pick, value] of mutations) {
        const paths = pathsOf(event);
        const at = paths[pick % Math.max(1, paths.length)];
        if (at) mutate(event, at, value);
      }

      return event;
    });

  return fc.oneof(
    { arbitrary: mutated, weight: 5 },
    { arbitrary: redirected, weight: 5 },
    { arbitrary: fc.constantFrom(...bases), weight: 1 },
    { arbitrary: fc.anything({ maxDepth: 3 }), weight: 1 }
  );
}

async function baseEvents(path: EventPath): Promise<Json[]> {
  const { seeded, registryId } = path;
  const region = seeded.region;
  const envelope = (source: string, detailType: string, account: string) => ({
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': detailType,
    source,
    account,
    time: '2026-12-03T10:00:00Z',
    region,
    resources: [],
  });
  const cloudTrail = (
    eventSource: string,
    eventName: string,
    account: string
  ) => ({
    eventVersion: '1.08',
    eventTime: '2026-12-03T10:00:00Z',
    eventSource,
    eventName,
    awsRegion: region,
    recipientAccountId: account,
    eventID: crypto.randomUUID(),
  });
  const payments = seeded.accounts.payments as string;

  const projectEvents = await Promise.all(
    ['create', 'update', 'delete'].map(
      (change) =>
        path.event(`codebuild/${change}-project.json`) as Promise<Json>
    )
  );
  const others: unknown[] = [
    {
      ...envelope('aws.ecr', 'ECR Image Action', registryId),
      detail: {
        result: 'SUCCESS',
        'repository-name': 'team/builder',
        'image-digest': `sha256:${'a'.repeat(64)}`,
        'action-type': 'PUSH',
        'image-tag': 'latest',
      },
    },
    {
      ...envelope('aws.ecr', 'AWS API Call via CloudTrail', registryId),
      detail: {
        ...cloudTrail('ecr.amazonaws.com', 'TagResource', registryId),
        requestParameters: {
          resourceArn: path.repositoryArn('base/node'),
          tags: [{ key: 'share-with', value: 'org' }],
        },
      },
    },
    {
      ...envelope(
        'aws.organizations',
        'AWS API Call via CloudTrail',
        seeded.managementAccountId
      ),
      detail: {
        ...cloudTrail(
          'organizations.amazonaws.com',
          'MoveAccount',
          seeded.managementAccountId
        ),
        requestParameters: {
          accountId: payments,
          sourceParentId: seeded.organizationalUnits.Builds,
          destinationParentId: seeded.organizationalUnits.Sandbox,
        },
      },
    },
  ];

  return [...projectEvents, ...(others as Json[])];
}

function worldOf(path: EventPath): SweepWorld {
  return {
    seeded: path.seeded,
    registryId: path.registryId,
    config: parseConfig({
      registries: [
        { accountId: path.registryId, regions: [path.seeded.region] },
      ],
      roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
    }),
    repositoryNames: [],
  };
}

function expectSafeItem(item: WorkItem, path: EventPath) {
  if (item.kind === 'refresh-account') {
    expect(item.accountId).toMatch(/^\d{12}$/);
    return;
  }
  const location = parseRepositoryArn(item.repositoryArn);
  expect(location).toMatchObject({
    registryAccountId: path.registryId,
    region: path.seeded.region,
  });
}

describe('Properties: hostile CloudTrail and ECR events at every router', () => {
  const path = useEventPath();

  afterAll(() => {
    process.stdout.write(
      `[safety/hostile-events] events generated: ${tally.events}, router ` +
        `deliveries: ${tally.deliveries} (queued ${tally.queued}, ignored ` +
        `${tally.ignored}, rejected ${tally.rejected})\n`
    );
  });

  it('answers every event, queues only managed work, and leaves the policies a sweep would write', async () => {
    // Prepare: the event path converged by a sweep and its drained work.
    const telemetry = new RecordingTelemetry();
    const worker = reconcileWorker({ telemetry });
    const { seeded } = path();
    await sweepHandler({ telemetry })(
      {
        version: '0',
        id: crypto.randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: seeded.managementAccountId,
        time: '2026-12-03T09:00:00Z',
        region: seeded.region,
        resources: [],
        detail: {},
      },
      localContext('sweep')
    );
    await path().drain(worker);
    await path().drain(worker);
    const reconciler = reconcilerFor(worldOf(path()), path().proxy.endpoint);
    const settled = await reconciler.reconcile({ mode: 'plan' });
    expect(
      settled.repositories.filter((plan) => plan.write !== 'none')
    ).toEqual([]);
    const routers = [
      projectRouter({ telemetry }),
      imageRouter({ telemetry }),
      repositoryRouter({ telemetry }),
      organizationRouter({ telemetry }),
    ];
    const context = localContext('hostile');
    const bases = await baseEvents(path());

    // Act
    await fc.assert(
      fc.asyncProperty(hostileEvent(bases), async (event) => {
        tally.events++;
        for (const router of routers) {
          tally.deliveries++;
          const result: RouteResult = await router(event, context);

          expect(['queued', 'ignored', 'rejected']).toContain(result.outcome);
          tally[result.outcome]++;
          if (result.outcome !== 'queued') expect(result.items).toEqual([]);
          for (const item of result.items) expectSafeItem(item, path());
        }
      }),
      { numRuns: RUNS }
    );
    const drained = await path().drain(worker);

    // Assess: what the storm of hints left is what a sweep would write.
    expect(drained.deadLettered).toBe(0);
    const after = await reconciler.reconcile({ mode: 'plan' });
    expect(after.errors).toEqual([]);
    expect(after.repositories.filter((plan) => plan.write !== 'none')).toEqual(
      []
    );
    expect(tally.queued).toBeGreaterThan(0);
    expect(tally.rejected).toBeGreaterThan(0);
  }, 180_000);
});
