import { beforeEach, describe, expect, it } from 'vitest';
import {
  type AwsGateways,
  createAwsGateways,
} from '../../packages/aws/src/index.js';
import { useMotoServer } from '../support/emulator.js';
import {
  ACCESS_ROLE,
  REGION,
  SeededOrganization,
  seedBuildProjects,
} from './moto-org.js';

const image = (registry: string) =>
  `${registry}.dkr.ecr.${REGION}.amazonaws.com/base/node:20`;

describe('Gateway: codebuild', () => {
  const server = useMotoServer();
  let member = '';
  let org: SeededOrganization;
  let gateways: AwsGateways;
  const operations: string[] = [];

  beforeEach(async () => {
    const { endpoint } = server();
    org = await new SeededOrganization(endpoint).create();
    member = await org.createAccount('member');
    operations.length = 0;
    gateways = createAwsGateways({
      region: REGION,
      endpoint,
      memberRoleName: ACCESS_ROLE,
      registryRoleName: ACCESS_ROLE,
      onCall: (service, operation) =>
        operations.push(`${service}:${operation}`),
    });
  });

  it('reads more than 100 projects in batches of at most 100', async () => {
    const clients = await org.actAs(member);
    const names = Array.from(
      { length: 120 },
      (_, index) => `build-${String(index).padStart(3, '0')}`
    );
    await seedBuildProjects(
      clients,
      member,
      names.map((name) => ({ name, image: image('111122223333') }))
    );

    const projects = await gateways.codebuild.listBuildProjects({
      accountId: member,
      region: REGION,
    });

    expect(projects.map(({ name }) => name).sort()).toEqual(names);
    expect(
      operations.filter((call) => call === 'codebuild:BatchGetProjects')
    ).toHaveLength(2);
  });

  it('maps a project to what decides its pulls', async () => {
    const clients = await org.actAs(member);
    const roleArn = await seedBuildProjects(clients, member, [
      {
        name: 'cross-account',
        image: image('111122223333'),
        credentials: 'SERVICE_ROLE',
        tags: { 'ecr-pull': 'auto', team: 'web' },
      },
      { name: 'defaulted', image: 'aws/codebuild/standard:7.0' },
    ]);

    const projects = await gateways.codebuild.listBuildProjects({
      accountId: member,
      region: REGION,
    });

    const byName = Object.fromEntries(projects.map((p) => [p.name, p]));
    expect(byName['cross-account']).toEqual({
      arn: `arn:aws:codebuild:${REGION}:${member}:project/cross-account`,
      name: 'cross-account',
      accountId: member,
      region: REGION,
      serviceRoleArn: roleArn,
      image: image('111122223333'),
      imagePullCredentialsType: 'SERVICE_ROLE',
      tags: { 'ecr-pull': 'auto', team: 'web' },
    });
    expect(byName.defaulted?.imagePullCredentialsType).toBe('CODEBUILD');
    expect(byName.defaulted?.tags).toEqual({});
  });

  it('reports requested names CodeBuild did not return', async () => {
    const clients = await org.actAs(member);
    await seedBuildProjects(clients, member, [
      { name: 'present', image: image('111122223333') },
    ]);

    const lookup = await gateways.codebuild.getBuildProjects(
      { accountId: member, region: REGION },
      ['present', 'deleted', 'present']
    );

    expect(lookup.found.map(({ name }) => name)).toEqual(['present']);
    expect(lookup.notFound).toEqual(['deleted']);
  });

  it('finds no projects in an account without any', async () => {
    const projects = await gateways.codebuild.listBuildProjects({
      accountId: member,
      region: REGION,
    });

    expect(projects).toEqual([]);
    expect(operations).not.toContain('codebuild:BatchGetProjects');
  });
});
