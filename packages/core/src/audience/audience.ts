import {
  ancestryOf,
  isActiveMember,
  type OrgTree,
  orgPathOfUnit,
} from '../organization/org-tree.js';
import type { Audience, ShareTarget } from './types.js';

/**
 * Resolves share targets to the ACTIVE accounts they reach. An OU or the
 * root reaches every account below it at any depth; an account whose place
 * in the tree cannot be traced is reached only by `org` or by its own id.
 */
export function resolveAudience(
  targets: ShareTarget[],
  tree: OrgTree
): Audience {
  const members = activeMembersOf(tree);

  const accountIds = new Set<string>();
  const missingTargets: ShareTarget[] = [];
  const unitPaths: string[] = [];
  for (const target of targets) {
    const reached = accountsReachedBy(target, tree, members);
    if (reached === undefined) {
      missingTargets.push(target);
      continue;
    }
    for (const accountId of reached) accountIds.add(accountId);
    if (target.kind === 'ou' || target.kind === 'root') {
      const path = orgPathOfUnit(tree, target.id);
      if (path !== undefined) unitPaths.push(`${path}*`);
    }
  }

  const audience: Audience = {
    targets: [...targets],
    accountIds,
    missingTargets,
  };
  const onlyUnits = targets.every(
    (target) => target.kind === 'ou' || target.kind === 'root'
  );
  if (onlyUnits && unitPaths.length > 0) {
    audience.orgPaths = outermostPaths(unitPaths);
  }

  return audience;
}

interface Member {
  accountId: string;
  /** Root first; undefined when the account's place cannot be traced. */
  ancestry: readonly string[] | undefined;
}

function activeMembersOf(tree: OrgTree): Member[] {
  return [...tree.accounts.keys()]
    .filter((accountId) => isActiveMember(tree, accountId))
    .map((accountId) => ({ accountId, ancestry: ancestryOf(tree, accountId) }));
}

/** The ACTIVE accounts a target reaches, or undefined when it names nothing. */
function accountsReachedBy(
  target: ShareTarget,
  tree: OrgTree,
  members: readonly Member[]
): string[] | undefined {
  switch (target.kind) {
    case 'org':
      return members.map((member) => member.accountId);
    case 'account':
      if (!tree.accounts.has(target.id)) return undefined;

      return isActiveMember(tree, target.id) ? [target.id] : [];
    case 'root':
    case 'ou': {
      if (orgPathOfUnit(tree, target.id) === undefined) return undefined;

      return members
        .filter((member) => member.ancestry?.includes(target.id) === true)
        .map((member) => member.accountId);
    }
  }
}

/**
 * Sorted, deduplicated, and without any path that another one already
 * covers: `o/r/ou-a/*` makes `o/r/ou-a/ou-b/*` redundant in a condition.
 */
function outermostPaths(paths: readonly string[]): string[] {
  const sorted = [...new Set(paths)].sort();

  return sorted.filter(
    (path) =>
      !sorted.some(
        (other) => other !== path && path.startsWith(other.slice(0, -1))
      )
  );
}
