import { ECRClient, GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach } from 'vitest';
import { ensureProjectIndexTable } from '../../packages/aws/src/project-index.js';
import {
  createWorkQueueReader,
  ensureWorkQueue,
  type WorkQueueReader,
} from '../../packages/aws/src/work-queue.js';
import { CONFIG_ENVIRONMENT_VARIABLE } from '../../packages/core/src/index.js';
import {
  MEMBER_ACCESS_ROLE,
  SAMPLE_ORGANIZATION,
  type SeededOrganization,
  seedOrganization,
} from '../../packages/emulator/src/index.js';
import {
  type DrainSummary,
  drainWorkQueue,
} from '../../packages/functions/src/local/drain.js';
import { readEventFile } from '../../packages/functions/src/local/event-files.js';
import {
  type AnyHandler,
  createLocalHandler,
  type HandlerName,
} from '../../packages/functions/src/local/handlers.js';
import { localContext } from '../../packages/functions/src/local/lambda-context.js';
import { useMotoServer } from './emulator.js';
import { type RealismProxy, startRealismProxy } from './realism/index.js';
import { RecordingTelemetry } from './telemetry.js';

export const TABLE_NAME = 'ProjectIndex';
export const QUEUE_NAME = 'WorkQueue.fifo';

const VARIABLES = [
  CONFIG_ENVIRONMENT_VARIABLE,
  'AWS_REGION',
  'AWS_ENDPOINT_URL',
  'PROJECT_INDEX_TABLE',
  'WORK_QUEUE_URL',
  'POWERTOOLS_METRICS_DISABLED',
  'POWERTOOLS_LOG_LEVEL',
];

export interface EventPath {
  seeded: SeededOrganization;
  proxy: RealismProxy;
  registryId: string;
  reader: WorkQueueReader;
  queueUrl: string;
  /** A sample event of `events/`, placeholders replaced. */
  event(path: string): Promise<unknown>;
  /** The repository's ARN in the sample registry. */
  repositoryArn(name: string): string;
  /** Runs the worker on the queue until it is empty. */
  drain(
    worker: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>
  ): Promise<DrainSummary>;
  /** The roles the managed statement grants, sorted; [] without one. */
  grantedRoles(repository: string): Promise<string[]>;
  roleArn(account: string, role: string): string;
  telemetry: RecordingTelemetry;
  /** Runs one handler on an event, as Lambda would. */
  invoke(name: HandlerName, event: unknown): Promise<unknown>;
  /** Runs a handler on a sample event of `events/`, then the worker. */
  deliver(name: HandlerName, file: string): Promise<unknown>;
  /** Sweeps and drains: indexes every project, reconciles everything. */
  sweep(): Promise<DrainSummary>;
  /** Drains with the worker built on the shared telemetry. */
  drainAll(): Promise<DrainSummary>;
  ecr: ECRClient;
}

/**
 * The event path against the emulator: moto behind the realism proxy, the
 * sample Organization, the project index table and the FIFO work queue,
 * and the handlers' variables pointing there. Fresh for every test.
 */
export function useEventPath(): () => EventPath {
  const server = useMotoServer();
  let path: EventPath | undefined;
  const saved = new Map<string, string | undefined>();

  beforeEach(async () => {
    const { endpoint } = server();
    const proxy = await startRealismProxy({ target: endpoint });
    const seeded = await seedOrganization(endpoint, SAMPLE_ORGANIZATION);
    const region = seeded.region;
    const registryId = seeded.accounts.registry as string;
    await ensureProjectIndexTable({
      region,
      endpoint: proxy.endpoint,
      tableName: TABLE_NAME,
    });
    const queueUrl = await ensureWorkQueue({
      region,
      endpoint: proxy.endpoint,
      queueName: QUEUE_NAME,
    });
    const config = {
      registries: [{ accountId: registryId, regions: [region] }],
      roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
    };
    for (const name of VARIABLES) saved.set(name, process.env[name]);
    Object.assign(process.env, {
      [CONFIG_ENVIRONMENT_VARIABLE]: JSON.stringify(config),
      AWS_REGION: region,
      AWS_ENDPOINT_URL: proxy.endpoint,
      PROJECT_INDEX_TABLE: TABLE_NAME,
      WORK_QUEUE_URL: queueUrl,
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const reader = createWorkQueueReader({
      region,
      endpoint: proxy.endpoint,
      queueUrl,
    });
    const ecr = new ECRClient(seeded.clientConfig(registryId));
    const telemetry = new RecordingTelemetry();
    const handlers = new Map<HandlerName, AnyHandler>();
    const invoke = (name: HandlerName, event: unknown) => {
      let handler = handlers.get(name);
      if (!handler) {
        handler = createLocalHandler(name, { telemetry });
        handlers.set(name, handler);
      }

      return handler(event, localContext(name));
    };
    const drainAll = () =>
      drainWorkQueue({
        reader,
        worker: (event) =>
          invoke('reconcile-worker', event) as Promise<SQSBatchResponse>,
        region,
        queueArn: `arn:aws:sqs:${region}:123456789012:${QUEUE_NAME}`,
      });

    path = {
      seeded,
      proxy,
      registryId,
      reader,
      queueUrl,
      event: (file) => readEventFile(`events/${file}`, seeded.resolve),
      repositoryArn: (name) =>
        `arn:aws:ecr:${region}:${registryId}:repository/${name}`,
      drain: (worker) =>
        drainWorkQueue({
          reader,
          worker,
          region,
          queueArn: `arn:aws:sqs:${region}:123456789012:${QUEUE_NAME}`,
        }),
      async grantedRoles(repository) {
        let policyText: string | undefined;
        try {
          ({ policyText } = await ecr.send(
            new GetRepositoryPolicyCommand({ repositoryName: repository })
          ));
        } catch (error) {
          if ((error as Error).name === 'RepositoryPolicyNotFoundException') {
            return [];
          }
          throw error;
        }
        const policy = JSON.parse(policyText ?? '{}') as {
          Statement?: {
            Sid?: string;
            Condition?: { ArnLike?: { 'aws:PrincipalArn'?: string[] } };
          }[];
        };
        const managed = policy.Statement?.find(
          (statement) => statement.Sid === 'EcrPullReconciler'
        );
        const roles = managed?.Condition?.ArnLike?.['aws:PrincipalArn'] ?? [];

        return [...(Array.isArray(roles) ? roles : [roles])].sort();
      },
      roleArn: (account, role) =>
        `arn:aws:iam::${seeded.accounts[account]}:role/service-role/${role}`,
      telemetry,
      invoke,
      async deliver(name, file) {
        const result = await invoke(
          name,
          await readEventFile(`events/${file}`, seeded.resolve)
        );
        await drainAll();

        return result;
      },
      async sweep() {
        await invoke(
          'sweep',
          await readEventFile('events/sweep/scheduled.json', seeded.resolve)
        );

        return drainAll();
      },
      drainAll,
      ecr,
    };
  });

  afterEach(async () => {
    await path?.proxy.stop();
    path = undefined;
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  return () => {
    if (!path) throw new Error('event path not set up yet');

    return path;
  };
}

export { localContext };
