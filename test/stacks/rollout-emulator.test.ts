import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDeploymentConfig } from '../../stacks/config.js';
import {
  type RolloutTemplate,
  synthesizeRollout,
} from '../../stacks/rollout.js';
import { useMotoServer } from '../support/emulator.js';

/** moto's account for keys it does not know: the central account here. */
const CENTRAL = '123456789012';
const MEMBER = '444455556666';
const MANAGEMENT = '999999999999';
const REGISTRY = '222222222222';
const REGION = 'eu-west-1';
interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const STATIC: Credentials = {
  accessKeyId: 'AKIAROLLOUTTEST00000',
  secretAccessKey: 'x',
};

const config = parseDeploymentConfig(
  {
    region: REGION,
    centralAccountId: CENTRAL,
    registryIsCentralAccount: false,
    registries: [{ accountId: REGISTRY, regions: [REGION, 'us-east-1'] }],
    memberRegions: [REGION, 'us-east-1'],
    organizationId: 'o-a1b2c3d4e5',
    organizationsRoleArn: `arn:aws:iam::${MANAGEMENT}:role/OrgReader`,
    managementAccountId: MANAGEMENT,
    memberOrganizationalUnitIds: ['ou-ab12-34cd5678'],
  },
  'prod'
);

/** CloudTrail-shaped events as the default bus of an account sees them. */
function cloudTrailEvent(
  source: string,
  eventSource: string,
  eventName: string,
  detailType = 'AWS API Call via CloudTrail'
) {
  return {
    Source: source,
    DetailType: detailType,
    Detail: JSON.stringify({
      eventSource,
      eventName,
      requestParameters: { name: 'web-build' },
      responseElements: null,
    }),
  };
}

