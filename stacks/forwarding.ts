import { Aws, CfnCondition, CfnParameter, Fn, type Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  centralEventBusArn,
  type RemoteRole,
  trustedRoleArns,
} from './central-roles.js';
import type { DeploymentConfig } from './config.js';

const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';
const CLOUDTRAIL_SERVICE_EVENT = 'AWS Service Event via CloudTrail';

function cloudTrailPattern(
  source: string,
  eventSource: string,
  eventNames: string[]
): events.EventPattern {
  return {
    source: [source],
    detailType: [CLOUDTRAIL_API_CALL],
    detail: {
      eventSource: [eventSource],
      eventName: eventNames,
      // A failed call changed nothing worth reconciling.
      errorCode: [{ exists: false }],
    },
  };
}

/**
 * What each kind of account forwards to the central bus, and what the
 * central rules match there (with an `account` filter on ECR events, which
 * a forwarding account meets by construction).
 */
export const FORWARDED_PATTERNS = {
  // The opt-in tag is not matched here: whether EventBridge matches fields
  // of one element of `tags` (an array of objects) is unverified, so the
  // handler checks the tag on the project it reads back.
  projectChanged: cloudTrailPattern(
    'aws.codebuild',
    'codebuild.amazonaws.com',
    ['CreateProject', 'UpdateProject', 'DeleteProject']
  ),
  imagePushed: {
    source: ['aws.ecr'],
    detailType: ['ECR Image Action'],
    detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] },
  },
  repositoryChanged: cloudTrailPattern('aws.ecr', 'ecr.amazonaws.com', [
    'CreateRepository',
    'TagResource',
    'UntagResource',
    'DeleteRepository',
  ]),
  // Organizations events exist only in us-east-1 of the management
  // account, which forwards them to the central bus.
  accountMoved: cloudTrailPattern(
    'aws.organizations',
    'organizations.amazonaws.com',
    ['MoveAccount', 'RemoveAccountFromOrganization']
  ),
  accountCreated: {
    source: ['aws.organizations'],
    detailType: [CLOUDTRAIL_SERVICE_EVENT],
    detail: {
      eventSource: ['organizations.amazonaws.com'],
      eventName: ['CreateAccountResult'],
      serviceEventDetails: { createAccountStatus: { state: ['SUCCEEDED'] } },
    },
  },
} as const satisfies Record<string, events.EventPattern>;

export type ForwardedPattern = keyof typeof FORWARDED_PATTERNS;

export const CENTRAL_BUS_PARAMETER = 'CentralEventBusArn';
export const ACCOUNT_ROLES_REGION_PARAMETER = 'AccountRolesRegion';

/**
 * The ARN parameter every forwarding template takes. Its default is the
 * stage's bus in the `aws` partition, so templates deployed by hand need
 * no parameter there; elsewhere the caller passes the ARN.
 */
export function centralBusParameter(
  stack: Stack,
  config: DeploymentConfig,
  stage: string
): CfnParameter {
  return new CfnParameter(stack, CENTRAL_BUS_PARAMETER, {
    type: 'String',
    description: 'ARN of the ecr-pull-reconciler event bus',
    default: centralEventBusArn(config, stage, 'aws'),
    allowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/.+$',
  });
}

/**
 * Forwards events of this account's default bus to the central bus. A rule
 * may target another account's bus only through a role of its own account
 * allowed to put events there.
 */
export function forwardToCentralBus(
  stack: Stack,
  busArn: string,
  patterns: readonly ForwardedPattern[]
): void {
  const bus = events.EventBus.fromEventBusArn(stack, 'CentralBus', busArn);
  // The target grants the role events:PutEvents on the bus and no more.
  const role = new iam.Role(stack, 'ForwardingRole', {
    description: 'Lets EventBridge forward events to ecr-pull-reconciler',
    // No source condition: whether EventBridge sets aws:SourceAccount for
    // rule targets is undocumented, and a rule can only name this role
    // after iam:PassRole, which only principals of this account can hold.
    assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
  });
  for (const name of patterns) {
    const id = `Forward${name[0]?.toUpperCase()}${name.slice(1)}`;
    new events.Rule(stack, id, {
      description: `Forwards ${name} events to ecr-pull-reconciler`,
      eventPattern: FORWARDED_PATTERNS[name],
      targets: [new EventBusTarget(bus, { role })],
    });
  }
}

/**
 * Roles with fixed names exist once per account, while StackSet and
 * registry stacks run in every Region: only the stack in this Region
 * creates them.
 */
export function accountRolesCondition(
  stack: Stack,
  defaultRegion: string
): CfnCondition {
  const region = new CfnParameter(stack, ACCOUNT_ROLES_REGION_PARAMETER, {
    type: 'String',
    default: defaultRegion,
    description:
      'The one Region whose stack creates the account-wide IAM roles',
    allowedPattern: '^[a-z]{2}(-[a-z]+)+-\\d+$',
  });

  return new CfnCondition(stack, 'CreatesAccountRoles', {
    expression: Fn.conditionEquals(Aws.REGION, region.valueAsString),
  });
}

/**
 * Trusts the central functions that use this kind of role and nothing
 * else. The central account is the principal and the roles are named in
 * `aws:PrincipalArn`: IAM refuses a trust policy naming a role that does
 * not exist yet, and would silently keep an opaque id once it is replaced.
 */
export function centralRolesPrincipal(
  config: DeploymentConfig,
  stage: string,
  remote: RemoteRole
): iam.PrincipalBase {
  return new iam.AccountPrincipal(config.centralAccountId).withConditions({
    ArnEquals: {
      'aws:PrincipalArn': trustedRoleArns(config, stage, remote, Aws.PARTITION),
    },
  });
}
