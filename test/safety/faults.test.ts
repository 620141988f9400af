import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CodeBuildClient,
  CreateProjectCommand,
} from '@aws-sdk/client-codebuild';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../packages/cli/src/main.js';
import type { Report } from '../../packages/core/src/index.js';
import { CODEBUILD_TRUST_POLICY } from '../../packages/emulator/src/index.js';
import { useMotoServer } from '../support/emulator.js';
import {
  type RealismProxy,
  type RealismProxyOptions,
  type RealismStats,
  startRealismProxy,
} from '../support/realism/index.js';
import {
  grantedRoles,
  plannedAfter,
  reconcilerFor,
  restoreBefore,
  type SweepWorld,
  seedSweepWorld,
  storedPolicies,
} from './sweep-fixture.js';

/** Faults injected and survived over this file, printed at the end. */
const tally = {
  throttled: 0,
  assumeRoleDenied: 0,
  writesFailed: 0,
  writeRepliesLost: 0,
  survivedSweeps: 0,
  writesLost: 0,
};

function countFaults(stats: RealismStats | undefined) {
  if (!stats) return;
  tally.throttled += stats.throttled;
  tally.assumeRoleDenied += stats.assumeRoleDenied;
  tally.writesFailed += stats.writesFailed;
  tally.writeRepliesLost += stats.writeRepliesLost;
}

