import { describe, expect, it } from 'vitest';
import {
  type PolicyDocument,
  policiesEquivalent,
} from '../../../packages/core/src/policy/index.js';

const pull: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowPull',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::111122223333:root'] },
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Condition: {
        StringEquals: { 'aws:PrincipalOrgID': ['o-a1b2c3d4e5'] },
        ArnLike: {
          'aws:PrincipalArn': [
            'arn:aws:iam::111122223333:role/a',
            'arn:aws:iam::111122223333:role/b',
          ],
        },
      },
    },
    { Sid: 'DenyDelete', Effect: 'Deny', Principal: '*', Action: 'ecr:*' },
  ],
};

describe('Function: policiesEquivalent', () => {
  it('returns true when keys, list order and one-element lists differ', () => {
    // Prepare
    const reformatted = JSON.parse(`{
      "Statement": [{
        "Condition": {
          "ArnLike": {"aws:PrincipalArn": [
            "arn:aws:iam::111122223333:role/b",
            "arn:aws:iam::111122223333:role/a"]},
          "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}
        },
        "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Effect": "Allow", "Sid": "AllowPull"
      }, {"Action": ["ecr:*"], "Principal": "*", "Effect": "Deny",
          "Sid": "DenyDelete"}],
      "Version": "2012-10-17"
    }`);

    // Act
    const equivalent = policiesEquivalent(pull, reformatted);

    // Assess
    expect(equivalent).toBe(true);
  });

  it('returns true when a bare account id stands for its root ARN', () => {
    // Prepare
    const bare = structuredClone(pull);
    bare.Statement[0]!.Principal = { AWS: '111122223333' };

    // Act
    const equivalent = policiesEquivalent(bare, pull);

    // Assess
    expect(equivalent).toBe(true);
  });

  it('returns true when a condition scalar is written as text', () => {
    // Prepare
    const statement = {
      Effect: 'Deny',
      Principal: '*',
      Action: 'ecr:*',
      Condition: { Bool: { 'aws:SecureTransport': false } },
    };
    const asText = structuredClone(statement);
    asText.Condition.Bool['aws:SecureTransport'] = 'false' as never;

    // Act
    const equivalent = policiesEquivalent(
      { Statement: [statement] },
      { Statement: [asText] }
    );

    // Assess
    expect(equivalent).toBe(true);
  });

  it('returns false when the statements are in another order', () => {
    // Prepare
    const swapped = { ...pull, Statement: [...pull.Statement].reverse() };

    // Act
    const equivalent = policiesEquivalent(pull, swapped);

    // Assess
    expect(equivalent).toBe(false);
  });

  it('returns false when the Version differs', () => {
    // Prepare
    const legacy = { ...pull, Version: '2008-10-17' };

    // Act
    const equivalent = policiesEquivalent(pull, legacy);

    // Assess
    expect(equivalent).toBe(false);
  });

  it('returns false when a condition value is missing', () => {
    // Prepare
    const narrower = structuredClone(pull);
    narrower.Statement[0]!.Condition = {
      StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
      ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/a' },
    };

    // Act
    const equivalent = policiesEquivalent(pull, narrower);

    // Assess
    expect(equivalent).toBe(false);
  });

  it('returns false when Principal "*" meets Principal AWS "*"', () => {
    // Prepare
    const awsStar = structuredClone(pull);
    awsStar.Statement[1]!.Principal = { AWS: '*' };

    // Act
    const equivalent = policiesEquivalent(pull, awsStar);

    // Assess
    expect(equivalent).toBe(false);
  });

  it('returns true only for two missing policies', () => {
    // Act
    const both = policiesEquivalent(null, null);
    const one = policiesEquivalent(null, { Statement: [] });

    // Assess
    expect([both, one]).toEqual([true, false]);
  });
});
