import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type DeploymentConfig,
  parseDeploymentConfig,
} from '../../stacks/config.js';
import { FORWARDED_PATTERNS } from '../../stacks/forwarding.js';
import { synthesizeOffline } from '../../stacks/offline.js';
import {
  actionsOf,
  type Json,
  listOf,
  permissionsOf,
  type Resource,
  Rollout,
  type Statement,
  TemplateView,
  trustOf,
} from './templates.js';

/** Central account is a registry too; Organizations read through a role. */
const centralRegistry = parseDeploymentConfig(
  {
    centralAccountId: '111111111111',
    registries: [
      { accountId: '111111111111', regions: ['eu-west-1', 'eu-central-1'] },
      { accountId: '222222222222', regions: ['eu-west-1', 'us-east-1'] },
    ],
    memberRegions: ['eu-west-1', 'us-east-1'],
    organizationId: 'o-a1b2c3d4e5',
    organizationsRoleArn:
      'arn:aws:iam::999999999999:role/platform/EcrPullReconcilerOrgReader',
    managementAccountId: '999999999999',
    memberRoleName: 'BuildProjectReader',
    registryRoleName: 'PolicyWriter',
    memberOrganizationalUnitIds: ['ou-ab12-34cd5678', 'r-ab12'],
  },
  'prod'
);

/** A tooling account; Organizations delegated; StackSets from an admin. */
const toolingAccount = parseDeploymentConfig(
  {
    region: 'us-east-1',
    centralAccountId: '333333333333',
    registryIsCentralAccount: false,
    registries: [{ accountId: '111111111111', regions: ['us-east-1'] }],
    organizationId: 'o-a1b2c3d4e5',
    managementAccountId: '999999999999',
    stackSetCallAs: 'DELEGATED_ADMIN',
    memberOrganizationalUnitIds: ['ou-ab12-34cd5678'],
  },
  'dev'
);

/** The inline policy statements of every named central function role. */
function centralPermissions(
  config: DeploymentConfig,
  stage: string
): Map<string, Statement[]> {
  const synthesis = synthesizeOffline({ config, stage });
  try {
    const view = new TemplateView(Template.fromStack(synthesis.stack).toJSON());
    const permissions = new Map<string, Statement[]>();
    for (const [roleId, role] of view.ofType('AWS::IAM::Role')) {
      const roleName = role.Properties.RoleName;
      if (typeof roleName !== 'string') continue;
      const statements = view
        .ofType('AWS::IAM::Policy')
        .filter(([, policy]) =>
          listOf(policy.Properties.Roles as string[]).includes(`{${roleId}}`)
        )
        .flatMap(([, policy]) =>
          listOf(
            (policy.Properties.PolicyDocument as Json).Statement as Statement[]
          )
        );
      permissions.set(roleName, statements);
    }

    return permissions;
  } finally {
    synthesis.dispose();
  }
}

function matchesPattern(pattern: string, arn: string): boolean {
  const escaped = pattern
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*');

  return new RegExp(`^${escaped}$`).test(arn);
}

/**
 * ARNs of the central roles allowed `action`, on a resource matching `arn`
 * when given.
 */
function centralRolesAllowed(
  permissions: Map<string, Statement[]>,
  config: DeploymentConfig,
  action: string,
  arn?: string
): string[] {
  const allows = (statement: Statement) =>
    listOf(statement.Action).includes(action) &&
    (arn === undefined ||
      listOf(statement.Resource as string | string[]).some((pattern) =>
        matchesPattern(pattern, arn)
      ));

  return [...permissions]
    .filter(([, statements]) => statements.some(allows))
    .map(([name]) => `arn:aws:iam::${config.centralAccountId}:role/${name}`)
    .sort();
}

/** The one statement trusting the central account, with its role list. */
function centralTrust(role: Resource, centralAccountId: string) {
  const statements = trustOf(role);

  expect(statements).toHaveLength(1);
  const [statement] = statements as [Statement];
  expect(statement).toMatchObject({
    Effect: 'Allow',
    Action: 'sts:AssumeRole',
    Principal: { AWS: `arn:aws:iam::${centralAccountId}:root` },
  });
  expect(Object.keys(statement.Condition ?? {})).toEqual(['ArnEquals']);
  expect(Object.keys(statement.Condition?.ArnEquals ?? {})).toEqual([
    'aws:PrincipalArn',
  ]);

  return listOf(
    statement.Condition?.ArnEquals?.['aws:PrincipalArn'] as string[]
  ).sort();
}

