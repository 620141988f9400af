import {
  type Account,
  DescribeOrganizationCommand,
  ListRootsCommand,
  type OrganizationsClient,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
} from '@aws-sdk/client-organizations';
import type {
  AccountStatus,
  OrgAccount,
  OrganizationalUnit,
  OrgTree,
} from '../../core/src/organization/org-tree.js';
import { mapWithConcurrency } from './concurrency.js';
import { toGatewayError } from './errors.js';

/** Parents read at once while walking the tree. */
const WALK_CONCURRENCY = 4;

/**
 * Reads the whole Organization: breadth first from the root, one level
 * at a time, with a few parents in flight so a large org is quick but
 * stays under the Organizations API's low request rate.
 */
export async function readOrgTree(
  client: OrganizationsClient
): Promise<OrgTree> {
  const { Organization } = await client
    .send(new DescribeOrganizationCommand({}))
    .catch((error: unknown) => {
      throw toGatewayError(error, { operation: 'DescribeOrganization' });
    });
  const { Roots } = await client
    .send(new ListRootsCommand({}))
    .catch((error: unknown) => {
      throw toGatewayError(error, { operation: 'ListRoots' });
    });
  const rootId = Roots?.[0]?.Id ?? '';
  const organizationalUnits = new Map<string, OrganizationalUnit>();
  const accounts = new Map<string, OrgAccount>();

  let parents = [rootId];
  while (parents.length > 0) {
    const children = await mapWithConcurrency(
      parents,
      WALK_CONCURRENCY,
      (parentId) => readChildren(client, parentId)
    );
    parents = [];
    for (const child of children) {
      for (const unit of child.units) {
        organizationalUnits.set(unit.id, unit);
        parents.push(unit.id);
      }
      for (const account of child.accounts) accounts.set(account.id, account);
    }
  }

  return {
    organizationId: Organization?.Id ?? '',
    managementAccountId: Organization?.MasterAccountId ?? '',
    rootId,
    organizationalUnits,
    accounts,
  };
}

async function readChildren(
  client: OrganizationsClient,
  parentId: string
): Promise<{ units: OrganizationalUnit[]; accounts: OrgAccount[] }> {
  const units: OrganizationalUnit[] = [];
  const accounts: OrgAccount[] = [];
  let operation = 'ListOrganizationalUnitsForParent';
  try {
    const unitPages = paginateListOrganizationalUnitsForParent(
      { client },
      { ParentId: parentId }
    );
    for await (const page of unitPages) {
      for (const unit of page.OrganizationalUnits ?? []) {
        if (!unit.Id) continue;
        units.push({ id: unit.Id, parentId, name: unit.Name });
      }
    }
    operation = 'ListAccountsForParent';
    const accountPages = paginateListAccountsForParent(
      { client },
      { ParentId: parentId }
    );
    for await (const page of accountPages) {
      for (const account of page.Accounts ?? []) {
        if (!account.Id) continue;
        accounts.push({
          id: account.Id,
          parentId,
          status: accountStatus(account),
          name: account.Name,
        });
      }
    }
  } catch (error) {
    throw toGatewayError(error, { operation });
  }

  return { units, accounts };
}

/**
 * Organizations is replacing `Status` with the finer `State`. A closed
 * account can no longer act, like a suspended one; an account pending
 * activation is already a member and will act once active.
 */
export function accountStatus(account: Account): AccountStatus {
  switch (account.State ?? account.Status) {
    case 'SUSPENDED':
    case 'CLOSED':
      return 'SUSPENDED';
    case 'PENDING_CLOSURE':
      return 'PENDING_CLOSURE';
    default:
      return 'ACTIVE';
  }
}
