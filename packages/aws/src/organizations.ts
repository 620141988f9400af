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

/** Listings in flight at once while walking the tree. */
const WALK_CONCURRENCY = 4;

/**
 * Reads the whole Organization: breadth first from the root, one level
 * at a time, with a few listings in flight so a large org is quick but
 * stays under the Organizations API's low request rate. A parent's child
 * OUs and its accounts are separate listings, read side by side, so the
 * walk takes one round trip per level rather than two.
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
    const listings = parents.flatMap((parentId) => [
      { parentId, kind: 'units' as const },
      { parentId, kind: 'accounts' as const },
    ]);
    const children = await mapWithConcurrency(
      listings,
      WALK_CONCURRENCY,
      ({ parentId, kind }) =>
        kind === 'units'
          ? readUnits(client, parentId)
          : readAccounts(client, parentId)
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

interface Children {
  units: OrganizationalUnit[];
  accounts: OrgAccount[];
}

async function readUnits(
  client: OrganizationsClient,
  parentId: string
): Promise<Children> {
  const units: OrganizationalUnit[] = [];
  try {
    const pages = paginateListOrganizationalUnitsForParent(
      { client },
      { ParentId: parentId }
    );
    for await (const page of pages) {
      for (const unit of page.OrganizationalUnits ?? []) {
        if (!unit.Id) continue;
        units.push({ id: unit.Id, parentId, name: unit.Name });
      }
    }
  } catch (error) {
    throw toGatewayError(error, {
      operation: 'ListOrganizationalUnitsForParent',
    });
  }

  return { units, accounts: [] };
}

async function readAccounts(
  client: OrganizationsClient,
  parentId: string
): Promise<Children> {
  const accounts: OrgAccount[] = [];
  try {
    const pages = paginateListAccountsForParent(
      { client },
      { ParentId: parentId }
    );
    for await (const page of pages) {
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
    throw toGatewayError(error, { operation: 'ListAccountsForParent' });
  }

  return { units: [], accounts };
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
