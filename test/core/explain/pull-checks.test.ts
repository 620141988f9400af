import { describe, expect, it } from 'vitest';
import {
  identityCheckFromSimulation,
  judgePullConditions,
  type PullFacts,
  parseConfig,
  parseImageReference,
  renderManagedStatement,
} from '../../../packages/core/src/index.js';
import {
  buildProject,
  imageUri,
  ORG_ID,
  orgTree,
  PAYMENTS,
  REGISTRY,
  repository,
} from '../../support/domain.js';

const config = parseConfig({ registries: [{ accountId: REGISTRY }] });
const project = buildProject(PAYMENTS, 'payments-api');
const parsed = parseImageReference(imageUri('team/builder'));
const image = parsed.kind === 'ecr' ? parsed.reference : undefined;

function facts(overrides: Partial<PullFacts> = {}): PullFacts {
  const granted = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      renderManagedStatement('EcrPullReconciler', {
        organizationId: ORG_ID,
        principalArns: [project.serviceRoleArn ?? ''],
      }),
    ],
  });
  if (!image) throw new Error('the sample image must parse');

  return {
    tree: orgTree(),
    config,
    project,
    isProject: true,
    image,
    repository: repository('team/builder', 'org', granted),
    roleExists: true,
    identity: identityCheckFromSimulation(
      ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage'].map((action) => ({
        action,
        resource: '*',
        decision: 'allowed',
        matchedPolicies: ['build-permissions'],
      }))
    ),
    ...overrides,
  };
}

describe('Function: judgePullConditions', () => {
  it('passes every check of a granted pull', () => {
    // Act
    const judgement = judgePullConditions(facts());

    // Assess
    expect(judgement.findings).toEqual([]);
    expect(judgement.checks.every((check) => check.status === 'pass')).toBe(
      true
    );
  });

  it('says the simulator found a service control policy in the way', () => {
    // Prepare
    const identity = identityCheckFromSimulation([
      {
        action: 'ecr:BatchGetImage',
        resource: 'arn:aws:ecr:us-east-1:111111111111:repository/team/builder',
        decision: 'implicitDeny',
        matchedPolicies: [],
        allowedByOrganizations: false,
      },
    ]);

    // Act
    const judgement = judgePullConditions(facts({ identity }));

    // Assess
    expect(judgement.findings).toMatchObject([
      {
        code: 'ROLE_LACKS_IDENTITY_PERMISSION',
        message: expect.stringMatching(
          /ecr:BatchGetImage \(implicit-deny by a service control policy\).*judged by IAM SimulatePrincipalPolicy/
        ),
      },
    ]);
  });

  it('names every broken condition at once, not only the first', () => {
    // Prepare
    const broken = {
      ...project,
      region: 'eu-west-1',
      imagePullCredentialsType: 'CODEBUILD' as const,
      tags: {},
    };

    // Act
    const judgement = judgePullConditions(
      facts({ project: broken, repository: repository('team/builder', 'org') })
    );

    // Assess
    expect(judgement.findings.map((finding) => finding.code)).toEqual([
      'REGION_MISMATCH',
      'CODEBUILD_CREDENTIALS_CROSS_ACCOUNT',
      'PROJECT_NOT_OPTED_IN',
    ]);
  });

  it('keeps the context keys the simulator missed as not judged', () => {
    // Act
    const identity = identityCheckFromSimulation([
      {
        action: 'ecr:BatchGetImage',
        resource: '*',
        decision: 'implicitDeny',
        matchedPolicies: [],
        missingContextValues: ['aws:SourceVpc'],
      },
    ]);

    // Assess
    expect(identity.undetermined).toEqual([
      'ecr:BatchGetImage: the policies need aws:SourceVpc, which the simulation did not get',
    ]);
  });

  it('says the policy has no room when the grant would not fit', () => {
    // Prepare
    const filler = {
      Sid: 'Padding',
      Effect: 'Deny',
      Principal: '*',
      Action: 'ecr:DeleteRepository',
      Condition: {
        StringEquals: { 'aws:PrincipalTag/team': 'x'.repeat(10_300) },
      },
    };
    const full = JSON.stringify({ Version: '2012-10-17', Statement: [filler] });

    // Act
    const judgement = judgePullConditions(
      facts({ repository: repository('team/builder', 'org', full) })
    );

    // Assess
    expect(judgement.findings.map((finding) => finding.code)).toEqual([
      'POLICY_TOO_LARGE',
    ]);
  });

  it('reports a stored policy that is not a policy document', () => {
    // Act
    const judgement = judgePullConditions(
      facts({ repository: repository('team/builder', 'org', '{"Oops": 1') })
    );

    // Assess
    expect(judgement.findings.map((finding) => finding.code)).toEqual([
      'INVALID_REPOSITORY_POLICY',
    ]);
    expect(
      judgement.checks.find((check) => check.check === 'no-foreign-deny')
        ?.status
    ).toBe('skipped');
  });

  it('warns of a foreign Deny whose condition it cannot judge', () => {
    // Prepare
    const document = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OnlyThroughTheEndpoint',
          Effect: 'Deny',
          Principal: '*',
          Action: 'ecr:*',
          Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } },
        },
        renderManagedStatement('EcrPullReconciler', {
          organizationId: ORG_ID,
          principalArns: [project.serviceRoleArn ?? ''],
        }),
      ],
    };

    // Act
    const judgement = judgePullConditions(
      facts({
        repository: repository('team/builder', 'org', JSON.stringify(document)),
      })
    );

    // Assess
    expect(judgement.findings).toMatchObject([
      {
        code: 'DENIED_BY_FOREIGN_STATEMENT',
        severity: 'warning',
        message: expect.stringContaining('aws:SourceVpce'),
      },
    ]);
  });
});
