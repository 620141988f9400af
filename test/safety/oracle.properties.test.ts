import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BuildProject,
  type OrgTree,
  parseConfig,
  planSweep,
  type RepositorySnapshot,
} from '../../packages/core/src/index.js';
import { arbitraryOrgTree } from '../core/organization/org-tree-fixture.js';
import { referenceAudience } from './hostile-arbitraries.js';
import {
  canPull,
  judge,
  type OraclePrincipal,
  oracleStats,
  orgPathOf,
} from './iam-oracle.js';

/** Organizations generated per property; each costs dozens of simulations. */
const RUNS = 100;
let casesRun = 0;

const REGION = 'us-east-1';
const REGISTRY = '999000000000';
const OUTSIDE_ORG = 'o-outsider000';
const OUTSIDER = '777777777777';
const REPOSITORIES = ['team/builder', 'base/node'];
const FOREIGN_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AuditorsList',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${OUTSIDER}:root` },
      Action: 'ecr:ListImages',
    },
  ],
};
const config = parseConfig({
  registries: [{ accountId: REGISTRY, regions: [REGION] }],
});

interface World {
  tree: OrgTree;
  repositories: { name: string; shareWith: string; foreign: boolean }[];
  projects: { accountId: string; repository: string }[];
}

/** Share targets of this tree, and some that are not in it. */
function targetsOf(tree: OrgTree): string[] {
  return [
    'org',
    tree.rootId,
    ...tree.organizationalUnits.keys(),
    ...tree.accounts.keys(),
    'ou-ab12-gone0000',
    '100000000999',
  ];
}

/** Mostly ACTIVE accounts, so that grants are common; some SUSPENDED. */
const treeArb = arbitraryOrgTree({ malformed: false })
  .filter((tree) => tree.accounts.size > 0)
  .chain((tree) =>
    fc
      .array(fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'SUSPENDED'), {
        minLength: tree.accounts.size,
        maxLength: tree.accounts.size,
      })
      .map((statuses) => {
        const accounts = [...tree.accounts.values()].map((account, index) => ({
          ...account,
          status: statuses[index] ?? account.status,
        }));

        return {
          ...tree,
          accounts: new Map(accounts.map((account) => [account.id, account])),
        } satisfies OrgTree;
      })
  );

const worldArb: fc.Arbitrary<World> = treeArb.chain((tree) => {
  const accounts = [...tree.accounts.keys()];
  const repository = fc.record({
    name: fc.constantFrom(...REPOSITORIES),
    shareWith: fc
      .uniqueArray(fc.constantFrom(...targetsOf(tree)), {
        minLength: 1,
        maxLength: 3,
      })
      .map((targets) => targets.join(' ')),
    foreign: fc.boolean(),
  });

  return fc.record({
    tree: fc.constant(tree),
    repositories: fc.uniqueArray(repository, {
      selector: (item) => item.name,
      minLength: 1,
      maxLength: REPOSITORIES.length,
    }),
    projects: fc.array(
      fc.record({
        accountId: fc.constantFrom(...accounts),
        repository: fc.constantFrom(...REPOSITORIES),
      }),
      { minLength: 1, maxLength: 6 }
    ),
  });
});

function roleOf(index: number, accountId: string) {
  return `arn:aws:iam::${accountId}:role/service-role/build-${index}`;
}

function arnOf(name: string) {
  return `arn:aws:ecr:${REGION}:${REGISTRY}:repository/${name}`;
}

function plan(world: World) {
  const repositories: RepositorySnapshot[] = world.repositories.map((item) => ({
    arn: arnOf(item.name),
    partition: 'aws',
    region: REGION,
    registryAccountId: REGISTRY,
    repositoryName: item.name,
    tags: { 'share-with': item.shareWith },
    policyText: item.foreign ? JSON.stringify(FOREIGN_POLICY) : undefined,
  }));
  const projects: BuildProject[] = world.projects.map((project, index) => ({
    arn: `arn:aws:codebuild:${REGION}:${project.accountId}:project/p${index}`,
    name: `p${index}`,
    accountId: project.accountId,
    region: REGION,
    serviceRoleArn: roleOf(index, project.accountId),
    image: `${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com/${project.repository}:latest`,
    imagePullCredentialsType: 'SERVICE_ROLE',
    tags: { 'ecr-pull': 'auto' },
  }));

  return planSweep({ tree: world.tree, config, repositories, projects });
}