describe('Safety: faults during a sweep', () => {
  const server = useMotoServer();
  let proxy: RealismProxy | undefined;
  let world: SweepWorld;

  async function startProxy(options: Omit<RealismProxyOptions, 'target'>) {
    proxy = await startRealismProxy({ target: server().endpoint, ...options });

    return proxy;
  }

  beforeEach(async () => {
    world = await seedSweepWorld(server().endpoint);
  });

  afterEach(async () => {
    countFaults(proxy?.stats);
    await proxy?.stop();
    proxy = undefined;
  });

  afterAll(() => {
    process.stdout.write(
      `[safety/faults] faults injected: ${tally.throttled} throttles, ` +
        `${tally.assumeRoleDenied} AssumeRole denials, ${tally.writesFailed} ` +
        `failed writes, ${tally.writeRepliesLost} lost write replies; ` +
        `sweeps that ended correct despite them: ${tally.survivedSweeps}; ` +
        `writes lost: ${tally.writesLost}\n`
    );
  });

  /** The plan of a fault-free run, straight against moto. */
  function faultFreePlan() {
    return reconcilerFor(world, server().endpoint).reconcile({ mode: 'plan' });
  }

  function pendingWrites(report: Report) {
    return report.repositories.filter((plan) => plan.write !== 'none');
  }

  it('ends with the policies of a fault-free run under 30% throttling', async () => {
    const expected = await faultFreePlan();
    const realism = await startProxy({
      throttleRate: 0.3,
      seed: 20_261_203,
      throttledServices: ['ecr', 'codebuild', 'organizations', 'sts', 'iam'],
    });

    const applied = await reconcilerFor(world, realism.endpoint).reconcile({
      mode: 'apply',
    });

    const arns = expected.repositories.map((plan) => plan.arn);
    expect(pendingWrites(expected).length).toBeGreaterThanOrEqual(4);
    expect(applied.errors).toEqual([]);
    expect(await storedPolicies(world, arns)).toEqual(plannedAfter(expected));
    expect(realism.stats.throttled).toBeGreaterThan(10);
    const again = await faultFreePlan();
    expect(pendingWrites(again)).toEqual([]);
    tally.survivedSweeps++;
  });

  it('ends as planned when the replies of half the writes are lost', async () => {
    const expected = await faultFreePlan();
    const realism = await startProxy({ lostWriteReplyRate: 0.5, seed: 7 });

    const applied = await reconcilerFor(world, realism.endpoint).reconcile({
      mode: 'apply',
    });

    const arns = expected.repositories.map((plan) => plan.arn);
    expect(applied.errors).toEqual([]);
    expect(await storedPolicies(world, arns)).toEqual(plannedAfter(expected));
    expect(realism.stats.writeRepliesLost).toBeGreaterThan(0);
    expect(realism.stats.writesApplied).toBe(
      pendingWrites(expected).length + realism.stats.writeRepliesLost
    );
    tally.survivedSweeps++;
  });

  it('reconciles every other account when AssumeRole is denied in one, and exits 1', async () => {
    // Prepare: a first fault-free apply grants the payments roles; then a
    // new project appears in the web account.
    await reconcilerFor(world, server().endpoint).reconcile({ mode: 'apply' });
    const payments = world.seeded.accounts.payments as string;
    const web = world.seeded.accounts.web as string;
    const newRole = await addWebProject(world, 'web-late', 'team/builder');
    const before = await storedPolicies(world, arnsOf(world));
    const paymentsGrants = [...before.values()]
      .flatMap(grantedRoles)
      .filter((role) => role.includes(`::${payments}:`));
    const realism = await startProxy({ deniedAssumeRoleAccounts: [payments] });
    const folder = await mkdtemp(join(tmpdir(), 'safety-cli-'));
    const configFile = join(folder, 'config.json');
    await writeFile(configFile, JSON.stringify(cliConfig(world)));
    const out: string[] = [];

    // Act
    const exitCode = await main(
      [
        'apply',
        '--json',
        '--endpoint',
        realism.endpoint,
        '--region',
        world.seeded.region,
        '--config',
        configFile,
      ],
      { out: (text) => out.push(text), err: () => {}, interactive: false }
    );
    await rm(folder, { recursive: true, force: true });

    // Assess
    const report = JSON.parse(out.join('\n')) as Report;
    expect(exitCode).toBe(1);
    expect(report.errors).toEqual([
      expect.objectContaining({
        code: 'ACCOUNT_UNREADABLE',
        scope: expect.stringContaining(payments),
        message: expect.stringContaining(payments),
      }),
    ]);
    const after = await storedPolicies(world, arnsOf(world));
    const grantedAfter = [...after.values()].flatMap(grantedRoles);
    expect(paymentsGrants.length).toBeGreaterThanOrEqual(3);
    expect(grantedAfter).toEqual(expect.arrayContaining(paymentsGrants));
    const builder = after.get(arnOf(world, 'team/builder'));
    expect(grantedRoles(builder)).toContain(newRole);
    expect(grantedAfter.some((role) => role.includes(`::${web}:`))).toBe(true);
    expect(realism.stats.assumeRoleDenied).toBeGreaterThan(0);
    tally.survivedSweeps++;
  });

  it('writes nothing and reports the registry when its account cannot be assumed', async () => {
    // Prepare: a first fault-free apply, then a project appears.
    await reconcilerFor(world, server().endpoint).reconcile({ mode: 'apply' });
    await addWebProject(world, 'web-late', 'team/builder');
    const before = await storedPolicies(world, arnsOf(world));
    const realism = await startProxy({
      deniedAssumeRoleAccounts: [world.registryId],
    });

    // Act
    const applied = await reconcilerFor(world, realism.endpoint).reconcile({
      mode: 'apply',
    });

    // Assess: the registry is a member account too, so both reads fail.
    expect(applied.errors).toEqual([
      expect.objectContaining({
        code: 'ACCOUNT_UNREADABLE',
        scope: expect.stringContaining(world.registryId),
      }),
      expect.objectContaining({
        code: 'REGISTRY_UNREADABLE',
        scope: expect.stringContaining(world.registryId),
      }),
    ]);
    expect(applied.repositories).toEqual([]);
    expect(await storedPolicies(world, arnsOf(world))).toEqual(before);
    expect(realism.stats.count('ecr', 'SetRepositoryPolicy')).toBe(0);
    tally.survivedSweeps++;
  });

  it('writes the other repositories when one write fails, and reports it', async () => {
    const expected = await faultFreePlan();
    const failing = arnOf(world, 'team/builder');
    const realism = await startProxy({
      failingWrites: { repositories: ['team/builder'] },
    });

    const applied = await reconcilerFor(world, realism.endpoint).reconcile({
      mode: 'apply',
    });

    expect(applied.errors).toEqual([
      expect.objectContaining({ code: 'WRITE_FAILED', scope: failing }),
    ]);
    expect(
      applied.repositories.find((plan) => plan.arn === failing)?.status
    ).toBe('error');
    const stored = await storedPolicies(world, arnsOf(world));
    const planned = plannedAfter(expected);
    for (const [arn, policy] of stored) {
      const plan = expected.repositories.find((item) => item.arn === arn);
      expect(policy).toEqual(
        arn === failing ? plan?.policy.before : planned.get(arn)
      );
    }
    expect(pendingWrites(expected).length).toBeGreaterThan(1);
    expect(realism.stats.writesApplied).toBe(
      pendingWrites(expected).length - 1
    );
  });

  it('leaves each repository as it was or as planned when writes stop after the Nth', async () => {
    const expected = await faultFreePlan();
    const pending = pendingWrites(expected).length;
    const arns = expected.repositories.map((plan) => plan.arn);
    const realism = await startProxy({});
    expect(pending).toBeGreaterThanOrEqual(4);

    for (let written = 0; written <= pending; written++) {
      // Prepare
      await restoreBefore(world, expected);
      countFaults(realism.stats);
      realism.stats.reset();
      realism.setFaults({
        failingWrites: { after: written, error: 'ServerException' },
      });

      // Act: the failed writes are retried, and fail again.
      const applied = await reconcilerFor(world, realism.endpoint, {
        maxAttempts: 2,
      }).reconcile({ mode: 'apply' });

      // Assess
      const stored = await storedPolicies(world, arns);
      let atAfter = 0;
      for (const plan of expected.repositories) {
        const policy = stored.get(plan.arn);
        const asBefore = isEqual(policy, plan.policy.before);
        const asPlanned = isEqual(policy, plannedAfter(expected).get(plan.arn));
        expect({ arn: plan.arn, either: asBefore || asPlanned }).toEqual({
          arn: plan.arn,
          either: true,
        });
        if (plan.write !== 'none' && asPlanned) atAfter++;
      }
      expect(atAfter).toBe(written);
      expect(applied.errors.map((error) => error.code)).toEqual(
        Array(pending - written).fill('WRITE_FAILED')
      );
      const reportedWritten = applied.repositories.filter(
        (plan) => plan.status === 'changed'
      ).length;
      tally.writesLost += reportedWritten - atAfter;
      expect(reportedWritten).toBe(atAfter);
    }
    tally.survivedSweeps += pending + 1;
  });
});

