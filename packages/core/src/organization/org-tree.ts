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
