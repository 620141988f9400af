import { ConfigurationError } from '../packages/core/src/errors.js';
import { type DeploymentConfig, isProductionStage } from './config.js';

export const APP_NAME = 'ecr-pull-reconciler';

/**
 * The central functions, by the construct id their stack gives them. Each
 * function's role gets a fixed name built from it, so the templates of
 * other accounts can name the roles they trust before, and independently
 * of, the deploy of the central stack.
 */
export const CENTRAL_FUNCTIONS = [
  'EcrImageAction',
  'EcrRepositoryChange',
  'CodebuildProjectChange',
  'OrganizationChange',
  'ReconcileWorker',
  'Sweep',
  'ManualReconcile',
] as const;

export type CentralFunction = (typeof CENTRAL_FUNCTIONS)[number];

/** The roles other accounts provide, and which central functions use them. */
export const REMOTE_ROLE_USERS = {
  /**
   * Member accounts: build projects and their roles' policies. The worker
   * re-indexes an account's projects; the sweep and manual reconcile only
   * read the project index.
   */
  member: ['CodebuildProjectChange', 'ReconcileWorker'],
  /** Registry accounts other than the central one: tags and policies. */
  registry: ['ReconcileWorker', 'Sweep', 'ManualReconcile'],
  /** The management account: the Organization tree. */
  organizations: ['ReconcileWorker', 'Sweep', 'ManualReconcile'],
} as const satisfies Record<string, readonly CentralFunction[]>;

export type RemoteRole = keyof typeof REMOTE_ROLE_USERS;

const MAX_ROLE_NAME_LENGTH = 64;

/** The bus of production keeps one name for the forwarding rules. */
export function centralEventBusName(
  config: DeploymentConfig,
  stage: string
): string {
  return isProductionStage(config, stage) ? APP_NAME : `${stage}-${APP_NAME}`;
}

/** The bus ARN with the partition left to the template using it. */
export function centralEventBusArn(
  config: DeploymentConfig,
  stage: string,
  partition: string
): string {
  const name = centralEventBusName(config, stage);

  return `arn:${partition}:events:${config.region}:${config.centralAccountId}:event-bus/${name}`;
}

/** Unique per stage, since IAM role names are unique per account. */
export function centralRoleName(stage: string, name: CentralFunction): string {
  const roleName = `${APP_NAME}-${stage}-${name}`;
  if (roleName.length > MAX_ROLE_NAME_LENGTH) {
    throw new ConfigurationError(
      `stage: "${stage}" makes the role name ${roleName} longer than the ${MAX_ROLE_NAME_LENGTH} characters IAM allows; use a shorter stage name`
    );
  }

  return roleName;
}

export function centralRoleArn(
  config: DeploymentConfig,
  stage: string,
  name: CentralFunction,
  partition: string
): string {
  const roleName = centralRoleName(stage, name);

  return `arn:${partition}:iam::${config.centralAccountId}:role/${roleName}`;
}

/** The ARNs of the central roles that use one kind of remote role. */
export function trustedRoleArns(
  config: DeploymentConfig,
  stage: string,
  remote: RemoteRole,
  partition: string
): string[] {
  return REMOTE_ROLE_USERS[remote].map((name) =>
    centralRoleArn(config, stage, name, partition)
  );
}
