import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  type App,
  Queue,
  Function as SstFunction,
  type Stack,
  type StackContext,
} from 'sst/constructs';
import { PROJECT_INDEX } from '../packages/aws/src/project-index.js';
import { CONFIG_ENVIRONMENT_VARIABLE } from '../packages/core/src/config/config.js';
import { ConfigurationError } from '../packages/core/src/errors.js';
import {
  APP_NAME,
  type CentralFunction,
  centralEventBusName,
  centralRoleName,
} from './central-roles.js';
import {
  type DeploymentConfig,
  isProductionStage,
  runtimeConfigText,
} from './config.js';
import { FORWARDED_PATTERNS } from './forwarding.js';

export { APP_NAME };

/** Names of the variables every handler reads besides the configuration. */
export const PROJECT_INDEX_TABLE_VARIABLE = 'PROJECT_INDEX_TABLE';
export const WORK_QUEUE_URL_VARIABLE = 'WORK_QUEUE_URL';

/** Project index key attributes and its two lookup indexes. */
export { PROJECT_INDEX };

/** Handler entry files, one per trigger, each exporting `handler`. */
export const HANDLERS = {
  ecrImageAction: 'packages/functions/src/ecr-image-action.handler',
  ecrRepositoryChange: 'packages/functions/src/ecr-repository-change.handler',
  codebuildProjectChange:
    'packages/functions/src/codebuild-project-change.handler',
  organizationChange: 'packages/functions/src/organization-change.handler',
  reconcileWorker: 'packages/functions/src/reconcile-worker.handler',
  sweep: 'packages/functions/src/sweep.handler',
  manualReconcile: 'packages/functions/src/manual-reconcile.handler',
} as const;

const WORKER_TIMEOUT = Duration.minutes(5);

/**
 * AWS advises a visibility timeout of six times the consumer's timeout, so
 * a batch retried by Lambda is not handed to a second worker meanwhile.
 */
const WORK_VISIBILITY_TIMEOUT = Duration.seconds(
  WORKER_TIMEOUT.toSeconds() * 6
);

/** Deliveries of one message before it is parked in the dead-letter queue. */
const MAX_RECEIVE_COUNT = 5;

const ECR_WRITE_ACTIONS = [
  'ecr:DescribeRepositories',
  'ecr:ListTagsForResource',
  'ecr:GetRepositoryPolicy',
  'ecr:SetRepositoryPolicy',
  'ecr:DeleteRepositoryPolicy',
];

const PROJECT_INDEX_WRITE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

export interface ReconcilerOutputs {
  bus: events.EventBus;
  workQueue: Queue;
  deadLetterQueue: sqs.Queue;
  table: dynamodb.Table;
  functions: Record<keyof typeof HANDLERS, SstFunction>;
}

/** The functional stack SST registers, bound to one configuration. */
export function reconcilerStack(
  config: DeploymentConfig
): (context: StackContext) => ReconcilerOutputs {
  // SST names the stack after this function.
  return function Reconciler({ stack, app }: StackContext) {
    return defineReconciler(stack, app, config);
  };
}

function checkTarget(app: App, config: DeploymentConfig): void {
  const deploysToRealAccount = /^\d{12}$/.test(app.account);
  if (deploysToRealAccount && app.account !== config.centralAccountId) {
    throw new ConfigurationError(
      `centralAccountId: is ${config.centralAccountId}, but the deploy credentials are for account ${app.account}`
    );
  }
  if (app.region !== config.region) {
    throw new ConfigurationError(
      `region: is ${config.region}, but the stage deploys to ${app.region}`
    );
  }
}

