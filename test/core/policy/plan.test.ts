import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY_VERSION,
  MAX_POLICY_LENGTH,
  type PolicyPlan,
  type PolicyPlanInput,
  planPolicy,
  renderManagedStatement,
} from '../../../packages/core/src/policy/index.js';
import { policyFixture } from './policy-fixtures.js';

const SID_PREFIX = 'EcrPullReconciler';
const ORGANIZATION_ID = 'o-a1b2c3d4e5';
const API_ROLE = 'arn:aws:iam::111122223333:role/codebuild-api';
const WEB_ROLE = 'arn:aws:iam::444455556666:role/codebuild-web';

type OkPlan = Extract<PolicyPlan, { ok: true }>;

function planFor(
  currentText: string | undefined,
  roleArns: readonly string[],
  options: Partial<PolicyPlanInput> = {}
): PolicyPlan {
  return planPolicy({
    currentText,
    sidPrefix: SID_PREFIX,
    access: { organizationId: ORGANIZATION_ID, roleArns },
    ...options,
  });
}

function expectOk(plan: PolicyPlan): OkPlan {
  if (!plan.ok) {
    throw new Error(`expected a plan, got ${plan.finding.message}`);
  }

  return plan;
}

function managedStatement(roleArns: readonly string[]) {
  return renderManagedStatement(SID_PREFIX, {
    organizationId: ORGANIZATION_ID,
    principalArns: roleArns,
  });
}

/** Role ARNs of one account, with names sharing a prefix per account. */
function rolesOf(accountId: string, team: string, count: number): string[] {
  return Array.from(
    { length: count },
    (_, index) =>
      `arn:aws:iam::${accountId}:role/service-role/codebuild-${team}-project-${index}`
  );
}

