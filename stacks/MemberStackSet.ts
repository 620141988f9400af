import { Aws, Stack } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import type { Construct } from 'constructs';
import { APP_NAME, centralEventBusArn } from './central-roles.js';
import type { DeploymentConfig } from './config.js';
import {
  ACCOUNT_ROLES_REGION_PARAMETER,
  CENTRAL_BUS_PARAMETER,
} from './forwarding.js';

export interface MemberStackSetProps {
  config: DeploymentConfig;
  stage: string;
  /** The synthesized member template. */
  memberTemplate: object;
  /** OU or root ids whose accounts get a member stack instance. */
  organizationalUnitIds: readonly string[];
  /** Every Region a member stack instance runs in. */
  regions: readonly string[];
  accountRolesRegion: string;
}

/**
 * The member template as a service-managed StackSet, deployed from the
 * management account or a delegated administrator: accounts that join a
 * target OU get an instance, accounts that leave lose it.
 */
export class MemberStackSetStack extends Stack {
  constructor(scope: Construct, id: string, props: MemberStackSetProps) {
    super(scope, id, {
      description: `ecr-pull-reconciler (${props.stage}): member StackSet`,
      analyticsReporting: false,
    });
    const { config, stage } = props;

    new cloudformation.CfnStackSet(this, 'MemberStackSet', {
      stackSetName: `${stage}-${APP_NAME}-member`,
      description: `ecr-pull-reconciler (${stage}): forwarding of build project changes and the reader role ${config.memberRoleName}`,
      permissionModel: 'SERVICE_MANAGED',
      callAs: config.stackSetCallAs,
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      // Lets CloudFormation queue operations, so an OU change landing while
      // the StackSet is updated is not refused.
      managedExecution: { Active: true },
      operationPreferences: {
        regionConcurrencyType: 'PARALLEL',
        maxConcurrentPercentage: 25,
        failureTolerancePercentage: 10,
      },
      parameters: [
        {
          parameterKey: CENTRAL_BUS_PARAMETER,
          parameterValue: centralEventBusArn(config, stage, Aws.PARTITION),
        },
        {
          parameterKey: ACCOUNT_ROLES_REGION_PARAMETER,
          parameterValue: props.accountRolesRegion,
        },
      ],
      stackInstancesGroup: [
        {
          deploymentTargets: {
            organizationalUnitIds: [...props.organizationalUnitIds],
          },
          regions: [...props.regions],
        },
      ],
      templateBody: JSON.stringify(props.memberTemplate),
    });
  }
}