function isEqual(left: unknown, right: unknown): boolean {
  try {
    expect(left).toEqual(right);

    return true;
  } catch {
    return false;
  }
}

function arnOf(world: SweepWorld, repositoryName: string) {
  return `arn:aws:ecr:${world.seeded.region}:${world.registryId}:repository/${repositoryName}`;
}

function arnsOf(world: SweepWorld) {
  return world.repositoryNames.map((name) => arnOf(world, name));
}

function cliConfig(world: SweepWorld) {
  return {
    registries: [
      { accountId: world.registryId, regions: [world.seeded.region] },
    ],
    roles: world.config.roles,
  };
}

/** A build role and an opted-in project in the web account, made late. */
async function addWebProject(
  world: SweepWorld,
  name: string,
  repositoryName: string
): Promise<string> {
  const web = world.seeded.accounts.web as string;
  const clientConfig = world.seeded.clientConfig(web);
  const { Role: role } = await new IAMClient(clientConfig).send(
    new CreateRoleCommand({
      RoleName: `${name}-build`,
      Path: '/service-role/',
      AssumeRolePolicyDocument: CODEBUILD_TRUST_POLICY,
    })
  );
  await new CodeBuildClient(clientConfig).send(
    new CreateProjectCommand({
      name,
      source: { type: 'NO_SOURCE', location: 'none' },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: 'LINUX_CONTAINER',
        computeType: 'BUILD_GENERAL1_SMALL',
        image: `${world.registryId}.dkr.ecr.${world.seeded.region}.amazonaws.com/${repositoryName}:latest`,
        imagePullCredentialsType: 'SERVICE_ROLE',
      },
      serviceRole: role?.Arn,
      tags: [{ key: 'ecr-pull', value: 'auto' }],
    })
  );

  return role?.Arn ?? '';
}
