import {
  BatchGetProjectsCommand,
  type CodeBuildClient,
  type Project,
  paginateListProjects,
} from '@aws-sdk/client-codebuild';
import type { BuildProject } from '../../core/src/project/build-project.js';
import type { AccountRegion } from './clients.js';
import { chunk, mapWithConcurrency } from './concurrency.js';
import { toGatewayError } from './errors.js';

export interface BuildProjectLookup {
  found: BuildProject[];
  /** Requested names (or ARNs) CodeBuild did not return. */
  notFound: string[];
}

export interface CodeBuildGateway {
  listBuildProjects(account: AccountRegion): Promise<BuildProject[]>;
  getBuildProjects(
    account: AccountRegion,
    names: readonly string[]
  ): Promise<BuildProjectLookup>;
}

/** Gives the CodeBuild client acting in a member account and Region. */
export type CodeBuildClientFor = (
  accountId: string,
  region: string
) => CodeBuildClient;

/** BatchGetProjects takes at most this many names per call. */
export const BATCH_GET_PROJECTS_LIMIT = 100;
const BATCH_CONCURRENCY = 2;

/** Reduces a CodeBuild project to what decides its pulls. */
export function toBuildProject(project: Project): BuildProject {
  const arn = project.arn ?? '';
  const [, , , region = '', accountId = ''] = arn.split(':');
  const environment = project.environment;

  return {
    arn,
    name: project.name ?? '',
    accountId,
    region,
    serviceRoleArn: project.serviceRole,
    image: environment?.image ?? '',
    // CodeBuild's own default when a project leaves it out.
    imagePullCredentialsType:
      environment?.imagePullCredentialsType === 'SERVICE_ROLE'
        ? 'SERVICE_ROLE'
        : 'CODEBUILD',
    tags: Object.fromEntries(
      (project.tags ?? []).map((tag) => [tag.key ?? '', tag.value ?? ''])
    ),
  };
}

export function createCodeBuildGateway(
  clientFor: CodeBuildClientFor
): CodeBuildGateway {
  async function batchGet(
    account: AccountRegion,
    names: readonly string[]
  ): Promise<{ projects: Project[]; notFound: string[] }> {
    const client = clientFor(account.accountId, account.region);
    const batches = await mapWithConcurrency(
      chunk(names, BATCH_GET_PROJECTS_LIMIT),
      BATCH_CONCURRENCY,
      (batch) =>
        client
          .send(new BatchGetProjectsCommand({ names: batch }))
          .catch((error: unknown) => {
            throw toGatewayError(error, {
              operation: 'BatchGetProjects',
              ...account,
            });
          })
    );

    return {
      projects: batches.flatMap((batch) => batch.projects ?? []),
      notFound: batches.flatMap((batch) => batch.projectsNotFound ?? []),
    };
  }

  async function listBuildProjects(
    account: AccountRegion
  ): Promise<BuildProject[]> {
    const client = clientFor(account.accountId, account.region);
    const names: string[] = [];
    try {
      for await (const page of paginateListProjects({ client }, {})) {
        names.push(...(page.projects ?? []));
      }
    } catch (error) {
      throw toGatewayError(error, { operation: 'ListProjects', ...account });
    }
    const { projects } = await batchGet(account, names);

    return projects.map(toBuildProject);
  }

  async function getBuildProjects(
    account: AccountRegion,
    names: readonly string[]
  ): Promise<BuildProjectLookup> {
    const requested = [...new Set(names)];
    const { projects, notFound } = await batchGet(account, requested);
    const found = projects.map(toBuildProject);
    const returned = new Set(found.flatMap(({ name, arn }) => [name, arn]));
    // Names missing from the answer count as not found even when
    // `projectsNotFound` leaves them out.
    const missing = new Set(notFound);
    for (const name of requested) {
      if (!returned.has(name)) missing.add(name);
    }

    return {
      found,
      notFound: requested.filter((name) => missing.has(name)),
    };
  }

  return { listBuildProjects, getBuildProjects };
}
