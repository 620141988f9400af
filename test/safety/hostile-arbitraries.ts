import fc from 'fast-check';
import {
  type OrgTree,
  type PolicyStatement,
  renderManagedStatement,
} from '../../packages/core/src/index.js';
import { roleArn } from '../core/policy/policy-arbitraries.js';
import {
  OU_BUILDS,
  OU_SANDBOX,
  OU_WEB,
  PAYMENTS,
  REGION,
  REGISTRY,
  ROOT_ID,
  SANDBOX,
  SUSPENDED,
  WEB,
} from '../support/domain.js';

export const SID_PREFIX = 'EcrPullReconciler';
export const OUTSIDER = '777777777777';
export const REPOSITORY_NAMES = [
  'team/builder',
  'base/node',
  'payments/runner',
  'secure/scanner',
] as const;

/** Every IAM condition operator, bare and with its set and IfExists forms. */
const BASE_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
];
export const CONDITION_OPERATORS = [
  ...BASE_OPERATORS.flatMap((operator) => [
    operator,
    `${operator}IfExists`,
    `ForAnyValue:${operator}`,
    `ForAllValues:${operator}`,
  ]),
  'Null',
];

const conditionKey = fc.constantFrom(
  'aws:PrincipalArn',
  'aws:PrincipalOrgID',
  'aws:PrincipalOrgPaths',
  'aws:PrincipalAccount',
  'aws:SourceIp',
  'aws:SecureTransport',
  'aws:CurrentTime',
  'aws:MultiFactorAuthAge',
  'aws:PrincipalTag/team',
  'ecr:ResourceTag/team'
);

const conditionValue = fc.oneof(
  fc.constantFrom(
    'o-a1b2c3d4e5',
    '10.0.0.0/8',
    '2026-01-01T00:00:00Z',
    '3600',
    'true',
    'dGVhbQ==',
    'team-*'
  ),
  roleArn,
  fc.boolean(),
  fc.integer()
);

const stringOrList = <T>(item: fc.Arbitrary<T>) =>
  fc.oneof(item, fc.array(item, { minLength: 1, maxLength: 3 }));

const condition = fc.dictionary(
  fc.constantFrom(...CONDITION_OPERATORS),
  fc.dictionary(conditionKey, stringOrList(conditionValue), {
    minKeys: 1,
    maxKeys: 2,
  }),
  { minKeys: 1, maxKeys: 3 }
);

const accountPrincipal = fc.constantFrom(PAYMENTS, WEB, REGISTRY, OUTSIDER);

const awsPrincipal = fc.oneof(
  accountPrincipal,
  accountPrincipal.map((account) => `arn:aws:iam::${account}:root`),
  roleArn,
  fc.stringMatching(/^AROA[A-Z0-9]{17}$/),
  fc.constant('*')
);

const principalElement = fc.oneof(
  fc.record({ Principal: fc.constant('*') }),
  fc.record({ Principal: fc.record({ AWS: stringOrList(awsPrincipal) }) }),
  fc.record({
    Principal: fc.record({
      Service: stringOrList(
        fc.constantFrom('codebuild.amazonaws.com', 'lambda.amazonaws.com')
      ),
    }),
  }),
  fc.record({ NotPrincipal: fc.record({ AWS: stringOrList(awsPrincipal) }) })
);

const action = fc.constantFrom(
  'ecr:*',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
  'ecr:PutImage',
  'ecr:DeleteRepository',
  'ecr:SetRepositoryPolicy'
);

const foreignSid = fc.option(
  fc.constantFrom(
    'AllowPush',
    'Guardrail',
    'Guardrail',
    'LegacyEcrPullReconciler',
    'ecrpullreconciler',
    ''
  ),
  { nil: undefined }
);

/** Any legal foreign statement: Allow or Deny, any principal, any operator. */
export const foreignStatement: fc.Arbitrary<PolicyStatement> = fc
  .tuple(
    foreignSid,
    fc.constantFrom('Allow', 'Deny'),
    principalElement,
    fc.oneof(
      fc.record({ Action: stringOrList(action) }),
      fc.record({ NotAction: stringOrList(action) })
    ),
    fc.option(condition, { nil: undefined })
  )
  .map(([sid, effect, principal, actions, conditions]) => ({
    ...(sid !== undefined && { Sid: sid }),
    Effect: effect,
    ...principal,
    ...actions,
    ...(conditions !== undefined && { Condition: conditions }),
  }));

const storedManagedStatement = fc
  .tuple(
    fc.constantFrom('', '2', 'Copy'),
    fc.array(roleArn, { minLength: 1, maxLength: 4 })
  )
  .map(([suffix, principalArns]) =>
    renderManagedStatement(`${SID_PREFIX}${suffix}`, {
      organizationId: 'o-a1b2c3d4e5',
      principalArns,
    })
  );

