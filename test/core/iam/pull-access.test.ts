import { describe, expect, it } from 'vitest';
import {
  judgeIdentityPolicies,
  judgeRepositoryPolicy,
  type PolicyDocument,
  type PullPrincipal,
  principalContext,
  renderManagedStatement,
} from '../../../packages/core/src/index.js';

const ORG = 'o-a1b2c3d4e5';
const ROLE = 'arn:aws:iam::222222222222:role/service-role/payments-build';
const REPOSITORY = 'arn:aws:ecr:us-east-1:111111111111:repository/team/builder';

const principal: PullPrincipal = {
  roleArn: ROLE,
  repositoryArn: REPOSITORY,
  context: principalContext({
    roleArn: ROLE,
    accountId: '222222222222',
    organizationId: ORG,
    orgPath: `${ORG}/r-ab12/ou-ab12-builds00/`,
  }),
};

function policyWith(...extra: PolicyDocument['Statement']): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      ...extra,
      renderManagedStatement('EcrPullReconciler', {
        organizationId: ORG,
        principalArns: [ROLE],
        orgPaths: [`${ORG}/r-ab12/ou-ab12-builds00/*`],
      }),
    ],
  };
}

describe('Function: judgeRepositoryPolicy', () => {
  it('finds the role granted by the managed statement', () => {
    // Act
    const judgement = judgeRepositoryPolicy(
      policyWith(),
      'EcrPullReconciler',
      principal
    );

    // Assess
    expect(judgement).toEqual({
      notGranted: [],
      grantedByManagedStatement: true,
      denies: [],
      possibleDenies: [],
    });
  });

  it('lists every pull action when the policy names another role', () => {
    // Prepare
    const other = { ...principal, roleArn: ROLE.replace('payments', 'web') };

    // Act
    const judgement = judgeRepositoryPolicy(policyWith(), 'EcrPullReconciler', {
      ...other,
      context: { ...other.context, 'aws:principalarn': other.roleArn },
    });

    // Assess
    expect(judgement.notGranted).toEqual([
      'ecr:BatchCheckLayerAvailability',
      'ecr:BatchGetImage',
      'ecr:GetDownloadUrlForLayer',
    ]);
    expect(judgement.grantedByManagedStatement).toBe(false);
  });

  it('names a foreign Deny on a pull action once, and ignores others', () => {
    // Prepare
    const document = policyWith(
      {
        Sid: 'OnlyPlatformAdminsDelete',
        Effect: 'Deny',
        Principal: '*',
        Action: ['ecr:DeleteRepository', 'ecr:BatchDeleteImage'],
      },
      {
        Sid: 'NoPaymentsPulls',
        Effect: 'Deny',
        Principal: { AWS: 'arn:aws:iam::222222222222:root' },
        Action: 'ecr:*',
      }
    );

    // Act
    const judgement = judgeRepositoryPolicy(
      document,
      'EcrPullReconciler',
      principal
    );

    // Assess
    expect(judgement.denies).toEqual([
      {
        policy: 'the repository policy',
        index: 1,
        sid: 'NoPaymentsPulls',
        effect: 'Deny',
      },
    ]);
    expect(judgement.notGranted).toEqual([]);
  });

  it('keeps a Deny on an unknown condition key apart, as possible', () => {
    // Prepare
    const document = policyWith({
      Sid: 'OnlyFromTheVpc',
      Effect: 'Deny',
      Principal: '*',
      Action: 'ecr:BatchGetImage',
      Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } },
    });

    // Act
    const judgement = judgeRepositoryPolicy(
      document,
      'EcrPullReconciler',
      principal
    );

    // Assess
    expect(judgement.denies).toEqual([]);
    expect(judgement.possibleDenies).toEqual([
      {
        policy: 'the repository policy',
        index: 0,
        sid: 'OnlyFromTheVpc',
        effect: 'Deny',
        keys: ['aws:SourceVpce'],
      },
    ]);
  });
});

describe('Function: judgeIdentityPolicies', () => {
  it('asks for the token on * and the pull actions on the repository', () => {
    // Prepare
    const policies = [
      {
        name: 'build-permissions',
        statements: [
          {
            Effect: 'Allow',
            Action: 'ecr:GetAuthorizationToken',
            Resource: '*',
          },
          {
            Effect: 'Allow',
            Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
            Resource: 'arn:aws:ecr:us-east-1:111111111111:repository/team/*',
          },
        ],
      },
    ];

    // Act
    const decisions = judgeIdentityPolicies(policies, principal);

    // Assess
    expect(
      decisions.map(({ action, decision }) => ({ action, decision }))
    ).toEqual([
      { action: 'ecr:GetAuthorizationToken', decision: 'allowed' },
      { action: 'ecr:BatchCheckLayerAvailability', decision: 'implicit-deny' },
      { action: 'ecr:BatchGetImage', decision: 'allowed' },
      { action: 'ecr:GetDownloadUrlForLayer', decision: 'allowed' },
    ]);
  });
});
