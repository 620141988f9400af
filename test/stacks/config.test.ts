import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  configFromEnvironment,
} from '../../packages/core/src/index.js';
import {
  DEPLOYMENT_CONFIG_ENVIRONMENT_VARIABLE,
  DEPLOYMENT_CONFIG_FILE,
  loadDeploymentConfig,
  parseDeploymentConfig,
  runtimeConfigOf,
  runtimeConfigText,
} from '../../stacks/config.js';

const minimal = {
  centralAccountId: '111111111111',
  registries: [{ accountId: '111111111111', regions: ['eu-west-1'] }],
  organizationId: 'o-a1b2c3d4e5',
};

const example: unknown = JSON.parse(
  readFileSync(
    new URL('../../reconciler.config.example.json', import.meta.url),
    'utf8'
  )
);

function emptyDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'deployment-config-'));
}

describe('Function: parseDeploymentConfig', () => {
  it('fills in every default when only the required keys are given', () => {
    const config = parseDeploymentConfig(minimal, 'dev');

    expect(config).toMatchObject({
      region: 'eu-west-1',
      registryIsCentralAccount: true,
      memberRoleName: 'EcrPullReconcilerReader',
      registryRoleName: 'EcrPullReconcilerWriter',
      sweepSchedule: 'rate(1 day)',
      projectSelection: 'tagged',
      managedSid: 'EcrPullReconciler',
      productionStages: ['prod'],
    });
    expect(config.alarmEmail).toBeUndefined();
  });

  it('accepts the example configuration for every stage', () => {
    const dev = parseDeploymentConfig(example, 'dev');
    const prod = parseDeploymentConfig(example, 'prod');

    expect(dev.sweepSchedule).toBe('rate(1 day)');
    expect(prod.sweepSchedule).toBe('rate(6 hours)');
    expect(prod.alarmEmail).toBe('platform-team@example.com');
  });

  it('refuses an unknown key and names it', () => {
    const input = { ...minimal, sweepSchedul: 'rate(1 day)' };

    const refuse = () => parseDeploymentConfig(input, 'dev');

    expect(refuse).toThrow(ConfigurationError);
    expect(refuse).toThrow(/sweepSchedul: unknown key/);
  });

  it('names the key of a value the runtime schema refuses', () => {
    const input = {
      ...minimal,
      registries: [{ accountId: '1234', regions: ['eu-west-1'] }],
    };

    const refuse = () => parseDeploymentConfig(input, 'dev');

    expect(refuse).toThrow(/registries\.0\.accountId: must be a 12-digit/);
  });

  it('names organizationId when it is not an Organization id', () => {
    const input = { ...minimal, organizationId: 'r-ab12' };

    const refuse = () => parseDeploymentConfig(input, 'dev');

    expect(refuse).toThrow(/organizationId: must be an Organization id/);
  });

  it('names sweepSchedule when it is not a schedule expression', () => {
    const input = { ...minimal, sweepSchedule: 'daily' };

    const refuse = () => parseDeploymentConfig(input, 'dev');

    expect(refuse).toThrow(/sweepSchedule: must be an EventBridge schedule/);
  });

  it('refuses registryIsCentralAccount when the central account is no registry', () => {
    const input = {
      ...minimal,
      registries: [{ accountId: '222222222222', regions: ['eu-west-1'] }],
    };

    const refuse = () => parseDeploymentConfig(input, 'dev');

    expect(refuse).toThrow(
      /registryIsCentralAccount: is true, but centralAccountId 111111111111/
    );
  });

  it('accepts remote registries only when registryIsCentralAccount is false', () => {
    const input = {
      ...minimal,
      registryIsCentralAccount: false,
      registries: [{ accountId: '222222222222', regions: ['us-east-1'] }],
    };

    const config = parseDeploymentConfig(input, 'dev');

    expect(config.region).toBe('us-east-1');
  });

  it('names memberOrganizationalUnitIds when an entry is no OU or root id', () => {
    const input = {
      ...minimal,
      memberOrganizationalUnitIds: ['ou-ab12-34cd5678', '444455556666'],
    };

    const refuse = () => parseDeploymentConfig(input, 'dev');

    expect(refuse).toThrow(
      /memberOrganizationalUnitIds\.1: must be an OU id such as ou-ab12-34cd5678 or the root id/
    );
  });

  it('names stackSetCallAs when it is neither SELF nor DELEGATED_ADMIN', () => {
    const input = { ...minimal, stackSetCallAs: 'ADMIN' };

    const refuse = () => parseDeploymentConfig(input, 'dev');

    expect(refuse).toThrow(/stackSetCallAs: /);
  });

  it('refuses an Organizations role outside the management account', () => {
    const input = {
      ...minimal,
      managementAccountId: '999999999999',
      organizationsRoleArn: 'arn:aws:iam::888888888888:role/OrgReader',
    };

    const refuse = () => parseDeploymentConfig(input, 'dev');

    expect(refuse).toThrow(
      /organizationsRoleArn: is in account 888888888888, but the management account is 999999999999/
    );
  });

  it('accepts the rollout keys and calls the StackSet as itself by default', () => {
    const input = {
      ...minimal,
      managementAccountId: '999999999999',
      memberOrganizationalUnitIds: ['r-ab12'],
    };

    const config = parseDeploymentConfig(input, 'dev');

    expect(config).toMatchObject({
      memberOrganizationalUnitIds: ['r-ab12'],
      managementAccountId: '999999999999',
      stackSetCallAs: 'SELF',
    });
  });

  it('merges the override of the stage over the rest, key by key', () => {
    const input = {
      ...minimal,
      tags: { shareWith: 'shared-with', projectOptIn: 'pull' },
      stages: {
        prod: { tags: { projectOptIn: 'ecr-pull' }, region: 'us-east-1' },
      },
    };

    const config = parseDeploymentConfig(input, 'prod');

    expect(config.region).toBe('us-east-1');
    expect(config.tags).toEqual({
      shareWith: 'shared-with',
      projectOptIn: 'ecr-pull',
      projectOptInValue: 'auto',
    });
  });

  it('names the stage of a broken override of another stage', () => {
    const input = { ...minimal, stages: { prod: { alarmEmail: 'nobody' } } };

    const refuse = () => parseDeploymentConfig(input, 'dev');

    expect(refuse).toThrow(/stages\.prod\.alarmEmail: must be an email/);
  });

  it('names a stage whose override is not an object', () => {
    const input = { ...minimal, stages: { prod: 'rate(1 hour)' } };

    const refuse = () => parseDeploymentConfig(input, 'prod');

    expect(refuse).toThrow(/stages\.prod: must be an object/);
  });
});

