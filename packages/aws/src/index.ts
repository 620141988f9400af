import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { RepositoryLocation } from '../../core/src/image/types.js';
import type { OrgTree } from '../../core/src/organization/org-tree.js';
import type { BuildProject } from '../../core/src/project/build-project.js';
import type { RepositorySnapshot } from '../../core/src/repository/repository.js';

/**
 * Observes every HTTP attempt the gateways send, retries included.
 * `accountId` is undefined only for calls made with the base credentials
 * before their account is known (the first GetCallerIdentity).
 */
export type CallObserver = (
  service: string,
  operation: string,
  accountId: string | undefined
) => void;

export interface AwsGatewaysOptions {
  /** Default Region: STS, IAM and Organizations calls go here. */
  region: string;
  /** Sends every call (STS included) here, e.g. a local moto server. */
  endpoint?: string;
  /**
   * Credentials of the process. Defaults to the SDK's provider chain, or to
   * static dummy keys when `endpoint` is set.
   */
  credentials?: AwsCredentialIdentityProvider;
  /** Role assumed in member accounts to read CodeBuild and IAM. */
  memberRoleName: string;
  /** Role assumed in registry accounts to read and write ECR. */
  registryRoleName: string;
  /** Role for Organizations reads; the base credentials when absent. */
  organizationsRoleArn?: string;
  /** SDK attempts per operation (adaptive retry mode). Default 8. */
  maxAttempts?: number;
  onCall?: CallObserver;
}

/** An account in one Region: where CodeBuild projects or repositories live. */
export interface AccountRegion {
  accountId: string;
  region: string;
}

/** A repository that exists, as DescribeRepositories returns it. */
export interface RepositoryIdentity extends RepositoryLocation {
  arn: string;
  uri: string;
}

export interface RepositoryReadFailure {
  location: RepositoryLocation;
  error: Error;
}

export interface RepositorySweep {
  repositories: RepositorySnapshot[];
  /** Repositories that could not be read; the others are still returned. */
  failures: RepositoryReadFailure[];
}

export interface BuildProjectLookup {
  found: BuildProject[];
  /** Requested names (or ARNs) CodeBuild did not return. */
  notFound: string[];
}

export interface RolePolicyDocument {
  /** The policy name (inline) or ARN (managed). */
  name: string;
  kind: 'inline' | 'managed';
  /** The policy document, URL-decoded JSON text. */
  document: string;
}

export interface AwsGateways {
  /** Account of the base credentials, learnt once. */
  callerAccountId(): Promise<string>;
  organizations: {
    readOrgTree(): Promise<OrgTree>;
  };
  ecr: {
    listRepositories(registry: AccountRegion): Promise<RepositoryIdentity[]>;
    /** Undefined when the repository does not exist. */
    readRepository(
      location: RepositoryLocation
    ): Promise<RepositorySnapshot | undefined>;
    readRepositories(
      registry: AccountRegion,
      options?: { concurrency?: number }
    ): Promise<RepositorySweep>;
    describeRepository(
      location: RepositoryLocation
    ): Promise<RepositoryIdentity | undefined>;
    /** Returns the policy text as ECR stored it. */
    setRepositoryPolicy(
      location: RepositoryLocation,
      policyText: string
    ): Promise<string | undefined>;
    /** Succeeds when there was no policy. */
    deleteRepositoryPolicy(location: RepositoryLocation): Promise<void>;
  };
  codebuild: {
    listBuildProjects(account: AccountRegion): Promise<BuildProject[]>;
    getBuildProjects(
      account: AccountRegion,
      names: readonly string[]
    ): Promise<BuildProjectLookup>;
  };
  iam: {
    /** Reads in the role's own account (from its ARN). */
    roleExists(roleArn: string): Promise<boolean>;
    /** Inline and attached managed policies; undefined when no such role. */
    readRolePolicies(
      roleArn: string
    ): Promise<RolePolicyDocument[] | undefined>;
  };
}

export function createAwsGateways(options: AwsGatewaysOptions): AwsGateways {
  throw new Error(
    `AWS gateways are being written (region ${options.region}); interface only.`
  );
}
