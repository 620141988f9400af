import { describe, expect, it } from 'vitest';
import {
  type AccessRequest,
  evaluatePolicies,
  matchesArnPattern,
  matchesWildcard,
  type NamedPolicy,
  principalContext,
} from '../../../packages/core/src/index.js';

const ROLE = 'arn:aws:iam::222222222222:role/service-role/payments-build';
const REPOSITORY = 'arn:aws:ecr:us-east-1:111111111111:repository/team/builder';

function request(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    action: 'ecr:BatchGetImage',
    resource: REPOSITORY,
    principalArn: ROLE,
    context: principalContext({
      roleArn: ROLE,
      accountId: '222222222222',
      organizationId: 'o-a1b2c3d4e5',
      orgPath: 'o-a1b2c3d4e5/r-ab12/ou-ab12-builds00/',
    }),
    ...overrides,
  };
}

function identity(...statements: Record<string, unknown>[]): NamedPolicy[] {
  return [{ name: 'build-permissions', statements }];
}

describe('Function: matchesWildcard', () => {
  it.each([
    ['ecr:*', 'ecr:BatchGetImage', true],
    ['ecr:Batch*', 'ecr:BatchGetImage', true],
    ['ecr:Get?ownloadUrlForLayer', 'ecr:GetDownloadUrlForLayer', true],
    ['ecr:Get*', 'ecr:BatchGetImage', false],
    ['ecr:batchgetimage', 'ecr:BatchGetImage', false],
    ['s3:*', 'ecr:BatchGetImage', false],
    ['a.b', 'axb', false],
  ])('matches %s against %s: %s', (pattern, value, expected) => {
    // Act
    const matched = matchesWildcard(pattern, value);

    // Assess
    expect(matched).toBe(expected);
  });

  it('ignores case when asked, as IAM does for actions', () => {
    // Act
    const matched = matchesWildcard('ECR:batchgetimage', 'ecr:BatchGetImage', {
      ignoreCase: true,
    });

    // Assess
    expect(matched).toBe(true);
  });
});

describe('Function: matchesArnPattern', () => {
  it('lets a wildcard stand for one ARN part, not across colons', () => {
    // Act
    const inAccount = matchesArnPattern(
      'arn:aws:iam::222222222222:role/*',
      ROLE
    );
    const anyAccount = matchesArnPattern('arn:aws:iam::*:role/service-*', ROLE);
    const spanning = matchesArnPattern('arn:aws:*:role/*', ROLE);

    // Assess
    expect(inAccount).toBe(true);
    expect(anyAccount).toBe(true);
    expect(spanning).toBe(false);
  });
});