/** Equal as sets: rule order in a template means nothing. */
function expectSameMembers(actual: unknown[], expected: unknown[]): void {
  expect(actual).toHaveLength(expected.length);
  expect(actual).toEqual(expect.arrayContaining(expected));
}

function forwardingRules(view: TemplateView): Json[] {
  return view.ofType('AWS::Events::Rule').map(([, rule]) => rule.Properties);
}

/** The central rule patterns, as CDK renders them, without `account`. */
function renderedPatterns(
  ...names: (keyof typeof FORWARDED_PATTERNS)[]
): Json[] {
  return names.map((name) => {
    const { detailType, ...rest } = FORWARDED_PATTERNS[name] as Json;

    return { ...rest, 'detail-type': detailType };
  });
}

describe('Rollout templates', () => {
  let prod: Rollout;
  let dev: Rollout;
  let prodPermissions: Map<string, Statement[]>;
  let devPermissions: Map<string, Statement[]>;
  let centralRulePatterns: Json[];

  beforeAll(() => {
    prod = Rollout.of(centralRegistry, 'prod');
    dev = Rollout.of(toolingAccount, 'dev');
    prodPermissions = centralPermissions(centralRegistry, 'prod');
    devPermissions = centralPermissions(toolingAccount, 'dev');
    const central = synthesizeOffline({ config: centralRegistry, stage: 'x' });
    centralRulePatterns = new TemplateView(
      Template.fromStack(central.stack).toJSON()
    )
      .ofType('AWS::Events::Rule')
      .map(([, rule]) => rule.Properties.EventPattern as Json)
      .filter(Boolean)
      .map(({ account: _account, ...pattern }) => pattern);
    central.dispose();
  });

  describe('every template', () => {
    it('names no wildcard principal', () => {
      const principals = [...prod.all(), ...dev.all()]
        .flatMap((view) => view.statements())
        .flatMap((statement) =>
          statement.Principal === undefined ? [] : [statement.Principal]
        );

      expect(principals.length).toBeGreaterThan(10);
      for (const principal of principals) {
        const values =
          typeof principal === 'string'
            ? [principal]
            : Object.values(principal as Json).flatMap((v) => listOf(v));
        expect(values).not.toContain('*');
      }
    });

    it('trusts the central account only for the central roles by ARN', () => {
      const centralPrincipals = [...prod.all()]
        .flatMap((view) => view.statements())
        .filter(
          (statement) =>
            JSON.stringify(statement.Principal) ===
            JSON.stringify({ AWS: 'arn:aws:iam::111111111111:root' })
        );

      expect(centralPrincipals.length).toBeGreaterThanOrEqual(3);
      for (const statement of centralPrincipals) {
        const arns = listOf(
          statement.Condition?.ArnEquals?.['aws:PrincipalArn'] as string[]
        );
        expect(arns.length).toBeGreaterThan(0);
        for (const arn of arns) {
          expect(arn).toMatch(
            /^arn:aws:iam::111111111111:role\/ecr-pull-reconciler-prod-[A-Za-z]+$/
          );
        }
      }
    });

    it('grants no wildcard action', () => {
      const actions = [...prod.all(), ...dev.all()].flatMap((view) =>
        actionsOf(view.statements())
      );

      expect(actions.length).toBeGreaterThan(10);
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    });

    it('forwards exactly what a central rule routes', () => {
      const forwarded = [...prod.all(), ...dev.all()].flatMap((view) =>
        forwardingRules(view).map((rule) => rule.EventPattern)
      );

      expect(forwarded.length).toBeGreaterThan(0);
      for (const pattern of forwarded) {
        expect(centralRulePatterns).toContainEqual(pattern);
      }
    });

    it('sends forwarded events to the bus parameter through a role of the account', () => {
      for (const view of [...prod.all(), ...dev.all()]) {
        for (const rule of forwardingRules(view)) {
          const [target, ...more] = listOf(rule.Targets as Json[]);

          expect(more).toEqual([]);
          expect(target).toMatchObject({
            Arn: '{CentralEventBusArn}',
            RoleArn: expect.stringMatching(/^\{ForwardingRole\w+\.Arn\}$/),
          });
        }
        const forwarding = view
          .ofType('AWS::IAM::Role')
          .filter(([id]) => id.startsWith('ForwardingRole'));
        if (forwarding.length === 0) continue;
        const [[, role]] = forwarding as [[string, Resource]];
        expect(trustOf(role)).toEqual([
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'events.amazonaws.com' },
          },
        ]);
        const put = view
          .ofType('AWS::IAM::Policy')
          .flatMap(([, policy]) =>
            listOf((policy.Properties.PolicyDocument as Json).Statement)
          );
        expect(put).toEqual([
          {
            Effect: 'Allow',
            Action: 'events:PutEvents',
            Resource: '{CentralEventBusArn}',
          },
        ]);
      }
    });
    it('defaults the bus parameter to the bus the central stack of the stage names', () => {
      const central = synthesizeOffline({
        config: centralRegistry,
        stage: 'prod',
      });
      const [, bus] =
        new TemplateView(Template.fromStack(central.stack).toJSON()).ofType(
          'AWS::Events::EventBus'
        )[0] ?? [];
      central.dispose();
      const defaults = prod
        .all()
        .filter((view) => view.template.Parameters)
        .map(
          (view) =>
            (view.template.Parameters as Record<string, Json>)
              .CentralEventBusArn?.Default
        );

      expect(bus?.Properties.Name).toBe('ecr-pull-reconciler');
      expect(defaults.length).toBe(prod.all().length - 1);
      expect(new Set(defaults)).toEqual(
        new Set([
          'arn:aws:events:eu-west-1:111111111111:event-bus/ecr-pull-reconciler',
        ])
      );
    });
  });

  describe('Stack: Member', () => {
    it('forwards only build project changes', () => {
      const member = prod.one('member');

      expect(forwardingRules(member).map((rule) => rule.EventPattern)).toEqual(
        renderedPatterns('projectChanged')
      );
    });

    it('names the reader role as configured, trusted by exactly the central roles that assume it', () => {
      const reader = prod.one('member').roleNamed('BuildProjectReader');
      const expected = centralRolesAllowed(
        prodPermissions,
        centralRegistry,
        'sts:AssumeRole',
        'arn:aws:iam::444455556666:role/BuildProjectReader'
      );

      expect(expected).toEqual([
        'arn:aws:iam::111111111111:role/ecr-pull-reconciler-prod-CodebuildProjectChange',
        'arn:aws:iam::111111111111:role/ecr-pull-reconciler-prod-ReconcileWorker',
      ]);
      expect(centralTrust(reader, '111111111111')).toEqual(expected);
    });

    it('lets the reader list and read build projects and read build role policies only', () => {
      const reader = prod.one('member').roleNamed('BuildProjectReader');
      const statements = permissionsOf(reader);

      expect(actionsOf(statements)).toEqual([
        'codebuild:BatchGetProjects',
        'codebuild:ListProjects',
        'iam:GetPolicy',
        'iam:GetPolicyVersion',
        'iam:GetRole',
        'iam:GetRolePolicy',
        'iam:ListAttachedRolePolicies',
        'iam:ListRolePolicies',
        'iam:SimulatePrincipalPolicy',
      ]);
      const resourcesOf = (action: string) =>
        statements
          .filter((statement) => listOf(statement.Action).includes(action))
          .flatMap((statement) => listOf(statement.Resource));
      expect(resourcesOf('codebuild:BatchGetProjects')).toEqual([
        'arn:aws:codebuild:*:{AWS::AccountId}:project/*',
      ]);
      expect(resourcesOf('iam:GetRolePolicy')).toEqual([
        'arn:aws:iam::{AWS::AccountId}:role/*',
      ]);
      expect(resourcesOf('iam:SimulatePrincipalPolicy')).toEqual([
        'arn:aws:iam::{AWS::AccountId}:role/*',
      ]);
    });

    it('creates the account-wide reader role in one Region only', () => {
      const member = prod.one('member');
      const reader = member.roleNamed('BuildProjectReader');

      expect(reader.Condition).toBe('CreatesAccountRoles');
      expect(member.template.Conditions).toEqual({
        CreatesAccountRoles: {
          'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'AccountRolesRegion' }],
        },
      });
      expect(
        (member.template.Parameters as Json).AccountRolesRegion
      ).toMatchObject({ Default: 'eu-west-1' });
    });
  });

  describe('Stack: Registry', () => {
    it('makes one template per registry account with Regions to forward', () => {
      const names = prod.synthesis.templates
        .filter((entry) => entry.kind === 'registry')
        .map((entry) => [entry.name, entry.regions]);

      expect(names).toEqual([
        ['prod-ecr-pull-reconciler-Registry-111111111111', ['eu-central-1']],
        [
          'prod-ecr-pull-reconciler-Registry-222222222222',
          ['eu-west-1', 'us-east-1'],
        ],
      ]);
    });

    it('forwards pushes and repository changes', () => {
      for (const registry of prod.kind('registry')) {
        expectSameMembers(
          forwardingRules(registry).map((rule) => rule.EventPattern),
          renderedPatterns('imagePushed', 'repositoryChanged')
        );
      }
    });

    it('gives the writer role only tag and policy access to its own Regions', () => {
      const registry = prod.named(
        'prod-ecr-pull-reconciler-Registry-222222222222'
      );
      const writer = registry.roleNamed('PolicyWriter');

      expect(permissionsOf(writer)).toEqual([
        {
          Effect: 'Allow',
          Action: [
            'ecr:DescribeRepositories',
            'ecr:ListTagsForResource',
            'ecr:GetRepositoryPolicy',
            'ecr:SetRepositoryPolicy',
            'ecr:DeleteRepositoryPolicy',
          ],
          Resource: [
            'arn:aws:ecr:eu-west-1:{AWS::AccountId}:repository/*',
            'arn:aws:ecr:us-east-1:{AWS::AccountId}:repository/*',
          ],
        },
      ]);
      expect(writer.Condition).toBe('CreatesAccountRoles');
    });

    it('trusts the writer role to exactly the central roles that assume it', () => {
      const writer = prod
        .named('prod-ecr-pull-reconciler-Registry-222222222222')
        .roleNamed('PolicyWriter');
      const expected = centralRolesAllowed(
        prodPermissions,
        centralRegistry,
        'sts:AssumeRole',
        'arn:aws:iam::222222222222:role/PolicyWriter'
      );

      expect(expected).toHaveLength(3);
      expect(centralTrust(writer, '111111111111')).toEqual(expected);
    });

    it('gives the central account no writer role, its functions write directly', () => {
      const central = prod.named(
        'prod-ecr-pull-reconciler-Registry-111111111111'
      );

      expect(central.ofType('AWS::IAM::Role').map(([id]) => id)).toEqual([
        expect.stringMatching(/^ForwardingRole/),
      ]);
    });
  });

  describe('Stack: Management', () => {
    it('forwards account moves, removals and creations', () => {
      expectSameMembers(
        forwardingRules(prod.one('management')).map(
          (rule) => rule.EventPattern
        ),
        renderedPatterns('accountMoved', 'accountCreated')
      );
    });

    it('refuses to deploy outside us-east-1 of the management account', () => {
      const rules = prod.one('management').template.Rules;

      expect(rules).toEqual({
        ManagementAccountInUsEast1: {
          Assertions: [
            {
              Assert: {
                'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'],
              },
              AssertDescription: expect.stringMatching(/us-east-1/),
            },
            {
              Assert: {
                'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '999999999999'],
              },
              AssertDescription: expect.stringMatching(/999999999999/),
            },
          ],
        },
      });
    });

    it('creates the configured Organizations role, trusted by exactly the central roles that assume it', () => {
      const role = prod
        .one('management')
        .roleNamed('EcrPullReconcilerOrgReader');
      const expected = centralRolesAllowed(
        prodPermissions,
        centralRegistry,
        'sts:AssumeRole',
        centralRegistry.organizationsRoleArn ?? ''
      );

      expect(role.Properties.Path).toBe('/platform/');
      expect(expected).toHaveLength(3);
      expect(centralTrust(role, '111111111111')).toEqual(expected);
    });

    it('lets the Organizations role only describe and list', () => {
      const role = prod
        .one('management')
        .roleNamed('EcrPullReconcilerOrgReader');

      expect(actionsOf(permissionsOf(role))).toEqual([
        'organizations:DescribeOrganization',
        'organizations:ListAccountsForParent',
        'organizations:ListOrganizationalUnitsForParent',
        'organizations:ListParents',
        'organizations:ListRoots',
      ]);
    });

    it('delegates the reads to exactly the central roles that read Organizations, when no role is configured', () => {
      const management = dev.one('management');
      const delegation = management.only('AWS::Organizations::ResourcePolicy');
      const [statement, ...more] = listOf(
        (delegation.Properties.Content as Json).Statement as Statement[]
      );
      const readers = centralRolesAllowed(
        devPermissions,
        toolingAccount,
        'organizations:ListRoots'
      );

      expect(readers).toHaveLength(3);
      expect(more).toEqual([]);
      expect(statement).toMatchObject({
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::333333333333:root' },
      });
      expect(
        listOf(
          statement?.Condition?.ArnEquals?.['aws:PrincipalArn'] as string[]
        ).sort()
      ).toEqual(readers);
      expect(actionsOf(statement ? [statement] : [])).toEqual([
        'organizations:DescribeOrganization',
        'organizations:ListAccountsForParent',
        'organizations:ListOrganizationalUnitsForParent',
        'organizations:ListParents',
        'organizations:ListRoots',
      ]);
      expect(management.ofType('AWS::IAM::Role')).toHaveLength(1);
    });

    it('needs neither role nor delegation when the central account is the management account', () => {
      const config = { ...toolingAccount, managementAccountId: '333333333333' };
      const management = Rollout.of(config, 'dev').one('management');

      expect(management.ofType('AWS::Organizations::ResourcePolicy')).toEqual(
        []
      );
      expect(management.ofType('AWS::IAM::Role')).toHaveLength(1);
    });
  });

  describe('Stack: MemberStackSet', () => {
    it('is service-managed and follows accounts in and out of the configured OUs', () => {
      const stackSet = prod
        .one('member-stackset')
        .only('AWS::CloudFormation::StackSet');

      expect(stackSet.Properties).toMatchObject({
        StackSetName: 'prod-ecr-pull-reconciler-member',
        PermissionModel: 'SERVICE_MANAGED',
        CallAs: 'SELF',
        AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        StackInstancesGroup: [
          {
            DeploymentTargets: {
              OrganizationalUnitIds: ['ou-ab12-34cd5678', 'r-ab12'],
            },
            Regions: ['eu-west-1', 'us-east-1'],
          },
        ],
      });
    });

    it('deploys the member template with the central bus of the stage', () => {
      const stackSet = prod
        .one('member-stackset')
        .only('AWS::CloudFormation::StackSet');
      const member = prod.one('member');

      expect(JSON.parse(stackSet.Properties.TemplateBody as string)).toEqual(
        member.template
      );
      expect(stackSet.Properties.Parameters).toEqual([
        {
          ParameterKey: 'CentralEventBusArn',
          ParameterValue:
            'arn:aws:events:eu-west-1:111111111111:event-bus/ecr-pull-reconciler',
        },
        { ParameterKey: 'AccountRolesRegion', ParameterValue: 'eu-west-1' },
      ]);
    });

    it('is called as delegated administrator when configured', () => {
      const stackSet = dev
        .one('member-stackset')
        .only('AWS::CloudFormation::StackSet');

      expect(stackSet.Properties).toMatchObject({
        CallAs: 'DELEGATED_ADMIN',
        Parameters: [
          {
            ParameterKey: 'CentralEventBusArn',
            ParameterValue:
              'arn:aws:events:us-east-1:333333333333:event-bus/dev-ecr-pull-reconciler',
          },
          { ParameterKey: 'AccountRolesRegion', ParameterValue: 'us-east-1' },
        ],
      });
    });

    it('is left out, naming the key, when no OU is configured', () => {
      const { memberOrganizationalUnitIds: _ous, ...withoutOus } =
        toolingAccount;
      const rollout = Rollout.of(withoutOus, 'dev');

      expect(rollout.kind('member-stackset')).toEqual([]);
      expect(rollout.synthesis.skipped).toEqual([
        expect.stringMatching(
          /^dev-ecr-pull-reconciler-MemberStackSet: memberOrganizationalUnitIds: /
        ),
      ]);
    });
  });
});
