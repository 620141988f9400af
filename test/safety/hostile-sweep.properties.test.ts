import { validateResourcePolicy } from '@cloud-copilot/iam-policy';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BuildProject,
  type PolicyStatement,
  PULL_ACTIONS,
  parseConfig,
  planSweep,
  type RepositoryPlan,
  type RepositorySnapshot,
} from '../../packages/core/src/index.js';
import { ORG_ID, orgTree, REGION, REGISTRY } from '../support/domain.js';
import {
  type HostileImage,
  type HostilePolicy,
  hostileImage,
  hostilePolicy,
  projectAccounts,
  REPOSITORY_NAMES,
  referenceAudience,
  SID_PREFIX,
  shareWith,
  wellFormedImage,
} from './hostile-arbitraries.js';

/** Sweeps generated per property; the closing report quotes the total. */
const RUNS = 400;
let casesRun = 0;

const tree = orgTree();
const config = parseConfig({
  registries: [{ accountId: REGISTRY, regions: [REGION] }],
});

interface HostileRepository {
  name: string;
  shareWith: string | undefined;
  policy: HostilePolicy;
}

interface HostileProject {
  accountId: string;
  role: 'own' | 'foreign' | 'garbage' | 'none';
  credentials: 'SERVICE_ROLE' | 'CODEBUILD';
  optIn: string | undefined;
  region: string;
  image: HostileImage;
}

const repositoryArb = fc.record({
  name: fc.constantFrom(...REPOSITORY_NAMES),
  shareWith,
  policy: hostilePolicy,
});

const accountOfProject = fc.constantFrom(...projectAccounts(tree));

/** Half look like real opted-in projects, so grants are common. */
const projectArb: fc.Arbitrary<HostileProject> = fc.oneof(
  fc.record({
    accountId: accountOfProject,
    role: fc.constant('own' as const),
    credentials: fc.constant('SERVICE_ROLE' as const),
    optIn: fc.constant('auto'),
    region: fc.constant(REGION),
    image: wellFormedImage,
  }),
  fc.record({
    accountId: accountOfProject,
    role: fc.constantFrom('own', 'own', 'foreign', 'garbage', 'none'),
    credentials: fc.constantFrom('SERVICE_ROLE', 'SERVICE_ROLE', 'CODEBUILD'),
    optIn: fc.constantFrom('auto', ' auto ', 'AUTO', 'manual', undefined),
    region: fc.constantFrom(REGION, REGION, 'eu-west-1'),
    image: hostileImage,
  })
);

const sweepArb = fc.record({
  repositories: fc.uniqueArray(repositoryArb, {
    selector: (repository) => repository.name,
    maxLength: REPOSITORY_NAMES.length,
  }),
  projects: fc.array(projectArb, { minLength: 1, maxLength: 12 }),
});

function snapshotOf(repository: HostileRepository): RepositorySnapshot {
  return {
    arn: arnOf(repository.name),
    partition: 'aws',
    region: REGION,
    registryAccountId: REGISTRY,
    repositoryName: repository.name,
    tags:
      repository.shareWith === undefined
        ? {}
        : { 'share-with': repository.shareWith },
    policyText: repository.policy.text,
  };
}

function arnOf(repositoryName: string) {
  return `arn:aws:ecr:${REGION}:${REGISTRY}:repository/${repositoryName}`;
}

function roleArnOf(project: HostileProject, index: number) {
  const own = `arn:aws:iam::${project.accountId}:role/service-role/build-${index}`;
  switch (project.role) {
    case 'own':
      return own;
    case 'foreign':
      return own.replace(project.accountId, '888888888888');
    case 'garbage':
      return `role/build-${index}`;
    default:
      return undefined;
  }
}

