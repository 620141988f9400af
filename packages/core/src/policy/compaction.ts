import { sortedUnique } from './managed-statement.js';
import type { Compaction } from './types.js';

const ROLE_ARN = /^arn:([^:]+):iam::(\d{12}):role\/(.+)$/;

/**
 * The replacements to try, in order, when the exact role list does not fit:
 * the roles of one account become one pattern on their longest common name,
 * largest groups first, ties broken by account id. A pattern never reaches
 * beyond the account of the roles it replaces.
 */
export function compactionOrder(roleArns: readonly string[]): Compaction[] {
  const groups = new Map<string, { accountId: string; roles: string[] }>();
  for (const roleArn of sortedUnique(roleArns)) {
    const match = ROLE_ARN.exec(roleArn);
    if (match === null) {
      continue;
    }
    const [, partition = '', accountId = ''] = match;
    const key = `arn:${partition}:iam::${accountId}:role/`;
    const group = groups.get(key) ?? { accountId, roles: [] };
    group.roles.push(roleArn);
    groups.set(key, group);
  }

  return [...groups.entries()]
    .filter(([, group]) => group.roles.length >= 2)
    .sort(
      ([keyA, a], [keyB, b]) =>
        b.roles.length - a.roles.length ||
        compareText(a.accountId, b.accountId) ||
        compareText(keyA, keyB)
    )
    .map(([key, group]) => ({
      accountId: group.accountId,
      pattern: `${key}${commonPrefix(
        group.roles.map((roleArn) => roleArn.slice(key.length))
      )}*`,
      roleArns: group.roles,
    }));
}

/** The principal list once the given compactions have replaced their roles. */
export function applyCompactions(
  roleArns: readonly string[],
  compactions: readonly Compaction[]
): string[] {
  const replaced = new Set(compactions.flatMap((step) => step.roleArns));

  return sortedUnique([
    ...roleArns.filter((roleArn) => !replaced.has(roleArn)),
    ...compactions.map((step) => step.pattern),
  ]);
}

function commonPrefix(names: readonly string[]): string {
  let prefix = names[0] ?? '';
  for (const name of names) {
    while (!name.startsWith(prefix)) {
      prefix = prefix.slice(0, -1);
    }
  }

  return prefix;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
