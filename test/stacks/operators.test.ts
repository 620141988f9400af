import { runSimulation } from '@cloud-copilot/iam-simulate';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../packages/core/src/index.js';
import {
  type DeploymentConfigInput,
  parseDeploymentConfig,
} from '../../stacks/config.js';
import {
  actionsOf,
  type Json,
  listOf,
  permissionsOf,
  type Resource,
  Rollout,
  type Statement,
  trustOf,
} from './templates.js';

const VIEWERS =
  'arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_EcrViewer_*';
const AUDITOR = 'arn:aws:iam::444444444444:role/auditors/EcrAuditor';
const OPERATORS =
  'arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_EcrOperator_*';
const PLATFORM = 'arn:aws:iam::555555555555:role/PlatformOperator';

/** What Identity Center names the roles of the two permission sets. */
const VIEWER_ROLE = VIEWERS.replace('*', '0123456789abcdef');
const OPERATOR_ROLE = OPERATORS.replace('*', 'fedcba9876543210');

/** A tooling account; Organizations read through a role. */
const tooling: DeploymentConfigInput = {
  region: 'eu-west-1',
  centralAccountId: '333333333333',
  registryIsCentralAccount: false,
  registries: [
    { accountId: '222222222222', regions: ['eu-west-1', 'us-east-1'] },
  ],
  organizationId: 'o-a1b2c3d4e5',
  organizationsRoleArn: 'arn:aws:iam::999999999999:role/OrgReader',
  managementAccountId: '999999999999',
  memberRoleName: 'BuildProjectReader',
  registryRoleName: 'PolicyWriter',
  memberOrganizationalUnitIds: ['ou-ab12-34cd5678'],
};

const withOperators: DeploymentConfigInput = {
  ...tooling,
  operatorRoleArns: { read: [VIEWERS, AUDITOR], write: [OPERATORS, PLATFORM] },
};

function parse(input: unknown) {
  return () => parseDeploymentConfig(input, 'prod');
}

/** Statements of a trust beyond the central functions' one. */
function operatorTrust(role: Resource): Statement[] {
  return trustOf(role).filter((statement) => statement.Sid !== undefined);
}

/** The roles or patterns a trust statement lets in, and how. */
function admitted(statements: Statement[]): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const statement of statements) {
    for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
      const arns = listOf(keys['aws:PrincipalArn'] as string | string[]);
      found[operator] = [...(found[operator] ?? []), ...arns].sort();
    }
  }

  return found;
}

/**
 * Whether IAM's rules let `principalArn` assume the role with this trust,
 * judged by an evaluator this project did not write, the caller's own
 * policy allowing it.
 */
async function mayAssume(
  trust: Json,
  roleArn: string,
  principalArn: string
): Promise<boolean> {
  const account = principalArn.split(':')[4] ?? '';
  const result = await runSimulation(
    {
      request: {
        principal: principalArn,
        action: 'sts:AssumeRole',
        resource: { resource: roleArn, accountId: roleArn.split(':')[4] ?? '' },
        contextVariables: {
          'aws:PrincipalArn': principalArn,
          'aws:PrincipalAccount': account,
        },
      },
      identityPolicies: [
        {
          name: 'operator',
          policy: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
            ],
          },
        },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trust,
    },
    {}
  );
  if (result.resultType === 'error') {
    throw new Error(`Simulation refused: ${JSON.stringify(result.errors)}`);
  }

  return result.overallResult === 'Allowed';
}

describe('Configuration: operatorRoleArns', () => {
  it('trusts no operator by default', () => {
    const config = parseDeploymentConfig(tooling, 'prod');

    expect(config.operatorRoleArns).toEqual({ read: [], write: [] });
    expect(config.registryReaderRoleName).toBe(
      'EcrPullReconcilerRegistryReader'
    );
  });

  it('accepts exact role ARNs and Identity Center ARNs ending in the suffix wildcard', () => {
    const usEast1Set =
      'arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_EcrViewer_*';
    const input = {
      ...withOperators,
      operatorRoleArns: {
        read: [VIEWERS, AUDITOR, usEast1Set],
        write: [OPERATORS, PLATFORM],
      },
    };

    const config = parseDeploymentConfig(input, 'prod');

    expect(config.operatorRoleArns.read).toEqual([
      VIEWERS,
      AUDITOR,
      usEast1Set,
    ]);
  });

  it.each([
    ['a wildcard role name', 'arn:aws:iam::333333333333:role/*'],
    ['a wildcard account', 'arn:aws:iam::*:role/PlatformOperator'],
    [
      'a wildcard within a permission set name',
      'arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Ecr*',
    ],
    [
      'a suffix wildcard outside the Identity Center path',
      'arn:aws:iam::333333333333:role/ops/AWSReservedSSO_EcrViewer_*',
    ],
    ['a user ARN', 'arn:aws:iam::333333333333:user/alice'],
  ])('refuses %s and names the key', (_case, arn) => {
    const input = { ...tooling, operatorRoleArns: { write: [arn] } };

    expect(parse(input)).toThrow(ConfigurationError);
    expect(parse(input)).toThrow(
      /operatorRoleArns\.write\.0: must be an IAM role ARN without wildcards/
    );
  });

  it('refuses an unknown kind of access', () => {
    const input = { ...tooling, operatorRoleArns: { admin: [PLATFORM] } };

    expect(parse(input)).toThrow(/operatorRoleArns\.admin: unknown key/);
  });

  it('refuses a role listed twice, since writers read too', () => {
    const input = {
      ...tooling,
      operatorRoleArns: { read: [PLATFORM], write: [PLATFORM] },
    };

    expect(parse(input)).toThrow(
      /operatorRoleArns\.write\.0: lists arn:aws:iam::555555555555:role\/PlatformOperator a second time/
    );
  });

  it('refuses operators of other accounts when the central account is a registry reached without a role', () => {
    const input = {
      ...tooling,
      registryIsCentralAccount: true,
      registries: [{ accountId: '333333333333', regions: ['eu-west-1'] }],
      operatorRoleArns: { read: [VIEWERS, AUDITOR] },
    };

    expect(parse(input)).toThrow(
      /operatorRoleArns\.read\.1: is in account 444444444444, but the central account 333333333333 is a registry reached without a role/
    );
  });
});