function buildProjectOf(project: HostileProject, index: number): BuildProject {
  const roleArn = roleArnOf(project, index);

  return {
    arn: `arn:aws:codebuild:${project.region}:${project.accountId}:project/p${index}`,
    name: `p${index}`,
    accountId: project.accountId,
    region: project.region,
    ...(roleArn !== undefined && { serviceRoleArn: roleArn }),
    image: project.image.image,
    imagePullCredentialsType: project.credentials,
    tags: project.optIn === undefined ? {} : { 'ecr-pull': project.optIn },
  };
}

const isManaged = (statement: PolicyStatement) =>
  typeof statement.Sid === 'string' && statement.Sid.startsWith(SID_PREFIX);

function statementsOf(text: string | undefined): PolicyStatement[] {
  const parsed = JSON.parse(text ?? '{}') as { Statement?: unknown };
  const statements = parsed.Statement;
  if (statements === undefined) return [];

  return (
    Array.isArray(statements) ? statements : [statements]
  ) as PolicyStatement[];
}

function managedGrants(statement: PolicyStatement): string[] {
  const condition = statement.Condition as
    | Record<string, Record<string, unknown>>
    | undefined;
  const arns = condition?.ArnLike?.['aws:PrincipalArn'];

  return Array.isArray(arns) ? (arns as string[]) : [];
}

/** Which role a well-formed, eligible pull must have granted. */
function mustBeGranted(
  project: HostileProject,
  index: number,
  repository: HostileRepository
): string | undefined {
  const audience = referenceAudience(repository.shareWith, tree);
  const roleArn = roleArnOf(project, index);
  const eligible =
    project.image.repositoryName === repository.name &&
    project.optIn?.trim() === 'auto' &&
    project.region === REGION &&
    project.role === 'own' &&
    (project.credentials === 'SERVICE_ROLE' ||
      project.accountId === REGISTRY) &&
    audience.kind === 'shared' &&
    audience.accounts.has(project.accountId);

  return eligible ? roleArn : undefined;
}

function sweep(
  repositories: HostileRepository[],
  projects: HostileProject[] | BuildProject[]
) {
  const built = projects.map((project, index) =>
    'arn' in project ? project : buildProjectOf(project, index)
  );

  return planSweep({
    tree,
    config,
    repositories: repositories.map(snapshotOf),
    projects: built,
  });
}

function checkPlan(
  plan: RepositoryPlan,
  repository: HostileRepository,
  projects: HostileProject[]
) {
  const audience = referenceAudience(repository.shareWith, tree);
  const before = repository.policy;

  // Bad input leaves the repository as it was.
  if (audience.kind === 'invalid') {
    expect(plan).toMatchObject({ status: 'skipped', write: 'none' });
    expect(plan.findings[0]?.code).toBe('INVALID_SHARE_TAG');
    return;
  }
  if (before.kind === 'illegal') {
    expect(plan).toMatchObject({ status: 'skipped', write: 'none' });
    expect(plan.findings[0]?.code).toBe('INVALID_REPOSITORY_POLICY');
    return;
  }
  if (plan.write === 'none') return;
  if (plan.write === 'delete') {
    expect(statementsOf(before.text).length).toBeGreaterThan(0);
    expect(statementsOf(before.text).every(isManaged)).toBe(true);
    return;
  }

  // What is sent is a valid policy within ECR's limit.
  const text = plan.policyText ?? '';
  expect(text.length).toBeLessThanOrEqual(10_240);
  const after = JSON.parse(text) as {
    Version?: string;
    Statement: PolicyStatement[];
  };
  expect(after).toEqual(plan.policy.after);
  expect(Array.isArray(after.Statement)).toBe(true);
  if (before.kind === 'legal' && before.text !== undefined) {
    const original = JSON.parse(before.text) as Record<string, unknown>;
    expect(after.Version).toBe(original.Version);
    if (validateResourcePolicy(original).length === 0) {
      expect(validateResourcePolicy(after)).toEqual([]);
    }
  }

  // Foreign statements kept by content, in order.
  expect(after.Statement.filter((s) => !isManaged(s))).toEqual(
    statementsOf(before.text).filter((s) => !isManaged(s))
  );

  // One managed statement: principal * inside the Organization, pull only.
  const managed = after.Statement.filter(isManaged);
  expect(managed.length).toBeLessThanOrEqual(1);
  for (const statement of managed) {
    expect(
      validateResourcePolicy({ Version: '2012-10-17', Statement: [statement] })
    ).toEqual([]);
    expect(statement).toMatchObject({
      Sid: SID_PREFIX,
      Effect: 'Allow',
      Principal: '*',
      Action: [...PULL_ACTIONS].sort(),
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } },
    });
    expect(Object.keys(statement).sort()).toEqual([
      'Action',
      'Condition',
      'Effect',
      'Principal',
      'Sid',
    ]);
    // Only the conditions that narrow the grant; none that widen it.
    const conditions = statement.Condition as Record<string, object>;
    expect(
      Object.keys(conditions).filter(
        (operator) =>
          !['StringEquals', 'ArnLike', 'ForAnyValue:StringLike'].includes(
            operator
          )
      )
    ).toEqual([]);
    expect(Object.keys(conditions.StringEquals ?? {})).toEqual([
      'aws:PrincipalOrgID',
    ]);
    // Nothing granted outside the audience, or to a role no project has.
    const projectRoles = new Set(
      projects.map((project, index) => roleArnOf(project, index))
    );
    for (const granted of managedGrants(statement)) {
      const account = /^arn:aws:iam::(\d{12}):role\//.exec(granted)?.[1];
      expect(
        audience.kind === 'shared' && audience.accounts.has(account ?? '')
      ).toBe(true);
      expect(projectRoles.has(granted)).toBe(true);
    }
  }
  if (audience.kind === 'none') expect(managed).toEqual([]);
}

