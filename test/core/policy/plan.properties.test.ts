import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY_VERSION,
  MAX_POLICY_LENGTH,
  type PolicyPlanInput,
  type PolicyStatement,
  PULL_ACTIONS,
  planPolicy,
} from '../../../packages/core/src/policy/index.js';
import {
  ORGANIZATION_ID,
  orgPaths,
  roleArns,
  SID_PREFIX,
  storedPolicy,
} from './policy-arbitraries.js';

/** Runs per property; the report of this module quotes it. */
const RUNS = 300;

const isManaged = (statement: PolicyStatement) =>
  typeof statement.Sid === 'string' && statement.Sid.startsWith(SID_PREFIX);

const foreignOf = (statements: readonly PolicyStatement[] | undefined) =>
  (statements ?? []).filter((statement) => !isManaged(statement));

const ROLE_ARN = /^arn:([^:]+):iam::(\d{12}):role\/(.*)$/;

const inputFor = (
  currentText: string | undefined,
  roles: readonly string[],
  paths: readonly string[] | undefined,
  maxLength?: number
): PolicyPlanInput => ({
  currentText,
  sidPrefix: SID_PREFIX,
  access: { organizationId: ORGANIZATION_ID, roleArns: roles, orgPaths: paths },
  maxLength,
});

/** ECR's limit most of the time, tighter limits to force the other paths. */
const maxLength = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 150, max: MAX_POLICY_LENGTH })
);

describe('Properties: planPolicy', () => {
  it('keeps foreign statements and Version exactly, in order', () => {
    fc.assert(
      fc.property(storedPolicy, roleArns, orgPaths, (stored, roles, paths) => {
        const plan = planPolicy(inputFor(stored.text, roles, paths));

        expect(plan.before).toEqual(stored.document);
        if (!plan.ok) return;
        expect(foreignOf(plan.after?.Statement)).toEqual(
          foreignOf(stored.document?.Statement)
        );
        if (plan.after === null) return;
        if (stored.document === null) {
          expect(plan.after.Version).toBe(DEFAULT_POLICY_VERSION);
        } else {
          expect('Version' in plan.after).toBe('Version' in stored.document);
          expect(plan.after.Version).toBe(stored.document.Version);
        }
      }),
      { numRuns: RUNS }
    );
  });

  it('writes one managed statement of principal * inside the Organization, pull actions only', () => {
    fc.assert(
      fc.property(storedPolicy, roleArns, orgPaths, (stored, roles, paths) => {
        const plan = planPolicy(inputFor(stored.text, roles, paths));

        if (!plan.ok) return;
        const managed = (plan.after?.Statement ?? []).filter(isManaged);
        expect(managed).toHaveLength(roles.length > 0 ? 1 : 0);
        for (const statement of managed) {
          expect(statement).toMatchObject({
            Sid: SID_PREFIX,
            Effect: 'Allow',
            Principal: '*',
            Action: [...PULL_ACTIONS].sort(),
            Condition: {
              StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID },
              ArnLike: { 'aws:PrincipalArn': plan.grantedAfter },
            },
          });
        }
      }),
      { numRuns: RUNS }
    );
  });

  it('stays within the size limit and sends the text of the plan', () => {
    fc.assert(
      fc.property(
        storedPolicy,
        roleArns,
        orgPaths,
        maxLength,
        (stored, roles, paths, limit) => {
          const plan = planPolicy(inputFor(stored.text, roles, paths, limit));

          if (!plan.ok) {
            expect(plan.finding).toMatchObject({
              code: 'POLICY_TOO_LARGE',
              severity: 'error',
            });
            expect(plan.before).toEqual(stored.document);
            return;
          }
          if (plan.after === null) {
            expect(plan.afterText).toBeNull();
            return;
          }
          expect(plan.afterText).toBe(JSON.stringify(plan.after));
          expect(plan.afterText?.length).toBeLessThanOrEqual(
            limit ?? MAX_POLICY_LENGTH
          );
          expect(
            plan.findings.filter((f) => f.code === 'POLICY_COMPACTED')
          ).toHaveLength(plan.compactions.length > 0 ? 1 : 0);
        }
      ),
      { numRuns: RUNS }
    );
  });

  it('plans nothing when run again on what it planned', () => {
    fc.assert(
      fc.property(
        storedPolicy,
        roleArns,
        orgPaths,
        maxLength,
        (stored, roles, paths, limit) => {
          const plan = planPolicy(inputFor(stored.text, roles, paths, limit));
          if (!plan.ok) return;

          const again = planPolicy(
            inputFor(
              plan.afterText ?? undefined,
              [...roles].reverse(),
              paths,
              limit
            )
          );

          expect(again).toMatchObject({
            ok: true,
            action: 'none',
            afterText: plan.afterText,
            grantedBefore: plan.grantedAfter,
            grantedAfter: plan.grantedAfter,
            compactions: plan.compactions,
            staleRemoved: [],
          });
        }
      ),
      { numRuns: RUNS }
    );
  });

  it('grants each requested role, widening only within its own account', () => {
    fc.assert(
      fc.property(storedPolicy, roleArns, maxLength, (stored, roles, limit) => {
        const plan = planPolicy(inputFor(stored.text, roles, undefined, limit));
        if (!plan.ok) return;

        const accounts = new Set(
          roles.map((role) => ROLE_ARN.exec(role)?.slice(1, 3).join(':'))
        );
        for (const granted of plan.grantedAfter) {
          if (roles.includes(granted)) continue;
          const match = ROLE_ARN.exec(granted);
          expect(granted.endsWith('*')).toBe(true);
          expect(accounts.has(match?.slice(1, 3).join(':'))).toBe(true);
        }
        for (const role of roles) {
          const covered = plan.grantedAfter.some(
            (granted) =>
              granted === role ||
              (granted.endsWith('*') && role.startsWith(granted.slice(0, -1)))
          );
          expect(covered).toBe(true);
        }
        const compacted = plan.compactions.flatMap((step) => step.roleArns);
        expect(new Set(compacted).size).toBe(compacted.length);
      }),
      { numRuns: RUNS }
    );
  });

  it('never throws, whatever text is stored', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          storedPolicy.map((p) => p.text)
        ),
        roleArns,
        (text, roles) => {
          const plan = planPolicy(inputFor(text, roles, undefined));

          expect(typeof plan.ok).toBe('boolean');
        }
      ),
      { numRuns: RUNS }
    );
  });
});
