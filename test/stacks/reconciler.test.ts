import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { type FunctionProps, useFunctions } from 'sst/constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  configFromEnvironment,
} from '../../packages/core/src/index.js';
import { CENTRAL_FUNCTIONS } from '../../stacks/central-roles.js';
import {
  type DeploymentConfig,
  parseDeploymentConfig,
  runtimeConfigOf,
} from '../../stacks/config.js';
import {
  type OfflineSynthesis,
  synthesizeOffline,
} from '../../stacks/offline.js';
import { HANDLERS } from '../../stacks/Reconciler.js';

type Json = Record<string, unknown>;
type HandlerName = keyof typeof HANDLERS;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

const PROJECT_INDEX_WRITES = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

const ROUTERS: HandlerName[] = [
  'ecrImageAction',
  'ecrRepositoryChange',
  'codebuildProjectChange',
  'organizationChange',
];

/** The central account is a registry; Organizations is read directly. */
const centralRegistry = parseDeploymentConfig(
  {
    centralAccountId: '111111111111',
    registries: [
      { accountId: '111111111111', regions: ['eu-west-1', 'eu-central-1'] },
      { accountId: '222222222222', regions: ['eu-west-1'] },
    ],
    organizationId: 'o-a1b2c3d4e5',
    memberRoleName: 'BuildProjectReader',
    sweepSchedule: 'rate(12 hours)',
  },
  'dev'
);

/** Production in an account of its own, reading through roles only. */
const remoteRegistries = parseDeploymentConfig(
  {
    region: 'us-east-1',
    centralAccountId: '333333333333',
    registryIsCentralAccount: false,
    registries: [
      { accountId: '111111111111', regions: ['us-east-1'] },
      { accountId: '222222222222', regions: ['us-east-1'] },
    ],
    organizationId: 'o-a1b2c3d4e5',
    organizationsRoleArn: 'arn:aws:iam::999999999999:role/OrgReader',
    alarmEmail: 'platform@example.com',
  },
  'prod'
);

/** CloudFormation values reduced to text: pseudo parameters for `aws`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const json = value as Json;
  if ('Fn::Join' in json) {
    const [separator, parts] = json['Fn::Join'] as [string, unknown[]];

    return parts.map(flatten).join(separator);
  }
  if ('Ref' in json) {
    return json.Ref === 'AWS::Partition' ? 'aws' : `{${json.Ref}}`;
  }
  if ('Fn::GetAtt' in json) {
    return `{${(json['Fn::GetAtt'] as string[]).join('.')}}`;
  }

  return JSON.stringify(value);
}

function listOf<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** Statements CDK adds for Lambda's on-failure destination. */
function isFailureQueue(statement: Statement): boolean {
  return listOf(statement.Resource)
    .map(flatten)
    .every((resource) => resource.startsWith('{RouterFailureQueue'));
}

class Synthesized {
  readonly template: Template;
  readonly resources: Record<string, { Type: string; Properties: Json }>;
  /** SST keeps function props per App; only the latest App's are at hand. */
  readonly functionProps: Record<string, FunctionProps>;

  constructor(readonly synthesis: OfflineSynthesis) {
    this.template = Template.fromStack(synthesis.stack);
    this.resources = this.template.toJSON().Resources;
    this.functionProps = { ...useFunctions().all };
  }

  logicalId(name: HandlerName): string {
    const fn = this.synthesis.outputs.functions[name];

    return this.synthesis.stack.getLogicalId(
      fn.node.defaultChild as CfnElement
    );
  }

