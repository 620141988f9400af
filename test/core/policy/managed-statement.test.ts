import { describe, expect, it } from 'vitest';
import {
  EmptyPrincipalListError,
  PULL_ACTIONS,
  renderManagedStatement,
} from '../../../packages/core/src/policy/index.js';

const ORGANIZATION_ID = 'o-a1b2c3d4e5';

describe('Function: renderManagedStatement', () => {
  it('allows the pull actions to listed roles inside the Organization', () => {
    // Prepare
    const principalArns = [
      'arn:aws:iam::444455556666:role/codebuild-web',
      'arn:aws:iam::111122223333:role/service-role/codebuild-*',
      'arn:aws:iam::444455556666:role/codebuild-web',
    ];

    // Act
    const statement = renderManagedStatement('EcrPullReconciler', {
      organizationId: ORGANIZATION_ID,
      principalArns,
    });

    // Assess
    expect(statement).toEqual({
      Sid: 'EcrPullReconciler',
      Effect: 'Allow',
      Principal: '*',
      Action: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
      ],
      Condition: {
        StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID },
        ArnLike: {
          'aws:PrincipalArn': [
            'arn:aws:iam::111122223333:role/service-role/codebuild-*',
            'arn:aws:iam::444455556666:role/codebuild-web',
          ],
        },
      },
    });
  });

  it('pins the organization paths, sorted, when they are given', () => {
    // Prepare
    const orgPaths = [
      'o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/*',
      'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*',
    ];

    // Act
    const statement = renderManagedStatement('EcrPullReconciler', {
      organizationId: ORGANIZATION_ID,
      principalArns: ['arn:aws:iam::111122223333:role/codebuild-api'],
      orgPaths,
    });

    // Assess
    expect(statement.Condition).toEqual({
      StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID },
      ArnLike: {
        'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/codebuild-api'],
      },
      'ForAnyValue:StringLike': {
        'aws:PrincipalOrgPaths': [...orgPaths].sort(),
      },
    });
  });

  it('leaves the organization paths out when the list is empty', () => {
    // Act
    const statement = renderManagedStatement('EcrPullReconciler', {
      organizationId: ORGANIZATION_ID,
      principalArns: ['arn:aws:iam::111122223333:role/codebuild-api'],
      orgPaths: [],
    });

    // Assess
    expect(Object.keys(statement.Condition as object)).toEqual([
      'StringEquals',
      'ArnLike',
    ]);
  });

  it('grants exactly the exported pull actions', () => {
    // Act
    const statement = renderManagedStatement('S', {
      organizationId: ORGANIZATION_ID,
      principalArns: ['arn:aws:iam::111122223333:role/codebuild-api'],
    });

    // Assess
    expect(statement.Action).toEqual([...PULL_ACTIONS].sort());
  });

  it('throws when no principal is given', () => {
    // Act
    const render = () =>
      renderManagedStatement('EcrPullReconciler', {
        organizationId: ORGANIZATION_ID,
        principalArns: [],
      });

    // Assess
    expect(render).toThrow(EmptyPrincipalListError);
  });
});
