import { randomUUID } from 'node:crypto';
import {
  CodeBuildClient,
  CreateProjectCommand,
} from '@aws-sdk/client-codebuild';
import { ECRClient, GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createAwsGateways } from '../packages/aws/src/index.js';
import { ensureProjectIndexTable } from '../packages/aws/src/project-index.js';
import {
  createWorkQueueReader,
  ensureWorkQueue,
} from '../packages/aws/src/work-queue.js';
import { CONFIG_ENVIRONMENT_VARIABLE } from '../packages/core/src/index.js';
import {
  CODEBUILD_TRUST_POLICY,
  MEMBER_ACCESS_ROLE,
  type SeededOrganization,
} from '../packages/emulator/src/index.js';
import { drainWorkQueue } from '../packages/functions/src/local/drain.js';
import { readEventFile } from '../packages/functions/src/local/event-files.js';
import { localContext } from '../packages/functions/src/local/lambda-context.js';
import type { RealismProxy } from '../test/support/realism/index.js';
import { percentile, round } from './statistics.js';
import { flattenCalls, writesOf } from './sweeps.js';
import {
  BENCH_REGION,
  REGISTRY_ACCOUNT,
  type SyntheticOrganization,
} from './synthetic-organization.js';

export interface Percentiles {
  p50: number;
  p95: number;
}

export interface EventPathFigures {
  events: number;
  /** Calls the router and the worker made, by `service:Operation`. */
  calls: { total: number; byOperation: Record<string, number> };
  callsPerEvent: number;
  /** Calls of the project-change router alone, per event. */
  routerCallsPerEvent: number;
  writes: number;
  writesPerEvent: number;
  /** Repositories the events' projects pull from; each needs one write. */
  repositoriesTouched: number;
  /** Project-change handler time per event. */
  handlerMs: Percentiles;
  /** Reconcile worker time per batch of up to 10 messages. */
  workerBatchMs: Percentiles & { batches: number };
  /** New build roles found granted in their repository's policy. */
  granted: number;
  deadLettered: number;
}

export interface EventPathRig {
  organization: SyntheticOrganization;
  seeded: SeededOrganization;
  proxy: RealismProxy;
  latencyMs: number;
}

const TABLE_NAME = 'BenchProjectIndex';
const QUEUE_NAME = 'BenchWork.fifo';

interface NewProject {
  account: string;
  accountId: string;
  name: string;
  roleArn: string;
  repository: string;
}

/** Points the handlers at the emulator, as the stack's variables would. */
async function handlerEnvironment(rig: EventPathRig) {
  const endpoint = rig.proxy.endpoint;
  const registryId = rig.seeded.accounts[REGISTRY_ACCOUNT] as string;
  await ensureProjectIndexTable({
    region: BENCH_REGION,
    endpoint,
    tableName: TABLE_NAME,
  });
  const queueUrl = await ensureWorkQueue({
    region: BENCH_REGION,
    endpoint,
    queueName: QUEUE_NAME,
  });
  Object.assign(process.env, {
    [CONFIG_ENVIRONMENT_VARIABLE]: JSON.stringify({
      registries: [{ accountId: registryId, regions: [BENCH_REGION] }],
      roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
    }),
    AWS_REGION: BENCH_REGION,
    AWS_ENDPOINT_URL: endpoint,
    PROJECT_INDEX_TABLE: TABLE_NAME,
    WORK_QUEUE_URL: queueUrl,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_TRACE_ENABLED: 'false',
  });

  return queueUrl;
}

/**
 * Creates `count` projects, each with its own new build role, pulling
 * from repositories shared with the whole Organization: every event
 * then has one grant to add.
 */
