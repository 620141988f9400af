import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SQSBatchResponse } from 'aws-lambda';
import {
  createAwsGateways,
  EMULATOR_CREDENTIALS,
} from '../../../aws/src/index.js';
import { readOrgTree } from '../../../aws/src/organizations.js';
import { ensureProjectIndexTable } from '../../../aws/src/project-index.js';
import {
  createWorkQueueReader,
  ensureWorkQueue,
} from '../../../aws/src/work-queue.js';
import {
  CONFIG_ENVIRONMENT_VARIABLE,
  type OrgTree,
  parseConfig,
  parseRepositoryArn,
  type ReconcilerConfig,
  type WorkItem,
} from '../../../core/src/index.js';
import {
  MANAGEMENT_ACCOUNT_ID,
  MEMBER_ACCESS_ROLE,
  type MotoServer,
  resolvePlaceholders,
  SAMPLE_ORGANIZATION,
  SAMPLE_REGION,
  seedOrganization,
  startMotoServer,
} from '../../../emulator/src/index.js';
import {
  type DrainSummary,
  drainWorkQueue,
} from '../../../functions/src/local/drain.js';
import { readEventFile } from '../../../functions/src/local/event-files.js';
import {
  createLocalHandler,
  HANDLER_NAMES,
  isHandlerName,
} from '../../../functions/src/local/handlers.js';
import { localContext } from '../../../functions/src/local/lambda-context.js';
import type {
  MetricName,
  Telemetry,
} from '../../../functions/src/routing/types.js';
import { type CliArguments, UsageError } from '../arguments.js';
import { loadConfigFile } from '../load-config.js';
import type { Output } from '../runtime.js';

/** Names the emulator's table and queue get, as the stack would. */
export const LOCAL_TABLE = 'ecr-pull-reconciler-ProjectIndex';
export const LOCAL_QUEUE = 'ecr-pull-reconciler-WorkQueue.fifo';

/** What a local run of the event path needs, set up once. */
export interface LocalEventPath {
  endpoint: string;
  region: string;
  config: ReconcilerConfig;
  /** Replaces `{account:NAME}`, `{ou:PATH}`, `{root}` and the like. */
  resolve: (text: string) => string;
  queueUrl: string;
}

interface Grant {
  change: '+' | '-';
  repositoryArn: string;
  roleArn: string;
}

/** Telemetry for a person: audit lines on stderr when asked, sums kept. */
export class LocalTelemetry implements Telemetry {
  readonly grants: Grant[] = [];
  readonly totals = new Map<string, number>();
  readonly logger;

  constructor(output: Output, verbose: boolean) {
    const write =
      (level: string) =>
      (message: string, attributes: Record<string, unknown> = {}) => {
        const { repositoryArn, roleArn } = attributes;
        if (typeof repositoryArn === 'string' && typeof roleArn === 'string') {
          if (message === 'Grant added' || message === 'Grant removed') {
            const change = message === 'Grant added' ? '+' : '-';
            this.grants.push({ change, repositoryArn, roleArn });
          }
        }
        if (verbose) {
          output.err(JSON.stringify({ level, message, ...attributes }));
        }
      };
    this.logger = {
      info: write('INFO'),
      warn: write('WARN'),
      error: write('ERROR'),
    };
  }

  count(metric: MetricName, value = 1, dimensions = {}) {
    const key = [metric, ...Object.values(dimensions)].join(' ');
    this.totals.set(key, (this.totals.get(key) ?? 0) + value);
  }
}

function placeholdersOf(tree: OrgTree, region: string) {
  const units = tree.organizationalUnits;
  const pathOf = (id: string): string => {
    const unit = units.get(id);
    if (!unit) return '';
    const parent = pathOf(unit.parentId);

    return parent ? `${parent}/${unit.name ?? id}` : (unit.name ?? id);
  };
  const accounts: Record<string, string> = {
    management: tree.managementAccountId,
  };
  for (const account of tree.accounts.values()) {
    if (account.name) accounts[account.name] = account.id;
  }

  return {
    organizationId: tree.organizationId,
    rootId: tree.rootId,
    region,
    organizationalUnits: Object.fromEntries(
      [...units.keys()].map((id) => [pathOf(id), id])
    ),
    accounts,
  };
}

/**
 * Without `--config` the registry is the account named `registry` (the
 * sample Organization's), else the management account, and accounts are
 * entered through the emulator's member access role.
 */
function emulatorConfig(tree: OrgTree, region: string): ReconcilerConfig {
  const registry =
    [...tree.accounts.values()].find((account) => account.name === 'registry')
      ?.id ?? tree.managementAccountId;

  return parseConfig({
    registries: [{ accountId: registry, regions: [region] }],
    roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
  });
}

/**
 * Points the handlers at an emulator: creates (or reuses) the table and
 * the FIFO queue, and sets the variables the stack would set.
 */
