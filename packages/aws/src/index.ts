import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { OrgTree } from '../../core/src/organization/org-tree.js';
import { type AwsContext, ClientFactory } from './clients.js';
import { type CodeBuildGateway, createCodeBuildGateway } from './codebuild.js';
import { AccountCredentials } from './credentials.js';
import { createEcrGateway, type EcrGateway } from './ecr.js';
import { createIamGateway, type IamGateway } from './iam.js';
import { readOrgTree } from './organizations.js';

export type {
  AccountRegion,
  AwsContext,
  CallObserver,
  ConfigurableClient,
  ServiceName,
} from './clients.js';
export { EMULATOR_CREDENTIALS } from './clients.js';
export type { BuildProjectLookup, CodeBuildGateway } from './codebuild.js';
export type {
  EcrGateway,
  RepositoryIdentity,
  RepositoryReadFailure,
  RepositorySweep,
} from './ecr.js';
export { repositoryArn } from './ecr.js';
export * from './errors.js';
export type { IamGateway, RolePolicyDocument } from './iam.js';

export interface AwsGatewaysOptions
  extends Omit<AwsContext, 'baseCredentials'> {
  /**
   * Credentials of the process. Defaults to the SDK's provider chain, or to
   * static dummy keys when `endpoint` is set.
   */
  credentials?: AwsContext['baseCredentials'];
  /** Role assumed in member accounts to read CodeBuild and IAM. */
  memberRoleName: string;
  /** Role assumed in registry accounts to read and write ECR. */
  registryRoleName: string;
  /** Role for Organizations reads; the base credentials when absent. */
  organizationsRoleArn?: string;
}

export interface OrganizationsGateway {
  readOrgTree(): Promise<OrgTree>;
}

/** Every AWS read and write the reconciler makes, by service. */
export interface AwsGateways {
  /** Account of the base credentials, learnt once. */
  callerAccountId(): Promise<string>;
  organizations: OrganizationsGateway;
  ecr: EcrGateway;
  codebuild: CodeBuildGateway;
  iam: IamGateway;
}

/**
 * Wires clients and per-account credentials once per process. Callers pass
 * account ids, Regions and repository locations, never clients.
 */
export function createAwsGateways(options: AwsGatewaysOptions): AwsGateways {
  const { credentials: baseCredentials, ...rest } = options;
  const context: AwsContext = { ...rest, baseCredentials };
  const clients = new ClientFactory(context);
  const credentials = new AccountCredentials(context, clients);
  const { memberRoleName, registryRoleName, organizationsRoleArn } = options;
  const organizationsIdentity = organizationsRoleArn
    ? credentials.forRole(organizationsRoleArn)
    : credentials.base;

  return {
    callerAccountId: async () => (await credentials.callerIdentity()).accountId,
    organizations: {
      readOrgTree: () =>
        readOrgTree(
          clients.get(
            'organizations',
            OrganizationsClient,
            organizationsIdentity
          )
        ),
    },
    ecr: createEcrGateway((accountId, region) =>
      clients.get(
        'ecr',
        ECRClient,
        credentials.forAccount(accountId, registryRoleName),
        region
      )
    ),
    codebuild: createCodeBuildGateway((accountId, region) =>
      clients.get(
        'codebuild',
        CodeBuildClient,
        credentials.forAccount(accountId, memberRoleName),
        region
      )
    ),
    iam: createIamGateway((accountId) =>
      clients.get(
        'iam',
        IAMClient,
        credentials.forAccount(accountId, memberRoleName)
      )
    ),
  };
}
export type {
  PrincipalSimulation,
  RoleDescription,
  SimulatedAction,
  SimulatedDecision,
  SimulationContextEntry,
  SimulationRequest,
} from './iam.js';
