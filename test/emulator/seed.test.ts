import {
  BatchGetProjectsCommand,
  CodeBuildClient,
} from '@aws-sdk/client-codebuild';
import {
  DescribeRepositoriesCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-ecr';
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  ListParentsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type OrganizationSpec,
  resolvePlaceholders,
  SAMPLE_ORGANIZATION,
  SAMPLE_OTHER_REGION,
  SeedError,
  type SeededOrganization,
  seedOrganization,
} from '../../packages/emulator/src/index.js';
import { useMotoServer } from '../support/emulator.js';

describe('Function: seedOrganization', () => {
  const server = useMotoServer({ resetEachTest: false });
  let org: SeededOrganization;

  beforeAll(async () => {
    org = await seedOrganization(server().endpoint, SAMPLE_ORGANIZATION);
  });

  const registry = () =>
    new ECRClient(org.clientConfig(org.accounts.registry as string));

  async function shareWith(repositoryName: string) {
    const { repositories } = await registry().send(
      new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] })
    );
    const { tags } = await registry().send(
      new ListTagsForResourceCommand({
        resourceArn: repositories?.[0]?.repositoryArn,
      })
    );

    return tags?.find((tag) => tag.Key === 'share-with')?.Value;
  }

  it('creates every declared OU and account with real ids', () => {
    const units = org.organizationalUnits;
    const accounts = org.accounts;

    expect(org.organizationId).toMatch(/^o-[a-z0-9]{10,32}$/);
    expect(org.rootId).toMatch(/^r-[a-z0-9]{4,32}$/);
    expect(Object.keys(units).sort()).toEqual([
      'Builds',
      'Builds/Web',
      'Platform',
      'Sandbox',
    ]);
    for (const id of Object.values(units)) {
      expect(id).toMatch(/^ou-[a-z0-9]+-[a-z0-9]+$/);
    }
    expect(Object.keys(accounts).sort()).toEqual([
      'management',
      'payments',
      'registry',
      'sandbox',
      'web',
    ]);
    expect(new Set(Object.values(accounts)).size).toBe(5);
    expect(accounts.management).toBe(org.managementAccountId);
  });

  it('places a member account in its nested OU', async () => {
    const organizations = new OrganizationsClient(
      org.clientConfig(org.managementAccountId)
    );

    const { Parents: parents } = await organizations.send(
      new ListParentsCommand({ ChildId: org.accounts.web })
    );

    expect(parents).toEqual([
      {
        Id: org.organizationalUnits['Builds/Web'],
        Type: 'ORGANIZATIONAL_UNIT',
      },
    ]);
  });

  it('resolves placeholders in share-with tags to real ids', async () => {
    const tags = {
      builder: await shareWith('team/builder'),
      node: await shareWith('base/node'),
      runner: await shareWith('payments/runner'),
      broken: await shareWith('broken/tag'),
      legacy: await shareWith('legacy/tools'),
    };

    expect(tags).toEqual({
      builder: org.organizationalUnits.Builds,
      node: org.rootId,
      runner: org.accounts.payments,
      broken: 'ou-nope',
      legacy: undefined,
    });
  });

  it('keeps the foreign Deny statement of secure/scanner', async () => {
    const { policyText } = await registry().send(
      new GetRepositoryPolicyCommand({ repositoryName: 'secure/scanner' })
    );

    const policy = JSON.parse(policyText ?? '{}');
    const registryId = org.accounts.registry;
    const adminArn = `arn:aws:iam::${registryId}:role/platform-admin`;

    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Condition: {
        ArnNotLike: {
          'aws:PrincipalArn': adminArn,
        },
      },
    });
  });

  it('creates build projects readable in their member account', async () => {
    const web = org.accounts.web as string;
    const codebuild = new CodeBuildClient(org.clientConfig(web));

    const { projects } = await codebuild.send(
      new BatchGetProjectsCommand({
        names: ['web-frontend', 'web-eu-image', 'web-curated'],
      })
    );

    const byName = new Map(projects?.map((project) => [project.name, project]));
    const registryHost = `${org.accounts.registry}.dkr.ecr`;
    expect(byName.get('web-frontend')).toMatchObject({
      arn: `arn:aws:codebuild:us-east-1:${web}:project/web-frontend`,
      serviceRole: `arn:aws:iam::${web}:role/service-role/web-build`,
      environment: {
        image: `${registryHost}.us-east-1.amazonaws.com/team/builder:latest`,
        imagePullCredentialsType: 'SERVICE_ROLE',
      },
      tags: [{ key: 'ecr-pull', value: 'auto' }],
    });
    expect(byName.get('web-eu-image')?.environment?.image).toBe(
      `${registryHost}.${SAMPLE_OTHER_REGION}.amazonaws.com/team/builder:latest`
    );
    expect(byName.get('web-curated')?.environment?.image).toBe(
      'aws/codebuild/standard:7.0'
    );
  });

  it('gives every sample project a description', () => {
    const projects = SAMPLE_ORGANIZATION.accounts.flatMap(
      (account) => account.projects ?? []
    );

    expect(projects.length).toBeGreaterThanOrEqual(10);
    for (const project of projects) {
      expect(project.description.length).toBeGreaterThan(10);
    }
  });

  it('leaves ECR pull actions out of a role declared without', async () => {
    const iam = new IAMClient(org.clientConfig(org.accounts.web as string));

    const [withPull, withoutPull] = await Promise.all(
      ['web-build', 'web-docs-build'].map((RoleName) =>
        iam.send(
          new GetRolePolicyCommand({
            RoleName,
            PolicyName: 'build-permissions',
          })
        )
      )
    );

    const actions = (document?: string) =>
      JSON.parse(decodeURIComponent(document ?? '{}')).Statement.flatMap(
        (statement: { Action: string[] }) => statement.Action
      );
    expect(actions(withPull?.PolicyDocument)).toContain(
      'ecr:GetAuthorizationToken'
    );
    expect(actions(withoutPull?.PolicyDocument)).not.toContain(
      'ecr:BatchGetImage'
    );
  });

  it('hands out credentials bound to the member account', async () => {
    const payments = org.accounts.payments as string;
    const sts = new STSClient(org.clientConfig(payments));

    const identity = await sts.send(new GetCallerIdentityCommand({}));

    expect(identity.Account).toBe(payments);
    expect(identity.Arn).toContain('OrganizationAccountAccessRole');
  });

  it('seeds the sample Organization in a few seconds', () => {
    const elapsed = org.elapsedMs;

    expect(elapsed).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(15_000);
  });
});

