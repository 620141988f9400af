import { ECRClient, GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../packages/core/src/index.js';
import {
  MEMBER_ACCESS_ROLE,
  type MemberAccountSpec,
  type OrganizationSpec,
  type SeededOrganization,
  seedOrganization,
} from '../../packages/emulator/src/index.js';
import { useMotoServer } from '../support/emulator.js';
import {
  type RealismProxy,
  startRealismProxy,
} from '../support/realism/index.js';
import {
  canPull,
  judge,
  type OraclePrincipal,
  oracleStats,
} from './iam-oracle.js';
import { reconcilerFor } from './sweep-fixture.js';

/** Organizations seeded into moto; each takes under a second. */
const RUNS = 8;
let casesRun = 0;

const REGION = 'us-east-1';
const REPOSITORIES = ['team/builder', 'base/node'] as const;
const UNIT_PATHS = ['Builds', 'Builds/Web', 'Sandbox'] as const;

interface MemberPlan {
  name: string;
  unit: (typeof UNIT_PATHS)[number] | undefined;
  pulls: (typeof REPOSITORIES)[number][];
}

interface OrgPlan {
  members: MemberPlan[];
  /** Share targets per repository, as placeholders. */
  shares: Record<(typeof REPOSITORIES)[number], string[]>;
}

const memberArb = fc.record({
  unit: fc.constantFrom(...UNIT_PATHS, undefined),
  pulls: fc.uniqueArray(fc.constantFrom(...REPOSITORIES), {
    minLength: 1,
    maxLength: 2,
  }),
});

const orgPlanArb: fc.Arbitrary<OrgPlan> = fc
  .array(memberArb, { minLength: 2, maxLength: 4 })
  .chain((members) => {
    const named = members.map((member, index) => ({
      ...member,
      name: `member${index}`,
    }));
    const target = fc.constantFrom(
      'org',
      '{root}',
      ...UNIT_PATHS.map((path) => `{ou:${path}}`),
      ...named.map((member) => `{account:${member.name}}`)
    );
    const targets = fc.uniqueArray(target, { minLength: 1, maxLength: 2 });

    return fc.record({
      members: fc.constant(named),
      shares: fc.record({ 'team/builder': targets, 'base/node': targets }),
    });
  });

function specOf(plan: OrgPlan): OrganizationSpec {
  const members: MemberAccountSpec[] = plan.members.map((member) => ({
    name: member.name,
    ...(member.unit ? { organizationalUnit: member.unit } : {}),
    roles: [
      { name: 'build', path: '/service-role/', allowsEcrPull: true },
      { name: 'intruder', path: '/service-role/', allowsEcrPull: true },
    ],
    projects: member.pulls.map((repository) => ({
      name: `pulls-${repository.replace('/', '-')}`,
      description: 'Generated',
      serviceRole: 'build',
      image: `{account:registry}.dkr.ecr.{region}.amazonaws.com/${repository}:latest`,
      imagePullCredentialsType: 'SERVICE_ROLE' as const,
      tags: { 'ecr-pull': 'auto' },
    })),
  }));

  return {
    region: REGION,
    organizationalUnits: [
      { name: 'Builds', children: [{ name: 'Web' }] },
      { name: 'Sandbox' },
    ],
    accounts: [
      {
        name: 'registry',
        repositories: REPOSITORIES.map((name) => ({
          name,
          tags: { 'share-with': plan.shares[name].join(' ') },
        })),
      },
      ...members,
    ],
  };
}

/** Which members a repository's audience reaches, from the plan alone. */
function reaches(plan: OrgPlan, repository: (typeof REPOSITORIES)[number]) {
  const targets = plan.shares[repository];

  const inUnit = (member: MemberPlan, target: string) => {
    if (!target.startsWith('{ou:') || member.unit === undefined) return false;
    const unit = target.slice('{ou:'.length, -1);

    return member.unit === unit || member.unit.startsWith(`${unit}/`);
  };

  return new Set(
    plan.members
      .filter((member) =>
        targets.some(
          (target) =>
            target === 'org' ||
            target === '{root}' ||
            target === `{account:${member.name}}` ||
            inUnit(member, target)
        )
      )
      .map((member) => member.name)
  );
}

function principalOf(
  seeded: SeededOrganization,
  member: MemberPlan,
  role: string
): OraclePrincipal {
  const accountId = seeded.accounts[member.name] as string;
  const units: string[] = [];
  if (member.unit) {
    const parts = member.unit.split('/');
    parts.forEach((_, index) => {
      const path = parts.slice(0, index + 1).join('/');
      units.push(seeded.organizationalUnits[path] as string);
    });
  }

  return {
    roleArn: `arn:aws:iam::${accountId}:role/service-role/${role}`,
    accountId,
    organizationId: seeded.organizationId,
    orgPath: `${[seeded.organizationId, seeded.rootId, ...units].join('/')}/`,
  };
}

describe('Properties: written policies on the emulator, judged by an independent IAM evaluator', () => {
  const server = useMotoServer();
  let proxy: RealismProxy | undefined;

  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  afterAll(() => {
    process.stdout.write(
      `[safety/oracle-emulator] seeded Organizations: ${casesRun}, ` +
        `simulations: ${oracleStats.simulations}\n`
    );
  });

  it('lets each eligible build role pull what it uses, and nobody else', async () => {
    await fc.assert(
      fc.asyncProperty(orgPlanArb, async (plan) => {
        // Prepare
        casesRun++;
        await server().reset();
        await proxy?.stop();
        proxy = await startRealismProxy({ target: server().endpoint });
        const seeded = await seedOrganization(server().endpoint, specOf(plan));
        const registryId = seeded.accounts.registry as string;
        const world = {
          seeded,
          registryId,
          config: parseConfig({
            registries: [{ accountId: registryId, regions: [REGION] }],
            roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
          }),
          repositoryNames: [...REPOSITORIES],
        };

        // Act
        const report = await reconcilerFor(world, proxy.endpoint).reconcile({
          mode: 'apply',
        });

        // Assess: read back through the proxy, reformatted as ECR would.
        expect(report.errors).toEqual([]);
        const ecr = new ECRClient({
          ...seeded.clientConfig(registryId),
          endpoint: proxy.endpoint,
        });
        for (const name of REPOSITORIES) {
          const arn = `arn:aws:ecr:${REGION}:${registryId}:repository/${name}`;
          const text = await ecr
            .send(new GetRepositoryPolicyCommand({ repositoryName: name }))
            .then(
              (output) => output.policyText,
              () => undefined
            );
          const repository = {
            arn,
            registryAccountId: registryId,
            policy: text ? (JSON.parse(text) as unknown) : null,
          };
          const audience = reaches(plan, name);
          for (const member of plan.members) {
            const eligible =
              member.pulls.includes(name) && audience.has(member.name);
            const build = principalOf(seeded, member, 'build');
            expect({
              role: build.roleArn,
              pull: await canPull(repository, build),
            }).toEqual({
              role: build.roleArn,
              pull: { all: eligible, any: eligible },
            });
            const intruder = principalOf(seeded, member, 'intruder');
            expect((await canPull(repository, intruder)).any).toBe(false);
            expect(await judge(repository, build, 'ecr:PutImage')).not.toBe(
              'Allowed'
            );
          }
        }
      }),
      { numRuns: RUNS }
    );
  }, 120_000);
});
