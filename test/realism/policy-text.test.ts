import { describe, expect, it } from 'vitest';
import { formatStoredPolicy } from '../support/realism/index.js';

describe('Function: formatStoredPolicy', () => {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Pull',
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::111122223333:root'] },
        Action: ['ecr:BatchGetImage'],
        Condition: {},
      },
    ],
  };

  it('prints in the Jackson style with statement keys sorted', () => {
    const text = formatStoredPolicy(policy);

    expect(text).toBe(
      [
        '{',
        '  "Version" : "2012-10-17",',
        '  "Statement" : [ {',
        '    "Action" : [ "ecr:BatchGetImage" ],',
        '    "Condition" : { },',
        '    "Effect" : "Allow",',
        '    "Principal" : {',
        '      "AWS" : [ "arn:aws:iam::111122223333:root" ]',
        '    },',
        '    "Sid" : "Pull"',
        '  } ]',
        '}',
      ].join('\n')
    );
  });

  it('keeps the content of the policy', () => {
    const text = formatStoredPolicy(policy);

    expect(JSON.parse(text)).toEqual(policy);
  });

  it('sorts the keys of a single statement given as an object', () => {
    const single = { Version: '2012-10-17', Statement: policy.Statement[0] };

    const text = formatStoredPolicy(single);

    expect(Object.keys(JSON.parse(text).Statement)).toEqual([
      'Action',
      'Condition',
      'Effect',
      'Principal',
      'Sid',
    ]);
  });
});