describe('Function: seedOrganization (invalid spec)', () => {
  const base: OrganizationSpec = {
    region: 'us-east-1',
    organizationalUnits: [{ name: 'Builds' }],
    accounts: [],
  };

  it('refuses an account in an undeclared OU before any call', async () => {
    const spec: OrganizationSpec = {
      ...base,
      accounts: [{ name: 'team', organizationalUnit: 'Nowhere' }],
    };

    const seeding = seedOrganization('http://127.0.0.1:9', spec);

    await expect(seeding).rejects.toThrow(SeedError);
    await expect(seeding).rejects.toThrow(/undeclared OU "Nowhere"/);
  });

  it('refuses an unknown placeholder before any call', async () => {
    const spec: OrganizationSpec = {
      ...base,
      accounts: [
        {
          name: 'registry',
          repositories: [
            { name: 'team/app', tags: { 'share-with': '{ou:Missing}' } },
          ],
        },
      ],
    };

    const seeding = seedOrganization('http://127.0.0.1:9', spec);

    await expect(seeding).rejects.toThrow(/\{ou:Missing\}/);
  });

  it('refuses a project whose role is not declared', async () => {
    const spec: OrganizationSpec = {
      ...base,
      accounts: [
        {
          name: 'team',
          projects: [
            {
              name: 'app',
              description: 'no role',
              serviceRole: 'ghost',
              image: 'aws/codebuild/standard:7.0',
            },
          ],
        },
      ],
    };

    const seeding = seedOrganization('http://127.0.0.1:9', spec);

    await expect(seeding).rejects.toThrow(/undeclared role "ghost"/);
  });
});

describe('Function: resolvePlaceholders', () => {
  const ids = {
    organizationId: 'o-abc1234567',
    rootId: 'r-ab12',
    region: 'us-east-1',
    organizationalUnits: { Builds: 'ou-ab12-11111111' },
    accounts: { registry: '111122223333', payments: '444455556666' },
  };

  it('replaces every placeholder in a share-with value', () => {
    const text = '{ou:Builds} {root} {account:payments} org';

    const resolved = resolvePlaceholders(text, ids);

    expect(resolved).toBe('ou-ab12-11111111 r-ab12 444455556666 org');
  });

  it('replaces the account and Region in an image URI', () => {
    const text = '{account:registry}.dkr.ecr.{region}.amazonaws.com/x:1';

    const resolved = resolvePlaceholders(text, ids);

    expect(resolved).toBe('111122223333.dkr.ecr.us-east-1.amazonaws.com/x:1');
  });

  it('throws a SeedError naming an unknown account', () => {
    const resolve = () => resolvePlaceholders('{account:nobody}', ids);

    expect(resolve).toThrow(SeedError);
  });
});