describe('Function: evaluatePolicies', () => {
  it('allows an action listed through a wildcard on any resource', () => {
    // Prepare
    const policies = identity({
      Effect: 'Allow',
      Action: 'ecr:Batch*',
      Resource: '*',
    });

    // Act
    const evaluation = evaluatePolicies(policies, request(), {
      checkPrincipal: false,
    });

    // Assess
    expect(evaluation.decision).toBe('allowed');
    expect(evaluation.allowedBy).toEqual([
      { policy: 'build-permissions', index: 0, effect: 'Allow' },
    ]);
  });

  it('denies implicitly when no statement names the action', () => {
    // Prepare
    const policies = identity({
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: '*',
    });

    // Act
    const evaluation = evaluatePolicies(policies, request(), {
      checkPrincipal: false,
    });

    // Assess
    expect(evaluation.decision).toBe('implicit-deny');
  });

  it('lets an explicit Deny win over an Allow', () => {
    // Prepare
    const policies = identity(
      { Effect: 'Allow', Action: 'ecr:*', Resource: '*' },
      {
        Sid: 'NoImages',
        Effect: 'Deny',
        Action: 'ecr:BatchGetImage',
        Resource: 'arn:aws:ecr:*:*:repository/team/*',
      }
    );

    // Act
    const evaluation = evaluatePolicies(policies, request(), {
      checkPrincipal: false,
    });

    // Assess
    expect(evaluation.decision).toBe('explicit-deny');
    expect(evaluation.deniedBy.map((ref) => ref.sid)).toEqual(['NoImages']);
  });

  it('reads NotAction and NotResource as everything but the list', () => {
    // Prepare
    const policies = identity(
      { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
      {
        Effect: 'Deny',
        Action: '*',
        NotResource: 'arn:aws:ecr:us-east-1:111111111111:repository/*',
      }
    );

    // Act
    const inside = evaluatePolicies(policies, request(), {
      checkPrincipal: false,
    });
    const outside = evaluatePolicies(
      policies,
      request({ resource: REPOSITORY.replace('us-east-1', 'eu-west-1') }),
      { checkPrincipal: false }
    );

    // Assess
    expect(inside.decision).toBe('allowed');
    expect(outside.decision).toBe('explicit-deny');
  });

  it('does not match a repository ARN pattern against the * resource', () => {
    // Prepare
    const policies = identity({
      Effect: 'Allow',
      Action: 'ecr:GetAuthorizationToken',
      Resource: 'arn:aws:ecr:us-east-1:111111111111:repository/*',
    });

    // Act
    const evaluation = evaluatePolicies(
      policies,
      request({ action: 'ecr:GetAuthorizationToken', resource: '*' }),
      { checkPrincipal: false }
    );

    // Assess
    expect(evaluation.decision).toBe('implicit-deny');
  });

  it('judges conditions on keys it knows about the principal', () => {
    // Prepare
    const policies: NamedPolicy[] = [
      {
        name: 'repository',
        statements: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 'ecr:BatchGetImage',
            Condition: {
              StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
              ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/*/pay*'] },
              'ForAnyValue:StringLike': {
                'aws:PrincipalOrgPaths': ['o-a1b2c3d4e5/r-ab12/ou-ab12-b*'],
              },
            },
          },
        ],
      },
    ];
    const stranger = 'arn:aws:iam::222222222222:role/service-role/web';

    // Act
    const member = evaluatePolicies(policies, request(), {
      checkPrincipal: true,
    });
    const other = evaluatePolicies(
      policies,
      request({
        principalArn: stranger,
        context: { ...request().context, 'aws:principalarn': stranger },
      }),
      { checkPrincipal: true }
    );

    // Assess
    expect(member.decision).toBe('allowed');
    expect(member.undetermined).toEqual([]);
    expect(other.decision).toBe('implicit-deny');
  });

  it('reports a Deny on an unknown key without counting it', () => {
    // Prepare
    const policies = identity(
      { Effect: 'Allow', Action: 'ecr:*', Resource: '*' },
      {
        Sid: 'OnlyFromVpc',
        Effect: 'Deny',
        Action: 'ecr:*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:SourceVpc': 'vpc-1' } },
      }
    );

    // Act
    const evaluation = evaluatePolicies(policies, request(), {
      checkPrincipal: false,
    });

    // Assess
    expect(evaluation.decision).toBe('allowed');
    expect(evaluation.undetermined).toEqual([
      {
        policy: 'build-permissions',
        index: 1,
        sid: 'OnlyFromVpc',
        effect: 'Deny',
        keys: ['aws:SourceVpc'],
      },
    ]);
  });

  it('matches principals by role ARN, account root, account id and *', () => {
    // Prepare
    const statement = (principal: unknown) => ({
      name: 'repository',
      statements: [{ Effect: 'Deny', Principal: principal, Action: 'ecr:*' }],
    });
    const principals = [
      { AWS: ROLE },
      { AWS: ['arn:aws:iam::222222222222:root'] },
      { AWS: '222222222222' },
      '*',
      { AWS: 'arn:aws:iam::333333333333:root' },
      { Service: 'codebuild.amazonaws.com' },
    ];

    // Act
    const decisions = principals.map(
      (principal) =>
        evaluatePolicies([statement(principal)], request(), {
          checkPrincipal: true,
        }).decision
    );

    // Assess
    expect(decisions).toEqual([
      'explicit-deny',
      'explicit-deny',
      'explicit-deny',
      'explicit-deny',
      'implicit-deny',
      'implicit-deny',
    ]);
  });

  it('exempts the principals a NotPrincipal names', () => {
    // Prepare
    const policies: NamedPolicy[] = [
      {
        name: 'repository',
        statements: [
          {
            Effect: 'Deny',
            NotPrincipal: { AWS: ROLE },
            Action: 'ecr:BatchGetImage',
          },
        ],
      },
    ];

    // Act
    const named = evaluatePolicies(policies, request(), {
      checkPrincipal: true,
    });
    const other = evaluatePolicies(
      policies,
      request({ principalArn: 'arn:aws:iam::222222222222:role/other' }),
      { checkPrincipal: true }
    );

    // Assess
    expect(named.decision).toBe('implicit-deny');
    expect(other.decision).toBe('explicit-deny');
  });

  it('applies IfExists, ForAllValues and Null to keys it knows', () => {
    // Prepare
    const withCondition = (condition: Record<string, unknown>) => [
      {
        name: 'p',
        statements: [
          { Effect: 'Allow', Action: '*', Resource: '*', Condition: condition },
        ],
      },
    ];
    const judge = (condition: Record<string, unknown>) =>
      evaluatePolicies(withCondition(condition), request(), {
        checkPrincipal: false,
      }).decision;

    // Act
    const decisions = [
      judge({ StringEqualsIfExists: { 'aws:PrincipalAccount': '2222' } }),
      judge({
        'ForAllValues:StringLike': {
          'aws:PrincipalOrgPaths': 'o-a1b2c3d4e5/*',
        },
      }),
      judge({ Null: { 'aws:PrincipalOrgID': 'false' } }),
      judge({ Null: { 'aws:PrincipalOrgID': 'true' } }),
      judge({ StringNotEqualsIgnoreCase: { 'aws:PrincipalType': 'user' } }),
    ];

    // Assess
    expect(decisions).toEqual([
      'implicit-deny',
      'allowed',
      'allowed',
      'implicit-deny',
      'allowed',
    ]);
  });
});
