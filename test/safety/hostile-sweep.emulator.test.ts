import {
  CodeBuildClient,
  CreateProjectCommand,
} from '@aws-sdk/client-codebuild';
import {
  CreateRepositoryCommand,
  ECRClient,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createAwsGateways } from '../../packages/aws/src/index.js';
import {
  type OrgTree,
  type PolicyStatement,
  PULL_ACTIONS,
} from '../../packages/core/src/index.js';
import { useMotoServer } from '../support/emulator.js';
import {
  type RealismProxy,
  startRealismProxy,
} from '../support/realism/index.js';
import {
  type HostilePolicy,
  legalPolicy,
  referenceAudience,
  SID_PREFIX,
  shareWithFrom,
} from './hostile-arbitraries.js';
import {
  reconcilerFor,
  type SweepWorld,
  seedSweepWorld,
  storedPolicies,
} from './sweep-fixture.js';

/** Sweeps of the sample Organization with hostile additions, on moto. */
const RUNS = 6;
const tally = {
  sweeps: 0,
  repositories: 0,
  written: 0,
  leftAsTheyWere: 0,
  refusedByEmulator: 0,
};

const REPOSITORIES = ['hostile/r0', 'hostile/r1', 'hostile/r2'];

interface HostileAdditions {
  repositories: {
    name: string;
    shareWith: string | undefined;
    policy: HostilePolicy;
  }[];
  projects: { member: 'web' | 'payments'; image: string; optIn: boolean }[];
}

function additionsFor(world: SweepWorld, tree: OrgTree) {
  const { region } = world.seeded;
  const host = `${world.registryId}.dkr.ecr.${region}.amazonaws.com`;
  const targets = [
    'org',
    tree.rootId,
    ...tree.organizationalUnits.keys(),
    ...tree.accounts.keys(),
    'ou-zz99-missing0',
    '777777777777',
  ];
  const image = fc.oneof(
    {
      arbitrary: fc
        .tuple(
          fc.constantFrom(...REPOSITORIES),
          fc.constantFrom('', ':latest', ':v1')
        )
        .map(([name, suffix]) => `${host}/${name}${suffix}`),
      weight: 8,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...REPOSITORIES), fc.string({ maxLength: 5 }))
        .map(([name, junk]) => `${host}/${name}${junk}`),
      weight: 1,
    },
    { arbitrary: fc.string({ minLength: 1, maxLength: 60 }), weight: 1 }
  );

  return fc.record({
    repositories: fc.tuple(
      ...REPOSITORIES.map((name) =>
        fc.record({
          name: fc.constant(name),
          // ECR tag values hold at most 256 characters.
          shareWith: shareWithFrom(targets, { maxLength: 256 }),
          policy: fc.oneof(
            {
              arbitrary: fc.constant({
                text: undefined,
                kind: 'legal' as const,
              }),
              weight: 2,
            },
            { arbitrary: legalPolicy, weight: 1 }
          ),
        })
      )
    ),
    projects: fc.array(
      fc.record({
        member: fc.constantFrom('web' as const, 'payments' as const),
        image,
        optIn: fc.constantFrom(true, true, true, false),
      }),
      { minLength: 3, maxLength: 8 }
    ),
  });
}

const isManaged = (statement: PolicyStatement) =>
  typeof statement.Sid === 'string' && statement.Sid.startsWith(SID_PREFIX);

function statementsOf(policy: unknown): PolicyStatement[] {
  const statements = (policy as { Statement?: unknown } | null)?.Statement;
  if (statements === undefined) return [];

  return (
    Array.isArray(statements) ? statements : [statements]
  ) as PolicyStatement[];
}