export async function prepareLocalEventPath(options: {
  endpoint: string;
  region: string;
  config?: ReconcilerConfig;
}): Promise<LocalEventPath> {
  const { endpoint, region } = options;
  const organizations = new OrganizationsClient({
    endpoint,
    region,
    credentials: EMULATOR_CREDENTIALS,
  });
  const tree = await readOrgTree(organizations);
  const config = options.config ?? emulatorConfig(tree, region);
  await ensureProjectIndexTable({ endpoint, region, tableName: LOCAL_TABLE });
  const queueUrl = await ensureWorkQueue({
    endpoint,
    region,
    queueName: LOCAL_QUEUE,
  });
  Object.assign(process.env, {
    [CONFIG_ENVIRONMENT_VARIABLE]: JSON.stringify(config),
    AWS_REGION: region,
    AWS_ENDPOINT_URL: endpoint,
    PROJECT_INDEX_TABLE: LOCAL_TABLE,
    WORK_QUEUE_URL: queueUrl,
  });
  const ids = placeholdersOf(tree, region);

  return {
    endpoint,
    region,
    config,
    queueUrl,
    resolve: (text) => resolvePlaceholders(text, ids),
  };
}

/** Runs the worker locally until the work queue is empty. */
export function drainLocally(
  path: LocalEventPath,
  telemetry: Telemetry
): Promise<DrainSummary> {
  const worker = createLocalHandler('reconcile-worker', { telemetry });

  return drainWorkQueue({
    reader: createWorkQueueReader({
      endpoint: path.endpoint,
      region: path.region,
      queueUrl: path.queueUrl,
    }),
    worker: (event, context) =>
      worker(event, context) as Promise<SQSBatchResponse>,
    region: path.region,
    queueArn: `arn:aws:sqs:${path.region}:${MANAGEMENT_ACCOUNT_ID}:${LOCAL_QUEUE}`,
  });
}

/** A repository's policy as stored now, for printing; null without one. */
export async function storedPolicy(
  path: LocalEventPath,
  repositoryArn: string
): Promise<unknown> {
  const location = parseRepositoryArn(repositoryArn);
  if (!location) return null;
  const gateways = createAwsGateways({
    region: path.region,
    endpoint: path.endpoint,
    memberRoleName: path.config.roles.member,
    registryRoleName: path.config.roles.registry,
  });
  const snapshot = await gateways.ecr.readRepository(location);

  return snapshot?.policyText ? JSON.parse(snapshot.policyText) : null;
}

function repositoriesOf(result: unknown): string[] {
  const items = (result as { items?: WorkItem[] } | null)?.items ?? [];

  return items.flatMap((item) =>
    item.kind === 'reconcile-repository' ? [item.repositoryArn] : []
  );
}

function shortName(repositoryArn: string): string {
  return repositoryArn.split(':repository/')[1] ?? repositoryArn;
}

/**
 * `invoke <handler> --event <file> [--drain]`: runs one Lambda handler
 * here, against `--endpoint`, or else a fresh emulator seeded with the
 * sample Organization, which it stops afterwards.
 */
export async function runInvoke(
  args: CliArguments,
  output: Output
): Promise<number> {
  const name = args.handler ?? '';
  if (!isHandlerName(name)) {
    throw new UsageError(
      `Unknown handler "${name}". Handlers: ${HANDLER_NAMES.join(', ')}.`
    );
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const region = args.region ?? process.env.AWS_REGION ?? SAMPLE_REGION;
  const config = args.config ? await loadConfigFile(args.config) : undefined;
  let server: MotoServer | undefined;
  let endpoint = args.endpoint;
  try {
    if (!endpoint) {
      server = await startMotoServer({ log: output.err });
      endpoint = server.endpoint;
      const seeded = await seedOrganization(endpoint, SAMPLE_ORGANIZATION);
      output.err(
        `Emulator at ${endpoint}, sample Organization ${seeded.organizationId} seeded.`
      );
    }
    const path = await prepareLocalEventPath({ endpoint, region, config });
    const event = await readEventFile(args.event ?? '', path.resolve);
    const telemetry = new LocalTelemetry(output, args.verbose);
    const handler = createLocalHandler(name, { telemetry });

    let result: unknown;
    let failed = false;
    try {
      result = await handler(event, localContext(name));
    } catch (error) {
      failed = true;
      result = {
        errorType: (error as Error).name,
        errorMessage: (error as Error).message,
      };
    }
    const drain = args.drain ? await drainLocally(path, telemetry) : undefined;
    const repositories = repositoriesOf(result);
    const policies = Object.fromEntries(
      await Promise.all(
        [...new Set(repositories)].map(
          async (arn) => [arn, await storedPolicy(path, arn)] as const
        )
      )
    );

    if (args.json) {
      output.out(
        JSON.stringify(
          { handler: name, result, drain, grants: telemetry.grants, policies },
          null,
          2
        )
      );
    } else {
      output.out(`${name}: ${JSON.stringify(result, null, 2)}`);
      if (drain) {
        output.out(
          `drained: ${drain.batches} batches, ${drain.succeeded} items done, ` +
            `${drain.retried} retried, ${drain.deadLettered} dead-lettered`
        );
      }
      for (const grant of telemetry.grants) {
        output.out(
          `  ${grant.change} ${grant.roleArn} on ${shortName(grant.repositoryArn)}`
        );
      }
      for (const [arn, policy] of Object.entries(policies)) {
        output.out(
          `policy of ${shortName(arn)}: ${JSON.stringify(policy, null, 2)}`
        );
      }
    }

    const rejected = (result as { outcome?: string } | null)?.outcome;
    const deadLettered = drain ? drain.deadLettered > 0 : false;

    return failed || rejected === 'rejected' || deadLettered ? 1 : 0;
  } finally {
    await server?.stop();
  }
}
