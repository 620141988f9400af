import fc from 'fast-check';
import type {
  AccountStatus,
  OrgAccount,
  OrganizationalUnit,
  OrgTree,
} from '../../../packages/core/src/organization/org-tree.js';
import sample from './fixtures/sample-organization.json' with { type: 'json' };

export const SAMPLE = {
  organizationId: 'o-a1b2c3d4e5',
  rootId: 'r-ab12',
  workloadsOu: 'ou-ab12-11111111',
  prodOu: 'ou-ab12-22222222',
  devOu: 'ou-ab12-33333333',
  sandboxOu: 'ou-ab12-44444444',
  management: '111111111111',
  paymentsProd: '222222222222',
  legacyProdSuspended: '333333333333',
  paymentsDev: '444444444444',
  sandboxClosing: '555555555555',
  sandbox: '666666666666',
} as const;

interface TreeParts {
  organizationId?: string;
  rootId?: string;
  managementAccountId?: string;
  organizationalUnits: OrganizationalUnit[];
  accounts: OrgAccount[];
}

export function orgTreeOf(parts: TreeParts): OrgTree {
  return {
    organizationId: parts.organizationId ?? SAMPLE.organizationId,
    rootId: parts.rootId ?? SAMPLE.rootId,
    managementAccountId: parts.managementAccountId ?? SAMPLE.management,
    organizationalUnits: new Map(
      parts.organizationalUnits.map((unit) => [unit.id, unit])
    ),
    accounts: new Map(parts.accounts.map((account) => [account.id, account])),
  };
}

/** The Organization in `fixtures/sample-organization.json`. */
export function sampleOrgTree(): OrgTree {
  const [root] = sample.roots;

  return orgTreeOf({
    organizationId: sample.organization.Id,
    rootId: root?.Id ?? '',
    managementAccountId: sample.organization.MasterAccountId,
    organizationalUnits: sample.organizationalUnits.map((unit) => ({
      id: unit.Id,
      parentId: unit.ParentId,
      name: unit.Name,
    })),
    accounts: sample.accounts.map((account) => ({
      id: account.Id,
      parentId: account.ParentId,
      status: account.Status as AccountStatus,
      name: account.Name,
    })),
  });
}

const STATUSES: readonly AccountStatus[] = [
  'ACTIVE',
  'SUSPENDED',
  'PENDING_CLOSURE',
];

const ouIdAt = (index: number) => `ou-ab12-${String(index).padStart(8, '0')}`;
const accountIdAt = (index: number) => String(100000000000 + index);

/**
 * Random Organizations: OUs nest at any depth, accounts sit anywhere, and
 * statuses vary. With `malformed`, parents may also dangle or form cycles,
 * as a snapshot read while accounts and OUs move can.
 */
export function arbitraryOrgTree(options: { malformed: boolean }) {
  return fc
    .record({
      ouCount: fc.integer({ min: 0, max: 12 }),
      accountCount: fc.integer({ min: 0, max: 24 }),
      seeds: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
      statuses: fc.array(fc.constantFrom(...STATUSES), {
        minLength: 24,
        maxLength: 24,
      }),
      brokenParents: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    })
    .map(({ ouCount, accountCount, seeds, statuses, brokenParents }) => {
      const seedAt = (index: number) => seeds[index % seeds.length] ?? 0;
      const broken = (index: number) =>
        options.malformed && brokenParents[index] === true;
      const parentOf = (index: number, candidates: number) => {
        if (broken(index)) {
          // Any OU, itself or a later one included, or one that is gone.
          const pick = seedAt(index) % (ouCount + 1);

          return pick === ouCount ? 'ou-ab12-deleted0' : ouIdAt(pick);
        }
        const pick = seedAt(index) % (candidates + 1);

        return pick === candidates ? SAMPLE.rootId : ouIdAt(pick);
      };
      const organizationalUnits = Array.from(
        { length: ouCount },
        (_, index) => ({ id: ouIdAt(index), parentId: parentOf(index, index) })
      );
      const accounts = Array.from({ length: accountCount }, (_, index) => ({
        id: accountIdAt(index),
        parentId: parentOf(ouCount + index, ouCount),
        status: statuses[index] ?? 'ACTIVE',
      }));

      return orgTreeOf({ organizationalUnits, accounts });
    });
}

export const ouIdOfIndex = ouIdAt;
export const accountIdOfIndex = accountIdAt;