describe('Rollout templates on CloudFormation', () => {
  const server = useMotoServer({ resetEachTest: false });
  let templates: RolloutTemplate[];
  let queueUrl: string;
  let sqs: SQSClient;
  /** Physical ids by resource type of each deployed stack. */
  const stacks = new Map<string, Map<string, string>>();

  function clientConfig(region = REGION, credentials: Credentials = STATIC) {
    return { endpoint: server().endpoint, region, credentials, maxAttempts: 1 };
  }

  async function credentialsOf(accountId: string): Promise<Credentials> {
    const sts = new STSClient(clientConfig());
    const { Credentials: session } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/Deployer`,
        RoleSessionName: 'rollout-test',
      })
    );

    return {
      accessKeyId: session?.AccessKeyId ?? '',
      secretAccessKey: session?.SecretAccessKey ?? '',
      sessionToken: session?.SessionToken ?? '',
    };
  }

  function template(kind: RolloutTemplate['kind']): string {
    const found = templates.find((entry) => entry.kind === kind);
    if (!found) throw new Error(`no ${kind} template`);

    return JSON.stringify(found.template);
  }

  /** Deploys a template as a stack; returns its resources' physical ids. */
  async function deploy(
    accountId: string,
    region: string,
    body: string
  ): Promise<Map<string, string>> {
    const client = new CloudFormationClient(
      clientConfig(region, await credentialsOf(accountId))
    );
    const stackName = `rollout-${accountId}-${region}`;
    await client.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: body,
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      })
    );
    const { Stacks } = await client.send(
      new DescribeStacksCommand({ StackName: stackName })
    );
    expect(Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
    const { StackResourceSummaries = [] } = await client.send(
      new ListStackResourcesCommand({ StackName: stackName })
    );

    return new Map(
      StackResourceSummaries.map((resource) => [
        resource.ResourceType ?? '',
        resource.PhysicalResourceId ?? '',
      ])
    );
  }

  async function putOnDefaultBus(
    accountId: string,
    region: string,
    entries: ReturnType<typeof cloudTrailEvent>[]
  ) {
    const events = new EventBridgeClient(
      clientConfig(region, await credentialsOf(accountId))
    );
    await events.send(new PutEventsCommand({ Entries: entries }));
  }

  /**
   * What the central bus received: event names, or the action of ECR image
   * events. moto drops the `account` of events it forwards across
   * accounts, so the test tells senders apart by event name.
   */
  async function received(): Promise<string[]> {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      })
    );

    return Messages.map((message) => {
      const event = JSON.parse(message.Body ?? '{}');

      return event.detail?.eventName ?? event.detail?.['action-type'];
    });
  }

  beforeAll(async () => {
    templates = synthesizeRollout(config, 'prod').templates;
    // The central side: the stage's bus, and a rule catching everything on
    // it into a queue the test reads.
    const events = new EventBridgeClient(clientConfig());
    await events.send(
      new CreateEventBusCommand({ Name: 'ecr-pull-reconciler' })
    );
    sqs = new SQSClient(clientConfig());
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'bus' }));
    queueUrl = queue.QueueUrl ?? '';
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['QueueArn'],
      })
    );
    await events.send(
      new PutRuleCommand({
        Name: 'everything',
        EventBusName: 'ecr-pull-reconciler',
        EventPattern: JSON.stringify({
          source: ['aws.codebuild', 'aws.ecr', 'aws.organizations'],
        }),
      })
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'everything',
        EventBusName: 'ecr-pull-reconciler',
        Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }],
      })
    );

    // Every stack as its deployment guide installs it.
    stacks.set('member', await deploy(MEMBER, REGION, template('member')));
    stacks.set(
      'member-elsewhere',
      await deploy(MEMBER, 'us-east-1', template('member'))
    );
    stacks.set(
      'management',
      await deploy(MANAGEMENT, 'us-east-1', template('management'))
    );
    stacks.set(
      'registry',
      await deploy(REGISTRY, REGION, template('registry'))
    );
  });

  it('creates the member reader role in its Region only, trusting the central account', async () => {
    const inRolesRegion = stacks.get('member') ?? new Map();
    const elsewhere = stacks.get('member-elsewhere') ?? new Map();
    const iam = new IAMClient(
      clientConfig(REGION, await credentialsOf(MEMBER))
    );

    const { Role } = await iam.send(
      new GetRoleCommand({ RoleName: 'EcrPullReconcilerReader' })
    );

    expect(inRolesRegion.get('AWS::Events::Rule')).toBeDefined();
    expect(elsewhere.get('AWS::Events::Rule')).toBeDefined();
    expect([...inRolesRegion.values()]).toContain('EcrPullReconcilerReader');
    expect([...elsewhere.values()]).not.toContain('EcrPullReconcilerReader');
    const trust = JSON.parse(
      decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '{}')
    );
    expect(trust.Statement[0].Principal).toEqual({
      AWS: `arn:aws:iam::${CENTRAL}:root`,
    });
  });

  it('forwards build project changes of a member account to the central bus, and nothing else', async () => {
    await putOnDefaultBus(MEMBER, REGION, [
      cloudTrailEvent('aws.codebuild', 'codebuild.amazonaws.com', 'StartBuild'),
      cloudTrailEvent(
        'aws.codebuild',
        'codebuild.amazonaws.com',
        'CreateProject'
      ),
    ]);
    await putOnDefaultBus(MEMBER, 'us-east-1', [
      cloudTrailEvent(
        'aws.codebuild',
        'codebuild.amazonaws.com',
        'DeleteProject'
      ),
    ]);

    expect((await received()).sort()).toEqual([
      'CreateProject',
      'DeleteProject',
    ]);
  });

  it('forwards account moves from the management account', async () => {
    const resources = stacks.get('management') ?? new Map();
    await putOnDefaultBus(MANAGEMENT, 'us-east-1', [
      cloudTrailEvent(
        'aws.organizations',
        'organizations.amazonaws.com',
        'MoveAccount'
      ),
      cloudTrailEvent(
        'aws.organizations',
        'organizations.amazonaws.com',
        'ListAccounts'
      ),
    ]);

    expect([...resources.values()]).toContain('OrgReader');
    expect(await received()).toEqual(['MoveAccount']);
  });

  it('forwards pushes and repository changes of a registry account', async () => {
    const resources = stacks.get('registry') ?? new Map();
    await putOnDefaultBus(REGISTRY, REGION, [
      {
        Source: 'aws.ecr',
        DetailType: 'ECR Image Action',
        Detail: JSON.stringify({
          'action-type': 'PUSH',
          result: 'SUCCESS',
          'repository-name': 'team/base',
        }),
      },
      cloudTrailEvent('aws.ecr', 'ecr.amazonaws.com', 'TagResource'),
      cloudTrailEvent('aws.ecr', 'ecr.amazonaws.com', 'PutImage'),
    ]);

    expect([...resources.values()]).toContain('EcrPullReconcilerWriter');
    expect((await received()).sort()).toEqual(['PUSH', 'TagResource']);
  });
});
