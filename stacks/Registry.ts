import { Aws, type CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from './config.js';
import {
  accountRolesCondition,
  centralBusParameter,
  centralRolesPrincipal,
  forwardToCentralBus,
} from './forwarding.js';
import {
  operatorRoleArns,
  operatorsPrincipal,
  trustOperators,
} from './operators.js';

/** What the writer role may do: find repositories, read tags and policies. */
export const REGISTRY_WRITE_ACTIONS = [
  'ecr:DescribeRepositories',
  'ecr:ListTagsForResource',
  'ecr:GetRepositoryPolicy',
  'ecr:SetRepositoryPolicy',
  'ecr:DeleteRepositoryPolicy',
];

/** What operators who only plan may do: the writer's reads. */
export const REGISTRY_READ_ACTIONS = [
  'ecr:DescribeRepositories',
  'ecr:ListTagsForResource',
  'ecr:GetRepositoryPolicy',
];

export interface RegistryStackProps {
  config: DeploymentConfig;
  stage: string;
  accountId: string;
  /** The Regions of this registry whose repositories are managed. */
  regions: readonly string[];
  /**
   * The central account writes its own repositories without a role, so
   * its registry stack only forwards events of its other Regions.
   */
  writerRole: boolean;
}

/**
 * What a registry account runs in each of its managed Regions: forwarding
 * of pushes and repository changes, and, in one Region, the role the
 * central functions write repository policies through.
 */
export class RegistryStack extends Stack {
  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, {
      description: `ecr-pull-reconciler (${props.stage}): registry account ${props.accountId}`,
      analyticsReporting: false,
    });
    const { config, stage, regions } = props;
    const busArn = centralBusParameter(this, config, stage).valueAsString;
    forwardToCentralBus(this, busArn, ['imagePushed', 'repositoryChanged']);
    if (!props.writerRole) return;

    const createsRoles = accountRolesCondition(
      this,
      regions[0] ?? config.region
    );
    const repositories = regions.map(
      (region) =>
        `arn:${Aws.PARTITION}:ecr:${region}:${Aws.ACCOUNT_ID}:repository/*`
    );
    const writer = new iam.Role(this, 'WriterRole', {
      roleName: config.registryRoleName,
      description:
        'Lets ecr-pull-reconciler read repository tags and write repository policies',
      assumedBy: centralRolesPrincipal(config, stage, 'registry'),
      inlinePolicies: {
        WriteRepositoryPolicies: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: REGISTRY_WRITE_ACTIONS,
              resources: repositories,
            }),
          ],
        }),
      },
    });
    trustOperators(writer, config, 'write');
    (writer.node.defaultChild as CfnResource).cfnOptions.condition =
      createsRoles;
    if (operatorRoleArns(config, 'read').length === 0) return;

    // No central function uses it: they plan and apply in one run.
    const reader = new iam.Role(this, 'OperatorReaderRole', {
      roleName: config.registryReaderRoleName,
      description:
        'Lets ecr-pull-reconciler operators read repository tags and policies',
      assumedBy: operatorsPrincipal(config, 'read'),
      inlinePolicies: {
        ReadRepositoryPolicies: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: REGISTRY_READ_ACTIONS,
              resources: repositories,
            }),
          ],
        }),
      },
    });
    (reader.node.defaultChild as CfnResource).cfnOptions.condition =
      createsRoles;
  }
}
