import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ancestorsOf,
  isActiveMember,
  orgPathOfAccount,
  orgPathOfUnit,
} from '../../../packages/core/src/organization/org-tree.js';
import {
  arbitraryOrgTree,
  orgTreeOf,
  SAMPLE,
  sampleOrgTree,
} from './org-tree-fixture.js';

describe('Function: ancestorsOf', () => {
  it('returns the chain from the root to the parent when given a nested account', () => {
    const tree = sampleOrgTree();

    const ancestors = ancestorsOf(tree, SAMPLE.paymentsProd);

    expect(ancestors).toEqual([
      SAMPLE.rootId,
      SAMPLE.workloadsOu,
      SAMPLE.prodOu,
    ]);
  });

  it('returns the root and outer OUs when given a nested OU', () => {
    const tree = sampleOrgTree();

    const ancestors = ancestorsOf(tree, SAMPLE.devOu);

    expect(ancestors).toEqual([SAMPLE.rootId, SAMPLE.workloadsOu]);
  });

  it('returns an empty list when given the root or an unknown id', () => {
    const tree = sampleOrgTree();

    const ofRoot = ancestorsOf(tree, SAMPLE.rootId);
    const ofUnknown = ancestorsOf(tree, 'ou-ab12-99999999');

    expect(ofRoot).toEqual([]);
    expect(ofUnknown).toEqual([]);
  });

  it('returns an empty list when the parents form a cycle', () => {
    const tree = orgTreeOf({
      organizationalUnits: [
        { id: 'ou-ab12-aaaaaaaa', parentId: 'ou-ab12-bbbbbbbb' },
        { id: 'ou-ab12-bbbbbbbb', parentId: 'ou-ab12-aaaaaaaa' },
      ],
      accounts: [
        { id: '123456789012', parentId: 'ou-ab12-aaaaaaaa', status: 'ACTIVE' },
      ],
    });

    const ofAccount = ancestorsOf(tree, '123456789012');
    const ofUnit = ancestorsOf(tree, 'ou-ab12-bbbbbbbb');

    expect(ofAccount).toEqual([]);
    expect(ofUnit).toEqual([]);
  });

  it('returns an empty list when an OU is its own parent', () => {
    const tree = orgTreeOf({
      organizationalUnits: [
        { id: 'ou-ab12-aaaaaaaa', parentId: 'ou-ab12-aaaaaaaa' },
      ],
      accounts: [],
    });

    const ancestors = ancestorsOf(tree, 'ou-ab12-aaaaaaaa');

    expect(ancestors).toEqual([]);
  });

  it('returns an empty list when a parent is missing from the tree', () => {
    const tree = orgTreeOf({
      organizationalUnits: [
        { id: 'ou-ab12-aaaaaaaa', parentId: 'ou-ab12-deleted0' },
      ],
      accounts: [
        { id: '123456789012', parentId: 'ou-ab12-aaaaaaaa', status: 'ACTIVE' },
      ],
    });

    const ancestors = ancestorsOf(tree, '123456789012');

    expect(ancestors).toEqual([]);
  });
});

describe('Function: orgPathOfAccount', () => {
  it('returns the aws:PrincipalOrgPaths value when given a nested account', () => {
    const tree = sampleOrgTree();

    const path = orgPathOfAccount(tree, SAMPLE.paymentsProd);

    expect(path).toBe('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/');
  });

  it('returns the organization and root when the account sits in the root', () => {
    const tree = sampleOrgTree();

    const path = orgPathOfAccount(tree, SAMPLE.management);

    expect(path).toBe('o-a1b2c3d4e5/r-ab12/');
  });

  it('returns a path for a suspended account, whose place is still known', () => {
    const tree = sampleOrgTree();

    const path = orgPathOfAccount(tree, SAMPLE.legacyProdSuspended);

    expect(path).toBe('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/');
  });

  it('returns undefined when the account is outside the Organization', () => {
    const tree = sampleOrgTree();

    const path = orgPathOfAccount(tree, '999999999999');

    expect(path).toBeUndefined();
  });

  it('returns undefined when given an OU id instead of an account', () => {
    const tree = sampleOrgTree();

    const path = orgPathOfAccount(tree, SAMPLE.prodOu);

    expect(path).toBeUndefined();
  });

  it('returns undefined when the account hangs below a cycle', () => {
    const tree = orgTreeOf({
      organizationalUnits: [
        { id: 'ou-ab12-aaaaaaaa', parentId: 'ou-ab12-bbbbbbbb' },
        { id: 'ou-ab12-bbbbbbbb', parentId: 'ou-ab12-aaaaaaaa' },
      ],
      accounts: [
        { id: '123456789012', parentId: 'ou-ab12-bbbbbbbb', status: 'ACTIVE' },
      ],
    });

    const path = orgPathOfAccount(tree, '123456789012');

    expect(path).toBeUndefined();
  });
});

describe('Function: orgPathOfUnit', () => {
  it('returns the path through the OU itself when given an OU', () => {
    const tree = sampleOrgTree();

    const path = orgPathOfUnit(tree, SAMPLE.devOu);

    expect(path).toBe('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-33333333/');
  });

  it('returns the organization and root when given the root', () => {
    const tree = sampleOrgTree();

    const path = orgPathOfUnit(tree, SAMPLE.rootId);

    expect(path).toBe('o-a1b2c3d4e5/r-ab12/');
  });

  it('returns undefined when given an account or an unknown OU', () => {
    const tree = sampleOrgTree();

    const ofAccount = orgPathOfUnit(tree, SAMPLE.sandbox);
    const ofUnknown = orgPathOfUnit(tree, 'ou-ab12-99999999');

    expect(ofAccount).toBeUndefined();
    expect(ofUnknown).toBeUndefined();
  });
});

describe('Function: isActiveMember', () => {
  it('returns true only for ACTIVE accounts of the Organization', () => {
    const tree = sampleOrgTree();

    const answers = {
      active: isActiveMember(tree, SAMPLE.sandbox),
      suspended: isActiveMember(tree, SAMPLE.legacyProdSuspended),
      closing: isActiveMember(tree, SAMPLE.sandboxClosing),
      outsider: isActiveMember(tree, '999999999999'),
    };

    expect(answers).toEqual({
      active: true,
      suspended: false,
      closing: false,
      outsider: false,
    });
  });
});

describe('Properties: org tree walks', () => {
  it('ends every traced path at the root and every org path at its parent', () => {
    fc.assert(
      fc.property(arbitraryOrgTree({ malformed: true }), (tree) => {
        for (const [accountId, account] of tree.accounts) {
          const ancestors = ancestorsOf(tree, accountId);
          const path = orgPathOfAccount(tree, accountId);
          if (path === undefined) {
            expect(ancestors).toEqual([]);
            continue;
          }
          expect(ancestors[0]).toBe(tree.rootId);
          expect(ancestors.at(-1)).toBe(account.parentId);
          expect(new Set(ancestors).size).toBe(ancestors.length);
          expect(path).toBe(`${tree.organizationId}/${ancestors.join('/')}/`);
        }
      }),
      { numRuns: 300 }
    );
  });

  it('traces every account when no parent is broken', () => {
    fc.assert(
      fc.property(arbitraryOrgTree({ malformed: false }), (tree) => {
        for (const accountId of tree.accounts.keys()) {
          expect(orgPathOfAccount(tree, accountId)).toMatch(
            /^o-a1b2c3d4e5\/r-ab12\/(?:ou-ab12-\d{8}\/)*$/
          );
        }
      }),
      { numRuns: 200 }
    );
  });
});
