import {
  CodeBuildClient,
  ListProjectsCommand,
} from '@aws-sdk/client-codebuild';
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  IAMClient,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CODEBUILD_TRUST_POLICY,
  SAMPLE_ORGANIZATION,
  seedOrganization,
} from '../../packages/emulator/src/index.js';
import { useMotoServer } from '../support/emulator.js';
import {
  type RealismProxy,
  type RealismProxyOptions,
  startRealismProxy,
} from '../support/realism/index.js';

const MEMBER_ACCOUNT = '210987654321';
const ACCESS_ROLE = 'OrganizationAccountAccessRole';
const REGION = 'us-east-1';
const STATIC_CREDENTIALS = {
  accessKeyId: 'AKIAREALISMTEST00000',
  secretAccessKey: 'secret',
};
describe('Function: startRealismProxy', () => {
  const server = useMotoServer();
  let proxy: RealismProxy | undefined;

  async function start(options: Omit<RealismProxyOptions, 'target'> = {}) {
    proxy = await startRealismProxy({ target: server().endpoint, ...options });

    return proxy;
  }

  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  function clientConfig(
    endpoint: string,
    credentials: typeof STATIC_CREDENTIALS = STATIC_CREDENTIALS
  ) {
    return { endpoint, region: REGION, credentials, maxAttempts: 1 };
  }

  async function memberCredentials(endpoint: string) {
    const sts = new STSClient(clientConfig(endpoint));
    const { Credentials: session } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${MEMBER_ACCOUNT}:role/${ACCESS_ROLE}`,
        RoleSessionName: 'realism-test',
      })
    );

    return {
      accessKeyId: session?.AccessKeyId ?? '',
      secretAccessKey: session?.SecretAccessKey ?? '',
      sessionToken: session?.SessionToken,
    };
  }

  async function createMemberRole(endpoint: string, name: string) {
    const iam = new IAMClient(
      clientConfig(endpoint, await memberCredentials(endpoint))
    );
    const { Role: role } = await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        Path: '/service-role/',
        AssumeRolePolicyDocument: CODEBUILD_TRUST_POLICY,
      })
    );

    return { iam, arn: role?.Arn ?? '', roleId: role?.RoleId ?? '' };
  }

  function pullPolicy(principal: string | string[], padding = '') {
    return {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EcrPullReconciler',
          Effect: 'Allow',
          Principal: { AWS: principal },
          Action: [
            'ecr:BatchGetImage',
            'ecr:GetDownloadUrlForLayer',
            'ecr:BatchCheckLayerAvailability',
          ],
          ...(padding
            ? { Condition: { StringLike: { 'aws:x': padding } } }
            : {}),
        },
      ],
    };
  }

  async function repository(endpoint: string, name = 'team/builder') {
    const ecr = new ECRClient(clientConfig(endpoint));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));

    return ecr;
  }

  describe('ECR repository policies', () => {
    it('refuses a policy longer than 10,240 characters', async () => {
      const { endpoint, stats } = await start();
      const ecr = await repository(endpoint);
      const policyText = JSON.stringify(
        pullPolicy(`arn:aws:iam::${MEMBER_ACCOUNT}:root`, 'x'.repeat(10_240))
      );

      const setting = ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'team/builder',
          policyText,
        })
      );

      await expect(setting).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message:
          "Invalid parameter at 'PolicyText' failed to satisfy constraint: " +
          "'Member must have length less than or equal to 10240'",
      });
      await expect(
        ecr.send(
          new GetRepositoryPolicyCommand({ repositoryName: 'team/builder' })
        )
      ).rejects.toMatchObject({ name: 'RepositoryPolicyNotFoundException' });
      expect(stats.refused).toBe(1);
    });

    it('accepts a policy of exactly the configured limit', async () => {
      const { endpoint } = await start({ maxPolicyLength: 1_000 });
      const ecr = await repository(endpoint);
      const base = JSON.stringify(
        pullPolicy(`arn:aws:iam::${MEMBER_ACCOUNT}:root`, 'x')
      );
      const policyText = JSON.stringify(
        pullPolicy(
          `arn:aws:iam::${MEMBER_ACCOUNT}:root`,
          'x'.repeat(1_000 - base.length + 1)
        )
      );

      const result = await ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'team/builder',
          policyText,
        })
      );

      expect(policyText).toHaveLength(1_000);
      expect(result.repositoryName).toBe('team/builder');
    });

    it('refuses a principal naming a role that does not exist', async () => {
      const { endpoint, stats } = await start();
      const ecr = await repository(endpoint);
      const missing = `arn:aws:iam::${MEMBER_ACCOUNT}:role/service-role/ghost`;

      const setting = ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'team/builder',
          policyText: JSON.stringify(pullPolicy([missing])),
        })
      );

      await expect(setting).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringContaining('Principal not found'),
      });
      expect(stats.refused).toBe(1);
    });

    it('refuses a role whose name exists under another path', async () => {
      const { endpoint } = await start();
      const ecr = await repository(endpoint);
      const role = await createMemberRole(endpoint, 'web-build');
      const otherPath = role.arn.replace('/service-role/', '/');

      const setting = ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'team/builder',
          policyText: JSON.stringify(pullPolicy(otherPath)),
        })
      );

      await expect(setting).rejects.toMatchObject({
        message: expect.stringContaining('Principal not found'),
      });
    });

    it('refuses a bare unique id sent back as a principal', async () => {
      const { endpoint } = await start();
      const ecr = await repository(endpoint);

      const setting = ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'team/builder',
          policyText: JSON.stringify(pullPolicy('AROAEXAMPLEUNIQUEID12')),
        })
      );

      await expect(setting).rejects.toMatchObject({
        message: expect.stringContaining('Principal not found'),
      });
    });

    it('accepts an existing foreign role, an account root and *', async () => {
      const { endpoint, stats } = await start();
      const ecr = await repository(endpoint);
      const role = await createMemberRole(endpoint, 'web-build');

      const result = await ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'team/builder',
          policyText: JSON.stringify(
            pullPolicy([role.arn, `arn:aws:iam::${MEMBER_ACCOUNT}:root`, '*'])
          ),
        })
      );

      expect(
        JSON.parse(result.policyText ?? '{}').Statement[0].Principal
      ).toEqual({
        AWS: [role.arn, `arn:aws:iam::${MEMBER_ACCOUNT}:root`, '*'],
      });
      expect(stats.refused).toBe(0);
    });

    it('reads a policy back reformatted but equal in content', async () => {
      const { endpoint } = await start();
      const ecr = await repository(endpoint);
      const role = await createMemberRole(endpoint, 'web-build');
      const policyText = JSON.stringify(pullPolicy(role.arn));
      await ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'team/builder',
          policyText,
        })
      );

      const first = await ecr.send(
        new GetRepositoryPolicyCommand({ repositoryName: 'team/builder' })
      );
      const second = await ecr.send(
        new GetRepositoryPolicyCommand({ repositoryName: 'team/builder' })
      );

      expect(first.policyText).not.toBe(policyText);
      expect(first.policyText).toContain('"Version" : "2012-10-17"');
      expect(first.policyText).toBe(second.policyText);
      expect(JSON.parse(first.policyText ?? '')).toEqual(
        JSON.parse(policyText)
      );
      expect(
        Object.keys(JSON.parse(first.policyText ?? '').Statement[0])
      ).toEqual(['Action', 'Effect', 'Principal', 'Sid']);
    });

    it('reads a deleted role back as its unique id', async () => {
      const { endpoint } = await start();
      const ecr = await repository(endpoint);
      const kept = await createMemberRole(endpoint, 'web-build');
      const deleted = await createMemberRole(endpoint, 'docs-build');
      await ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'team/builder',
          policyText: JSON.stringify(pullPolicy([kept.arn, deleted.arn])),
        })
      );
      await deleted.iam.send(new DeleteRoleCommand({ RoleName: 'docs-build' }));

      const { policyText } = await ecr.send(
        new GetRepositoryPolicyCommand({ repositoryName: 'team/builder' })
      );

      const principal = JSON.parse(policyText ?? '').Statement[0].Principal;
      expect(deleted.roleId).toMatch(/^AROA/);
      expect(principal).toEqual({ AWS: [kept.arn, deleted.roleId] });
    });

    it('keeps the unique id when a role of the name is recreated', async () => {
      const { endpoint } = await start();
      const ecr = await repository(endpoint);
      const original = await createMemberRole(endpoint, 'web-build');
      await ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'team/builder',
          policyText: JSON.stringify(pullPolicy(original.arn)),
        })
      );
      await original.iam.send(new DeleteRoleCommand({ RoleName: 'web-build' }));
      const recreated = await createMemberRole(endpoint, 'web-build');

      const { policyText } = await ecr.send(
        new GetRepositoryPolicyCommand({ repositoryName: 'team/builder' })
      );

      expect(recreated.arn).toBe(original.arn);
      expect(JSON.parse(policyText ?? '').Statement[0].Principal).toEqual({
        AWS: original.roleId,
      });
    });
  });

  describe('throttling', () => {
    it('fails every call with a throttling error at rate 1', async () => {
      const { endpoint, stats } = await start({ throttleRate: 1 });
      const config = clientConfig(endpoint);
      const calls = [
        new ECRClient(config).send(new DescribeRepositoriesCommand({})),
        new CodeBuildClient(config).send(new ListProjectsCommand({})),
        new OrganizationsClient(config).send(
          new DescribeOrganizationCommand({})
        ),
        new STSClient(config).send(new GetCallerIdentityCommand({})),
        new IAMClient(config).send(new ListRolesCommand({})),
      ];

      const outcomes = await Promise.allSettled(calls);

      const errors = outcomes.map((outcome) =>
        outcome.status === 'rejected'
          ? (outcome.reason as Error).name
          : 'fulfilled'
      );
      expect(errors).toEqual([
        'ThrottlingException',
        'ThrottlingException',
        'ThrottlingException',
        'Throttling',
        'Throttling',
      ]);
      expect(stats.throttled).toBe(5);
    });

    it('lets the SDK retry a throttled call to success', async () => {
      const { endpoint, stats } = await start({ throttleRate: 0.5, seed: 1 });
      const ecr = new ECRClient({
        ...clientConfig(endpoint),
        maxAttempts: 10,
      });

      const first = await ecr.send(new DescribeRepositoriesCommand({}));
      const second = await ecr.send(new DescribeRepositoriesCommand({}));

      expect([first.repositories, second.repositories]).toEqual([[], []]);
      expect(stats.throttled).toBe(1);
      expect(stats.count('ecr', 'DescribeRepositories')).toBe(3);
    });

    it('throttles only the configured services', async () => {
      const { endpoint } = await start({
        throttleRate: 1,
        throttledServices: ['ecr'],
      });
      const config = clientConfig(endpoint);

      const identity = await new STSClient(config).send(
        new GetCallerIdentityCommand({})
      );
      const listing = new ECRClient(config).send(
        new DescribeRepositoriesCommand({})
      );

      expect(identity.Account).toBe('123456789012');
      await expect(listing).rejects.toMatchObject({
        name: 'ThrottlingException',
      });
    });

    it('throttles the same calls again with the same seed', async () => {
      const pattern = async () => {
        const { endpoint } = await start({ throttleRate: 0.5, seed: 42 });
        const sts = new STSClient(clientConfig(endpoint));
        const outcomes: boolean[] = [];
        for (let call = 0; call < 16; call++) {
          const outcome = await sts
            .send(new GetCallerIdentityCommand({}))
            .then(() => true)
            .catch(() => false);
          outcomes.push(outcome);
        }
        await proxy?.stop();
        proxy = undefined;

        return outcomes;
      };

      const first = await pattern();
      const second = await pattern();

      expect(first).toEqual(second);
      expect(first).toContain(true);
      expect(first).toContain(false);
    });

    it('stops throttling when the faults are changed', async () => {
      const realism = await start({ throttleRate: 1 });
      const sts = new STSClient(clientConfig(realism.endpoint));
      await expect(
        sts.send(new GetCallerIdentityCommand({}))
      ).rejects.toMatchObject({ name: 'Throttling' });

      realism.setFaults({ throttleRate: 0 });
      const identity = await sts.send(new GetCallerIdentityCommand({}));

      expect(identity.Account).toBe('123456789012');
    });
  });

  describe('injected faults', () => {
    it('refuses AssumeRole into the denied accounts only', async () => {
      const { endpoint, stats } = await start({
        deniedAssumeRoleAccounts: [MEMBER_ACCOUNT],
      });
      const sts = new STSClient(clientConfig(endpoint));
      const assume = (accountId: string) =>
        sts.send(
          new AssumeRoleCommand({
            RoleArn: `arn:aws:iam::${accountId}:role/${ACCESS_ROLE}`,
            RoleSessionName: 'realism-test',
          })
        );

      const [denied, allowed] = await Promise.allSettled([
        assume(MEMBER_ACCOUNT),
        assume('210987654322'),
      ]);

      expect(denied).toMatchObject({
        status: 'rejected',
        reason: {
          name: 'AccessDenied',
          message: expect.stringContaining(MEMBER_ACCOUNT),
        },
      });
      expect(allowed.status).toBe('fulfilled');
      expect(stats.assumeRoleDenied).toBe(1);
      expect(stats.faultsInjected).toBe(1);
    });

    it('fails the writes to a named repository and leaves it as it was', async () => {
      const { endpoint, stats } = await start({
        failingWrites: { repositories: ['team/broken'] },
      });
      const ecr = await repository(endpoint, 'team/broken');
      await repository(endpoint, 'team/fine');
      const policyText = JSON.stringify(
        pullPolicy(`arn:aws:iam::${MEMBER_ACCOUNT}:root`)
      );
      const write = (repositoryName: string) =>
        ecr.send(
          new SetRepositoryPolicyCommand({ repositoryName, policyText })
        );

      const [failed, written] = await Promise.allSettled([
        write('team/broken'),
        write('team/fine'),
      ]);

      expect(failed).toMatchObject({
        status: 'rejected',
        reason: { name: 'AccessDeniedException' },
      });
      expect(written.status).toBe('fulfilled');
      await expect(
        ecr.send(
          new GetRepositoryPolicyCommand({ repositoryName: 'team/broken' })
        )
      ).rejects.toMatchObject({ name: 'RepositoryPolicyNotFoundException' });
      expect(stats.writesFailed).toBe(1);
      expect(stats.writesApplied).toBe(1);
    });

    it('carries out a write whose reply it then loses', async () => {
      const { endpoint, stats } = await start({ lostWriteReplyRate: 1 });
      const ecr = await repository(endpoint, 'team/one');
      const policyText = JSON.stringify(
        pullPolicy(`arn:aws:iam::${MEMBER_ACCOUNT}:root`)
      );

      const writing = ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'team/one',
          policyText,
        })
      );

      await expect(writing).rejects.toThrow();
      const stored = await ecr.send(
        new GetRepositoryPolicyCommand({ repositoryName: 'team/one' })
      );
      expect(JSON.parse(stored.policyText ?? '')).toEqual(
        JSON.parse(policyText)
      );
      expect(stats.writeRepliesLost).toBe(1);
      expect(stats.writesApplied).toBe(1);
    });

    it('fails every write after the first N that got through', async () => {
      const { endpoint, stats } = await start({
        failingWrites: { after: 2, error: 'ServerException' },
      });
      const ecr = await repository(endpoint, 'team/one');
      await repository(endpoint, 'team/two');
      await repository(endpoint, 'team/three');
      const policyText = JSON.stringify(
        pullPolicy(`arn:aws:iam::${MEMBER_ACCOUNT}:root`)
      );
      const outcomes: string[] = [];

      for (const repositoryName of ['team/one', 'team/two', 'team/three']) {
        const outcome = await ecr
          .send(new SetRepositoryPolicyCommand({ repositoryName, policyText }))
          .then(
            () => 'written',
            (error: Error) => error.name
          );
        outcomes.push(outcome);
      }

      expect(outcomes).toEqual(['written', 'written', 'ServerException']);
      expect(stats.writesApplied).toBe(2);
      expect(stats.writesFailed).toBe(1);
    });
  });

  describe('forwarding', () => {
    it('carries a whole seeding through and reformats policies', async () => {
      const { endpoint, stats } = await start({ latencyMs: 1 });

      const org = await seedOrganization(endpoint, SAMPLE_ORGANIZATION);

      const ecr = new ECRClient(org.clientConfig(org.accounts.registry ?? ''));
      const { policyText } = await ecr.send(
        new GetRepositoryPolicyCommand({ repositoryName: 'secure/scanner' })
      );
      expect(policyText).toContain('"Effect" : "Deny"');
      expect(stats.count('organizations', 'CreateAccount')).toBe(4);
      expect(stats.count('codebuild', 'CreateProject')).toBe(15);
      expect(stats.refused).toBe(0);
    });
  });

  describe('latency and stats', () => {
    beforeEach(() => {
      proxy = undefined;
    });

    it('adds the configured latency to each call', async () => {
      const { endpoint } = await start({ latencyMs: 150 });
      const sts = new STSClient(clientConfig(endpoint));
      await sts.send(new GetCallerIdentityCommand({}));

      const started = performance.now();
      await sts.send(new GetCallerIdentityCommand({}));
      await sts.send(new GetCallerIdentityCommand({}));
      const elapsed = performance.now() - started;

      expect(elapsed).toBeGreaterThanOrEqual(300);
    });

    it('counts calls by service and operation', async () => {
      const { endpoint, stats } = await start();
      const ecr = await repository(endpoint);
      await ecr.send(new DescribeRepositoriesCommand({}));
      await ecr.send(new DescribeRepositoriesCommand({}));

      await new STSClient(clientConfig(endpoint)).send(
        new GetCallerIdentityCommand({})
      );

      expect(stats.calls).toEqual({
        ecr: { CreateRepository: 1, DescribeRepositories: 2 },
        sts: { GetCallerIdentity: 1 },
      });
      expect(stats.count('ecr')).toBe(3);
      expect(stats.total).toBe(4);
      expect(stats.throttled).toBe(0);
    });
  });
});