describe('Function: planPolicy', () => {
  it('adds a managed statement to a repository without a policy', () => {
    // Act
    const plan = expectOk(planFor(undefined, [WEB_ROLE, API_ROLE]));

    // Assess
    expect(plan).toMatchObject({
      action: 'set',
      before: null,
      after: {
        Version: DEFAULT_POLICY_VERSION,
        Statement: [managedStatement([API_ROLE, WEB_ROLE])],
      },
      grantedBefore: [],
      grantedAfter: [API_ROLE, WEB_ROLE],
      compactions: [],
      staleRemoved: [],
      findings: [],
    });
    expect(plan.afterText).toBe(JSON.stringify(plan.after));
  });

  it('plans nothing when there is neither a policy nor a grant', () => {
    // Act
    const plan = expectOk(planFor(undefined, []));

    // Assess
    expect(plan).toMatchObject({ action: 'none', after: null });
    expect(plan.afterText).toBeNull();
  });

  it('plans nothing when the policy has no statements and nothing is granted', () => {
    // Act
    const plan = expectOk(
      planFor('{"Version":"2012-10-17","Statement":[]}', [])
    );

    // Assess
    expect(plan).toMatchObject({ action: 'none', after: null });
  });

  it('keeps foreign statements, Deny included, in order around the managed one', () => {
    // Prepare
    const before = JSON.parse(policyFixture('foreign-and-managed'));
    const [push, deny, , service] = before.Statement;

    // Act
    const plan = expectOk(
      planFor(policyFixture('foreign-and-managed'), [API_ROLE])
    );

    // Assess
    expect(plan.action).toBe('set');
    expect(plan.after).toEqual({
      Version: '2012-10-17',
      Statement: [push, deny, managedStatement([API_ROLE]), service],
    });
    expect(plan.grantedBefore).toEqual([
      'arn:aws:iam::111122223333:role/service-role/codebuild-api-service-role',
      'arn:aws:iam::444455556666:role/codebuild-web-build',
    ]);
    expect(plan.grantedAfter).toEqual([API_ROLE]);
  });

  it('keeps a 2008-10-17 Version and a single-object Statement as content', () => {
    // Prepare
    const text = policyFixture('legacy-2008-single-statement');
    const { Statement: legacy } = JSON.parse(text);

    // Act
    const plan = expectOk(planFor(text, [API_ROLE]));

    // Assess
    expect(plan.after).toEqual({
      Version: '2008-10-17',
      Statement: [legacy, managedStatement([API_ROLE])],
    });
  });

  it('plans nothing for a single-object foreign Statement and no grant', () => {
    // Act
    const plan = expectOk(
      planFor(policyFixture('legacy-2008-single-statement'), [])
    );

    // Assess
    expect(plan.action).toBe('none');
  });

  it('keeps NotPrincipal statements, duplicate Sids and Id untouched', () => {
    // Prepare
    const text = policyFixture('not-principal-duplicate-sids');
    const before = JSON.parse(text);

    // Act
    const plan = expectOk(planFor(text, [WEB_ROLE]));

    // Assess
    expect(plan.after).toEqual({
      Version: '2012-10-17',
      Id: 'registry-guardrails',
      Statement: [...before.Statement, managedStatement([WEB_ROLE])],
    });
    expect(Object.keys(plan.after ?? {})).toEqual([
      'Version',
      'Id',
      'Statement',
    ]);
  });

  it('collapses duplicated managed statements into one where the first stood', () => {
    // Prepare
    const text = policyFixture('managed-duplicated');
    const [auditors, , denyTags] = JSON.parse(text).Statement;

    // Act
    const plan = expectOk(planFor(text, [API_ROLE, WEB_ROLE]));

    // Assess
    expect(plan.action).toBe('set');
    expect(plan.after?.Statement).toEqual([
      auditors,
      managedStatement([API_ROLE, WEB_ROLE]),
      denyTags,
    ]);
    expect(plan.grantedBefore).toEqual([API_ROLE, WEB_ROLE]);
  });

  it('removes opaque ids of deleted principals and reports them once', () => {
    // Act
    const plan = expectOk(
      planFor(policyFixture('stale-principals'), [API_ROLE])
    );

    // Assess
    expect(plan.staleRemoved).toEqual([
      'AIDAZXCVBNMLKJHGFDSA1',
      'AROAQWERTYUIOPASDFGHJ',
    ]);
    expect(plan.grantedBefore).toEqual([API_ROLE]);
    expect(plan.after?.Statement).toEqual([managedStatement([API_ROLE])]);
    expect(plan.findings).toHaveLength(1);
    expect(plan.findings[0]).toMatchObject({
      code: 'STALE_PRINCIPAL_REMOVED',
      severity: 'info',
    });
    expect(plan.findings[0]?.message).toContain('AROAQWERTYUIOPASDFGHJ');
    expect(plan.findings[0]?.message).toContain('AIDAZXCVBNMLKJHGFDSA1');
  });

  it('plans no write when ECR returns the same policy reformatted', () => {
    // Prepare
    const text = policyFixture('ecr-reformatted');

    // Act
    const plan = expectOk(planFor(text, [API_ROLE]));

    // Assess
    expect(plan.action).toBe('none');
    expect(plan.grantedBefore).toEqual(plan.grantedAfter);
  });

  it('plans a write when the stored role list differs', () => {
    // Act
    const plan = expectOk(
      planFor(policyFixture('ecr-reformatted'), [API_ROLE, WEB_ROLE])
    );

    // Assess
    expect(plan.action).toBe('set');
  });

  it('sets the foreign statements alone when the grants are emptied', () => {
    // Prepare
    const text = policyFixture('foreign-and-managed');
    const [push, deny, , service] = JSON.parse(text).Statement;

    // Act
    const plan = expectOk(planFor(text, []));

    // Assess
    expect(plan.action).toBe('set');
    expect(plan.after?.Statement).toEqual([push, deny, service]);
    expect(plan.grantedAfter).toEqual([]);
  });

  it('deletes the policy when the grants are emptied and nothing else is left', () => {
    // Act
    const plan = expectOk(planFor(policyFixture('stale-principals'), []));

    // Assess
    expect(plan).toMatchObject({
      action: 'delete',
      after: null,
      afterText: null,
    });
    expect(plan.staleRemoved).toHaveLength(2);
  });

  it('refuses a policy it cannot read, before touching anything', () => {
    // Act
    const plan = planFor('{"Statement": "everything"}', [API_ROLE]);

    // Assess
    expect(plan.ok).toBe(false);
    expect(plan).toMatchObject({
      before: null,
      finding: { code: 'INVALID_REPOSITORY_POLICY', severity: 'error' },
    });
    expect(plan.ok ? '' : plan.finding.message).toContain('neither');
  });

  it('refuses to plan when foreign statements alone exceed the limit', () => {
    // Prepare
    const sourceIps = Array.from(
      { length: 800 },
      (_, index) => `10.${index >> 8}.${index & 255}.0/24`
    );
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyOutsideOffices',
          Effect: 'Deny',
          Principal: '*',
          Action: 'ecr:*',
          Condition: { NotIpAddress: { 'aws:SourceIp': sourceIps } },
        },
      ],
    });

    // Act
    const plan = planFor(text, [API_ROLE]);

    // Assess
    expect(plan).toMatchObject({
      ok: false,
      finding: { code: 'POLICY_TOO_LARGE', severity: 'error' },
      before: JSON.parse(text),
    });
  });

  it('compacts 400 roles in 5 accounts, largest accounts first, until it fits', () => {
    // Prepare
    const roleArns = [
      ...rolesOf('111111111111', 'alpha', 150),
      ...rolesOf('222222222222', 'bravo', 100),
      ...rolesOf('333333333333', 'charlie', 80),
      ...rolesOf('444444444444', 'delta', 50),
      ...rolesOf('555555555555', 'echo', 20),
    ];

    // Act
    const plan = expectOk(planFor(undefined, roleArns));

    // Assess
    expect(plan.afterText?.length).toBeLessThanOrEqual(MAX_POLICY_LENGTH);
    expect(plan.compactions.map((step) => step.pattern)).toEqual([
      'arn:aws:iam::111111111111:role/service-role/codebuild-alpha-project-*',
      'arn:aws:iam::222222222222:role/service-role/codebuild-bravo-project-*',
      'arn:aws:iam::333333333333:role/service-role/codebuild-charlie-project-*',
    ]);
    expect(plan.compactions.map((step) => step.roleArns.length)).toEqual([
      150, 100, 80,
    ]);
    expect(plan.grantedAfter).toEqual(
      [
        ...plan.compactions.map((step) => step.pattern),
        ...rolesOf('444444444444', 'delta', 50),
        ...rolesOf('555555555555', 'echo', 20),
      ].sort()
    );
    expect(plan.findings).toEqual([
      expect.objectContaining({
        code: 'POLICY_COMPACTED',
        severity: 'warning',
      }),
    ]);
    expect(plan.findings[0]?.message).toContain(
      'arn:aws:iam::111111111111:role/service-role/codebuild-alpha-project-* (150 roles)'
    );
  });

  it('breaks ties between equal groups by account id', () => {
    // Prepare
    const roleArns = [
      ...rolesOf('999999999999', 'zulu', 3),
      ...rolesOf('100000000000', 'yankee', 3),
    ];
    const exactLength = expectOk(planFor(undefined, roleArns)).afterText
      ?.length;

    // Act
    const plan = expectOk(
      planFor(undefined, roleArns, { maxLength: (exactLength ?? 0) - 1 })
    );

    // Assess
    expect(plan.compactions).toEqual([
      {
        accountId: '100000000000',
        pattern:
          'arn:aws:iam::100000000000:role/service-role/codebuild-yankee-project-*',
        roleArns: rolesOf('100000000000', 'yankee', 3),
      },
    ]);
  });

  it('falls back to role/* when the roles of an account share no prefix', () => {
    // Prepare
    const roleArns = [
      'arn:aws:iam::111122223333:role/alpha',
      'arn:aws:iam::111122223333:role/bravo',
      WEB_ROLE,
    ];
    const exactLength = expectOk(planFor(undefined, roleArns)).afterText
      ?.length;

    // Act
    const plan = expectOk(
      planFor(undefined, roleArns, { maxLength: (exactLength ?? 0) - 1 })
    );

    // Assess
    expect(plan.grantedAfter).toEqual([
      'arn:aws:iam::111122223333:role/*',
      WEB_ROLE,
    ]);
  });

  it('refuses to plan when even full compaction does not fit', () => {
    // Prepare
    const roleArns = [
      ...rolesOf('111111111111', 'alpha', 2),
      ...rolesOf('222222222222', 'bravo', 2),
    ];

    // Act
    const plan = planFor(undefined, roleArns, { maxLength: 200 });

    // Assess
    expect(plan).toMatchObject({
      ok: false,
      before: null,
      finding: { code: 'POLICY_TOO_LARGE', severity: 'error' },
    });
  });

  it('returns the same text for the same roles in any order', () => {
    // Prepare
    const roleArns = [
      ...rolesOf('111111111111', 'alpha', 150),
      ...rolesOf('222222222222', 'bravo', 120),
      ...rolesOf('333333333333', 'charlie', 120),
      ...rolesOf('444444444444', 'delta', 10),
    ];
    const shuffled = [...roleArns, ...roleArns.slice(0, 40)].sort(
      (a, b) => hash(a) - hash(b)
    );
    const text = policyFixture('not-principal-duplicate-sids');

    // Act
    const ordered = expectOk(planFor(text, roleArns));
    const reordered = expectOk(planFor(text, shuffled));

    // Assess
    expect(ordered.compactions.length).toBeGreaterThan(0);
    expect(reordered.afterText).toBe(ordered.afterText);
    expect(reordered.compactions).toEqual(ordered.compactions);
  });

  it('pins the organization paths when the access names them', () => {
    // Prepare
    const orgPaths = ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*'];

    // Act
    const plan = expectOk(
      planPolicy({
        currentText: undefined,
        sidPrefix: SID_PREFIX,
        access: {
          organizationId: ORGANIZATION_ID,
          roleArns: [API_ROLE],
          orgPaths,
        },
      })
    );

    // Assess
    expect(plan.after?.Statement[0]?.Condition).toMatchObject({
      'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': orgPaths },
    });
  });
});

/** A stable scramble, so the test does not depend on Math.random. */
function hash(text: string): number {
  let value = 7;
  for (const char of text) {
    value = (value * 31 + char.charCodeAt(0)) % 1_000_003;
  }

  return value;
}
