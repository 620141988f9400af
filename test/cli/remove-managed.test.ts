import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateRepositoryCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecr';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../packages/cli/src/main.js';
import {
  type Report,
  renderManagedStatement,
} from '../../packages/core/src/index.js';
import { CODEBUILD_TRUST_POLICY } from '../../packages/emulator/src/index.js';
import { captureOutput } from '../support/cli-output.js';
import { useMotoServer } from '../support/emulator.js';
import {
  type RealismProxy,
  startRealismProxy,
} from '../support/realism/index.js';

/** moto's account for credentials it does not know, as the CLI sends. */
const CENTRAL = '123456789012';
const REMOTE = '222222222222';
const REGION = 'us-east-1';
const ORGANIZATION = 'o-a1b2c3d4e5';
const STATIC = { accessKeyId: 'AKIAREMOVEMANAGED000', secretAccessKey: 'x' };

type Policy = { Version?: string; Statement: Record<string, unknown>[] };

const deployer = `arn:aws:iam::${CENTRAL}:role/Deployer`;

/** Statements this tool never wrote, in shapes people write by hand. */
const foreign = {
  deployerPush: {
    Sid: 'DeployerPush',
    Effect: 'Allow',
    Principal: { AWS: deployer },
    Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload'],
  },
  denyOutsideVpc: {
    Effect: 'Deny',
    Principal: '*',
    Action: 'ecr:*',
    Condition: {
      StringNotEquals: { 'aws:SourceVpce': ['vpce-0a1b2c3d', 'vpce-4e5f'] },
      Bool: { 'aws:ViaAWSService': 'false' },
    },
  },
  codebuildService: {
    Sid: 'CodeBuildService',
    Effect: 'Allow',
    Principal: { Service: 'codebuild.amazonaws.com' },
    Action: 'ecr:BatchGetImage',
    Condition: { StringEquals: { 'aws:SourceAccount': '333333333333' } },
  },
};

function managed(...roles: string[]) {
  return renderManagedStatement('EcrPullReconciler', {
    organizationId: ORGANIZATION,
    principalArns: roles,
    orgPaths: [`${ORGANIZATION}/r-ab12/ou-ab12-34cd5678/`],
  });
}

