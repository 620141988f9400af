import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  configFromEnvironment,
  memberRegionsOf,
  parseConfig,
} from '../../../packages/core/src/index.js';

const minimal = { registries: [{ accountId: '111111111111' }] };

describe('Function: parseConfig', () => {
  it('fills in every default when only a registry is given', () => {
    const config = parseConfig(minimal);

    expect(config).toEqual({
      registries: [{ accountId: '111111111111', regions: ['us-east-1'] }],
      roles: {
        member: 'EcrPullReconcilerReader',
        registry: 'EcrPullReconcilerWriter',
      },
      tags: {
        shareWith: 'share-with',
        projectOptIn: 'ecr-pull',
        projectOptInValue: 'auto',
      },
      projectSelection: 'tagged',
      managedSid: 'EcrPullReconciler',
      concurrency: 8,
    });
  });

  it('refuses an unknown key and names it', () => {
    const input = { ...minimal, registrys: [] };

    const refuse = () => parseConfig(input);

    expect(refuse).toThrow(ConfigurationError);
    expect(refuse).toThrow(/registrys: unknown key/);
  });

  it('refuses an unknown nested key with its path', () => {
    const input = { ...minimal, roles: { memebr: 'x' } };

    expect(() => parseConfig(input)).toThrow(/roles\.memebr: unknown key/);
  });

  it('names the key of a bad value', () => {
    const input = { registries: [{ accountId: '12345' }] };

    expect(() => parseConfig(input)).toThrow(
      /registries\.0\.accountId: must be a 12-digit AWS account id/
    );
  });

  it('refuses a managed Sid that ECR would not accept', () => {
    const input = { ...minimal, managedSid: 'has space' };

    expect(() => parseConfig(input)).toThrow(/managedSid/);
  });

  it('refuses an unknown project selection', () => {
    const input = { ...minimal, projectSelection: 'some' };

    expect(() => parseConfig(input)).toThrow(/projectSelection/);
  });
});

describe('Function: memberRegionsOf', () => {
  it('defaults to the union of registry Regions, sorted', () => {
    const config = parseConfig({
      registries: [
        { accountId: '111111111111', regions: ['us-west-2', 'us-east-1'] },
        { accountId: '222222222222', regions: ['us-east-1'] },
      ],
    });

    expect(memberRegionsOf(config)).toEqual(['us-east-1', 'us-west-2']);
  });
});

describe('Function: configFromEnvironment', () => {
  it('reads JSON from ECR_PULL_RECONCILER_CONFIG', () => {
    const env = { ECR_PULL_RECONCILER_CONFIG: JSON.stringify(minimal) };

    expect(configFromEnvironment(env).registries[0]?.accountId).toBe(
      '111111111111'
    );
  });

  it('refuses a missing or malformed variable', () => {
    expect(() => configFromEnvironment({})).toThrow(/is not set/);
    expect(() =>
      configFromEnvironment({ ECR_PULL_RECONCILER_CONFIG: '{' })
    ).toThrow(/not valid JSON/);
  });
});
