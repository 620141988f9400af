import type {
  BuildProjectSpec,
  MemberAccountSpec,
  OrganizationalUnitSpec,
  OrganizationSpec,
  RepositorySpec,
} from '../packages/emulator/src/seed.js';

/** How large an Organization the benchmark seeds. */
export interface OrganizationSize {
  /** Member accounts, the registry account included. */
  accounts: number;
  repositories: number;
  projects: number;
}

export const DEFAULT_SIZE: OrganizationSize = {
  accounts: 50,
  repositories: 300,
  projects: 2000,
};

/** Small enough to run in well under two minutes on two shared cores. */
export const QUICK_SIZE: OrganizationSize = {
  accounts: 10,
  repositories: 40,
  projects: 200,
};

export const BENCH_REGION = 'us-east-1';
export const REGISTRY_ACCOUNT = 'registry';

/** Three levels: 3 units, 2 teams each, 2 squads per team. */
const UNITS = 3;
const TEAMS_PER_UNIT = 2;
const SQUADS_PER_TEAM = 2;
const ROLES_PER_ACCOUNT = 4;

type Audience =
  | { kind: 'org' }
  | { kind: 'ou'; path: string }
  | { kind: 'accounts'; names: string[] }
  | { kind: 'untagged' }
  | { kind: 'invalid' };

/** The repository plan the benchmark expects, worked out on its own. */
export interface SyntheticRepository {
  name: string;
  audience: Audience;
  /** Whether the seeded policy holds a statement the tool must keep. */
  foreignStatement: boolean;
}

export interface SyntheticProject {
  name: string;
  account: string;
  repository: string | undefined;
  serviceRole: string;
  optedIn: boolean;
  pullsWithServiceRole: boolean;
}

export interface SyntheticOrganization {
  spec: OrganizationSpec;
  /** OU paths, parents before children. */
  organizationalUnits: string[];
  /** OU path of each member account by name; '' is the root. */
  accountParents: Map<string, string>;
  repositories: SyntheticRepository[];
  projects: SyntheticProject[];
}

function pad(index: number): string {
  return String(index).padStart(3, '0');
}

function unitTree(): OrganizationalUnitSpec[] {
  return Array.from({ length: UNITS }, (_, unit) => ({
    name: `unit-${unit + 1}`,
    children: Array.from({ length: TEAMS_PER_UNIT }, (_, team) => ({
      name: `team-${team + 1}`,
      children: Array.from({ length: SQUADS_PER_TEAM }, (_, squad) => ({
        name: `squad-${squad + 1}`,
      })),
    })),
  }));
}

function unitPaths(units: OrganizationalUnitSpec[], parent = ''): string[] {
  const level = units.map((unit) =>
    parent ? `${parent}/${unit.name}` : unit.name
  );
  const below = units.flatMap((unit, index) =>
    unitPaths(unit.children ?? [], level[index])
  );

  return [...level, ...below];
}

function audienceOf(
  index: number,
  paths: string[],
  members: string[]
): Audience {
  const leaves = paths.filter((path) => path.split('/').length === 3);
  const tops = paths.filter((path) => !path.includes('/'));
  const slot = index % 10;
  if (slot <= 3) return { kind: 'org' };
  if (slot <= 5) {
    return { kind: 'ou', path: tops[index % tops.length] ?? '' };
  }
  if (slot === 6) {
    return { kind: 'ou', path: leaves[index % leaves.length] ?? '' };
  }
  if (slot === 7) {
    const names = [index, index + 7, index + 13].map(
      (offset) => members[offset % members.length] ?? REGISTRY_ACCOUNT
    );

    return { kind: 'accounts', names: [...new Set(names)] };
  }

  return slot === 8 ? { kind: 'invalid' } : { kind: 'untagged' };
}

function shareTag(audience: Audience): Record<string, string> {
  switch (audience.kind) {
    case 'org':
      return { 'share-with': 'org' };
    case 'ou':
      return { 'share-with': `{ou:${audience.path}}` };
    case 'accounts':
      return {
        'share-with': audience.names
          .map((name) => `{account:${name}}`)
          .join(' '),
      };
    case 'invalid':
      return { 'share-with': 'everyone-please' };
    case 'untagged':
      return {};
  }
}

/** A statement of the registry owner's that every write must keep. */
const FOREIGN_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'RegistryAdministrators',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::{account:registry}:root' },
      Action: ['ecr:*'],
    },
  ],
};

/**
 * A deterministic Organization of the given size: one registry account
 * holding every repository, member accounts spread over three levels of
 * OUs, and projects spread over the members, most opted in. Audiences
 * cycle through the whole Organization, top and leaf OUs, account lists,
 * invalid tags and untagged repositories.
 */
