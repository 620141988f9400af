import {
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAwsGateways } from '../../packages/aws/src/index.js';
import {
  parseConfig,
  type ReconcilerConfig,
  type Report,
} from '../../packages/core/src/index.js';
import {
  MEMBER_ACCESS_ROLE,
  SAMPLE_ORGANIZATION,
  type SeededOrganization,
  seedOrganization,
} from '../../packages/emulator/src/index.js';
import {
  createReconciler,
  type ProjectSource,
} from '../../packages/reconciler/src/index.js';
import { useMotoServer } from '../support/emulator.js';
import {
  type RealismProxy,
  startRealismProxy,
} from '../support/realism/index.js';

const PULL_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
];

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}

const asList = (value: string | string[] | undefined) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * The sweep against moto through the realism proxy, on the demo's sample
 * Organization: four member accounts in nested OUs, one registry account.
 */
describe('Function: createReconciler (sweep against the emulator)', () => {
  const server = useMotoServer();
  let proxy: RealismProxy;
  let seeded: SeededOrganization;
  let config: ReconcilerConfig;
  let registryEcr: ECRClient;

  const account = (name: string) => seeded.accounts[name] as string;
  const role = (accountName: string, roleName: string) =>
    `arn:aws:iam::${account(accountName)}:role/service-role/${roleName}`;
  const repositoryArn = (name: string) =>
    `arn:aws:ecr:${seeded.region}:${account('registry')}:repository/${name}`;

  function reconciler(projectSource?: ProjectSource) {
    const gateways = createAwsGateways({
      region: seeded.region,
      endpoint: proxy.endpoint,
      memberRoleName: config.roles.member,
      registryRoleName: config.roles.registry,
    });

    return createReconciler({
      config,
      gateways,
      ...(projectSource ? { projectSource } : {}),
    });
  }

  async function storedPolicy(name: string): Promise<PolicyDocument | null> {
    try {
      const { policyText } = await registryEcr.send(
        new GetRepositoryPolicyCommand({ repositoryName: name })
      );

      return JSON.parse(policyText ?? 'null') as PolicyDocument;
    } catch (error) {
      if ((error as Error).name === 'RepositoryPolicyNotFoundException') {
        return null;
      }
      throw error;
    }
  }

  async function managedStatement(name: string) {
    const policy = await storedPolicy(name);

    return policy?.Statement.find((s) => s.Sid === config.managedSid);
  }

  const grantedRoles = (statement: Statement | undefined) =>
    asList(statement?.Condition?.ArnLike?.['aws:PrincipalArn']).sort();

  beforeEach(async () => {
    seeded = await seedOrganization(server().endpoint, SAMPLE_ORGANIZATION);
    proxy = await startRealismProxy({ target: server().endpoint });
    config = parseConfig({
      registries: [
        { accountId: account('registry'), regions: [seeded.region] },
      ],
      roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
    });
    registryEcr = new ECRClient(seeded.clientConfig(account('registry')));
  });

  afterEach(async () => {
    await proxy.stop();
  });

  it('grants each eligible build role and no role outside the audience', async () => {
    // Act
    const report = await reconciler().reconcile({ mode: 'apply' });

    // Assess
    expect(report.errors).toEqual([]);
    expect(grantedRoles(await managedStatement('team/builder'))).toEqual(
      [role('payments', 'payments-build'), role('web', 'web-build')].sort()
    );
    expect(grantedRoles(await managedStatement('base/node'))).toEqual(
      [
        role('web', 'web-build'),
        role('web', 'web-docs-build'),
        role('sandbox', 'sandbox-build'),
      ].sort()
    );
    expect(grantedRoles(await managedStatement('payments/runner'))).toEqual([
      role('payments', 'payments-build'),
    ]);
    expect(await managedStatement('legacy/tools')).toBeUndefined();
  });

  it('writes only statements holding the Organization condition and the pull actions', async () => {
    // Act
    await reconciler().reconcile({ mode: 'apply' });

    // Assess
    const names = ['team/builder', 'base/node', 'payments/runner'];
    for (const name of [...names, 'secure/scanner']) {
      const statement = await managedStatement(name);
      expect(statement, name).toBeDefined();
      expect(asList(statement?.Action).sort()).toEqual(PULL_ACTIONS);
      expect(statement?.Principal).toEqual('*');
      expect(statement?.Condition?.StringEquals?.['aws:PrincipalOrgID']).toBe(
        seeded.organizationId
      );
    }
  });

  it('pins the org path when the audience is made of OUs only', async () => {
    // Act
    await reconciler().reconcile({ mode: 'apply' });

    // Assess
    const builds = seeded.organizationalUnits.Builds as string;
    const statement = await managedStatement('team/builder');
    const orgPaths = asList(
      statement?.Condition?.['ForAnyValue:StringLike']?.[
        'aws:PrincipalOrgPaths'
      ]
    );
    expect(orgPaths).toEqual([
      `${seeded.organizationId}/${seeded.rootId}/${builds}/*`,
    ]);
    const shared = await managedStatement('base/node');
    expect(shared?.Condition?.['ForAnyValue:StringLike']).toBeDefined();
  });

  it('keeps the foreign Deny and the Version exactly, in order', async () => {
    // Prepare
    const before = await storedPolicy('secure/scanner');

    // Act
    await reconciler().reconcile({ mode: 'apply' });

    // Assess
    const after = await storedPolicy('secure/scanner');
    expect(after?.Version).toBe(before?.Version);
    expect(after?.Statement[0]).toEqual(before?.Statement[0]);
    expect(after?.Statement).toHaveLength(2);
    expect(after?.Statement[1]?.Sid).toBe(config.managedSid);
  });

  it('leaves a repository with an invalid share-with tag as it was', async () => {
    // Prepare: an earlier grant on the broken repository must survive too.
    const policyText = JSON.stringify({
      Version: '2008-10-17',
      Statement: [
        {
          Sid: config.managedSid,
          Effect: 'Allow',
          Principal: '*',
          Action: PULL_ACTIONS,
          Condition: {
            StringEquals: { 'aws:PrincipalOrgID': seeded.organizationId },
            ArnEquals: { 'aws:PrincipalArn': [role('web', 'web-build')] },
          },
        },
      ],
    });
    await registryEcr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'broken/tag',
        policyText,
      })
    );

    // Act
    const report = await reconciler().reconcile({ mode: 'apply' });

    // Assess
    const broken = report.repositories.find(
      (r) => r.arn === repositoryArn('broken/tag')
    );
    expect(broken?.status).toBe('skipped');
    expect(broken?.findings.map((f) => f.code)).toContain('INVALID_SHARE_TAG');
    expect(await storedPolicy('broken/tag')).toEqual(JSON.parse(policyText));
  });

  it('plans without writing, and a second apply writes nothing', async () => {
    // Act
    const plan = await reconciler().reconcile({ mode: 'plan' });
    const writesOfPlan = proxy.stats.count('ecr', 'SetRepositoryPolicy');
    const first = await reconciler().reconcile({ mode: 'apply' });
    const writesOfApply = proxy.stats.count('ecr', 'SetRepositoryPolicy');
    const second = await reconciler().reconcile({ mode: 'apply' });

    // Assess
    expect(writesOfPlan).toBe(0);
    expect(plan.summary.changed).toBe(4);
    expect(first.summary.changed).toBe(4);
    expect(writesOfApply).toBe(4);
    expect(proxy.stats.count('ecr', 'SetRepositoryPolicy')).toBe(4);
    expect(proxy.stats.count('ecr', 'DeleteRepositoryPolicy')).toBe(0);
    expect(second.summary).toMatchObject({ changed: 0, unchanged: 4 });
  });

  it('reconciles the other accounts when one member account is unreadable, keeping its grants', async () => {
    // Prepare: grant everything once, then lose the sandbox account.
    await reconciler().reconcile({ mode: 'apply' });
    const gateways = createAwsGateways({
      region: seeded.region,
      endpoint: proxy.endpoint,
      memberRoleName: config.roles.member,
      registryRoleName: config.roles.registry,
    });
    const failingSandbox: ProjectSource = {
      async listBuildProjects(accountId, region) {
        if (accountId === account('sandbox')) {
          throw new Error('AccessDenied: not authorized to perform AssumeRole');
        }

        return gateways.codebuild.listBuildProjects({ accountId, region });
      },
    };

    // Act
    const report: Report = await reconciler(failingSandbox).reconcile({
      mode: 'apply',
    });

    // Assess
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({
      code: 'ACCOUNT_UNREADABLE',
      scope: expect.stringContaining(account('sandbox')),
    });
    expect(grantedRoles(await managedStatement('base/node'))).toContain(
      role('sandbox', 'sandbox-build')
    );
    expect(report.summary.errors).toBe(1);
  });

  it('writes the other repositories when ECR refuses one policy', async () => {
    // Prepare: a foreign statement naming a role that does not exist,
    // stored behind the proxy's back, makes ECR refuse every rewrite.
    const ghost = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Ghost',
          Effect: 'Allow',
          Principal: {
            AWS: `arn:aws:iam::${account('web')}:role/deleted-long-ago`,
          },
          Action: 'ecr:BatchGetImage',
        },
      ],
    });
    await registryEcr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'payments/runner',
        policyText: ghost,
      })
    );

    // Act
    const report = await reconciler().reconcile({ mode: 'apply' });

    // Assess
    expect(report.errors).toEqual([
      expect.objectContaining({
        code: 'WRITE_FAILED',
        scope: repositoryArn('payments/runner'),
      }),
    ]);
    expect(await storedPolicy('payments/runner')).toEqual(JSON.parse(ghost));
    expect(grantedRoles(await managedStatement('team/builder'))).toHaveLength(
      2
    );
    expect(grantedRoles(await managedStatement('base/node'))).toHaveLength(3);
  });
});
