import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { parseDeploymentConfig } from '../../stacks/config.js';
import { synthesizeRollout } from '../../stacks/rollout.js';
import { useMotoServer } from '../support/emulator.js';

const REGISTRY = '222222222222';
const REGION = 'eu-west-1';
const VIEWERS =
  'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_EcrViewer_*';
const PLATFORM = 'arn:aws:iam::555555555555:role/PlatformOperator';

const config = parseDeploymentConfig(
  {
    region: REGION,
    centralAccountId: '123456789012',
    registryIsCentralAccount: false,
    registries: [{ accountId: REGISTRY, regions: [REGION] }],
    organizationId: 'o-a1b2c3d4e5',
    operatorRoleArns: { read: [VIEWERS], write: [PLATFORM] },
  },
  'prod'
);

describe('Registry template with operators on CloudFormation', () => {
  const server = useMotoServer({ resetEachTest: false });

  async function clientConfigOf(accountId: string) {
    const base = {
      endpoint: server().endpoint,
      region: REGION,
      maxAttempts: 1,
    };
    const sts = new STSClient({
      ...base,
      credentials: {
        accessKeyId: 'AKIAOPERATORTEST0000',
        secretAccessKey: 'x',
      },
    });
    const { Credentials: session } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/Deployer`,
        RoleSessionName: 'operators-test',
      })
    );

    return {
      ...base,
      credentials: {
        accessKeyId: session?.AccessKeyId ?? '',
        secretAccessKey: session?.SecretAccessKey ?? '',
        sessionToken: session?.SessionToken ?? '',
      },
    };
  }

  it('deploys the writer and the operators-only reader with their trust', async () => {
    const registry = synthesizeRollout(config, 'prod').templates.find(
      (entry) => entry.kind === 'registry'
    );
    const clientConfig = await clientConfigOf(REGISTRY);
    const cloudFormation = new CloudFormationClient(clientConfig);
    const iam = new IAMClient(clientConfig);

    await cloudFormation.send(
      new CreateStackCommand({
        StackName: 'registry',
        TemplateBody: JSON.stringify(registry?.template),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      })
    );
    const { Stacks } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: 'registry' })
    );
    const trustOf = async (roleName: string) => {
      const { Role } = await iam.send(
        new GetRoleCommand({ RoleName: roleName })
      );

      return JSON.parse(
        decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '{}')
      ).Statement as { Sid?: string; Principal: unknown; Condition: unknown }[];
    };
    const writer = await trustOf('EcrPullReconcilerWriter');
    const reader = await trustOf('EcrPullReconcilerRegistryReader');

    expect(Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
    expect(writer.map((statement) => statement.Sid)).toEqual([
      undefined,
      'OperatorRoles',
    ]);
    expect(writer[1]).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::555555555555:root' },
      Condition: { ArnEquals: { 'aws:PrincipalArn': [PLATFORM] } },
    });
    expect(reader).toEqual([
      expect.objectContaining({
        Sid: 'OperatorRoles',
        Condition: { ArnEquals: { 'aws:PrincipalArn': [PLATFORM] } },
      }),
      expect.objectContaining({
        Sid: 'OperatorPermissionSets',
        Principal: { AWS: 'arn:aws:iam::123456789012:root' },
        Condition: {
          ArnLike: {
            'aws:PrincipalArn': [VIEWERS.replace('*', '?'.repeat(16))],
          },
        },
      }),
    ]);
  });
});