describe('Command: apply --remove-managed', () => {
  const server = useMotoServer({ resetEachTest: false });
  let proxy: RealismProxy;
  let folder: string;
  let configFile: string;
  let central: ECRClient;
  let remote: ECRClient;
  /** Each repository's policy as set, by `account/name`. */
  const seeded = new Map<string, Policy | undefined>();

  async function credentialsOf(accountId: string) {
    const sts = new STSClient({
      endpoint: proxy.endpoint,
      region: REGION,
      credentials: STATIC,
    });
    const { Credentials: session } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/Seeder`,
        RoleSessionName: 'seed',
      })
    );

    return {
      accessKeyId: session?.AccessKeyId ?? '',
      secretAccessKey: session?.SecretAccessKey ?? '',
      sessionToken: session?.SessionToken ?? '',
    };
  }

  async function seed(
    ecr: ECRClient,
    accountId: string,
    name: string,
    policy: Policy | undefined,
    tags: Record<string, string> = {}
  ) {
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({ repositoryName: name })
    );
    const entries = Object.entries(tags);
    if (entries.length > 0) {
      await ecr.send(
        new TagResourceCommand({
          resourceArn: repository?.repositoryArn,
          tags: entries.map(([Key, Value]) => ({ Key, Value })),
        })
      );
    }
    if (policy) {
      await ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: name,
          policyText: JSON.stringify(policy),
        })
      );
    }
    seeded.set(`${accountId}/${name}`, policy);
  }

  /** The stored policy as ECR hands it back, or undefined when none. */
  async function stored(ecr: ECRClient, name: string) {
    try {
      const { policyText } = await ecr.send(
        new GetRepositoryPolicyCommand({ repositoryName: name })
      );

      return policyText;
    } catch (error) {
      if ((error as Error).name === 'RepositoryPolicyNotFoundException') {
        return undefined;
      }
      throw error;
    }
  }

  async function run(...argv: string[]) {
    const output = captureOutput();
    const code = await main(
      [
        ...argv,
        '--remove-managed',
        '--json',
        '--endpoint',
        proxy.endpoint,
        '--region',
        REGION,
        '--config',
        configFile,
      ],
      output
    );
    const report = JSON.parse(output.stdout.join('\n')) as Report;

    return { code, report, stderr: output.stderr };
  }

  beforeAll(async () => {
    proxy = await startRealismProxy({ target: server().endpoint });
    folder = mkdtempSync(join(tmpdir(), 'remove-managed-'));
    configFile = join(folder, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        registries: [
          { accountId: CENTRAL, regions: [REGION] },
          { accountId: REMOTE, regions: [REGION] },
        ],
      })
    );
    const clientOf = (credentials: typeof STATIC) =>
      new ECRClient({ endpoint: proxy.endpoint, region: REGION, credentials });
    central = clientOf(STATIC);
    remote = clientOf(await credentialsOf(REMOTE));
    // ECR refuses policies naming principals that do not exist.
    await new IAMClient({
      endpoint: proxy.endpoint,
      region: REGION,
      credentials: STATIC,
    }).send(
      new CreateRoleCommand({
        RoleName: 'Deployer',
        AssumeRolePolicyDocument: CODEBUILD_TRUST_POLICY,
      })
    );

    const role = (account: string, name: string) =>
      `arn:aws:iam::${account}:role/${name}`;
    await seed(central, CENTRAL, 'mixed', {
      Version: '2012-10-17',
      Statement: [
        foreign.deployerPush,
        managed(role('444455556666', 'build'), role('555566667777', 'ci')),
        foreign.denyOutsideVpc,
        foreign.codebuildService,
      ],
    });
    await seed(central, CENTRAL, 'managed-only', {
      Version: '2012-10-17',
      Statement: [managed(role('444455556666', 'build'))],
    });
    await seed(
      central,
      CENTRAL,
      'broken-tag',
      {
        Version: '2008-10-17',
        Statement: [
          managed(role('444455556666', 'build')),
          foreign.deployerPush,
        ],
      },
      { 'share-with': 'ou-not-an-ou, everyone' }
    );
    await seed(central, CENTRAL, 'foreign-only', {
      Version: '2012-10-17',
      Statement: [foreign.codebuildService, foreign.deployerPush],
    });
    await seed(central, CENTRAL, 'no-policy', undefined);
    await seed(remote, REMOTE, 'team/base', {
      Version: '2012-10-17',
      Statement: [foreign.denyOutsideVpc, managed(role('444455556666', 'x'))],
    });
  });

  afterAll(async () => {
    await proxy?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('plans the removal and writes nothing', async () => {
    const before = await stored(central, 'mixed');

    const { code, report } = await run('plan', '--detailed-exitcode');

    expect(code).toBe(2);
    expect(report.mode).toBe('plan');
    expect(report.summary).toMatchObject({
      repositories: 6,
      changed: 4,
      unchanged: 2,
      skipped: 0,
      grantsAdded: 0,
      grantsRemoved: 5,
      errors: 0,
    });
    expect(await stored(central, 'mixed')).toBe(before);
    expect(await stored(central, 'managed-only')).toBeDefined();
  });

  it('removes every managed statement and keeps foreign ones exactly, in order', async () => {
    const { code, report } = await run('apply');

    expect(code).toBe(0);
    expect(report.errors).toEqual([]);
    const mixed = report.repositories.find((plan) =>
      plan.arn.endsWith(':repository/mixed')
    );
    expect(mixed?.grants).toEqual({
      add: [],
      remove: [
        'arn:aws:iam::444455556666:role/build',
        'arn:aws:iam::555566667777:role/ci',
      ],
      keep: [],
    });
    const expectations: [ECRClient, string, Policy | undefined][] = [
      [
        central,
        'mixed',
        {
          Version: '2012-10-17',
          Statement: [
            foreign.deployerPush,
            foreign.denyOutsideVpc,
            foreign.codebuildService,
          ],
        },
      ],
      [
        central,
        'broken-tag',
        { Version: '2008-10-17', Statement: [foreign.deployerPush] },
      ],
      [
        remote,
        'team/base',
        { Version: '2012-10-17', Statement: [foreign.denyOutsideVpc] },
      ],
      [central, 'foreign-only', seeded.get(`${CENTRAL}/foreign-only`)],
    ];
    for (const [ecr, name, expected] of expectations) {
      const text = await stored(ecr, name);

      // ECR reformats what it stores, so content is compared, not text.
      expect(text).not.toBe(JSON.stringify(expected));
      expect(JSON.parse(text ?? 'null')).toEqual(expected);
    }
  });

  it('deletes a policy that held only the managed statement', async () => {
    expect(await stored(central, 'managed-only')).toBeUndefined();
    expect(await stored(central, 'no-policy')).toBeUndefined();
  });

  it('finds nothing left to remove when run again', async () => {
    const { report } = await run('plan');

    expect(report.repositories.map((plan) => plan.status)).toEqual(
      Array(6).fill('unchanged')
    );
    expect(report.summary.grantsRemoved).toBe(0);
  });

  it('refuses --remove-managed with another command', async () => {
    const output = captureOutput();

    const code = await main(['explain', '--remove-managed'], output);

    expect(code).toBe(1);
    expect(output.stderr.join('\n')).toMatch(
      /--remove-managed goes with plan or apply/
    );
  });
});
