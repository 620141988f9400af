import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveAudience } from '../../../packages/core/src/audience/audience.js';
import type { ShareTarget } from '../../../packages/core/src/audience/types.js';
import {
  ancestorsOf,
  isActiveMember,
  type OrgTree,
  orgPathOfAccount,
} from '../../../packages/core/src/organization/org-tree.js';
import {
  accountIdOfIndex,
  arbitraryOrgTree,
  orgTreeOf,
  ouIdOfIndex,
  SAMPLE,
  sampleOrgTree,
} from '../organization/org-tree-fixture.js';

const ou = (id: string): ShareTarget => ({ kind: 'ou', id });
const account = (id: string): ShareTarget => ({ kind: 'account', id });
const root = (id: string): ShareTarget => ({ kind: 'root', id });
const ORG: ShareTarget = { kind: 'org' };

const EVERY_ACTIVE_ACCOUNT = [
  SAMPLE.management,
  SAMPLE.paymentsProd,
  SAMPLE.paymentsDev,
  SAMPLE.sandbox,
];

describe('Function: resolveAudience', () => {
  it('returns every ACTIVE account and no org paths when given org', () => {
    const tree = sampleOrgTree();

    const audience = resolveAudience([ORG], tree);

    expect([...audience.accountIds].sort()).toEqual(EVERY_ACTIVE_ACCOUNT);
    expect(audience.orgPaths).toBeUndefined();
    expect(audience.missingTargets).toEqual([]);
  });

  it('returns every ACTIVE account and the root path when given the root', () => {
    const tree = sampleOrgTree();

    const audience = resolveAudience([root(SAMPLE.rootId)], tree);

    expect([...audience.accountIds].sort()).toEqual(EVERY_ACTIVE_ACCOUNT);
    expect(audience.orgPaths).toEqual(['o-a1b2c3d4e5/r-ab12/*']);
  });

  it('returns the ACTIVE accounts at any depth below an OU', () => {
    const tree = sampleOrgTree();

    const audience = resolveAudience([ou(SAMPLE.workloadsOu)], tree);

    expect([...audience.accountIds].sort()).toEqual([
      SAMPLE.paymentsProd,
      SAMPLE.paymentsDev,
    ]);
    expect(audience.orgPaths).toEqual([
      'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*',
    ]);
  });

  it('writes the full OU chain in the path of a nested OU', () => {
    const tree = sampleOrgTree();

    const audience = resolveAudience(
      [ou(SAMPLE.prodOu), ou(SAMPLE.sandboxOu)],
      tree
    );

    expect([...audience.accountIds].sort()).toEqual([
      SAMPLE.paymentsProd,
      SAMPLE.sandbox,
    ]);
    expect(audience.orgPaths).toEqual([
      'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/*',
      'o-a1b2c3d4e5/r-ab12/ou-ab12-44444444/*',
    ]);
  });

  it('drops the path of an OU that an outer OU already covers', () => {
    const tree = sampleOrgTree();

    const audience = resolveAudience(
      [ou(SAMPLE.devOu), ou(SAMPLE.workloadsOu), ou(SAMPLE.prodOu)],
      tree
    );

    expect(audience.orgPaths).toEqual([
      'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*',
    ]);
  });

  it('keeps only the root path when the root is among OUs', () => {
    const tree = sampleOrgTree();

    const audience = resolveAudience(
      [ou(SAMPLE.sandboxOu), root(SAMPLE.rootId)],
      tree
    );

    expect(audience.orgPaths).toEqual(['o-a1b2c3d4e5/r-ab12/*']);
  });

  it('returns an account target itself, and no org paths', () => {
    const tree = sampleOrgTree();

    const audience = resolveAudience(
      [ou(SAMPLE.sandboxOu), account(SAMPLE.paymentsDev)],
      tree
    );

    expect([...audience.accountIds].sort()).toEqual([
      SAMPLE.paymentsDev,
      SAMPLE.sandbox,
    ]);
    expect(audience.orgPaths).toBeUndefined();
    expect(audience.missingTargets).toEqual([]);
  });

  it('leaves out an account target that is not ACTIVE, without calling it missing', () => {
    const tree = sampleOrgTree();

    const audience = resolveAudience(
      [account(SAMPLE.legacyProdSuspended), account(SAMPLE.sandboxClosing)],
      tree
    );

    expect(audience.accountIds.size).toBe(0);
    expect(audience.missingTargets).toEqual([]);
  });

  it('reports targets that name nothing in the Organization as missing', () => {
    const tree = sampleOrgTree();
    const outsider = account('999999999999');
    const goneOu = ou('ou-ab12-99999999');
    const otherRoot = root('r-zz99');

    const audience = resolveAudience(
      [outsider, goneOu, otherRoot, ou(SAMPLE.devOu)],
      tree
    );

    expect(audience.missingTargets).toEqual([outsider, goneOu, otherRoot]);
    expect([...audience.accountIds]).toEqual([SAMPLE.paymentsDev]);
    expect(audience.orgPaths).toBeUndefined();
  });

  it('pins the paths of the OUs that exist when another OU is missing', () => {
    const tree = sampleOrgTree();

    const audience = resolveAudience(
      [ou('ou-ab12-99999999'), ou(SAMPLE.devOu)],
      tree
    );

    expect(audience.orgPaths).toEqual([
      'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-33333333/*',
    ]);
    expect(audience.missingTargets).toEqual([ou('ou-ab12-99999999')]);
  });

  it('sets no org paths when no OU target exists', () => {
    const tree = sampleOrgTree();

    const audience = resolveAudience([ou('ou-ab12-99999999')], tree);

    expect(audience.orgPaths).toBeUndefined();
    expect(audience.accountIds.size).toBe(0);
  });

  it('treats an OU caught in a cycle as missing and stops', () => {
    const tree = orgTreeOf({
      organizationalUnits: [
        { id: 'ou-ab12-aaaaaaaa', parentId: 'ou-ab12-bbbbbbbb' },
        { id: 'ou-ab12-bbbbbbbb', parentId: 'ou-ab12-aaaaaaaa' },
      ],
      accounts: [
        { id: '123456789012', parentId: 'ou-ab12-aaaaaaaa', status: 'ACTIVE' },
      ],
    });

    const audience = resolveAudience([ou('ou-ab12-aaaaaaaa')], tree);

    expect(audience.missingTargets).toEqual([ou('ou-ab12-aaaaaaaa')]);
    expect(audience.accountIds.size).toBe(0);
  });

  it('reaches an account with a dangling parent only through org', () => {
    const tree = orgTreeOf({
      organizationalUnits: [],
      accounts: [
        { id: '123456789012', parentId: 'ou-ab12-deleted0', status: 'ACTIVE' },
      ],
    });

    const byRoot = resolveAudience([root(SAMPLE.rootId)], tree);
    const byOrg = resolveAudience([ORG], tree);

    expect(byRoot.accountIds.size).toBe(0);
    expect([...byOrg.accountIds]).toEqual(['123456789012']);
  });

  it('returns the targets it was given, and nothing for none', () => {
    const tree = sampleOrgTree();

    const audience = resolveAudience([], tree);

    expect(audience.targets).toEqual([]);
    expect(audience.accountIds.size).toBe(0);
    expect(audience.orgPaths).toBeUndefined();
  });
});