export interface HostilePolicy {
  text: string | undefined;
  /**
   * `legal` and `illegal` by construction; `any` is JSON of any shape,
   * about which only "no harm done" is asserted.
   */
  kind: 'legal' | 'illegal' | 'any';
}

/** A legal stored policy: any mix of foreign and managed statements. */
export const legalPolicy: fc.Arbitrary<HostilePolicy> = fc
  .tuple(
    fc.array(foreignStatement, { maxLength: 5 }),
    fc.array(fc.tuple(storedManagedStatement, fc.nat(5)), { maxLength: 2 }),
    fc.constantFrom('2012-10-17', '2008-10-17', undefined),
    fc.boolean(),
    fc.constantFrom(0, 2)
  )
  .map(([foreign, managed, version, single, indent]) => {
    const statements = [...foreign];
    for (const [statement, at] of managed) {
      statements.splice(at % (statements.length + 1), 0, statement);
    }
    const document = {
      ...(version !== undefined && { Version: version }),
      Statement: single && statements.length === 1 ? statements[0] : statements,
    };

    return {
      text: JSON.stringify(document, null, indent),
      kind: 'legal' as const,
    };
  });

/** Text that is no policy document, whatever a parser makes of it. */
const illegalPolicy: fc.Arbitrary<HostilePolicy> = fc
  .oneof(
    legalPolicy.chain(({ text = '{}' }) =>
      fc
        .integer({ min: 1, max: Math.max(1, text.length - 1) })
        .map((end) => text.slice(0, end))
    ),
    fc.constantFrom(
      '[]',
      'null',
      '"policy"',
      '42',
      '{"Statement":"allow everyone"}',
      '{"Version":"2019-01-01","Statement":[]}',
      '{"Statement":[1,2]}',
      '{"Version":"2012-10-17"}',
      '{"Version":"2012-10-17","Statement":[],"Extra":true}',
      '{"Version":{"nested":true},"Statement":[]}',
      '{"Id":7,"Statement":[]}'
    ),
    fc.string({ minLength: 1 }).filter((text) => {
      try {
        JSON.parse(text);

        return false;
      } catch {
        return true;
      }
    })
  )
  .map((text) => ({ text, kind: 'illegal' as const }));

export const hostilePolicy: fc.Arbitrary<HostilePolicy> = fc.oneof(
  {
    arbitrary: fc.constant({ text: undefined, kind: 'legal' as const }),
    weight: 1,
  },
  { arbitrary: legalPolicy, weight: 5 },
  { arbitrary: illegalPolicy, weight: 2 },
  {
    // Any JSON: sometimes a policy, mostly not; only "no harm" is asserted.
    arbitrary: fc.json().map((text) => ({ text, kind: 'any' as const })),
    weight: 1,
  }
);

/** Targets of the pure tests' Organization, and some it does not have. */
const DOMAIN_TOKENS = [
  'org',
  ROOT_ID,
  OU_BUILDS,
  OU_WEB,
  OU_SANDBOX,
  PAYMENTS,
  WEB,
  SANDBOX,
  SUSPENDED,
  REGISTRY,
  '999999999999',
  OUTSIDER,
  'r-zz99',
  'ou-ab12-missing0',
];

const junkToken = fc.oneof(
  fc.constantFrom(
    'ORG',
    'Org',
    'ou-nope',
    'r-AB12',
    '12345678901',
    '1234567890123',
    `${PAYMENTS},${WEB}`,
    `"${WEB}"`,
    'arn:aws:organizations::999999999999:ou/o-a1b2c3d4e5/ou-ab12-builds00',
    '*'
  ),
  fc.string({ minLength: 1, maxLength: 12 })
);

/**
 * `share-with` values over the given well-formed targets: mostly lists of
 * them, then other separators, junk tokens, any text at all, and values
 * longer than an ECR tag can hold.
 */
export function shareWithFrom(
  targets: readonly string[],
  options: { maxLength?: number } = {}
): fc.Arbitrary<string | undefined> {
  const knownToken = fc.constantFrom(...targets);
  const tokenList = fc.array(knownToken, { minLength: 1, maxLength: 4 });
  const values = fc.oneof(
    { arbitrary: tokenList.map((tokens) => tokens.join(' ')), weight: 12 },
    {
      arbitrary: fc
        .tuple(
          tokenList,
          fc.constantFrom('  ', ' \t', '\n', ',', ', '),
          fc.constantFrom('', ' ', '\t')
        )
        .map(([tokens, separator, pad]) => pad + tokens.join(separator) + pad),
      weight: 1,
    },
    {
      arbitrary: fc
        .array(fc.oneof(knownToken, junkToken), { minLength: 1, maxLength: 4 })
        .map((tokens) => tokens.join(' ')),
      weight: 1,
    },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
    {
      arbitrary: fc
        .array(knownToken, { minLength: 30, maxLength: 40 })
        .map((tokens) => tokens.join(' ')),
      weight: 1,
    }
  );
  const limited =
    options.maxLength === undefined
      ? values
      : values.filter((value) => value.length <= (options.maxLength ?? 0));

  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: limited, weight: 16 }
  );
}

