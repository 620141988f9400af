import {
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import {
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIamGateway } from '../../packages/aws/src/iam.js';
import { createAwsGateways } from '../../packages/aws/src/index.js';
import { parseConfig } from '../../packages/core/src/index.js';
import {
  type BuildProjectSpec,
  MEMBER_ACCESS_ROLE,
  type OrganizationSpec,
  seedOrganization,
} from '../../packages/emulator/src/index.js';
import {
  createReconciler,
  type Explanation,
  explainPull,
} from '../../packages/reconciler/src/index.js';
import { useMotoServer } from '../support/emulator.js';
import {
  type RealismProxy,
  startRealismProxy,
} from '../support/realism/index.js';

const REGION = 'us-east-1';

interface Breakage {
  project?: Partial<BuildProjectSpec>;
  repositoryTags?: Record<string, string> | null;
  teamUnit?: string;
  allowsEcrPull?: boolean;
}

/** A registry and one team whose project can pull, unless broken. */
function organization(breakage: Breakage = {}): OrganizationSpec {
  const repositories =
    breakage.repositoryTags === null
      ? []
      : [
          {
            name: 'team/builder',
            tags: breakage.repositoryTags ?? { 'share-with': '{ou:Builds}' },
          },
        ];

  return {
    region: REGION,
    organizationalUnits: [{ name: 'Builds' }, { name: 'Sandbox' }],
    accounts: [
      { name: 'registry', repositories },
      {
        name: 'team',
        organizationalUnit: breakage.teamUnit ?? 'Builds',
        roles: [
          {
            name: 'team-build',
            path: '/service-role/',
            allowsEcrPull: breakage.allowsEcrPull ?? true,
          },
        ],
        projects: [
          {
            name: 'app',
            description: 'Pulls team/builder.',
            serviceRole: 'team-build',
            image:
              '{account:registry}.dkr.ecr.{region}.amazonaws.com/team/builder:1',
            imagePullCredentialsType: 'SERVICE_ROLE',
            tags: { 'ecr-pull': 'auto' },
            ...breakage.project,
          },
        ],
      },
    ],
  };
}

describe('Function: explainPull (one condition broken at a time)', () => {
  const server = useMotoServer();
  let proxy: RealismProxy;

  beforeAll(async () => {
    proxy = await startRealismProxy({ target: server().endpoint });
  });
  afterAll(async () => {
    await proxy.stop();
  });

  async function seed(breakage: Breakage = {}) {
    const org = await seedOrganization(proxy.endpoint, organization(breakage));
    const registry = org.accounts.registry as string;
    const team = org.accounts.team as string;
    const config = parseConfig({
      registries: [{ accountId: registry, regions: [REGION] }],
      roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
    });
    const gateways = createAwsGateways({
      region: REGION,
      endpoint: proxy.endpoint,
      memberRoleName: MEMBER_ACCESS_ROLE,
      registryRoleName: MEMBER_ACCESS_ROLE,
    });
    const projectArn = `arn:aws:codebuild:${REGION}:${team}:project/app`;
    const apply = () =>
      createReconciler({ config, gateways }).reconcile({ mode: 'apply' });
    const explain = () => explainPull({ config, gateways }, { projectArn });

    return {
      org,
      registry,
      team,
      config,
      gateways,
      apply,
      explain,
      projectArn,
    };
  }

  const codes = (explanation: Explanation) =>
    explanation.findings.map((finding) => finding.code);
  const failed = (explanation: Explanation) =>
    explanation.checks
      .filter((check) => check.status === 'fail')
      .map((check) => check.check);

  it('finds nothing wrong with a granted project, every check passing', async () => {
    // Prepare
    const { apply, explain } = await seed();
    await apply();

    // Act
    const explanation = await explain();

    // Assess
    expect(explanation.verdict).toBe('can-pull');
    expect(explanation.findings).toEqual([]);
    expect(explanation.errors).toEqual([]);
    expect(explanation.checks.map((check) => check.status)).toEqual(
      Array(12).fill('pass')
    );
    expect(explanation.identityCheck.method).toBe('policies-read');
    expect(explanation.identityCheck.note).toMatch(
      /SimulatePrincipalPolicy is not available: .*HTTP 500/
    );
  });

  it('reports GRANT_PENDING before the first reconcile', async () => {
    // Prepare
    const { explain } = await seed();

    // Act
    const explanation = await explain();

    // Assess
    expect(explanation.verdict).toBe('cannot-pull');
    expect(codes(explanation)).toEqual(['GRANT_PENDING']);
    expect(failed(explanation)).toEqual(['policy-grants-role']);
  });

  it('reports a deleted service role', async () => {
    // Prepare
    const { org, team, apply, explain } = await seed();
    await apply();
    const iam = new IAMClient(org.clientConfig(team));
    await iam.send(
      new DeleteRolePolicyCommand({
        RoleName: 'team-build',
        PolicyName: 'build-permissions',
      })
    );
    await iam.send(new DeleteRoleCommand({ RoleName: 'team-build' }));

    // Act
    const explanation = await explain();

    // Assess
    expect(codes(explanation)).toEqual(['PROJECT_WITHOUT_SERVICE_ROLE']);
    expect(explanation.findings[0]?.message).toMatch(/does not exist/);
    expect(explanation.identityCheck.method).toBe('not-run');
    expect(
      explanation.checks.find((check) => check.check === 'identity-permissions')
        ?.status
    ).toBe('skipped');
  });

  it('reports a missing repository', async () => {
    // Prepare
    const { explain } = await seed({ repositoryTags: null });

    // Act
    const explanation = await explain();

    // Assess
    expect(codes(explanation)).toEqual(['REPOSITORY_NOT_FOUND']);
    expect(explanation.verdict).toBe('cannot-pull');
  });

  it('reports an image in another Region, and that it is missing there', async () => {
    // Prepare
    const { explain } = await seed({
      project: {
        image:
          '{account:registry}.dkr.ecr.eu-west-1.amazonaws.com/team/builder:1',
      },
    });

    // Act
    const explanation = await explain();

    // Assess
    expect(codes(explanation)).toEqual([
      'REGION_MISMATCH',
      'REGISTRY_NOT_MANAGED',
      'REPOSITORY_NOT_FOUND',
    ]);
  });

  it('reports CODEBUILD pull credentials across accounts', async () => {
    // Prepare
    const { apply, explain } = await seed({
      project: { imagePullCredentialsType: 'CODEBUILD' },
    });
    await apply();

    // Act
    const explanation = await explain();

    // Assess
    expect(codes(explanation)).toEqual(['CODEBUILD_CREDENTIALS_CROSS_ACCOUNT']);
  });

  it('reports a repository not shared at all', async () => {
    // Prepare
    const { explain } = await seed({ repositoryTags: { team: 'platform' } });

    // Act
    const explanation = await explain();

    // Assess
    expect(codes(explanation)).toEqual(['REPOSITORY_NOT_SHARED']);
  });

  it('reports an account outside the audience', async () => {
    // Prepare
    const { explain } = await seed({ teamUnit: 'Sandbox' });

    // Act
    const explanation = await explain();

    // Assess
    expect(codes(explanation)).toEqual(['ACCOUNT_OUTSIDE_AUDIENCE']);
    expect(failed(explanation)).toEqual([
      'account-in-audience',
      'policy-grants-role',
    ]);
  });

  it('reports a project that did not opt in', async () => {
    // Prepare
    const { apply, explain } = await seed({ project: { tags: {} } });
    await apply();

    // Act
    const explanation = await explain();

    // Assess
    expect(codes(explanation)).toEqual(['PROJECT_NOT_OPTED_IN']);
  });

  it('reports a foreign Deny that blocks the role', async () => {
    // Prepare
    const { org, registry, team, apply, explain } = await seed();
    await apply();
    const ecr = new ECRClient(org.clientConfig(registry));
    const { policyText } = await ecr.send(
      new GetRepositoryPolicyCommand({ repositoryName: 'team/builder' })
    );
    const policy = JSON.parse(policyText ?? '{}');
    policy.Statement.unshift({
      Sid: 'NoTeamPulls',
      Effect: 'Deny',
      Principal: { AWS: `arn:aws:iam::${team}:root` },
      Action: 'ecr:BatchGetImage',
    });
    await ecr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'team/builder',
        policyText: JSON.stringify(policy),
      })
    );

    // Act
    const explanation = await explain();

    // Assess
    expect(codes(explanation)).toEqual(['DENIED_BY_FOREIGN_STATEMENT']);
    expect(explanation.findings[0]).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('Sid NoTeamPulls'),
    });
  });

  it('reports a role whose own policies lack the pull actions', async () => {
    // Prepare
    const { apply, explain } = await seed({ allowsEcrPull: false });
    await apply();

    // Act
    const explanation = await explain();

    // Assess
    expect(codes(explanation)).toEqual(['ROLE_LACKS_IDENTITY_PERMISSION']);
    expect(explanation.findings[0]?.message).toMatch(
      /judged by reading the role's policies/
    );
    expect(
      explanation.identityCheck.actions.map((action) => action.decision)
    ).toEqual(Array(4).fill('implicit-deny'));
    expect(explanation.identityCheck.notModelled).toContain(
      'permissions boundaries'
    );
  });

  it('explains a role and an image without a project', async () => {
    // Prepare
    const { org, registry, team, apply } = await seed();
    await apply();
    const config = parseConfig({
      registries: [{ accountId: registry, regions: [REGION] }],
      roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
    });
    const gateways = createAwsGateways({
      region: REGION,
      endpoint: org.endpoint,
      memberRoleName: MEMBER_ACCESS_ROLE,
      registryRoleName: MEMBER_ACCESS_ROLE,
    });

    // Act
    const explanation = await explainPull(
      { config, gateways },
      {
        roleArn: `arn:aws:iam::${team}:role/service-role/team-build`,
        image: `${registry}.dkr.ecr.${REGION}.amazonaws.com/team/builder:1`,
      }
    );

    // Assess
    expect(explanation.verdict).toBe('can-pull');
    expect(
      explanation.checks
        .filter((check) => check.status === 'skipped')
        .map((check) => check.check)
    ).toEqual(['pull-credentials', 'project-opted-in']);
  });

  it('uses the simulator where the endpoint offers it', async () => {
    // Prepare
    const { config, gateways, apply, projectArn } = await seed();
    await apply();
    // Only the simulator is faked: moto has none. Everything else is real.
    const client = new IAMClient({
      region: REGION,
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
    });
    const simulator = mockClient(client);
    simulator.on(SimulatePrincipalPolicyCommand).callsFake((input) => ({
      EvaluationResults: input.ActionNames.map((action: string) => ({
        EvalActionName: action,
        EvalResourceName: input.ResourceArns?.[0] ?? '*',
        EvalDecision:
          action === 'ecr:BatchGetImage' ? 'implicitDeny' : 'allowed',
        OrganizationsDecisionDetail: {
          AllowedByOrganizations: action !== 'ecr:BatchGetImage',
        },
      })),
    }));
    const simulated = {
      ...gateways,
      iam: {
        ...gateways.iam,
        simulatePrincipalPolicy: createIamGateway(() => client)
          .simulatePrincipalPolicy,
      },
    };

    // Act
    const explanation = await explainPull(
      { config, gateways: simulated },
      { projectArn }
    );

    // Assess
    expect(explanation.identityCheck.method).toBe('simulated');
    expect(codes(explanation)).toEqual(['ROLE_LACKS_IDENTITY_PERMISSION']);
    expect(explanation.findings[0]?.message).toMatch(
      /ecr:BatchGetImage \(implicit-deny by a service control policy\).*judged by IAM SimulatePrincipalPolicy/
    );
    const context =
      simulator.commandCalls(SimulatePrincipalPolicyCommand)[0]?.args[0].input
        .ContextEntries ?? [];
    expect(context).toContainEqual({
      ContextKeyName: 'aws:principalorgpaths',
      ContextKeyValues: [expect.stringMatching(/^o-.+\/r-.+\/ou-.+\/$/)],
      ContextKeyType: 'stringList',
    });
  });
});