describe('Rollout templates with operators', () => {
  let none: Rollout;
  let some: Rollout;

  beforeAll(() => {
    none = Rollout.of(parseDeploymentConfig(tooling, 'prod'), 'prod');
    some = Rollout.of(parseDeploymentConfig(withOperators, 'prod'), 'prod');
  });

  const registryName = 'prod-ecr-pull-reconciler-Registry-222222222222';

  describe('without operators', () => {
    it('trusts only the central functions, one statement per role', () => {
      const roles = [
        none.one('member').roleNamed('BuildProjectReader'),
        none.named(registryName).roleNamed('PolicyWriter'),
        none.one('management').roleNamed('OrgReader'),
      ];

      for (const role of roles) {
        expect(trustOf(role)).toHaveLength(1);
        expect(trustOf(role)[0]).toMatchObject({
          Principal: { AWS: 'arn:aws:iam::333333333333:root' },
        });
      }
    });

    it('creates no registry reader role', () => {
      const registry = none.named(registryName);

      expect(
        registry.ofType('AWS::IAM::Role').map(([id]) => id.slice(0, 10))
      ).toEqual(['Forwarding', 'WriterRole']);
    });
  });

  describe('with operators', () => {
    it('keeps the central functions trust as it is without operators', () => {
      const pairs: [Resource, Resource][] = [
        [
          none.one('member').roleNamed('BuildProjectReader'),
          some.one('member').roleNamed('BuildProjectReader'),
        ],
        [
          none.named(registryName).roleNamed('PolicyWriter'),
          some.named(registryName).roleNamed('PolicyWriter'),
        ],
        [
          none.one('management').roleNamed('OrgReader'),
          some.one('management').roleNamed('OrgReader'),
        ],
      ];

      for (const [before, after] of pairs) {
        expect(trustOf(after)[0]).toEqual(trustOf(before)[0]);
      }
    });

    it('lets read and write operators assume the member reader role', () => {
      const reader = some.one('member').roleNamed('BuildProjectReader');

      expect(admitted(operatorTrust(reader))).toEqual({
        ArnEquals: [AUDITOR, PLATFORM],
        ArnLike: [
          OPERATORS.replace('*', '?'.repeat(16)),
          VIEWERS.replace('*', '?'.repeat(16)),
        ],
      });
    });

    it('lets read and write operators assume the Organizations role', () => {
      const role = some.one('management').roleNamed('OrgReader');

      expect(admitted(operatorTrust(role))).toEqual(
        admitted(
          operatorTrust(some.one('member').roleNamed('BuildProjectReader'))
        )
      );
    });

    it('lets only write operators assume the registry writer role', () => {
      const writer = some.named(registryName).roleNamed('PolicyWriter');

      expect(admitted(operatorTrust(writer))).toEqual({
        ArnEquals: [PLATFORM],
        ArnLike: [OPERATORS.replace('*', '?'.repeat(16))],
      });
    });

    it('names the accounts of the listed roles as principals, never a wildcard', () => {
      const statements = some
        .all()
        .flatMap((view) => view.ofType('AWS::IAM::Role'))
        .flatMap(([, role]) => operatorTrust(role));
      const principals = statements.map((statement) => statement.Principal);

      expect(statements.length).toBeGreaterThanOrEqual(7);
      for (const [index, statement] of statements.entries()) {
        const accounts = Object.values(admitted([statement]))
          .flat()
          .map((arn) => `arn:aws:iam::${arn.split(':')[4]}:root`);
        expect(
          listOf((principals[index] as Json).AWS as string[]).sort()
        ).toEqual([...new Set(accounts)].sort());
      }
    });

    it('adds a registry reader role that may only read, trusted by operators alone', () => {
      const registry = some.named(registryName);
      const reader = registry.roleNamed('EcrPullReconcilerRegistryReader');

      expect(actionsOf(permissionsOf(reader))).toEqual([
        'ecr:DescribeRepositories',
        'ecr:GetRepositoryPolicy',
        'ecr:ListTagsForResource',
      ]);
      expect(permissionsOf(reader)[0]?.Resource).toEqual([
        'arn:aws:ecr:eu-west-1:{AWS::AccountId}:repository/*',
        'arn:aws:ecr:us-east-1:{AWS::AccountId}:repository/*',
      ]);
      expect(reader.Condition).toBe('CreatesAccountRoles');
      expect(trustOf(reader)).toEqual(operatorTrust(reader));
      expect(admitted(trustOf(reader))).toEqual(
        admitted(
          operatorTrust(some.one('member').roleNamed('BuildProjectReader'))
        )
      );
    });

    it('gives the StackSet the member template with the operators', () => {
      const stackSet = some
        .one('member-stackset')
        .only('AWS::CloudFormation::StackSet');

      expect(JSON.parse(stackSet.Properties.TemplateBody as string)).toEqual(
        some.one('member').template
      );
    });
  });

  describe('as IAM evaluates the trust', () => {
    const writerArn = 'arn:aws:iam::222222222222:role/PolicyWriter';
    const readerArn =
      'arn:aws:iam::222222222222:role/EcrPullReconcilerRegistryReader';
    const trustDocument = (role: Resource) =>
      role.Properties.AssumeRolePolicyDocument as Json;

    it('lets a permission set role of any suffix read and the writer set write', async () => {
      const registry = some.named(registryName);
      const reader = trustDocument(
        registry.roleNamed('EcrPullReconcilerRegistryReader')
      );
      const writer = trustDocument(registry.roleNamed('PolicyWriter'));

      expect(await mayAssume(reader, readerArn, VIEWER_ROLE)).toBe(true);
      expect(await mayAssume(reader, readerArn, OPERATOR_ROLE)).toBe(true);
      expect(await mayAssume(writer, writerArn, OPERATOR_ROLE)).toBe(true);
      expect(await mayAssume(writer, writerArn, PLATFORM)).toBe(true);
    });

    it('keeps read operators out of the writer role', async () => {
      const writer = trustDocument(
        some.named(registryName).roleNamed('PolicyWriter')
      );

      expect(await mayAssume(writer, writerArn, VIEWER_ROLE)).toBe(false);
      expect(await mayAssume(writer, writerArn, AUDITOR)).toBe(false);
    });

    it('keeps out a permission set whose name only starts with a listed one', async () => {
      const writer = trustDocument(
        some.named(registryName).roleNamed('PolicyWriter')
      );
      const lookalike = OPERATORS.replace('*', 'ReadOnly_0123456789abcdef');

      expect(await mayAssume(writer, writerArn, lookalike)).toBe(false);
    });

    it('keeps out other roles of an operator account', async () => {
      const reader = trustDocument(
        some.one('member').roleNamed('BuildProjectReader')
      );
      const memberReader = 'arn:aws:iam::666666666666:role/BuildProjectReader';
      const other = 'arn:aws:iam::555555555555:role/SomeoneElse';

      expect(await mayAssume(reader, memberReader, PLATFORM)).toBe(true);
      expect(await mayAssume(reader, memberReader, other)).toBe(false);
    });
  });

  describe('Organizations delegation', () => {
    it('delegates the reads to operators outside the management account', () => {
      const { organizationsRoleArn: _role, ...delegated } = withOperators;
      const inManagement = 'arn:aws:iam::999999999999:role/OrgOperator';
      const input = {
        ...delegated,
        operatorRoleArns: {
          read: [AUDITOR, inManagement],
          write: [PLATFORM],
        },
      };
      const management = Rollout.of(
        parseDeploymentConfig(input, 'prod'),
        'prod'
      ).one('management');

      const delegation = management.only('AWS::Organizations::ResourcePolicy');
      const statements = listOf(
        (delegation.Properties.Content as Json).Statement as Statement[]
      );

      expect(statements.map((statement) => statement.Sid)).toEqual([
        'EcrPullReconcilerReadsOrganization',
        'OperatorRoles',
      ]);
      expect(statements[1]).toMatchObject({
        Effect: 'Allow',
        Resource: '*',
        Principal: {
          AWS: [
            'arn:aws:iam::444444444444:root',
            'arn:aws:iam::555555555555:root',
          ],
        },
        Condition: { ArnEquals: { 'aws:PrincipalArn': [AUDITOR, PLATFORM] } },
      });
      expect(actionsOf(statements.slice(1))).toEqual(
        actionsOf(statements.slice(0, 1))
      );
    });
  });
});