/** Targets that may or may not exist in a tree from `arbitraryOrgTree`. */
function arbitraryTargets(options: { unitsOnly: boolean }) {
  const unit = fc.oneof(
    fc.constant<ShareTarget>(root(SAMPLE.rootId)),
    fc.constant<ShareTarget>(root('r-zz99')),
    fc.integer({ min: 0, max: 14 }).map((index) => ou(ouIdOfIndex(index)))
  );
  const any = fc.oneof(
    unit,
    fc.constant<ShareTarget>(ORG),
    fc
      .integer({ min: 0, max: 26 })
      .map((index) => account(accountIdOfIndex(index)))
  );

  return fc.array(options.unitsOnly ? unit : any, {
    minLength: 1,
    maxLength: 4,
  });
}

function isUnder(tree: OrgTree, accountId: string, target: ShareTarget) {
  switch (target.kind) {
    case 'org':
      return true;
    case 'account':
      return target.id === accountId;
    case 'root':
    case 'ou':
      return (
        orgPathOfAccount(tree, accountId) !== undefined &&
        ancestorsOf(tree, accountId).includes(target.id)
      );
  }
}

const coveredBy = (orgPath: string, accountPath: string) =>
  accountPath.startsWith(orgPath.slice(0, -1));

describe('Properties: resolveAudience', () => {
  it('returns exactly the ACTIVE accounts under some target', () => {
    fc.assert(
      fc.property(
        arbitraryOrgTree({ malformed: true }),
        arbitraryTargets({ unitsOnly: false }),
        (tree, targets) => {
          const audience = resolveAudience(targets, tree);

          for (const accountId of tree.accounts.keys()) {
            const expected =
              isActiveMember(tree, accountId) &&
              targets.some((target) => isUnder(tree, accountId, target));
            expect(audience.accountIds.has(accountId)).toBe(expected);
          }
          for (const accountId of audience.accountIds) {
            expect(isActiveMember(tree, accountId)).toBe(true);
          }
        }
      ),
      { numRuns: 300 }
    );
  });

  it('returns org paths that are prefixes of the org path of every account they cover', () => {
    fc.assert(
      fc.property(
        arbitraryOrgTree({ malformed: true }),
        arbitraryTargets({ unitsOnly: true }),
        (tree, targets) => {
          const audience = resolveAudience(targets, tree);

          const orgPaths = audience.orgPaths ?? [];
          for (const target of targets) {
            if (audience.missingTargets.includes(target)) continue;
            const covered = [...tree.accounts.keys()].filter((accountId) =>
              isUnder(tree, accountId, target)
            );
            const owning = orgPaths.filter((orgPath) =>
              covered.every((accountId) =>
                coveredBy(orgPath, orgPathOfAccount(tree, accountId) ?? '')
              )
            );
            expect(owning.length).toBeGreaterThan(0);
          }
          for (const accountId of tree.accounts.keys()) {
            const accountPath = orgPathOfAccount(tree, accountId);
            if (accountPath === undefined) continue;
            const matched = orgPaths.some((orgPath) =>
              coveredBy(orgPath, accountPath)
            );
            expect(matched && isActiveMember(tree, accountId)).toBe(
              audience.accountIds.has(accountId)
            );
          }
          expect(audience.orgPaths === undefined).toBe(
            audience.missingTargets.length === targets.length
          );
          expect(orgPaths).toEqual([...new Set(orgPaths)].sort());
          for (const outer of orgPaths) {
            const redundant = orgPaths.filter(
              (inner) => inner !== outer && coveredBy(outer, inner)
            );
            expect(redundant).toEqual([]);
          }
        }
      ),
      { numRuns: 300 }
    );
  });

  it('sets org paths only when every target is an OU or the root', () => {
    fc.assert(
      fc.property(
        arbitraryOrgTree({ malformed: false }),
        arbitraryTargets({ unitsOnly: false }),
        (tree, targets) => {
          const audience = resolveAudience(targets, tree);

          const unitsOnly = targets.every(
            (target) => target.kind === 'ou' || target.kind === 'root'
          );
          if (!unitsOnly) expect(audience.orgPaths).toBeUndefined();
          for (const orgPath of audience.orgPaths ?? []) {
            expect(orgPath).toMatch(
              /^o-a1b2c3d4e5\/r-ab12\/(?:ou-ab12-\d{8}\/)*\*$/
            );
          }
        }
      ),
      { numRuns: 300 }
    );
  });
});