function member(tree: OrgTree, roleArn: string, accountId: string) {
  return {
    roleArn,
    accountId,
    organizationId: tree.organizationId,
    orgPath: orgPathOf(tree, accountId),
  } satisfies OraclePrincipal;
}

describe('Properties: an independent IAM evaluator judges the planned policies', () => {
  afterAll(() => {
    process.stdout.write(
      `[safety/oracle] generated Organizations: ${casesRun}, simulations: ` +
        `${oracleStats.simulations}\n`
    );
  });

  it('lets every eligible build role pull, and no other role', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (world) => {
        casesRun++;
        const { tree } = world;

        const sweep = plan(world);

        for (const repository of world.repositories) {
          const planned = sweep.repositories.find(
            (item) => item.arn === arnOf(repository.name)
          );
          expect(planned?.status).not.toBe('skipped');
          const policy =
            planned?.write === 'none'
              ? planned.policy.before
              : (planned?.policy.after ?? null);
          const target = {
            arn: arnOf(repository.name),
            registryAccountId: REGISTRY,
            policy,
          };
          const audience = referenceAudience(repository.shareWith, tree);
          const reached =
            audience.kind === 'shared' ? audience.accounts : new Set();

          for (const [index, project] of world.projects.entries()) {
            const principal = member(
              tree,
              roleOf(index, project.accountId),
              project.accountId
            );
            const eligible =
              project.repository === repository.name &&
              reached.has(project.accountId);
            const verdict = await canPull(target, principal);
            expect({ principal: principal.roleArn, verdict }).toEqual({
              principal: principal.roleArn,
              verdict: { all: eligible, any: eligible },
            });
            expect(await judge(target, principal, 'ecr:PutImage')).not.toBe(
              'Allowed'
            );
          }
          // Roles no project uses, in every account, and one outside.
          const strangers: OraclePrincipal[] = [
            ...[...tree.accounts.keys()]
              .slice(0, 4)
              .map((accountId) =>
                member(
                  tree,
                  `arn:aws:iam::${accountId}:role/intruder`,
                  accountId
                )
              ),
            {
              roleArn: `arn:aws:iam::${OUTSIDER}:role/service-role/build-0`,
              accountId: OUTSIDER,
              organizationId: OUTSIDE_ORG,
              orgPath: `${OUTSIDE_ORG}/r-zz99/`,
            },
          ];
          for (const stranger of strangers) {
            expect(await canPull(target, stranger)).toEqual({
              all: false,
              any: false,
            });
          }
        }
      }),
      { numRuns: RUNS }
    );
  });

  it('denies a granted role once its account has left the audience OUs', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (world) => {
        casesRun++;
        const { tree } = world;
        const sweep = plan(world);

        for (const repository of world.repositories) {
          const planned = sweep.repositories.find(
            (item) => item.arn === arnOf(repository.name)
          );
          const policy =
            planned?.policy.after ?? planned?.policy.before ?? null;
          const onlyUnits = repository.shareWith
            .split(' ')
            .every((token) => token.startsWith('ou-'));
          if (!onlyUnits || policy === null) continue;
          for (const [index, project] of world.projects.entries()) {
            if (project.repository !== repository.name) continue;
            // The account moved to an OU outside the tree's audience: the
            // pinned org paths refuse it before any event arrives.
            const moved = {
              ...member(
                tree,
                roleOf(index, project.accountId),
                project.accountId
              ),
              orgPath: `${tree.organizationId}/${tree.rootId}/ou-ab12-elsewhere/`,
            };
            const verdict = await canPull(
              {
                arn: arnOf(repository.name),
                registryAccountId: REGISTRY,
                policy,
              },
              moved
            );
            expect(verdict.any).toBe(false);
          }
        }
      }),
      { numRuns: RUNS }
    );
  });
});