async function createProjects(
  rig: EventPathRig,
  count: number
): Promise<NewProject[]> {
  const { organization, seeded } = rig;
  const shared = organization.repositories.filter(
    (repository) => repository.audience.kind === 'org'
  );
  const members = [...organization.accountParents.keys()].filter(
    (name) => name !== REGISTRY_ACCOUNT
  );
  const builders = members.length > 0 ? members : [REGISTRY_ACCOUNT];
  const registryId = seeded.accounts[REGISTRY_ACCOUNT] as string;
  const projects = Array.from({ length: count }, (_, index) => {
    const account = builders[index % builders.length] as string;
    const accountId = seeded.accounts[account] as string;
    const name = `event-${String(index).padStart(3, '0')}`;

    return {
      account,
      accountId,
      name,
      roleArn: `arn:aws:iam::${accountId}:role/service-role/${name}-role`,
      repository: shared[index % shared.length]?.name ?? '',
    };
  });
  const queue = [...projects];
  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const config = seeded.clientConfig(next.accountId);
      await new IAMClient(config).send(
        new CreateRoleCommand({
          RoleName: `${next.name}-role`,
          Path: '/service-role/',
          AssumeRolePolicyDocument: CODEBUILD_TRUST_POLICY,
        })
      );
      await new CodeBuildClient(config).send(
        new CreateProjectCommand({
          name: next.name,
          source: { type: 'NO_SOURCE', location: 'none', buildspec: 'x' },
          artifacts: { type: 'NO_ARTIFACTS' },
          environment: {
            type: 'LINUX_CONTAINER',
            computeType: 'BUILD_GENERAL1_SMALL',
            image:
              `${registryId}.dkr.ecr.${BENCH_REGION}.amazonaws.com/` +
              `${next.repository}:latest`,
            imagePullCredentialsType: 'SERVICE_ROLE',
          },
          serviceRole: next.roleArn,
          tags: [{ key: 'ecr-pull', value: 'auto' }],
        })
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));

  return projects;
}

interface CreateProjectEvent {
  id: string;
  detail: {
    eventID: string;
    responseElements: {
      project: {
        name: string;
        arn: string;
        serviceRole: string;
        environment: { image: string };
      };
    };
  };
}

/** The sample CreateProject event of `events/`, for one new project. */
async function createProjectEvent(
  rig: EventPathRig,
  project: NewProject
): Promise<CreateProjectEvent> {
  const registryId = rig.seeded.accounts[REGISTRY_ACCOUNT] as string;
  const event = (await readEventFile(
    'events/codebuild/create-project.json',
    (text) =>
      text
        .replaceAll('{account:payments}', project.accountId)
        .replaceAll('{account:registry}', registryId)
        .replaceAll('{region}', BENCH_REGION)
  )) as CreateProjectEvent;
  event.id = randomUUID();
  event.detail.eventID = randomUUID();
  const created = event.detail.responseElements.project;
  created.name = project.name;
  created.arn =
    `arn:aws:codebuild:${BENCH_REGION}:${project.accountId}:project/` +
    project.name;
  created.serviceRole = project.roleArn;
  created.environment.image =
    `${registryId}.dkr.ecr.${BENCH_REGION}.amazonaws.com/` +
    `${project.repository}:latest`;

  return event;
}

/**
 * Fills the project index as the worker's account refreshes would, one
 * account at a time in parallel lanes, straight rather than through the
 * queue: through the queue each refresh also queues a reconcile of every
 * repository it touches, minutes of setup at the default size.
 */
