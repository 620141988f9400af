import fc from 'fast-check';
import {
  type PolicyDocument,
  type PolicyStatement,
  renderManagedStatement,
} from '../../../packages/core/src/policy/index.js';

export const SID_PREFIX = 'EcrPullReconciler';
export const ORGANIZATION_ID = 'o-a1b2c3d4e5';

/** A few accounts hold most roles, so compaction has groups to work on. */
const accountId = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      '111111111111',
      '222222222222',
      '333333333333',
      '444444444444',
      '555555555555'
    ),
    weight: 4,
  },
  { arbitrary: fc.stringMatching(/^\d{12}$/), weight: 1 }
);

const partition = fc.oneof(
  { arbitrary: fc.constant('aws'), weight: 8 },
  { arbitrary: fc.constantFrom('aws-cn', 'aws-us-gov'), weight: 1 }
);

const roleName = fc.tuple(
  fc.constantFrom('', 'service-role/', 'codebuild/', 'team/build/'),
  fc.constantFrom('', 'codebuild-', 'build-'),
  fc.stringMatching(/^[A-Za-z0-9+=,.@_-]{1,40}$/)
);

export const roleArn = fc
  .tuple(partition, accountId, roleName)
  .map(
    ([part, account, [path, stem, name]]) =>
      `arn:${part}:iam::${account}:role/${path}${stem}${name}`
  );

/** Mostly small role sets, sometimes hundreds that need compaction. */
export const roleArns = fc.oneof(
  { arbitrary: fc.array(roleArn, { maxLength: 8 }), weight: 4 },
  {
    arbitrary: fc.array(roleArn, { minLength: 100, maxLength: 400 }),
    weight: 1,
  }
);

export const orgPaths = fc.option(
  fc.array(
    fc
      .stringMatching(/^[a-z0-9]{8}$/)
      .map((unit) => `${ORGANIZATION_ID}/r-ab12/ou-ab12-${unit}/*`),
    { maxLength: 3 }
  ),
  { nil: undefined }
);

const stringOrList = <T>(item: fc.Arbitrary<T>) =>
  fc.oneof(item, fc.array(item, { minLength: 1, maxLength: 4 }));

const awsPrincipal = fc.oneof(
  accountId,
  accountId.map((account) => `arn:aws:iam::${account}:root`),
  roleArn,
  fc.constant('*')
);

const principalElement = fc.oneof(
  fc.record({ Principal: fc.constant('*') }),
  fc.record({ Principal: fc.record({ AWS: stringOrList(awsPrincipal) }) }),
  fc.record({
    Principal: fc.record({
      Service: stringOrList(fc.constant('codebuild.amazonaws.com')),
    }),
  }),
  fc.record({ NotPrincipal: fc.record({ AWS: stringOrList(awsPrincipal) }) })
);

const ecrAction = fc.constantFrom(
  'ecr:*',
  'ecr:BatchGetImage',
  'ecr:PutImage',
  'ecr:DeleteRepository',
  'ecr:SetRepositoryPolicy',
  'ecr:ListImages'
);

const actionElement = fc.oneof(
  fc.record({ Action: stringOrList(ecrAction) }),
  fc.record({ NotAction: stringOrList(ecrAction) })
);

const conditionValue = fc.oneof(
  stringOrList(
    fc.oneof(roleArn, fc.constantFrom(ORGANIZATION_ID, '10.0.0.0/8', 'team-a'))
  ),
  fc.boolean()
);

const condition = fc.dictionary(
  fc.constantFrom(
    'StringEquals',
    'StringNotEquals',
    'StringLike',
    'ArnLike',
    'ArnEquals',
    'ArnNotLike',
    'Bool',
    'IpAddress',
    'ForAnyValue:StringLike',
    'ForAllValues:StringEquals',
    'StringEqualsIfExists'
  ),
  fc.dictionary(
    fc.constantFrom(
      'aws:PrincipalArn',
      'aws:PrincipalOrgID',
      'aws:SourceIp',
      'aws:SecureTransport',
      'aws:PrincipalTag/team'
    ),
    conditionValue,
    { minKeys: 1, maxKeys: 2 }
  ),
  { minKeys: 1, maxKeys: 3 }
);

/**
 * Sids repeat across statements on purpose, and some resemble the managed
 * prefix without starting with it.
 */
const foreignSid = fc.option(
  fc.constantFrom(
    'AllowPush',
    'DenyDelete',
    'Guardrail',
    'Guardrail',
    'ecrpullreconciler',
    'LegacyEcrPullReconciler',
    ''
  ),
  { nil: undefined }
);

export const foreignStatement: fc.Arbitrary<PolicyStatement> = fc
  .tuple(
    foreignSid,
    fc.constantFrom('Allow', 'Deny'),
    principalElement,
    actionElement,
    fc.option(condition, { nil: undefined })
  )
  .map(([sid, effect, principal, action, conditions]) => ({
    ...(sid !== undefined && { Sid: sid }),
    Effect: effect,
    ...principal,
    ...action,
    ...(conditions !== undefined && { Condition: conditions }),
  }));

/** A managed statement as an earlier run, or a person copying it, left it. */
const storedManagedStatement: fc.Arbitrary<PolicyStatement> = fc
  .tuple(
    fc.constantFrom('', 'Copy', '2'),
    fc.array(
      fc.oneof(
        { arbitrary: roleArn, weight: 4 },
        { arbitrary: fc.stringMatching(/^AROA[A-Z0-9]{16,20}$/), weight: 1 }
      ),
      { minLength: 1, maxLength: 6 }
    )
  )
  .map(([suffix, principalArns]) =>
    renderManagedStatement(`${SID_PREFIX}${suffix}`, {
      organizationId: ORGANIZATION_ID,
      principalArns,
    })
  );

export interface StoredPolicy {
  text: string | undefined;
  document: PolicyDocument | null;
}

/**
 * A stored policy: foreign statements with managed ones mixed in, both
 * Versions or none, a single-object Statement now and then, and the text
 * indented the way some client wrote it.
 */
export const storedPolicy: fc.Arbitrary<StoredPolicy> = fc.oneof(
  { arbitrary: fc.constant({ text: undefined, document: null }), weight: 1 },
  {
    arbitrary: fc
      .tuple(
        fc.array(foreignStatement, { maxLength: 6 }),
        fc.array(fc.tuple(storedManagedStatement, fc.nat({ max: 6 })), {
          maxLength: 3,
        }),
        fc.constantFrom('2012-10-17', '2008-10-17', undefined),
        fc.option(fc.constant('repository-guardrails'), { nil: undefined }),
        fc.boolean(),
        fc.constantFrom(0, 2, 4)
      )
      .map(([foreign, managed, version, id, single, indent]) => {
        const statements = [...foreign];
        for (const [statement, position] of managed) {
          statements.splice(position % (statements.length + 1), 0, statement);
        }
        const document: PolicyDocument = {
          ...(version !== undefined && { Version: version }),
          ...(id !== undefined && { Id: id }),
          Statement: statements,
        };
        const stored =
          single && statements.length === 1
            ? { ...document, Statement: statements[0] }
            : document;

        return { text: JSON.stringify(stored, null, indent), document };
      }),
    weight: 6,
  }
);