describe('Function: loadDeploymentConfig', () => {
  it('reads the file at the top of the repository before the variable', () => {
    const root = emptyDirectory();
    const fromFile = { ...minimal, sweepSchedule: 'rate(2 hours)' };
    writeFileSync(join(root, DEPLOYMENT_CONFIG_FILE), JSON.stringify(fromFile));
    const env = {
      [DEPLOYMENT_CONFIG_ENVIRONMENT_VARIABLE]: JSON.stringify(minimal),
    };

    const config = loadDeploymentConfig({ stage: 'dev', root, env });

    expect(config.sweepSchedule).toBe('rate(2 hours)');
  });

  it('reads the variable when there is no file', () => {
    const env = {
      [DEPLOYMENT_CONFIG_ENVIRONMENT_VARIABLE]: JSON.stringify({
        ...minimal,
        managedSid: 'PlatformPull',
      }),
    };

    const config = loadDeploymentConfig({
      stage: 'dev',
      root: emptyDirectory(),
      env,
    });

    expect(config.managedSid).toBe('PlatformPull');
  });

  it('names the file and the variable when neither exists', () => {
    const load = () =>
      loadDeploymentConfig({ stage: 'dev', root: emptyDirectory(), env: {} });

    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(/reconciler\.config\.json.*DEPLOY_CONFIG/);
  });

  it('names the source of text that is not JSON', () => {
    const env = { [DEPLOYMENT_CONFIG_ENVIRONMENT_VARIABLE]: '{registries' };

    const load = () =>
      loadDeploymentConfig({ stage: 'dev', root: emptyDirectory(), env });

    expect(load).toThrow(/ECR_PULL_RECONCILER_DEPLOY_CONFIG is not valid JSON/);
  });

  it('names the source and the key of a bad value', () => {
    const root = emptyDirectory();
    const broken = { ...minimal, projectSelection: 'some' };
    writeFileSync(join(root, DEPLOYMENT_CONFIG_FILE), JSON.stringify(broken));

    const load = () => loadDeploymentConfig({ stage: 'dev', root, env: {} });

    expect(load).toThrow(/reconciler\.config\.json: projectSelection:/);
  });
});

describe('Function: runtimeConfigOf', () => {
  it('maps role names into the runtime shape the Lambdas parse', () => {
    const deployment = parseDeploymentConfig(example, 'dev');

    const runtime = runtimeConfigOf(deployment);

    expect(runtime.roles).toEqual({
      member: 'EcrPullReconcilerReader',
      registry: 'EcrPullReconcilerWriter',
      organizations:
        'arn:aws:iam::999999999999:role/EcrPullReconcilerOrganizationsReader',
    });
    expect(runtime.registries).toEqual(deployment.registries);
  });

  it('round-trips through the variable the Lambdas read', () => {
    const deployment = parseDeploymentConfig(example, 'prod');

    const text = runtimeConfigText(deployment);

    expect(configFromEnvironment({ ECR_PULL_RECONCILER_CONFIG: text })).toEqual(
      runtimeConfigOf(deployment)
    );
  });

  it('refuses a runtime configuration too large for the Lambda environment', () => {
    const registries = Array.from({ length: 60 }, (_, index) => ({
      accountId: String(100_000_000_000 + index),
      regions: ['eu-west-1', 'us-east-1'],
    }));
    const deployment = parseDeploymentConfig(
      { ...minimal, registryIsCentralAccount: false, registries },
      'dev'
    );

    const refuse = () => runtimeConfigText(deployment);

    expect(refuse).toThrow(/registries: the runtime configuration is \d+/);
  });
});
