import { PULL_ACTIONS } from './constants.js';
import { EmptyPrincipalListError } from './errors.js';
import type { ManagedStatementInput, PolicyStatement } from './types.js';

/**
 * Renders the one statement this tool owns in a repository policy. The build
 * roles sit in a condition rather than in `Principal`: ECR refuses a policy
 * naming a role that does not exist yet, and rewrites a deleted role in
 * `Principal` to an opaque id, but checks and rewrites neither in conditions.
 * The organization condition keeps principal `*` from matching anyone outside
 * the Organization.
 */
export function renderManagedStatement(
  sid: string,
  input: ManagedStatementInput
): PolicyStatement {
  const principalArns = sortedUnique(input.principalArns);
  if (principalArns.length === 0) {
    throw new EmptyPrincipalListError(
      `managed statement ${sid} needs at least one principal ARN`
    );
  }

  // ArnLike rather than ArnEquals: exact ARNs and compacted patterns such as
  // `arn:aws:iam::111122223333:role/service-role/codebuild-*` then share one
  // operator. Operators in a Condition are ANDed, so splitting the list over
  // ArnEquals and ArnLike would demand both instead of either.
  const condition: Record<string, Record<string, string | string[]>> = {
    StringEquals: { 'aws:PrincipalOrgID': input.organizationId },
    ArnLike: { 'aws:PrincipalArn': principalArns },
  };
  const orgPaths = sortedUnique(input.orgPaths ?? []);
  if (orgPaths.length > 0) {
    condition['ForAnyValue:StringLike'] = {
      'aws:PrincipalOrgPaths': orgPaths,
    };
  }

  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: '*',
    Action: [...PULL_ACTIONS].sort(),
    Condition: condition,
  };
}

/** Sorted by code unit, so the order never depends on the host's locale. */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}
