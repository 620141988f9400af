import {
  repositoriesNeedingWrite,
  type SyntheticOrganization,
} from './synthetic-organization.js';

/**
 * Page sizes of the AWS APIs a sweep reads, at their documented maximum:
 * ListOrganizationalUnitsForParent and ListAccountsForParent take
 * MaxResults up to 20, ListProjects returns 100 names a page and has no
 * page size, BatchGetProjects takes 100 names, DescribeRepositories takes
 * maxResults up to 1,000.
 */
export const PAGE_SIZES = {
  organizationalUnitsForParent: 20,
  accountsForParent: 20,
  listProjects: 100,
  batchGetProjects: 100,
  describeRepositories: 1000,
} as const;

/** What an Organization holds, as far as a sweep has to read it. */
export interface OrganizationCensus {
  /** Child OUs and accounts of the root and of every OU. */
  parents: { units: number; accounts: number }[];
  /** Build projects in each ACTIVE account, per member Region. */
  projectsPerAccountRegion: number[];
  /** Repositories in each registry account and Region. */
  repositoriesPerRegistry: number[];
  /** Repositories whose policy must change. */
  repositoriesToWrite: number;
  /** Accounts other than the caller's that are read or written. */
  assumedAccounts: number;
}

export interface BoundItem {
  service: string;
  operation: string;
  calls: number;
  /** What the number counts, for the report. */
  counts: string;
}

export interface LowerBound {
  total: number;
  items: BoundItem[];
}

/** Pages needed to list `items`; an empty listing still takes one call. */
export function pages(items: number, pageSize: number): number {
  return Math.max(1, Math.ceil(items / pageSize));
}

/**
 * The fewest calls any sweep of this Organization can make, derived from
 * what it holds rather than from what the engine does.
 */
export function lowerBound(census: OrganizationCensus): LowerBound {
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const repositories = sum(census.repositoriesPerRegistry);
  const items: BoundItem[] = [
    {
      service: 'organizations',
      operation: 'DescribeOrganization',
      calls: 1,
      counts: 'the Organization id, for the managed statement',
    },
    {
      service: 'organizations',
      operation: 'ListRoots',
      calls: 1,
      counts: 'the root, where the walk starts',
    },
    {
      service: 'organizations',
      operation: 'ListOrganizationalUnitsForParent',
      calls: sum(
        census.parents.map((parent) =>
          pages(parent.units, PAGE_SIZES.organizationalUnitsForParent)
        )
      ),
      counts: `pages of ${PAGE_SIZES.organizationalUnitsForParent} child OUs, per parent (root and every OU)`,
    },
    {
      service: 'organizations',
      operation: 'ListAccountsForParent',
      calls: sum(
        census.parents.map((parent) =>
          pages(parent.accounts, PAGE_SIZES.accountsForParent)
        )
      ),
      counts: `pages of ${PAGE_SIZES.accountsForParent} accounts, per parent`,
    },
    {
      service: 'sts',
      operation: 'AssumeRole',
      calls: census.assumedAccounts,
      counts: "one per account touched, other than the caller's",
    },
    {
      service: 'codebuild',
      operation: 'ListProjects',
      calls: sum(
        census.projectsPerAccountRegion.map((projects) =>
          pages(projects, PAGE_SIZES.listProjects)
        )
      ),
      counts: `pages of ${PAGE_SIZES.listProjects} names, per ACTIVE account and Region`,
    },
    {
      service: 'codebuild',
      operation: 'BatchGetProjects',
      calls: sum(
        census.projectsPerAccountRegion.map((projects) =>
          Math.ceil(projects / PAGE_SIZES.batchGetProjects)
        )
      ),
      counts: `batches of ${PAGE_SIZES.batchGetProjects} projects, per account and Region`,
    },
    {
      service: 'ecr',
      operation: 'DescribeRepositories',
      calls: sum(
        census.repositoriesPerRegistry.map((count) =>
          pages(count, PAGE_SIZES.describeRepositories)
        )
      ),
      counts: `pages of ${PAGE_SIZES.describeRepositories} repositories, per registry and Region`,
    },
    {
      service: 'ecr',
      operation: 'ListTagsForResource',
      calls: repositories,
      counts: 'one per repository (its share-with tag)',
    },
    {
      service: 'ecr',
      operation: 'GetRepositoryPolicy',
      calls: repositories,
      counts: 'one per repository (its current policy)',
    },
    {
      service: 'ecr',
      operation: 'SetRepositoryPolicy|DeleteRepositoryPolicy',
      calls: census.repositoriesToWrite,
      counts: 'one write per repository whose policy must change',
    },
  ];

  return { total: sum(items.map((item) => item.calls)), items };
}

/**
 * The census of the synthetic Organization as seeded: the management
 * account sits in the root next to any member without an OU, and every
 * account is ACTIVE.
 */
export function censusOf(
  organization: SyntheticOrganization,
  options: { cold: boolean }
): OrganizationCensus {
  const parentPaths = ['', ...organization.organizationalUnits];
  const childrenOf = (parent: string) =>
    organization.organizationalUnits.filter((path) => {
      const cut = path.lastIndexOf('/');

      return (cut < 0 ? '' : path.slice(0, cut)) === parent;
    }).length;
  const accountsIn = (parent: string) =>
    [...organization.accountParents.values()].filter((path) => path === parent)
      .length + (parent === '' ? 1 : 0);
  const members = [...organization.accountParents.keys()];
  const projectsOf = (account: string) =>
    organization.projects.filter((project) => project.account === account)
      .length;

  return {
    parents: parentPaths.map((path) => ({
      units: childrenOf(path),
      accounts: accountsIn(path),
    })),
    // The management account holds no projects but must still be listed.
    projectsPerAccountRegion: [0, ...members.map(projectsOf)],
    repositoriesPerRegistry: [organization.repositories.length],
    repositoriesToWrite: options.cold
      ? repositoriesNeedingWrite(organization).length
      : 0,
    // A warm sweep reuses the sessions of the cold one.
    assumedAccounts: options.cold ? members.length : 0,
  };
}
