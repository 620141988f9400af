import {
  DeleteRepositoryPolicyCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  paginateDescribeRepositories,
  type Repository,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import type { RepositoryLocation } from '../../core/src/image/types.js';
import type { RepositorySnapshot } from '../../core/src/repository/repository.js';
import type { AccountRegion } from './clients.js';
import { mapWithConcurrency } from './concurrency.js';
import {
  type AwsCallScope,
  errorName,
  RepositoryPolicyRejectedError,
  toGatewayError,
} from './errors.js';

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

export interface EcrGateway {
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
  /** Succeeds when there was no policy to delete. */
  deleteRepositoryPolicy(location: RepositoryLocation): Promise<void>;
}

/** Gives the ECR client acting in a registry account and Region. */
export type EcrClientFor = (accountId: string, region: string) => ECRClient;

const REPOSITORY_NOT_FOUND = 'RepositoryNotFoundException';
const POLICY_NOT_FOUND = 'RepositoryPolicyNotFoundException';
const DEFAULT_READ_CONCURRENCY = 8;
const DESCRIBE_REPOSITORIES_PAGE_SIZE = 1000;

export function repositoryArn(location: RepositoryLocation): string {
  const { partition, region, registryAccountId, repositoryName } = location;

  return `arn:${partition}:ecr:${region}:${registryAccountId}:repository/${repositoryName}`;
}

function identityOf(
  repository: Repository,
  region: string
): RepositoryIdentity {
  const arn = repository.repositoryArn ?? '';

  return {
    partition: arn.split(':')[1] ?? 'aws',
    region,
    registryAccountId: repository.registryId ?? arn.split(':')[4] ?? '',
    repositoryName: repository.repositoryName ?? '',
    arn,
    uri: repository.repositoryUri ?? '',
  };
}

function scopeOf(
  operation: string,
  location: { registryAccountId: string; region: string }
): AwsCallScope {
  return {
    operation,
    accountId: location.registryAccountId,
    region: location.region,
  };
}

/**
 * ECR in registry accounts. ECR only answers for the account whose
 * credentials sign the call (a foreign `registryId` finds nothing), so
 * every call goes through that account's client.
 */
export function createEcrGateway(clientFor: EcrClientFor): EcrGateway {
  const clientOf = (location: RepositoryLocation) =>
    clientFor(location.registryAccountId, location.region);

  async function listRepositories(
    registry: AccountRegion
  ): Promise<RepositoryIdentity[]> {
    const client = clientFor(registry.accountId, registry.region);
    const repositories: RepositoryIdentity[] = [];
    try {
      // Without maxResults ECR pages by 100, three times the calls at
      // its 1,000 maximum. moto ignores maxResults and returns one page.
      const pages = paginateDescribeRepositories(
        { client, pageSize: DESCRIBE_REPOSITORIES_PAGE_SIZE },
        { registryId: registry.accountId }
      );
      for await (const page of pages) {
        for (const repository of page.repositories ?? []) {
          repositories.push(identityOf(repository, registry.region));
        }
      }
    } catch (error) {
      throw toGatewayError(error, {
        operation: 'DescribeRepositories',
        ...registry,
      });
    }

    return repositories;
  }

  async function readTags(
    location: RepositoryLocation
  ): Promise<Record<string, string> | undefined> {
    try {
      const { tags } = await clientOf(location).send(
        new ListTagsForResourceCommand({
          resourceArn: repositoryArn(location),
        })
      );

      return Object.fromEntries(
        (tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])
      );
    } catch (error) {
      if (errorName(error) === REPOSITORY_NOT_FOUND) return undefined;
      throw toGatewayError(error, scopeOf('ListTagsForResource', location));
    }
  }

  async function readPolicy(
    location: RepositoryLocation
  ): Promise<{ policyText: string | undefined } | undefined> {
    try {
      const { policyText } = await clientOf(location).send(
        new GetRepositoryPolicyCommand({
          registryId: location.registryAccountId,
          repositoryName: location.repositoryName,
        })
      );

      return { policyText };
    } catch (error) {
      const name = errorName(error);
      if (name === POLICY_NOT_FOUND) return { policyText: undefined };
      if (name === REPOSITORY_NOT_FOUND) return undefined;
      throw toGatewayError(error, scopeOf('GetRepositoryPolicy', location));
    }
  }

  async function readRepository(
    location: RepositoryLocation
  ): Promise<RepositorySnapshot | undefined> {
    const [tags, policy] = await Promise.all([
      readTags(location),
      readPolicy(location),
    ]);
    if (!tags || !policy) return undefined;

    return {
      partition: location.partition,
      region: location.region,
      registryAccountId: location.registryAccountId,
      repositoryName: location.repositoryName,
      arn: repositoryArn(location),
      tags,
      policyText: policy.policyText,
    };
  }

  async function readRepositories(
    registry: AccountRegion,
    options: { concurrency?: number } = {}
  ): Promise<RepositorySweep> {
    const locations = await listRepositories(registry);
    const sweep: RepositorySweep = { repositories: [], failures: [] };
    const reads = await mapWithConcurrency(
      locations,
      options.concurrency ?? DEFAULT_READ_CONCURRENCY,
      (location) =>
        readRepository(location).then(
          (snapshot) => ({ location, snapshot }),
          (error: Error) => ({ location, error })
        )
    );
    for (const read of reads) {
      if ('error' in read) sweep.failures.push(read);
      // Undefined: deleted between the listing and the read.
      else if (read.snapshot) sweep.repositories.push(read.snapshot);
    }

    return sweep;
  }

  async function describeRepository(
    location: RepositoryLocation
  ): Promise<RepositoryIdentity | undefined> {
    try {
      const { repositories } = await clientOf(location).send(
        new DescribeRepositoriesCommand({
          registryId: location.registryAccountId,
          repositoryNames: [location.repositoryName],
        })
      );
      const repository = repositories?.[0];

      return repository ? identityOf(repository, location.region) : undefined;
    } catch (error) {
      if (errorName(error) === REPOSITORY_NOT_FOUND) return undefined;
      throw toGatewayError(error, scopeOf('DescribeRepositories', location));
    }
  }

  async function setRepositoryPolicy(
    location: RepositoryLocation,
    policyText: string
  ): Promise<string | undefined> {
    const scope = scopeOf('SetRepositoryPolicy', location);
    try {
      const response = await clientOf(location).send(
        new SetRepositoryPolicyCommand({
          registryId: location.registryAccountId,
          repositoryName: location.repositoryName,
          policyText,
        })
      );

      return response.policyText;
    } catch (error) {
      if (errorName(error) === 'InvalidParameterException') {
        throw new RepositoryPolicyRejectedError(
          `ECR refused the policy of ${repositoryArn(location)}: ${
            (error as Error).message
          }`,
          scope,
          { cause: error }
        );
      }
      throw toGatewayError(error, scope, [REPOSITORY_NOT_FOUND]);
    }
  }

  async function deleteRepositoryPolicy(
    location: RepositoryLocation
  ): Promise<void> {
    try {
      await clientOf(location).send(
        new DeleteRepositoryPolicyCommand({
          registryId: location.registryAccountId,
          repositoryName: location.repositoryName,
        })
      );
    } catch (error) {
      if (errorName(error) === POLICY_NOT_FOUND) return;
      throw toGatewayError(error, scopeOf('DeleteRepositoryPolicy', location), [
        REPOSITORY_NOT_FOUND,
      ]);
    }
  }

  return {
    listRepositories,
    readRepository,
    readRepositories,
    describeRepository,
    setRepositoryPolicy,
    deleteRepositoryPolicy,
  };
}