async function indexEveryProject(rig: EventPathRig): Promise<void> {
  const { readEnvironment } = await import(
    '../packages/functions/src/runtime/environment.js'
  );
  const { projectIndexOf } = await import(
    '../packages/functions/src/runtime/central.js'
  );
  const { reindexAccount } = await import(
    '../packages/functions/src/routing/indexing.js'
  );
  const environment = readEnvironment(process.env);
  const index = projectIndexOf(environment);
  const gateways = createAwsGateways({
    region: BENCH_REGION,
    endpoint: rig.proxy.endpoint,
    memberRoleName: MEMBER_ACCESS_ROLE,
    registryRoleName: MEMBER_ACCESS_ROLE,
  });
  const accounts = Object.values(rig.seeded.accounts);
  const lane = async () => {
    for (let next = accounts.shift(); next; next = accounts.shift()) {
      const projects = await gateways.codebuild.listBuildProjects({
        accountId: next,
        region: BENCH_REGION,
      });
      await reindexAccount(
        index,
        next,
        BENCH_REGION,
        projects,
        environment.config
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
}

/** Build roles the managed statement of a repository names. */
async function grantedRoles(
  ecr: ECRClient,
  repository: string
): Promise<string[]> {
  try {
    const { policyText } = await ecr.send(
      new GetRepositoryPolicyCommand({ repositoryName: repository })
    );

    return policyText?.match(/arn:aws:iam::\d{12}:role\/[^"]+/g) ?? [];
  } catch {
    return [];
  }
}

/**
 * The event path: the project index is filled (not measured), then
 * `count` CreateProject events go through the project-change handler one
 * by one, and the reconcile worker drains the
 * queue the way Lambda's SQS event source would. The source's own
 * receive and delete calls go straight to moto and are not counted.
 */
export async function runEventPath(
  rig: EventPathRig,
  count: number,
  log: (line: string) => void
): Promise<EventPathFigures> {
  rig.proxy.setFaults({ latencyMs: 0 });
  const queueUrl = await handlerEnvironment(rig);
  const reader = createWorkQueueReader({
    region: BENCH_REGION,
    endpoint: rig.seeded.endpoint,
    queueUrl,
  });
  const queueArn = `arn:aws:sqs:${BENCH_REGION}:123456789012:${QUEUE_NAME}`;
  // Imported once the variables are set: Powertools reads them at import.
  const { createHandler: projectChangeHandler } = await import(
    '../packages/functions/src/codebuild-project-change.js'
  );
  const { createHandler: reconcileWorkerHandler } = await import(
    '../packages/functions/src/reconcile-worker.js'
  );
  const router = projectChangeHandler();
  const worker = reconcileWorkerHandler() as (
    event: SQSEvent,
    context: ReturnType<typeof localContext>
  ) => Promise<SQSBatchResponse>;

  log('event path: indexing every project (not measured) ...');
  await indexEveryProject(rig);
  const projects = await createProjects(rig, count);
  const events = await Promise.all(
    projects.map((project) => createProjectEvent(rig, project))
  );

  log(`event path: ${count} CreateProject events ...`);
  rig.proxy.stats.reset();
  rig.proxy.setFaults({ latencyMs: rig.latencyMs });
  const handlerMs: number[] = [];
  for (const event of events) {
    const started = performance.now();
    await router(event, localContext('codebuild-project-change'));
    handlerMs.push(performance.now() - started);
  }
  const routerCalls = rig.proxy.stats.total;
  const batchMs: number[] = [];
  const drained = await drainWorkQueue({
    reader,
    worker: async (event, context) => {
      const started = performance.now();
      try {
        return await worker(event, context);
      } finally {
        batchMs.push(performance.now() - started);
      }
    },
    region: BENCH_REGION,
    queueArn,
  });
  rig.proxy.setFaults({ latencyMs: 0 });
  const byOperation = flattenCalls(rig.proxy.stats.calls);
  const total = rig.proxy.stats.total;

  const registryId = rig.seeded.accounts[REGISTRY_ACCOUNT] as string;
  const ecr = new ECRClient(rig.seeded.clientConfig(registryId));
  let granted = 0;
  for (const project of projects) {
    const roles = await grantedRoles(ecr, project.repository);
    if (roles.includes(project.roleArn)) granted++;
  }
  ecr.destroy();
  const writes = writesOf(byOperation);
  const quantiles = (samples: number[]) => ({
    p50: round(percentile(samples, 50), 1),
    p95: round(percentile(samples, 95), 1),
  });

  return {
    events: count,
    calls: { total, byOperation },
    callsPerEvent: round(total / count, 2),
    routerCallsPerEvent: round(routerCalls / count, 2),
    writes,
    writesPerEvent: round(writes / count, 2),
    repositoriesTouched: new Set(projects.map(({ repository }) => repository))
      .size,
    handlerMs: quantiles(handlerMs),
    workerBatchMs: { ...quantiles(batchMs), batches: batchMs.length },
    granted,
    deadLettered: drained.deadLettered,
  };
}