export function syntheticOrganization(
  size: OrganizationSize
): SyntheticOrganization {
  const units = unitTree();
  const paths = unitPaths(units);
  const members = Array.from(
    { length: Math.max(0, size.accounts - 1) },
    (_, index) => `member-${pad(index + 1)}`
  );
  const accountParents = new Map<string, string>([
    [REGISTRY_ACCOUNT, paths[0] ?? ''],
  ]);
  members.forEach((name, index) => {
    accountParents.set(name, paths[index % paths.length] ?? '');
  });

  const repositories: SyntheticRepository[] = Array.from(
    { length: size.repositories },
    (_, index) => ({
      name: `images/repo-${pad(index)}`,
      audience: audienceOf(index, paths, members),
      foreignStatement: index % 5 === 0,
    })
  );
  const builders = members.length > 0 ? members : [REGISTRY_ACCOUNT];
  const projects: SyntheticProject[] = Array.from(
    { length: size.projects },
    (_, index) => {
      const account = builders[index % builders.length] ?? REGISTRY_ACCOUNT;
      const repository = repositories[(index * 37) % repositories.length];

      return {
        name: `build-${pad(index)}`,
        account,
        // Every twentieth project builds on a curated CodeBuild image.
        repository: index % 20 === 19 ? undefined : repository?.name,
        serviceRole: `build-role-${index % ROLES_PER_ACCOUNT}`,
        optedIn: index % 20 !== 7,
        pullsWithServiceRole: index % 20 !== 11,
      };
    }
  );

  return {
    spec: specOf(units, accountParents, repositories, projects),
    organizationalUnits: paths,
    accountParents,
    repositories,
    projects,
  };
}

function specOf(
  units: OrganizationalUnitSpec[],
  accountParents: Map<string, string>,
  repositories: SyntheticRepository[],
  projects: SyntheticProject[]
): OrganizationSpec {
  const repositorySpecs: RepositorySpec[] = repositories.map((repository) => ({
    name: repository.name,
    tags: shareTag(repository.audience),
    ...(repository.foreignStatement ? { policy: FOREIGN_POLICY } : {}),
  }));
  const accounts: MemberAccountSpec[] = [...accountParents].map(
    ([name, parent]) => {
      const own = projects.filter((project) => project.account === name);
      const projectSpecs: BuildProjectSpec[] = own.map((project) => ({
        name: project.name,
        description: 'Synthetic benchmark project',
        serviceRole: project.serviceRole,
        image: project.repository
          ? `{account:${REGISTRY_ACCOUNT}}.dkr.ecr.{region}.amazonaws.com/` +
            `${project.repository}:latest`
          : 'aws/codebuild/standard:7.0',
        imagePullCredentialsType: project.pullsWithServiceRole
          ? 'SERVICE_ROLE'
          : 'CODEBUILD',
        tags: project.optedIn
          ? { 'ecr-pull': 'auto' }
          : ({ team: 'builds' } as Record<string, string>),
      }));
      const roles = [...new Set(own.map((project) => project.serviceRole))];

      return {
        name,
        ...(parent ? { organizationalUnit: parent } : {}),
        roles: roles.map((role) => ({
          name: role,
          path: '/service-role/',
          allowsEcrPull: true,
        })),
        projects: projectSpecs,
        ...(name === REGISTRY_ACCOUNT ? { repositories: repositorySpecs } : {}),
      };
    }
  );

  return { region: BENCH_REGION, organizationalUnits: units, accounts };
}

/** Whether the audience holds the account, by the tag's own meaning. */
export function audienceHolds(
  audience: Audience,
  account: string,
  accountParents: Map<string, string>
): boolean {
  switch (audience.kind) {
    case 'org':
      return true;
    case 'ou': {
      const parent = accountParents.get(account) ?? '';

      return parent === audience.path || parent.startsWith(`${audience.path}/`);
    }
    case 'accounts':
      return audience.names.includes(account);
    default:
      return false;
  }
}

/**
 * Repositories whose policy a cold sweep must write: a valid audience and
 * at least one opted-in project in it that pulls with its service role.
 * The benchmark's own reading of DESIGN.md, kept apart from the engine so
 * the engine's write count is checked against it.
 */
export function repositoriesNeedingWrite(
  organization: SyntheticOrganization
): string[] {
  const needed = new Set<string>();
  const byName = new Map(
    organization.repositories.map((repository) => [repository.name, repository])
  );
  for (const project of organization.projects) {
    const repository = project.repository
      ? byName.get(project.repository)
      : undefined;
    if (!repository || !project.optedIn || !project.pullsWithServiceRole) {
      continue;
    }
    const inAudience = audienceHolds(
      repository.audience,
      project.account,
      organization.accountParents
    );
    if (inAudience) needed.add(repository.name);
  }

  return [...needed].sort();
}