/** Everything the central account runs, in one stack. */
export function defineReconciler(
  stack: Stack,
  app: App,
  config: DeploymentConfig
): ReconcilerOutputs {
  checkTarget(app, config);
  const production = isProductionStage(config, app.stage);
  const removalPolicy = production
    ? RemovalPolicy.RETAIN
    : RemovalPolicy.DESTROY;

  const bus = defineEventBus(stack, app, config);
  const table = defineProjectIndex(stack, app, production, removalPolicy);
  const deadLetterQueue = defineDeadLetterQueue(stack, app);
  const alarmTopic = defineDeadLetterAlarm(stack, config, deadLetterQueue);

  const workQueue = defineWorkQueue(stack, deadLetterQueue);
  const grants = new PermissionSet(stack, config, table, workQueue);
  const shared: HandlerScope = {
    stack,
    removalPolicy,
    environment: {
      [CONFIG_ENVIRONMENT_VARIABLE]: runtimeConfigText(config),
      [PROJECT_INDEX_TABLE_VARIABLE]: table.tableName,
      [WORK_QUEUE_URL_VARIABLE]: workQueue.queueUrl,
    },
  };
  const functions = {
    ecrImageAction: defineHandler(shared, 'EcrImageAction', {
      handler: HANDLERS.ecrImageAction,
      description: 'Routes ECR pushes to the work queue',
      permissions: [grants.sendWork()],
    }),
    ecrRepositoryChange: defineHandler(shared, 'EcrRepositoryChange', {
      handler: HANDLERS.ecrRepositoryChange,
      description: 'Routes repository creation, tagging and deletion',
      permissions: [grants.sendWork()],
    }),
    codebuildProjectChange: defineHandler(shared, 'CodebuildProjectChange', {
      handler: HANDLERS.codebuildProjectChange,
      description: 'Updates the project index from build project changes',
      permissions: [
        grants.sendWork(),
        grants.assumeMemberRole(),
        ...grants.projectIndexReadWrite(),
      ],
    }),
    organizationChange: defineHandler(shared, 'OrganizationChange', {
      handler: HANDLERS.organizationChange,
      description: 'Routes accounts moved, removed or created in the org',
      permissions: [grants.queryProjectIndex(), grants.sendWork()],
    }),
    reconcileWorker: defineHandler(shared, 'ReconcileWorker', {
      handler: HANDLERS.reconcileWorker,
      description: 'Reconciles one repository per work item',
      timeout: WORKER_TIMEOUT,
      memorySize: 1024,
      permissions: grants.worker(),
    }),
    sweep: defineHandler(shared, 'Sweep', {
      handler: HANDLERS.sweep,
      description: 'Fans out account refreshes and repository reconciles',
      timeout: Duration.minutes(5),
      permissions: grants.sweep(),
    }),
    manualReconcile: defineHandler(shared, 'ManualReconcile', {
      handler: HANDLERS.manualReconcile,
      description: 'Plans or applies on demand: {"mode":"plan"|"apply"}',
      timeout: Duration.minutes(15),
      memorySize: 1024,
      permissions: grants.manualReconcile(),
    }),
  };

  workQueue.addConsumer(stack, {
    function: functions.reconcileWorker,
    cdk: {
      // FIFO event sources take at most 10 messages per batch; failed
      // items go back alone so the rest of the batch is not redone.
      eventSource: { batchSize: 10, reportBatchItemFailures: true },
    },
  });

  defineEventRules(stack, config, bus, functions);
  defineRouterFailures(stack, alarmTopic, [
    functions.ecrImageAction,
    functions.ecrRepositoryChange,
    functions.codebuildProjectChange,
    functions.organizationChange,
    functions.sweep,
  ]);

  stack.addOutputs({
    EventBusArn: bus.eventBusArn,
    WorkQueueUrl: workQueue.queueUrl,
    ProjectIndexTableName: table.tableName,
    ManualReconcileFunctionName: functions.manualReconcile.functionName,
  });

  return { bus, workQueue, deadLetterQueue, table, functions };
}

function defineEventBus(
  stack: Stack,
  app: App,
  config: DeploymentConfig
): events.EventBus {
  // Forwarding rules in member and management accounts target this name,
  // so production keeps it fixed; other stages get their own bus.
  const eventBusName = centralEventBusName(config, app.stage);
  const bus = new events.EventBus(stack, 'Bus', { eventBusName });
  bus.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'PutEventsFromOrganization',
      principals: [new iam.AnyPrincipal()],
      actions: ['events:PutEvents'],
      resources: [bus.eventBusArn],
      conditions: {
        StringEquals: { 'aws:PrincipalOrgID': config.organizationId },
      },
    })
  );

  return bus;
}