  properties(logicalId: string): Json {
    const resource = this.resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId}`);

    return resource.Properties;
  }

  ofType(type: string): [string, Json][] {
    return Object.entries(this.resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id, resource]) => [id, resource.Properties]);
  }

  /** Every statement of the inline policies attached to the role. */
  statementsOfRole(roleId: string): Statement[] {
    return this.ofType('AWS::IAM::Policy')
      .filter(([, policy]) =>
        (policy.Roles as Json[]).some((role) => role.Ref === roleId)
      )
      .flatMap(([, policy]) =>
        listOf((policy.PolicyDocument as Json).Statement as Statement[])
      );
  }

  statementsOf(name: HandlerName): Statement[] {
    const role = this.properties(this.logicalId(name)).Role as Json;
    const [roleId] = role['Fn::GetAtt'] as string[];

    return this.statementsOfRole(roleId ?? '');
  }

  /** Resources the function may use the action on, as text. */
  resourcesFor(name: HandlerName, action: string): string[] {
    return this.statementsOf(name)
      .filter((statement) => listOf(statement.Action).includes(action))
      .flatMap((statement) => listOf(statement.Resource).map(flatten));
  }

  rulesTargeting(name: HandlerName): Json[] {
    const arn = { 'Fn::GetAtt': [this.logicalId(name), 'Arn'] };

    return this.ofType('AWS::Events::Rule')
      .map(([, rule]) => rule)
      .filter((rule) =>
        (rule.Targets as Json[]).some(
          (target) => JSON.stringify(target.Arn) === JSON.stringify(arn)
        )
      );
  }
}

function synthesize(config: DeploymentConfig, stage: string): Synthesized {
  return new Synthesized(synthesizeOffline({ config, stage }));
}

describe('Stack: Reconciler', () => {
  let dev: Synthesized;
  let prod: Synthesized;
  let busRef: Json;

  beforeAll(() => {
    dev = synthesize(centralRegistry, 'dev');
    prod = synthesize(remoteRegistries, 'prod');
    const [busId] = dev.ofType('AWS::Events::EventBus')[0] ?? [];
    busRef = { Ref: busId };
  });

  afterAll(() => {
    dev.synthesis.dispose();
    prod.synthesis.dispose();
  });

  describe('event rules', () => {
    it('routes successful ECR pushes of registry accounts from the bus', () => {
      const rules = dev.rulesTargeting('ecrImageAction');

      expect(rules).toContainEqual(
        expect.objectContaining({
          EventBusName: busRef,
          EventPattern: {
            source: ['aws.ecr'],
            'detail-type': ['ECR Image Action'],
            account: ['111111111111', '222222222222'],
            detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] },
          },
        })
      );
    });

    it('routes repository creation, tagging and deletion from the bus', () => {
      const rules = dev.rulesTargeting('ecrRepositoryChange');

      expect(rules).toContainEqual(
        expect.objectContaining({
          EventBusName: busRef,
          EventPattern: {
            source: ['aws.ecr'],
            'detail-type': ['AWS API Call via CloudTrail'],
            account: ['111111111111', '222222222222'],
            detail: {
              eventSource: ['ecr.amazonaws.com'],
              eventName: [
                'CreateRepository',
                'TagResource',
                'UntagResource',
                'DeleteRepository',
              ],
              errorCode: [{ exists: false }],
            },
          },
        })
      );
    });

    it('routes build project changes without matching their tags', () => {
      const rules = dev.rulesTargeting('codebuildProjectChange');

      expect(rules).toEqual([
        expect.objectContaining({
          EventBusName: busRef,
          EventPattern: {
            source: ['aws.codebuild'],
            'detail-type': ['AWS API Call via CloudTrail'],
            detail: {
              eventSource: ['codebuild.amazonaws.com'],
              eventName: ['CreateProject', 'UpdateProject', 'DeleteProject'],
              errorCode: [{ exists: false }],
            },
          },
        }),
      ]);
    });

    it('routes account moves, removals and successful creations', () => {
      const rules = dev.rulesTargeting('organizationChange');

      expect(rules.map((rule) => rule.EventPattern)).toEqual([
        {
          source: ['aws.organizations'],
          'detail-type': ['AWS API Call via CloudTrail'],
          detail: {
            eventSource: ['organizations.amazonaws.com'],
            eventName: ['MoveAccount', 'RemoveAccountFromOrganization'],
            errorCode: [{ exists: false }],
          },
        },
        {
          source: ['aws.organizations'],
          'detail-type': ['AWS Service Event via CloudTrail'],
          detail: {
            eventSource: ['organizations.amazonaws.com'],
            eventName: ['CreateAccountResult'],
            serviceEventDetails: {
              createAccountStatus: { state: ['SUCCEEDED'] },
            },
          },
        },
      ]);
      expect(rules.every((rule) => rule.EventBusName)).toBe(true);
    });

    it('also routes ECR events of the default bus when the central account is a registry', () => {
      const onDefaultBus = (synthesized: Synthesized) =>
        [
          ...synthesized.rulesTargeting('ecrImageAction'),
          ...synthesized.rulesTargeting('ecrRepositoryChange'),
        ].filter((rule) => rule.EventBusName === undefined);

      expect(onDefaultBus(dev)).toHaveLength(2);
      expect(onDefaultBus(prod)).toHaveLength(0);
    });

    it('runs the sweep on the configured schedule, daily by default', () => {
      const schedules = (synthesized: Synthesized) =>
        synthesized
          .rulesTargeting('sweep')
          .map((rule) => rule.ScheduleExpression);

      expect(schedules(dev)).toEqual(['rate(12 hours)']);
      expect(schedules(prod)).toEqual(['rate(1 day)']);
    });

    it('lets only principals of the Organization put events on the bus', () => {
      dev.template.hasResourceProperties('AWS::Events::EventBusPolicy', {
        EventBusName: busRef,
        Statement: {
          Effect: 'Allow',
          Action: 'events:PutEvents',
          Principal: { AWS: '*' },
          Condition: {
            StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
          },
        },
      });
      expect(dev.ofType('AWS::Events::EventBusPolicy')).toHaveLength(1);
    });

    it('names the bus plainly in production and after the stage elsewhere', () => {
      const names = (synthesized: Synthesized) =>
        synthesized.ofType('AWS::Events::EventBus').map(([, bus]) => bus.Name);

      expect(names(prod)).toEqual(['ecr-pull-reconciler']);
      expect(names(dev)).toEqual(['dev-ecr-pull-reconciler']);
    });
  });

  describe('work queue', () => {
    it('is FIFO without content-based deduplication, with a FIFO dead-letter queue', () => {
      const [deadLetterId] =
        dev
          .ofType('AWS::SQS::Queue')
          .find(([, queue]) => queue.RedrivePolicy === undefined) ?? [];

      dev.template.hasResourceProperties('AWS::SQS::Queue', {
        FifoQueue: true,
        ContentBasedDeduplication: false,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] },
          maxReceiveCount: 5,
        },
      });
      dev.template.hasResourceProperties('AWS::SQS::Queue', {
        FifoQueue: true,
        QueueName: Match.stringLikeRegexp('\\.fifo$'),
        RedrivePolicy: Match.absent(),
      });
    });

    it('keeps messages invisible for six times the worker timeout', () => {
      const worker = dev.properties(dev.logicalId('reconcileWorker'));
      const [, queue] =
        dev
          .ofType('AWS::SQS::Queue')
          .find(([, props]) => props.RedrivePolicy !== undefined) ?? [];

      expect(queue?.VisibilityTimeout).toBe((worker.Timeout as number) * 6);
    });

    it('feeds the worker batches of 10 and takes back single failures', () => {
      dev.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: dev.logicalId('reconcileWorker') },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });

    it('alarms when a message reaches the dead-letter queue', () => {
      const [topicId] = dev.ofType('AWS::SNS::Topic')[0] ?? [];

      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        AlarmActions: [{ Ref: topicId }],
      });
    });

    it('subscribes the alarm email only when one is configured', () => {
      expect(prod.ofType('AWS::SNS::Subscription')).toEqual([
        [
          expect.any(String),
          expect.objectContaining({
            Protocol: 'email',
            Endpoint: 'platform@example.com',
          }),
        ],
      ]);
      expect(dev.ofType('AWS::SNS::Subscription')).toHaveLength(0);
    });
  });

  describe('project index', () => {
    it('is on demand with recovery and both lookup indexes', () => {
      dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: {
          PointInTimeRecoveryEnabled: true,
        },
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'byRepository',
            KeySchema: [
              { AttributeName: 'repositoryArn', KeyType: 'HASH' },
              { AttributeName: 'projectArn', KeyType: 'RANGE' },
            ],
          }),
          Match.objectLike({
            IndexName: 'byAccount',
            KeySchema: [
              { AttributeName: 'accountId', KeyType: 'HASH' },
              { AttributeName: 'projectArn', KeyType: 'RANGE' },
            ],
          }),
        ],
      });
    });

    it('is retained and protected in production stages only', () => {
      prod.template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      });
      dev.template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      });
    });
  });

  describe('functions', () => {
    it('runs every Lambda on nodejs22.x', () => {
      const runtimes = dev
        .ofType('AWS::Lambda::Function')
        .map(([, fn]) => fn.Runtime);

      expect(runtimes).toHaveLength(Object.keys(HANDLERS).length + 1);
      expect(new Set(runtimes)).toEqual(new Set(['nodejs22.x']));
    });

    it('builds each handler from its entry file for nodejs22.x on arm64', () => {
      for (const name of Object.keys(HANDLERS) as HandlerName[]) {
        const fn = dev.synthesis.outputs.functions[name];
        const props = dev.functionProps[fn.node.addr];
        const properties = dev.properties(dev.logicalId(name));

        expect(props?.handler).toBe(HANDLERS[name]);
        expect(props?.runtime).toBe('nodejs22.x');
        expect(props?.nodejs).toMatchObject({ minify: true, sourcemap: true });
        expect(properties.Architectures).toEqual(['arm64']);
        expect(properties.TracingConfig).toEqual({ Mode: 'Active' });
        expect(properties.LoggingConfig).toBeDefined();
      }
    });

    it('gives every handler the variables it reads', () => {
      const variables = dev
        .ofType('AWS::Lambda::Function')
        .filter(([id]) => !id.startsWith('CustomResourceHandler'))
        .map(([, fn]) => (fn.Environment as Json).Variables as Json);

      for (const environment of variables) {
        expect(environment).toMatchObject({
          POWERTOOLS_SERVICE_NAME: 'ecr-pull-reconciler',
          POWERTOOLS_METRICS_NAMESPACE: 'EcrPullReconciler',
          PROJECT_INDEX_TABLE: { Ref: expect.stringMatching(/^ProjectIndex/) },
          WORK_QUEUE_URL: { Ref: expect.stringMatching(/^WorkQueue/) },
        });
        expect(
          configFromEnvironment(environment as Record<string, string>)
        ).toEqual(runtimeConfigOf(centralRegistry));
      }
      expect(variables).toHaveLength(Object.keys(HANDLERS).length);
    });

    it('keeps log groups one month and removes them with non-production stages', () => {
      dev.template.allResources('AWS::Logs::LogGroup', {
        DeletionPolicy: 'Delete',
        Properties: { RetentionInDays: 30 },
      });
      prod.template.allResources('AWS::Logs::LogGroup', {
        DeletionPolicy: 'Retain',
        Properties: { RetentionInDays: 30 },
      });
    });

    it('exports the bus, queue, table and manual function', () => {
      const outputs = dev.template.toJSON().Outputs as Json;

      expect(Object.keys(outputs).sort()).toEqual([
        'EventBusArn',
        'ManualReconcileFunctionName',
        'ProjectIndexTableName',
        'WorkQueueUrl',
      ]);
    });
  });

  describe('permissions', () => {
    it('grants no wildcard action anywhere', () => {
      for (const synthesized of [dev, prod]) {
        const actions = synthesized
          .ofType('AWS::IAM::Policy')
          .flatMap(([, policy]) =>
            listOf((policy.PolicyDocument as Json).Statement as Statement[])
          )
          .flatMap((statement) => listOf(statement.Action));

        expect(actions.length).toBeGreaterThan(0);
        expect(actions.filter((action) => action.includes('*'))).toEqual([]);
      }
    });

    it('names each function role after the stage and function, as other accounts trust it', () => {
      const roleNames = (synthesized: Synthesized) =>
        Object.keys(HANDLERS).map((name) => {
          const role = synthesized.properties(
            synthesized.logicalId(name as HandlerName)
          ).Role as Json;
          const [roleId] = role['Fn::GetAtt'] as string[];

          return synthesized.properties(roleId ?? '').RoleName;
        });

      expect(roleNames(prod)).toEqual(
        CENTRAL_FUNCTIONS.map((name) => `ecr-pull-reconciler-prod-${name}`)
      );
      expect(roleNames(dev)).toContain('ecr-pull-reconciler-dev-Sweep');
    });

    it('refuses a stage name that makes a role name too long for IAM', () => {
      const longStage = 'a'.repeat(30);
      const synthesizeLong = () =>
        synthesizeOffline({ config: centralRegistry, stage: longStage });

      expect(synthesizeLong).toThrow(ConfigurationError);
      expect(synthesizeLong).toThrow(/longer than the 64 characters/);
    });

    it('gives each function a role of its own', () => {
      const roles = Object.keys(HANDLERS).map((name) =>
        JSON.stringify(dev.properties(dev.logicalId(name as HandlerName)).Role)
      );

      expect(new Set(roles).size).toBe(roles.length);
    });

    it('lets the worker write policies only on repositories of the central registry', () => {
      const resources = dev.resourcesFor(
        'reconcileWorker',
        'ecr:SetRepositoryPolicy'
      );

      expect(resources.sort()).toEqual([
        'arn:aws:ecr:eu-central-1:111111111111:repository/*',
        'arn:aws:ecr:eu-west-1:111111111111:repository/*',
      ]);
    });

    it('lets no router touch ECR', () => {
      for (const name of ROUTERS) {
        const actions = dev
          .statementsOf(name)
          .flatMap((statement) => listOf(statement.Action));

        expect(actions.filter((action) => action.startsWith('ecr:'))).toEqual(
          []
        );
      }
    });

    it('lets every router send work to the queue and nothing else of SQS', () => {
      for (const name of ROUTERS) {
        const sqsStatements = dev
          .statementsOf(name)
          .filter((statement) =>
            listOf(statement.Action).some((action) => action.startsWith('sqs:'))
          );
        const onWorkQueue = sqsStatements.filter(
          (statement) => !isFailureQueue(statement)
        );
        const onFailureQueue = sqsStatements.filter(isFailureQueue);

        expect(
          onWorkQueue.flatMap((statement) => listOf(statement.Action))
        ).toEqual(['sqs:SendMessage']);
        expect(dev.resourcesFor(name, 'sqs:SendMessage')).toContainEqual(
          expect.stringMatching(/^\{WorkQueue.*\.Arn\}$/)
        );
        // Lambda's on-failure destination sends failed events there.
        expect(
          onFailureQueue.flatMap((statement) => listOf(statement.Action)).sort()
        ).toEqual([
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:SendMessage',
        ]);
      }
    });

    it('keeps events the routers and the sweep failed on, and alarms on them', () => {
      const [queueId] =
        dev
          .ofType('AWS::SQS::Queue')
          .find(([id]) => id.startsWith('RouterFailureQueue')) ?? [];
      const configs = dev.ofType('AWS::Lambda::EventInvokeConfig');

      expect(configs).toHaveLength(ROUTERS.length + 1);
      for (const [, config] of configs) {
        expect(config.MaximumRetryAttempts).toBe(2);
        expect(config.DestinationConfig).toEqual({
          OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        });
      }
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [queueId, 'QueueName'] },
          },
        ],
        Threshold: 0,
      });
    });

    it('lets the worker assume the registry role only in other registry accounts', () => {
      expect(dev.resourcesFor('reconcileWorker', 'sts:AssumeRole')).toEqual([
        'arn:aws:iam::222222222222:role/EcrPullReconcilerWriter',
        'arn:aws:iam::*:role/BuildProjectReader',
      ]);
      expect(
        prod.resourcesFor('reconcileWorker', 'sts:AssumeRole').sort()
      ).toEqual([
        'arn:aws:iam::*:role/EcrPullReconcilerReader',
        'arn:aws:iam::111111111111:role/EcrPullReconcilerWriter',
        'arn:aws:iam::222222222222:role/EcrPullReconcilerWriter',
        'arn:aws:iam::999999999999:role/OrgReader',
      ]);
      expect(
        prod.resourcesFor('reconcileWorker', 'ecr:SetRepositoryPolicy')
      ).toEqual([]);
    });

    it('lets the project router assume the member role only inside the Organization', () => {
      const assume = dev
        .statementsOf('codebuildProjectChange')
        .filter((statement) => statement.Action === 'sts:AssumeRole');

      expect(assume.map((statement) => flatten(statement.Resource))).toEqual([
        'arn:aws:iam::*:role/BuildProjectReader',
      ]);
      expect(assume[0]?.Condition).toEqual({
        StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' },
      });
    });

    it('lets the organization router only query the project index', () => {
      const dynamodb = dev
        .statementsOf('organizationChange')
        .flatMap((statement) => listOf(statement.Action))
        .filter((action) => action.startsWith('dynamodb:'));

      expect(dynamodb).toEqual(['dynamodb:Query']);
      expect(dev.resourcesFor('organizationChange', 'dynamodb:Query')).toEqual([
        expect.stringMatching(/^\{ProjectIndex.*\.Arn\}$/),
        expect.stringMatching(/^\{ProjectIndex.*\.Arn\}\/index\/\*$/),
      ]);
    });

    it('reads Organizations directly only without an Organizations role', () => {
      const organizationActions = (synthesized: Synthesized) =>
        synthesized
          .statementsOf('reconcileWorker')
          .flatMap((statement) => listOf(statement.Action))
          .filter((action) => action.startsWith('organizations:'));

      expect(organizationActions(dev).sort()).toEqual([
        'organizations:DescribeOrganization',
        'organizations:ListAccountsForParent',
        'organizations:ListOrganizationalUnitsForParent',
        'organizations:ListParents',
        'organizations:ListRoots',
      ]);
      expect(organizationActions(prod)).toEqual([]);
      expect(
        dev.resourcesFor('reconcileWorker', 'organizations:ListParents')
      ).toEqual([
        'arn:aws:organizations::*:root/o-a1b2c3d4e5/*',
        'arn:aws:organizations::*:ou/o-a1b2c3d4e5/*',
        'arn:aws:organizations::*:account/o-a1b2c3d4e5/*',
      ]);
    });

    it('lets the worker assume the member role only inside the Organization', () => {
      const assume = dev
        .statementsOf('reconcileWorker')
        .filter(
          (statement) =>
            statement.Action === 'sts:AssumeRole' &&
            flatten(statement.Resource).includes('BuildProjectReader')
        );

      expect(assume[0]?.Condition).toEqual({
        StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' },
      });
    });

    it('lets the worker index projects and queue the repositories it affects', () => {
      const actions = new Set(
        dev
          .statementsOf('reconcileWorker')
          .flatMap((statement) => listOf(statement.Action))
      );

      for (const action of [
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        'sqs:SendMessage',
      ]) {
        expect(actions).toContain(action);
      }
    });

    it('lets the sweep only list repositories, read the org and queue work', () => {
      const actions = dev
        .statementsOf('sweep')
        .filter((statement) => !isFailureQueue(statement))
        .flatMap((statement) => listOf(statement.Action))
        .sort();

      expect(actions).toEqual([
        'ecr:DescribeRepositories',
        'organizations:DescribeOrganization',
        'organizations:ListAccountsForParent',
        'organizations:ListOrganizationalUnitsForParent',
        'organizations:ListParents',
        'organizations:ListRoots',
        'sqs:SendMessage',
        'sts:AssumeRole',
        // Active tracing, which every function has.
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
      expect(dev.resourcesFor('sweep', 'sts:AssumeRole')).toEqual([
        'arn:aws:iam::222222222222:role/EcrPullReconcilerWriter',
      ]);
    });

    it('gives the manual function what the worker has, reading the index only', () => {
      const actionsOf = (name: HandlerName) =>
        new Set(
          dev
            .statementsOf(name)
            .flatMap((statement) => listOf(statement.Action))
        );
      const expected = actionsOf('reconcileWorker');
      for (const workerOnly of [
        'sqs:ReceiveMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueUrl',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        ...PROJECT_INDEX_WRITES,
      ]) {
        expected.delete(workerOnly);
      }

      expect(actionsOf('manualReconcile')).toEqual(expected);
      expect(
        dev.resourcesFor('manualReconcile', 'sts:AssumeRole').join(' ')
      ).not.toContain('BuildProjectReader');
    });
  });

  describe('deployment target', () => {
    it('refuses credentials of another account and names centralAccountId', () => {
      const synthesizeElsewhere = () =>
        synthesizeOffline({
          config: centralRegistry,
          stage: 'dev',
          account: '444444444444',
        }).dispose();

      expect(synthesizeElsewhere).toThrow(ConfigurationError);
      expect(synthesizeElsewhere).toThrow(
        /centralAccountId: is 111111111111, but the deploy credentials are for account 444444444444/
      );
    });
  });
});
