import { Aws, CfnRule, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import type { Construct } from 'constructs';
import { trustedRoleArns } from './central-roles.js';
import type { DeploymentConfig } from './config.js';
import {
  centralBusParameter,
  centralRolesPrincipal,
  forwardToCentralBus,
} from './forwarding.js';

/** The Organizations reads of the engine (packages/aws/src/organizations.ts). */
export const ORGANIZATIONS_READ_ACTIONS = [
  'organizations:DescribeOrganization',
  'organizations:ListRoots',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListAccountsForParent',
  'organizations:ListParents',
];

/** As the central stack grants them when it reads Organizations itself. */
function organizationReadStatements(
  organizationId: string
): iam.PolicyStatement[] {
  const organizations = `arn:${Aws.PARTITION}:organizations::*`;
  const [described, listed] = [
    ORGANIZATIONS_READ_ACTIONS.slice(0, 2),
    ORGANIZATIONS_READ_ACTIONS.slice(2),
  ];

  return [
    // These two actions support no resource type, so `*` is the only
    // resource IAM accepts for them.
    new iam.PolicyStatement({ actions: described, resources: ['*'] }),
    new iam.PolicyStatement({
      actions: listed,
      resources: [
        `${organizations}:root/${organizationId}/*`,
        `${organizations}:ou/${organizationId}/*`,
        `${organizations}:account/${organizationId}/*`,
      ],
    }),
  ];
}

export interface ManagementStackProps {
  config: DeploymentConfig;
  stage: string;
}

/** The name and path of a role ARN, as iam.Role takes them. */
function roleNameAndPath(arn: string): { roleName: string; path: string } {
  const resource = arn.slice(arn.indexOf(':role/') + ':role/'.length);
  const slash = resource.lastIndexOf('/');

  return {
    roleName: resource.slice(slash + 1),
    path: slash < 0 ? '/' : `/${resource.slice(0, slash + 1)}`,
  };
}

/**
 * What the management account runs, in us-east-1 where Organizations
 * events appear: their forwarding, and the central functions' way of
 * reading the Organization, either a role to assume or, without one, a
 * delegation of the read actions to the central account.
 */
export class ManagementStack extends Stack {
  constructor(scope: Construct, id: string, props: ManagementStackProps) {
    super(scope, id, {
      description: `ecr-pull-reconciler (${props.stage}): management account, us-east-1`,
      analyticsReporting: false,
    });
    const { config, stage } = props;
    // Deployed anywhere else, the stack would succeed and forward nothing.
    const assertions = [
      {
        assert: Fn.conditionEquals(Aws.REGION, 'us-east-1'),
        assertDescription:
          'Organizations events appear only in us-east-1: deploy this stack there.',
      },
    ];
    if (config.managementAccountId) {
      assertions.push({
        assert: Fn.conditionEquals(Aws.ACCOUNT_ID, config.managementAccountId),
        assertDescription: `Deploy this stack in the management account ${config.managementAccountId}.`,
      });
    }
    new CfnRule(this, 'ManagementAccountInUsEast1', { assertions });

    const busArn = centralBusParameter(this, config, stage).valueAsString;
    forwardToCentralBus(this, busArn, ['accountMoved', 'accountCreated']);

    if (config.organizationsRoleArn) {
      new iam.Role(this, 'OrganizationsReaderRole', {
        ...roleNameAndPath(config.organizationsRoleArn),
        description: 'Lets ecr-pull-reconciler read the Organization tree',
        assumedBy: centralRolesPrincipal(config, stage, 'organizations'),
        inlinePolicies: {
          ReadOrganization: new iam.PolicyDocument({
            statements: organizationReadStatements(config.organizationId),
          }),
        },
      });
      return;
    }
    if (config.managementAccountId === config.centralAccountId) return;

    // Without a role, the central functions call Organizations with their
    // own credentials, which a delegation policy of the Organization allows.
    new organizations.CfnResourcePolicy(this, 'OrganizationsReadDelegation', {
      content: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'EcrPullReconcilerReadsOrganization',
            Effect: 'Allow',
            Principal: {
              AWS: `arn:${Aws.PARTITION}:iam::${config.centralAccountId}:root`,
            },
            Action: ORGANIZATIONS_READ_ACTIONS,
            Resource: '*',
            Condition: {
              ArnEquals: {
                'aws:PrincipalArn': trustedRoleArns(
                  config,
                  stage,
                  'organizations',
                  Aws.PARTITION
                ),
              },
            },
          },
        ],
      },
    });
  }
}