function defineProjectIndex(
  stack: Stack,
  app: App,
  production: boolean,
  removalPolicy: RemovalPolicy
): dynamodb.Table {
  const { byRepository, byAccount } = PROJECT_INDEX;
  const string = dynamodb.AttributeType.STRING;
  const table = new dynamodb.Table(stack, 'ProjectIndex', {
    tableName: app.logicalPrefixedName('ProjectIndex'),
    partitionKey: { name: PROJECT_INDEX.partitionKey, type: string },
    sortKey: { name: PROJECT_INDEX.sortKey, type: string },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: production,
    removalPolicy,
  });
  table.addGlobalSecondaryIndex({
    indexName: byRepository.name,
    partitionKey: { name: byRepository.pk, type: string },
    sortKey: { name: byRepository.sk, type: string },
  });
  table.addGlobalSecondaryIndex({
    indexName: byAccount.name,
    partitionKey: { name: byAccount.pk, type: string },
    sortKey: { name: byAccount.sk, type: string },
  });

  return table;
}

function defineDeadLetterQueue(stack: Stack, app: App): sqs.Queue {
  // The dead-letter queue of a FIFO queue must itself be FIFO.
  return new sqs.Queue(stack, 'WorkDeadLetterQueue', {
    queueName: `${app.logicalPrefixedName('WorkDeadLetterQueue')}.fifo`,
    fifo: true,
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
}

function defineWorkQueue(stack: Stack, deadLetterQueue: sqs.Queue): Queue {
  return new Queue(stack, 'WorkQueue', {
    cdk: {
      queue: {
        // One message group per repository serializes its read-modify-write
        // cycles, since SetRepositoryPolicy has no conditional write.
        fifo: true,
        // Off on purpose: FIFO drops a repeated deduplication id for five
        // minutes, even after the first message was deleted, so an id
        // from the body alone would lose a second real change. Senders
        // give ids made of the triggering event's id and the repository.
        contentBasedDeduplication: false,
        visibilityTimeout: WORK_VISIBILITY_TIMEOUT,
        retentionPeriod: Duration.days(4),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: {
          queue: deadLetterQueue,
          maxReceiveCount: MAX_RECEIVE_COUNT,
        },
      },
    },
  });
}

function defineDeadLetterAlarm(
  stack: Stack,
  config: DeploymentConfig,
  deadLetterQueue: sqs.Queue
): sns.Topic {
  const topic = new sns.Topic(stack, 'AlarmTopic', {
    displayName: 'ecr-pull-reconciler alarms',
    enforceSSL: true,
  });
  if (config.alarmEmail) {
    topic.addSubscription(new EmailSubscription(config.alarmEmail));
  }
  const alarm = new cloudwatch.Alarm(stack, 'WorkDeadLetterAlarm', {
    alarmDescription:
      'Work items failed five times; their repositories are not reconciled until the next sweep.',
    metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: cloudwatch.Stats.MAXIMUM,
    }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(topic));

  return topic;
}

/**
 * EventBridge invokes the routers and the sweep asynchronously; Lambda
 * retries a failed event twice, then would discard it. Events that still
 * fail (a member role that cannot be assumed, say) are kept here and
 * alarmed on; the next sweep repairs what they would have changed.
 */
function defineRouterFailures(
  stack: Stack,
  topic: sns.Topic,
  functions: SstFunction[]
): sqs.Queue {
  const queue = new sqs.Queue(stack, 'RouterFailureQueue', {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  for (const fn of functions) {
    fn.configureAsyncInvoke({
      onFailure: new SqsDestination(queue),
      retryAttempts: 2,
    });
  }
  const alarm = new cloudwatch.Alarm(stack, 'RouterFailureAlarm', {
    alarmDescription:
      'Events failed in a router or the sweep after Lambda retried them; they wait in the router failure queue.',
    metric: queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: cloudwatch.Stats.MAXIMUM,
    }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(topic));

  return queue;
}

interface HandlerScope {
  stack: Stack;
  removalPolicy: RemovalPolicy;
  environment: Record<string, string>;
}

interface HandlerOptions {
  handler: string;
  description: string;
  permissions: iam.PolicyStatement[];
  timeout?: Duration;
  memorySize?: number;
}

function defineHandler(
  { stack, removalPolicy, environment }: HandlerScope,
  id: CentralFunction,
  options: HandlerOptions
): SstFunction {
  // An explicit log group replaces `logRetention`, which would add a
  // custom-resource Lambda of CDK's choosing to the stack.
  const logGroup = new logs.LogGroup(stack, `${id}Logs`, {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy,
  });

  const fn = new SstFunction(stack, id, {
    handler: options.handler,
    description: options.description,
    runtime: 'nodejs22.x',
    architecture: 'arm_64',
    timeout: options.timeout?.toSeconds() ?? 30,
    memorySize: options.memorySize ?? 256,
    tracing: 'active',
    logGroup,
    nodejs: { format: 'esm', minify: true, sourcemap: true },
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: APP_NAME,
      POWERTOOLS_METRICS_NAMESPACE: 'EcrPullReconciler',
      ...environment,
    },
    permissions: options.permissions,
  });
  // Roles of member, registry and management accounts trust these roles by
  // name, which works before this stack exists and survives its
  // replacement; see stacks/central-roles.ts.
  const role = fn.role?.node.defaultChild as iam.CfnRole | undefined;
  if (!role) throw new Error(`Function ${id} has no role of its own`);
  role.roleName = centralRoleName(stack.stage, id);

  return fn;
}

/** The policy statements each function is built from, least first. */
class PermissionSet {
  readonly #stack: Stack;
  readonly #config: DeploymentConfig;
  readonly #table: dynamodb.Table;
  readonly #workQueue: Queue;

  constructor(
    stack: Stack,
    config: DeploymentConfig,
    table: dynamodb.Table,
    workQueue: Queue
  ) {
    this.#stack = stack;
    this.#config = config;
    this.#table = table;
    this.#workQueue = workQueue;
  }

  get #partition(): string {
    return this.#stack.partition;
  }

  sendWork(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions: ['sqs:SendMessage'],
      resources: [this.#workQueue.queueArn],
    });
  }

  /**
   * Member accounts are not known when deploying, hence the account
   * wildcard; the Organization condition keeps the role name from being
   * assumed anywhere outside it.
   */
  assumeMemberRole(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      resources: [
        `arn:${this.#partition}:iam::*:role/${this.#config.memberRoleName}`,
      ],
      conditions: {
        StringEquals: { 'aws:ResourceOrgID': this.#config.organizationId },
      },
    });
  }

  projectIndexReadWrite(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: PROJECT_INDEX_WRITE_ACTIONS,
        resources: [this.#table.tableArn],
      }),
      this.queryProjectIndex(),
    ];
  }

  queryProjectIndex(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [this.#table.tableArn, `${this.#table.tableArn}/index/*`],
    });
  }

  /** Registries elsewhere through their role, the central one directly. */
  registryAccess(
    actions: readonly string[] = ECR_WRITE_ACTIONS
  ): iam.PolicyStatement[] {
    const { centralAccountId, registries, registryRoleName } = this.#config;
    const statements: iam.PolicyStatement[] = [];
    const remote = registries.filter((r) => r.accountId !== centralAccountId);
    if (remote.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['sts:AssumeRole'],
          resources: remote.map(
            (registry) =>
              `arn:${this.#partition}:iam::${registry.accountId}:role/${registryRoleName}`
          ),
        })
      );
    }
    const central = registries.find((r) => r.accountId === centralAccountId);
    if (central) {
      statements.push(
        new iam.PolicyStatement({
          actions: [...actions],
          resources: central.regions.map(
            (region) =>
              `arn:${this.#partition}:ecr:${region}:${centralAccountId}:repository/*`
          ),
        })
      );
    }

    return statements;
  }

  /**
   * Organizations reads happen in the management or delegated account,
   * through its role when one is configured.
   */
  organizationRead(): iam.PolicyStatement[] {
    const { organizationsRoleArn, organizationId } = this.#config;
    if (organizationsRoleArn) {
      return [
        new iam.PolicyStatement({
          actions: ['sts:AssumeRole'],
          resources: [organizationsRoleArn],
        }),
      ];
    }
    const organizations = `arn:${this.#partition}:organizations::*`;

    return [
      // These two actions support no resource type, so `*` is the only
      // resource IAM accepts for them.
      new iam.PolicyStatement({
        actions: [
          'organizations:DescribeOrganization',
          'organizations:ListRoots',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        actions: [
          'organizations:ListOrganizationalUnitsForParent',
          'organizations:ListAccountsForParent',
          'organizations:ListParents',
        ],
        resources: [
          `${organizations}:root/${organizationId}/*`,
          `${organizations}:ou/${organizationId}/*`,
          `${organizations}:account/${organizationId}/*`,
        ],
      }),
    ];
  }

  /**
   * Reconciles repositories, and re-indexes an account's projects for an
   * account refresh, queueing the repositories that refresh affects.
   */
  worker(): iam.PolicyStatement[] {
    return [
      ...this.registryAccess(),
      ...this.organizationRead(),
      this.assumeMemberRole(),
      ...this.projectIndexReadWrite(),
      this.sendWork(),
    ];
  }

  /** The sweep only lists and fans out; the worker does the rest. */
  sweep(): iam.PolicyStatement[] {
    return [
      ...this.registryAccess(['ecr:DescribeRepositories']),
      ...this.organizationRead(),
      this.sendWork(),
    ];
  }

  /** Reconciles like the worker, from the index it only reads. */
  manualReconcile(): iam.PolicyStatement[] {
    return [
      ...this.registryAccess(),
      ...this.organizationRead(),
      this.queryProjectIndex(),
      this.sendWork(),
    ];
  }
}

