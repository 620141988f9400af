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

export interface AccountStackProps {
  config: DeploymentConfig;
  stage: string;
  /** The default of the AccountRolesRegion parameter. */
  accountRolesRegion: string;
}

const IAM_ROLE_READ_ACTIONS = [
  'iam:GetRole',
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
  // explain asks IAM itself first; the resource is the simulated role.
  'iam:SimulatePrincipalPolicy',
];

const IAM_POLICY_READ_ACTIONS = ['iam:GetPolicy', 'iam:GetPolicyVersion'];

/**
 * What every member account runs, in each member Region, as one instance of
 * the member StackSet: forwarding of build project changes, and the role
 * the central functions read build projects and build roles through.
 */
export class MemberStack extends Stack {
  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id, {
      description: `ecr-pull-reconciler (${props.stage}): member account`,
      analyticsReporting: false,
    });
    const { config, stage } = props;
    const busArn = centralBusParameter(this, config, stage).valueAsString;
    forwardToCentralBus(this, busArn, ['projectChanged']);

    const createsRoles = accountRolesCondition(this, props.accountRolesRegion);
    const account = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}`;
    const reader = new iam.Role(this, 'ReaderRole', {
      roleName: config.memberRoleName,
      description:
        'Lets ecr-pull-reconciler read build projects and build role policies',
      assumedBy: centralRolesPrincipal(config, stage, 'member'),
      inlinePolicies: {
        ReadBuildProjects: new iam.PolicyDocument({
          statements: [
            // ListProjects supports no resource type, so `*` is the only
            // resource IAM accepts for it.
            new iam.PolicyStatement({
              actions: ['codebuild:ListProjects'],
              resources: ['*'],
            }),
            new iam.PolicyStatement({
              actions: ['codebuild:BatchGetProjects'],
              resources: [
                `arn:${Aws.PARTITION}:codebuild:*:${Aws.ACCOUNT_ID}:project/*`,
              ],
            }),
            // `explain` reads what a build role's own policies allow.
            new iam.PolicyStatement({
              actions: IAM_ROLE_READ_ACTIONS,
              resources: [`${account}:role/*`],
            }),
            new iam.PolicyStatement({
              actions: IAM_POLICY_READ_ACTIONS,
              resources: [
                `${account}:policy/*`,
                `arn:${Aws.PARTITION}:iam::aws:policy/*`,
              ],
            }),
          ],
        }),
      },
    });
    (reader.node.defaultChild as CfnResource).cfnOptions.condition =
      createsRoles;
  }
}