export const shareWith = shareWithFrom(DOMAIN_TOKENS);

export interface HostileImage {
  image: string;
  /** The repository pulled, when the URI is well formed by construction. */
  repositoryName?: string;
}

const reference = fc.oneof(
  fc.constantFrom('', ':latest', ':1.4', ':v2-build_7'),
  fc.stringMatching(/^[0-9a-f]{64}$/).map((digest) => `@sha256:${digest}`)
);

export const wellFormedImage: fc.Arbitrary<HostileImage> = fc
  .tuple(fc.constantFrom(...REPOSITORY_NAMES), reference)
  .map(([repositoryName, suffix]) => ({
    image: `${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com/${repositoryName}${suffix}`,
    repositoryName,
  }));

/** Image URIs: well formed, mangled well-formed ones, and any text. */
export const hostileImage: fc.Arbitrary<HostileImage> = fc.oneof(
  { arbitrary: wellFormedImage, weight: 4 },
  {
    arbitrary: fc
      .tuple(wellFormedImage, fc.nat(), fc.string({ maxLength: 6 }))
      .map(([{ image }, at, inserted]) => {
        const cut = at % (image.length + 1);

        return { image: image.slice(0, cut) + inserted + image.slice(cut) };
      }),
    weight: 2,
  },
  {
    arbitrary: fc
      .constantFrom(
        'aws/codebuild/standard:7.0',
        'public.ecr.aws/docker/library/node:20',
        'docker.io/library/node:20',
        `${REGISTRY}.dkr.ecr.eu-west-1.amazonaws.com/team/builder:latest`,
        `${OUTSIDER}.dkr.ecr.${REGION}.amazonaws.com/team/builder:latest`,
        `${REGISTRY}.dkr.ecr-fips.${REGION}.amazonaws.com/team/builder`,
        `${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com.cn/team/builder`,
        `${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com/TEAM/builder`,
        `${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com/team//builder`,
        `${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com/team/builder@sha256:z`,
        `https://${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com/team/builder`,
        ''
      )
      .map((image) => ({ image })),
    weight: 1,
  },
  {
    arbitrary: fc.string({ unit: 'binary', maxLength: 80 }).map((image) => ({
      image,
    })),
    weight: 1,
  }
);

/** Every account a project may claim to live in, outsiders included. */
export function projectAccounts(tree: OrgTree): string[] {
  return [...tree.accounts.keys(), OUTSIDER];
}

/**
 * The audience of a `share-with` value, worked out here from the tag's
 * rules, independently of the code under test: the ACTIVE accounts reached,
 * or `invalid`, or `none` without a tag.
 */
export function referenceAudience(
  value: string | undefined,
  tree: OrgTree
):
  | { kind: 'none' }
  | { kind: 'invalid' }
  | { kind: 'shared'; accounts: Set<string> } {
  if (value === undefined) return { kind: 'none' };
  if (value.length > 256) return { kind: 'invalid' };
  const tokens = value.split(' ').filter((token) => token !== '');
  const legal = (token: string) =>
    token === 'org' ||
    /^r-[0-9a-z]{4,32}$/.test(token) ||
    /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/.test(token) ||
    /^\d{12}$/.test(token);
  if (tokens.length === 0 || !tokens.every(legal)) return { kind: 'invalid' };

  const accounts = new Set<string>();
  for (const account of tree.accounts.values()) {
    if (account.status !== 'ACTIVE') continue;
    const above = ancestorsOf(account.parentId, tree);
    const reached = tokens.some(
      (token) =>
        token === 'org' ||
        token === account.id ||
        (above.includes(token) &&
          (token === tree.rootId || token.startsWith('ou-')))
    );
    if (reached) accounts.add(account.id);
  }

  return { kind: 'shared', accounts };
}

function ancestorsOf(parentId: string, tree: OrgTree): string[] {
  const chain: string[] = [];
  let current: string | undefined = parentId;
  while (current !== undefined && !chain.includes(current)) {
    chain.push(current);
    if (current === tree.rootId) return chain;
    current = tree.organizationalUnits.get(current)?.parentId;
  }

  // A chain that never reaches the root places the account nowhere.
  return [];
}