type Handlers = ReconcilerOutputs['functions'];

function defineEventRules(
  stack: Stack,
  config: DeploymentConfig,
  bus: events.EventBus,
  functions: Handlers
): void {
  const registryAccounts = config.registries.map((r) => r.accountId);
  // The central rules are the forwarded patterns; ECR events also name the
  // registry accounts, since the bus hears every account of the
  // Organization.
  const imagePushed: events.EventPattern = {
    ...FORWARDED_PATTERNS.imagePushed,
    account: registryAccounts,
  };
  const repositoryChanged: events.EventPattern = {
    ...FORWARDED_PATTERNS.repositoryChanged,
    account: registryAccounts,
  };
  const { projectChanged, accountMoved, accountCreated } = FORWARDED_PATTERNS;

  const rule = (
    id: string,
    eventPattern: events.EventPattern,
    target: SstFunction,
    eventBus?: events.IEventBus
  ) =>
    new events.Rule(stack, id, {
      eventBus,
      eventPattern,
      targets: [new LambdaFunction(target)],
    });

  rule('ImagePushed', imagePushed, functions.ecrImageAction, bus);
  rule(
    'RepositoryChanged',
    repositoryChanged,
    functions.ecrRepositoryChange,
    bus
  );
  rule('ProjectChanged', projectChanged, functions.codebuildProjectChange, bus);
  rule('AccountMoved', accountMoved, functions.organizationChange, bus);
  rule('AccountCreated', accountCreated, functions.organizationChange, bus);
  if (config.registryIsCentralAccount) {
    // The central registry's own ECR events stay on its default bus.
    rule('DefaultBusImagePushed', imagePushed, functions.ecrImageAction);
    rule(
      'DefaultBusRepositoryChanged',
      repositoryChanged,
      functions.ecrRepositoryChange
    );
  }

  new events.Rule(stack, 'SweepSchedule', {
    schedule: events.Schedule.expression(config.sweepSchedule),
    targets: [new LambdaFunction(functions.sweep)],
  });
}