describe('Properties: a whole sweep over hostile input', () => {
  afterAll(() => {
    process.stdout.write(
      `[safety/hostile-sweep] generated sweeps checked: ${casesRun}\n`
    );
  });

  it('never throws, keeps foreign statements, grants only inside the audience, writes only valid policies', () => {
    fc.assert(
      fc.property(sweepArb, ({ repositories, projects }) => {
        casesRun++;

        const plan = sweep(repositories, projects);

        expect(plan.repositories).toHaveLength(repositories.length);
        for (const repository of repositories) {
          const planned = plan.repositories.find(
            (item) => item.arn === arnOf(repository.name)
          );
          expect(planned).toBeDefined();
          if (planned) checkPlan(planned, repository, projects);
        }
      }),
      { numRuns: RUNS }
    );
  });

  it('grants every eligible pull of a well-formed repository', () => {
    fc.assert(
      fc.property(sweepArb, ({ repositories, projects }) => {
        casesRun++;

        const plan = sweep(repositories, projects);

        for (const repository of repositories) {
          const planned = plan.repositories.find(
            (item) => item.arn === arnOf(repository.name)
          );
          if (!planned || planned.status === 'skipped') continue;
          const granted = [...planned.grants.add, ...planned.grants.keep];
          projects.forEach((project, index) => {
            const role = mustBeGranted(project, index, repository);
            if (role !== undefined) expect(granted).toContain(role);
          });
        }
      }),
      { numRuns: RUNS }
    );
  });

  it('finds nothing to do when run again on what it planned', () => {
    fc.assert(
      fc.property(sweepArb, ({ repositories, projects }) => {
        casesRun++;
        const first = sweep(repositories, projects);
        const written = repositories.map((repository) => {
          const planned = first.repositories.find(
            (item) => item.arn === arnOf(repository.name)
          );
          if (!planned || planned.write === 'none') return repository;
          const text =
            planned.write === 'delete'
              ? undefined
              : (planned.policyText ?? undefined);

          return { ...repository, policy: { text, kind: 'legal' as const } };
        });

        const again = sweep(written, projects.map(buildProjectOf).reverse());

        expect(
          again.repositories.filter((planned) => planned.write !== 'none')
        ).toEqual([]);
      }),
      { numRuns: RUNS }
    );
  });
});
