import {
  CreateRepositoryCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type AwsGateways,
  createAwsGateways,
  RepositoryPolicyRejectedError,
  ResourceNotFoundError,
} from '../../packages/aws/src/index.js';
import type { RepositoryLocation } from '../../packages/core/src/image/types.js';
import { useMotoServer } from '../support/emulator.js';
import { ACCESS_ROLE, REGION, SeededOrganization } from './moto-org.js';

const policy = (sid: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: sid,
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: ['ecr:BatchGetImage'],
      },
    ],
  });

describe('Gateway: ecr', () => {
  const server = useMotoServer();
  let registry = '';
  let gateways: AwsGateways;
  let org: SeededOrganization;
  const at = (repositoryName: string): RepositoryLocation => ({
    partition: 'aws',
    region: REGION,
    registryAccountId: registry,
    repositoryName,
  });

  beforeEach(async () => {
    const { endpoint } = server();
    org = await new SeededOrganization(endpoint).create();
    registry = await org.createAccount('registry');
    const { ecr } = await org.actAs(registry);
    for (const [name, tags] of [
      ['base/node', [{ Key: 'share-with', Value: 'org' }]],
      ['base/python', [{ Key: 'share-with', Value: 'ou-ab12-34cd5678' }]],
      ['tools/lint', []],
    ] as const) {
      await ecr.send(
        new CreateRepositoryCommand({ repositoryName: name, tags: [...tags] })
      );
    }
    await ecr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'base/node',
        policyText: policy('Foreign'),
      })
    );
    gateways = createAwsGateways({
      region: REGION,
      endpoint,
      memberRoleName: ACCESS_ROLE,
      registryRoleName: ACCESS_ROLE,
    });
  });

  it('lists every repository of the registry account', async () => {
    const repositories = await gateways.ecr.listRepositories({
      accountId: registry,
      region: REGION,
    });

    expect(
      repositories.map(({ repositoryName }) => repositoryName).sort()
    ).toEqual(['base/node', 'base/python', 'tools/lint']);
    expect(repositories[0]).toMatchObject({
      partition: 'aws',
      region: REGION,
      registryAccountId: registry,
      arn: expect.stringMatching(
        new RegExp(`^arn:aws:ecr:${REGION}:${registry}:repository/`)
      ),
    });
  });

  it('finds nothing in an account without repositories', async () => {
    const other = await org.createAccount('empty');

    const repositories = await gateways.ecr.listRepositories({
      accountId: other,
      region: REGION,
    });

    expect(repositories).toEqual([]);
  });

  it('reads tags and policies, with no policy as undefined', async () => {
    const sweep = await gateways.ecr.readRepositories(
      { accountId: registry, region: REGION },
      { concurrency: 2 }
    );

    const byName = Object.fromEntries(
      sweep.repositories.map((snapshot) => [snapshot.repositoryName, snapshot])
    );
    expect(sweep.failures).toEqual([]);
    expect(byName['base/node']).toEqual({
      ...at('base/node'),
      arn: `arn:aws:ecr:${REGION}:${registry}:repository/base/node`,
      tags: { 'share-with': 'org' },
      policyText: policy('Foreign'),
    });
    expect(byName['base/python']?.tags).toEqual({
      'share-with': 'ou-ab12-34cd5678',
    });
    expect(byName['base/python']?.policyText).toBeUndefined();
    expect(byName['tools/lint']?.tags).toEqual({});
  });

  it('returns undefined for a repository that does not exist', async () => {
    const snapshot = await gateways.ecr.readRepository(at('missing'));
    const described = await gateways.ecr.describeRepository(at('missing'));

    expect(snapshot).toBeUndefined();
    expect(described).toBeUndefined();
  });

  it('describes a repository that exists', async () => {
    const described = await gateways.ecr.describeRepository(at('tools/lint'));

    expect(described).toMatchObject({
      ...at('tools/lint'),
      uri: expect.stringContaining('tools/lint'),
    });
  });

  it('sets, reads back and deletes a repository policy', async () => {
    const location = at('base/python');

    const stored = await gateways.ecr.setRepositoryPolicy(
      location,
      policy('EcrPullReconciler')
    );
    const afterSet = await gateways.ecr.readRepository(location);
    await gateways.ecr.deleteRepositoryPolicy(location);
    const afterDelete = await gateways.ecr.readRepository(location);

    expect(JSON.parse(stored ?? '')).toEqual(
      JSON.parse(policy('EcrPullReconciler'))
    );
    expect(afterSet?.policyText).toBe(policy('EcrPullReconciler'));
    expect(afterDelete?.policyText).toBeUndefined();
  });

  it('deletes a policy that is already gone without failing', async () => {
    const deletion = gateways.ecr.deleteRepositoryPolicy(at('tools/lint'));

    await expect(deletion).resolves.toBeUndefined();
  });

  it('refuses to set a policy on a missing repository', async () => {
    const write = gateways.ecr.setRepositoryPolicy(
      at('missing'),
      policy('EcrPullReconciler')
    );

    await expect(write).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(write).rejects.toMatchObject({
      operation: 'SetRepositoryPolicy',
      accountId: registry,
      region: REGION,
    });
  });

  it('names a policy ECR refuses as rejected', async () => {
    const write = gateways.ecr.setRepositoryPolicy(
      at('tools/lint'),
      '{"Version": "2012-10-17", "Statement": "nope"'
    );

    await expect(write).rejects.toBeInstanceOf(RepositoryPolicyRejectedError);
  });
});
