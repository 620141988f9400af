import { describe, expect, it } from 'vitest';
import {
  type BuildProject,
  type FindingCode,
  parseConfig,
  planSweep,
  type RepositorySnapshot,
  type SweepInput,
} from '../../../packages/core/src/index.js';
import {
  buildProject,
  imageUri,
  ORG_ID,
  OU_BUILDS,
  OU_SANDBOX,
  orgTree,
  PAYMENTS,
  REGISTRY,
  ROOT_ID,
  repository,
  roleArn,
  SANDBOX,
  SUSPENDED,
  WEB,
} from '../../support/domain.js';

const config = parseConfig({ registries: [{ accountId: REGISTRY }] });

function plan(
  repositories: RepositorySnapshot[],
  projects: BuildProject[],
  extra: Partial<SweepInput> = {}
) {
  return planSweep({
    tree: orgTree(),
    config,
    repositories,
    projects,
    ...extra,
  });
}

function codes(findings: { code: FindingCode }[]): FindingCode[] {
  return findings.map((finding) => finding.code);
}

describe('Function: planSweep', () => {
  it('grants the build roles of opted-in projects inside an OU audience', () => {
    const repositories = [repository('team/builder', OU_BUILDS)];
    const projects = [
      buildProject(PAYMENTS, 'api'),
      buildProject(WEB, 'frontend'),
    ];

    const [result] = plan(repositories, projects).repositories;

    expect(result?.status).toBe('changed');
    expect(result?.write).toBe('set');
    expect(result?.grants.add).toEqual([
      roleArn(PAYMENTS, 'api-role'),
      roleArn(WEB, 'frontend-role'),
    ]);
    expect(result?.audience).toEqual([OU_BUILDS]);
    const statement = result?.policy.after?.Statement[0];
    expect(statement?.Condition).toEqual({
      StringEquals: { 'aws:PrincipalOrgID': ORG_ID },
      ArnLike: {
        'aws:PrincipalArn': [
          roleArn(PAYMENTS, 'api-role'),
          roleArn(WEB, 'frontend-role'),
        ],
      },
      'ForAnyValue:StringLike': {
        'aws:PrincipalOrgPaths': [`${ORG_ID}/${ROOT_ID}/${OU_BUILDS}/*`],
      },
    });
  });

  it('leaves projects without the opt-in tag alone unless selection is all', () => {
    const repositories = [repository('team/builder', 'org')];
    const projects = [buildProject(PAYMENTS, 'api', { tags: {} })];

    const tagged = plan(repositories, projects).repositories[0];
    const all = planSweep({
      tree: orgTree(),
      config: { ...config, projectSelection: 'all' },
      repositories,
      projects,
    }).repositories[0];

    expect(tagged?.grants.add).toEqual([]);
    expect(tagged?.status).toBe('unchanged');
    expect(all?.grants.add).toEqual([roleArn(PAYMENTS, 'api-role')]);
  });

  it('reports each refused pull with its code and grants nothing for it', () => {
    const repositories = [
      repository('team/builder', OU_BUILDS),
      repository('legacy/tools', undefined),
    ];
    const projects = [
      buildProject(SANDBOX, 'outside'),
      buildProject(PAYMENTS, 'codebuild-creds', {
        imagePullCredentialsType: 'CODEBUILD',
      }),
      buildProject(PAYMENTS, 'no-role', { serviceRoleArn: undefined }),
      buildProject(PAYMENTS, 'foreign-role', {
        serviceRoleArn: roleArn(WEB, 'someone-else'),
      }),
      buildProject(PAYMENTS, 'legacy', { image: imageUri('legacy/tools') }),
      buildProject(SUSPENDED, 'suspended'),
    ];

    const result = plan(repositories, projects);
    const builder = result.repositories.find((r) => r.arn.endsWith('builder'));
    const legacy = result.repositories.find((r) => r.arn.endsWith('tools'));

    expect(builder?.grants.add).toEqual([]);
    expect(codes(builder?.findings ?? []).sort()).toEqual([
      'ACCOUNT_NOT_IN_ORGANIZATION',
      'ACCOUNT_OUTSIDE_AUDIENCE',
      'CODEBUILD_CREDENTIALS_CROSS_ACCOUNT',
      'PROJECT_WITHOUT_SERVICE_ROLE',
      'PROJECT_WITHOUT_SERVICE_ROLE',
    ]);
    expect(codes(legacy?.findings ?? [])).toEqual(['REPOSITORY_NOT_SHARED']);
    expect(legacy?.status).toBe('skipped');
  });

  it('reports pulls of missing repositories, other Regions and other registries', () => {
    const projects = [
      buildProject(PAYMENTS, 'missing', { image: imageUri('does/not-exist') }),
      buildProject(PAYMENTS, 'eu', {
        image: imageUri('team/builder', 'eu-west-1'),
      }),
      buildProject(PAYMENTS, 'elsewhere', {
        image: '777777777777.dkr.ecr.us-east-1.amazonaws.com/other/app:1',
      }),
      buildProject(PAYMENTS, 'broken', {
        image: `${REGISTRY}.dkr.ecr.us-east-1.amazonaws.com/UPPER:1`,
      }),
      buildProject(PAYMENTS, 'curated', {
        image: 'aws/codebuild/standard:7.0',
      }),
    ];

    const result = plan([repository('team/builder', 'org')], projects);

    expect(codes(result.findings).sort()).toEqual([
      'INVALID_IMAGE_REFERENCE',
      'REGION_MISMATCH',
      'REGISTRY_NOT_MANAGED',
      'REPOSITORY_NOT_FOUND',
    ]);
  });

  it('leaves a repository with an invalid share tag exactly as it is', () => {
    const managed = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EcrPullReconciler',
          Effect: 'Allow',
          Principal: '*',
          Action: ['ecr:BatchGetImage'],
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } },
        },
      ],
    });
    const repositories = [repository('broken/tag', 'ou-nope', managed)];

    const [result] = plan(repositories, [
      buildProject(PAYMENTS, 'api'),
    ]).repositories;

    expect(result?.status).toBe('skipped');
    expect(result?.write).toBe('none');
    expect(result?.policyText).toBeNull();
    expect(codes(result?.findings ?? [])[0]).toBe('INVALID_SHARE_TAG');
  });

  it('removes the managed statement of a repository no longer shared', () => {
    const shared = plan(
      [repository('team/builder', 'org')],
      [buildProject(PAYMENTS, 'api')]
    ).repositories[0];
    const untagged = repository(
      'team/builder',
      undefined,
      shared?.policyText ?? ''
    );

    const [result] = plan(
      [untagged],
      [buildProject(PAYMENTS, 'api')]
    ).repositories;

    expect(result?.status).toBe('changed');
    expect(result?.write).toBe('delete');
    expect(result?.grants.remove).toEqual([roleArn(PAYMENTS, 'api-role')]);
  });

  it('keeps the grants of roles in accounts that could not be read', () => {
    const first = plan(
      [repository('team/builder', OU_BUILDS)],
      [buildProject(PAYMENTS, 'api'), buildProject(WEB, 'frontend')]
    ).repositories[0];
    const current = repository(
      'team/builder',
      OU_BUILDS,
      first?.policyText ?? ''
    );

    const [result] = plan([current], [buildProject(PAYMENTS, 'api')], {
      unreadableAccounts: new Set([WEB]),
    }).repositories;

    expect(result?.status).toBe('unchanged');
    expect(result?.grants.remove).toEqual([]);
  });

  it('does not call a repository missing when its registry was unreadable', () => {
    const projects = [buildProject(PAYMENTS, 'api')];

    const result = plan([], projects, {
      unreadableRegistries: new Set([`${REGISTRY}:us-east-1`]),
    });

    expect(result.findings).toEqual([]);
  });

  it('plans nothing to write once the policy matches', () => {
    const projects = [buildProject(PAYMENTS, 'api')];
    const first = plan([repository('team/builder', OU_BUILDS)], projects)
      .repositories[0];

    const [second] = plan(
      [repository('team/builder', OU_BUILDS, first?.policyText ?? '')],
      projects
    ).repositories;

    expect(second?.status).toBe('unchanged');
    expect(second?.write).toBe('none');
    expect(second?.grants.keep).toEqual([roleArn(PAYMENTS, 'api-role')]);
  });

  it('pins no org paths when the audience names an account', () => {
    const repositories = [
      repository('team/builder', `${OU_SANDBOX} ${PAYMENTS}`),
    ];

    const [result] = plan(repositories, [
      buildProject(PAYMENTS, 'api'),
    ]).repositories;
    const condition = result?.policy.after?.Statement[0]?.Condition as Record<
      string,
      unknown
    >;

    expect(result?.grants.add).toEqual([roleArn(PAYMENTS, 'api-role')]);
    expect(condition['ForAnyValue:StringLike']).toBeUndefined();
  });

  it('ignores pulls of repositories outside the requested scope', () => {
    const projects = [
      buildProject(PAYMENTS, 'missing', { image: imageUri('does/not-exist') }),
    ];

    const result = plan([], projects, {
      inScope: (location) => location.repositoryName === 'team/builder',
    });

    expect(result.findings).toEqual([]);
  });
});