describe('Properties: hostile repositories and projects swept on the emulator', () => {
  const server = useMotoServer();
  let proxy: RealismProxy | undefined;

  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  afterAll(() => {
    process.stdout.write(
      `[safety/hostile-emulator] sweeps: ${tally.sweeps}, hostile ` +
        `repositories checked: ${tally.repositories} (${tally.written} ` +
        `written, ${tally.leftAsTheyWere} left as they were), inputs the emulator ` +
        `refused to store: ${tally.refusedByEmulator}\n`
    );
  });

  it('writes only valid policies inside the audience and keeps foreign statements', async () => {
    // Prepare: the sample Organization once, so generated values can name
    // its real ids; each run adds hostile repositories and projects to it.
    await server().reset();
    const world = await seedSweepWorld(server().endpoint);
    const tree = await createAwsGateways({
      region: world.seeded.region,
      endpoint: server().endpoint,
      memberRoleName: world.config.roles.member,
      registryRoleName: world.config.roles.registry,
    }).organizations.readOrgTree();
    const ecr = new ECRClient(world.seeded.clientConfig(world.registryId));
    let run = 0;

    await fc.assert(
      fc.asyncProperty(additionsFor(world, tree), async (additions) => {
        run++;
        tally.sweeps++;
        const names = additions.repositories.map(
          (repository) => `${repository.name}-${run}`
        );
        const before = new Map<string, unknown>();
        for (const [index, repository] of additions.repositories.entries()) {
          const repositoryName = names[index] as string;
          const stored = await seedRepository(ecr, repositoryName, repository);
          before.set(arnOf(world, repositoryName), stored);
        }
        for (const [index, project] of additions.projects.entries()) {
          const image = project.image.replace(
            /(hostile\/r\d)/,
            (name) => `${name}-${run}`
          );
          await seedProject(world, `hostile-${run}-${index}`, project, image);
        }
        proxy ??= await startRealismProxy({ target: server().endpoint });

        // Act
        const report = await reconcilerFor(world, proxy.endpoint).reconcile({
          mode: 'apply',
        });

        // Assess
        const stored = await storedPolicies(world, [...before.keys()]);
        for (const error of report.errors) {
          expect(error.code).toBe('WRITE_FAILED');
        }
        for (const [index, repository] of additions.repositories.entries()) {
          tally.repositories++;
          const arn = arnOf(world, names[index] as string);
          const plan = report.repositories.find((item) => item.arn === arn);
          const audience = referenceAudience(repository.shareWith, tree);
          const now = stored.get(arn);
          if (audience.kind === 'invalid') {
            expect(plan?.status).toBe('skipped');
          }
          if (plan?.status === 'error' || plan?.write === 'none') {
            expect(now).toEqual(before.get(arn));
            tally.leftAsTheyWere++;
            continue;
          }
          tally.written++;
          expect(now).toEqual(plan?.policy.after ?? null);
          expect(statementsOf(now).filter((s) => !isManaged(s))).toEqual(
            statementsOf(before.get(arn)).filter((s) => !isManaged(s))
          );
          for (const statement of statementsOf(now).filter(isManaged)) {
            expect(statement).toMatchObject({
              Effect: 'Allow',
              Principal: '*',
              Action: [...PULL_ACTIONS].sort(),
              Condition: {
                StringEquals: { 'aws:PrincipalOrgID': tree.organizationId },
              },
            });
            const granted = (
              statement.Condition as Record<string, Record<string, string[]>>
            ).ArnLike?.['aws:PrincipalArn'];
            for (const role of granted ?? []) {
              const account = role.split(':')[4] ?? '';
              expect(
                audience.kind === 'shared' && audience.accounts.has(account)
              ).toBe(true);
            }
          }
        }
      }),
      { numRuns: RUNS }
    );
  }, 120_000);

  async function seedRepository(
    ecr: ECRClient,
    repositoryName: string,
    repository: HostileAdditions['repositories'][number]
  ): Promise<unknown> {
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName,
        tags:
          repository.shareWith === undefined
            ? []
            : [{ Key: 'share-with', Value: repository.shareWith }],
      })
    );
    const text = repository.policy.text;
    if (text === undefined) return null;
    try {
      await ecr.send(
        new SetRepositoryPolicyCommand({ repositoryName, policyText: text })
      );
    } catch {
      // moto checks the policy grammar; what it refuses cannot be stored
      // in ECR either, and the pure properties cover it.
      tally.refusedByEmulator++;

      return null;
    }

    return JSON.parse(text) as unknown;
  }
});

function arnOf(world: SweepWorld, repositoryName: string) {
  return `arn:aws:ecr:${world.seeded.region}:${world.registryId}:repository/${repositoryName}`;
}

async function seedProject(
  world: SweepWorld,
  name: string,
  project: HostileAdditions['projects'][number],
  image: string
) {
  const accountId = world.seeded.accounts[project.member] as string;
  const codebuild = new CodeBuildClient(world.seeded.clientConfig(accountId));
  try {
    await codebuild.send(
      new CreateProjectCommand({
        name,
        source: { type: 'NO_SOURCE', location: 'none' },
        artifacts: { type: 'NO_ARTIFACTS' },
        environment: {
          type: 'LINUX_CONTAINER',
          computeType: 'BUILD_GENERAL1_SMALL',
          image,
          imagePullCredentialsType: 'SERVICE_ROLE',
        },
        serviceRole: `arn:aws:iam::${accountId}:role/service-role/${project.member}-build`,
        tags: project.optIn ? [{ key: 'ecr-pull', value: 'auto' }] : [],
      })
    );
  } catch {
    tally.refusedByEmulator++;
  }
}
