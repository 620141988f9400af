import { describe, expect, it } from 'vitest';
import { OrgTreeCache } from '../../../packages/functions/src/routing/org-tree-cache.js';
import { orgTree } from '../../support/domain.js';

describe('Class: OrgTreeCache', () => {
  function counting() {
    let reads = 0;
    const read = async () => {
      reads++;
      return orgTree();
    };

    return { read, reads: () => reads };
  }

  it('reads once for items observed before the cached read, within the TTL', async () => {
    // Prepare
    let now = 1_000;
    const source = counting();
    const cache = new OrgTreeCache(source.read, 60_000, () => now);

    // Act
    await cache.get(900);
    now = 30_000;
    await cache.get(1_000);

    // Assess
    expect(source.reads()).toBe(1);
  });

  it('reads again for an item observed after the cached read', async () => {
    // Prepare
    let now = 1_000;
    const source = counting();
    const cache = new OrgTreeCache(source.read, 60_000, () => now);
    await cache.get(0);
    now = 2_000;

    // Act
    await cache.get(1_500);

    // Assess
    expect(source.reads()).toBe(2);
  });

  it('reads again once the TTL passed, and after a failed read', async () => {
    // Prepare
    let now = 0;
    let fail = true;
    let reads = 0;
    const cache = new OrgTreeCache(
      async () => {
        reads++;
        if (fail) throw new Error('throttled');
        return orgTree();
      },
      60_000,
      () => now
    );

    // Act
    await expect(cache.get()).rejects.toThrow('throttled');
    fail = false;
    await cache.get();
    now = 61_000;
    await cache.get();

    // Assess
    expect(reads).toBe(3);
  });
});
