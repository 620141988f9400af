import { isObject } from './json.js';
import { sortedUnique } from './managed-statement.js';
import type { PolicyStatement } from './types.js';

/**
 * The unique id IAM keeps for a role or user. Once the principal is deleted,
 * ECR shows this id where the ARN was, and resubmitting it is likely refused.
 */
const OPAQUE_PRINCIPAL_ID = /^(AROA|AIDA)[A-Z0-9]{16,}$/;

export interface ManagedGrants {
  /** `aws:PrincipalArn` values, sorted and deduplicated. */
  granted: string[];
  /** Opaque ids of deleted principals, sorted and deduplicated. */
  stale: string[];
}

export function isManagedStatement(
  statement: PolicyStatement,
  sidPrefix: string
): boolean {
  return (
    typeof statement.Sid === 'string' && statement.Sid.startsWith(sidPrefix)
  );
}

/**
 * Reads what the managed statements found in a policy grant. Every operator
 * counts, so a statement written by an older version, or edited by hand with
 * another operator, still reports its roles as granted before.
 */
export function readManagedGrants(
  statements: readonly PolicyStatement[]
): ManagedGrants {
  const values = statements.flatMap((statement) => [
    ...principalArnConditionValues(statement.Condition),
    ...principalValues(statement.Principal),
    ...principalValues(statement.NotPrincipal),
  ]);
  const conditionValues = statements.flatMap((statement) =>
    principalArnConditionValues(statement.Condition)
  );

  return {
    granted: sortedUnique(
      conditionValues.filter((value) => !OPAQUE_PRINCIPAL_ID.test(value))
    ),
    stale: sortedUnique(
      values.filter((value) => OPAQUE_PRINCIPAL_ID.test(value))
    ),
  };
}

function principalArnConditionValues(condition: unknown): string[] {
  if (!isObject(condition)) {
    return [];
  }

  return Object.values(condition).flatMap((block) =>
    isObject(block)
      ? Object.entries(block)
          // Condition keys are case-insensitive in IAM.
          .filter(([key]) => key.toLowerCase() === 'aws:principalarn')
          .flatMap(([, value]) => strings(value))
      : []
  );
}

function principalValues(principal: unknown): string[] {
  return isObject(principal)
    ? Object.values(principal).flatMap(strings)
    : strings(principal);
}

function strings(value: unknown): string[] {
  const list: unknown[] = Array.isArray(value) ? value : [value];

  return list.filter((item): item is string => typeof item === 'string');
}
