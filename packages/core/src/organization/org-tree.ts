/** A snapshot of an AWS Organization: its root, OUs and accounts. */
export interface OrgTree {
  organizationId: string;
  managementAccountId: string;
  rootId: string;
  /** OU id to its parent id (the root id or another OU id). */
  organizationalUnits: ReadonlyMap<string, OrganizationalUnit>;
  accounts: ReadonlyMap<string, OrgAccount>;
}

export interface OrganizationalUnit {
  id: string;
  parentId: string;
  name?: string;
}

export type AccountStatus = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';

export interface OrgAccount {
  id: string;
  /** The root id or the id of the OU the account sits in directly. */
  parentId: string;
  status: AccountStatus;
  name?: string;
}

/**
 * The ids from the root down to the direct parent of `id` (an OU or an
 * account), root first; empty for the root itself. A snapshot read while
 * accounts move can hold a dangling parent or even a cycle: the walk then
 * stops, and the id counts as not found, which also gives an empty list.
 */
export function ancestorsOf(tree: OrgTree, id: string): string[] {
  return ancestryOf(tree, id) ?? [];
}

/**
 * The `aws:PrincipalOrgPaths` value of an account: organization id, root id
 * and OU ids down to the account's parent, each followed by `/`. Undefined
 * when the account is not in the tree or its place cannot be traced.
 */
export function orgPathOfAccount(
  tree: OrgTree,
  accountId: string
): string | undefined {
  if (!tree.accounts.has(accountId)) return undefined;
  const ancestors = ancestryOf(tree, accountId);
  if (ancestors === undefined) return undefined;

  return orgPathThrough(tree, ancestors);
}

/**
 * The org path of the root or of an OU, itself included, ending in `/`:
 * every account below it has an org path starting with this one.
 */
export function orgPathOfUnit(
  tree: OrgTree,
  unitId: string
): string | undefined {
  if (unitId !== tree.rootId && !tree.organizationalUnits.has(unitId)) {
    return undefined;
  }
  const ancestors = ancestryOf(tree, unitId);
  if (ancestors === undefined) return undefined;

  return orgPathThrough(tree, [...ancestors, unitId]);
}

/**
 * Membership comes from the account list alone: an account whose parent
 * cannot be traced is still in the Organization, only its org path is
 * unknown.
 */
export function isActiveMember(tree: OrgTree, accountId: string): boolean {
  return tree.accounts.get(accountId)?.status === 'ACTIVE';
}

/** Like `ancestorsOf`, but undefined when the id cannot be traced. */
export function ancestryOf(tree: OrgTree, id: string): string[] | undefined {
  if (id === tree.rootId) return [];
  const parentId =
    tree.organizationalUnits.get(id)?.parentId ??
    tree.accounts.get(id)?.parentId;
  if (parentId === undefined) return undefined;

  return chainToRoot(tree, parentId);
}

function chainToRoot(tree: OrgTree, parentId: string): string[] | undefined {
  const chain: string[] = [];
  const visited = new Set<string>();
  let current = parentId;
  while (current !== tree.rootId) {
    const unit = tree.organizationalUnits.get(current);
    if (unit === undefined || visited.has(current)) return undefined;
    visited.add(current);
    chain.push(current);
    current = unit.parentId;
  }
  chain.push(tree.rootId);

  return chain.reverse();
}

function orgPathThrough(tree: OrgTree, ids: readonly string[]): string {
  return `${tree.organizationId}/${ids.join('/')}/`;
}
