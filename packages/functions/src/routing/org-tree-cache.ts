import type { OrgTree } from '../../../core/src/index.js';

/**
 * Keeps the Organization's tree in a warm Lambda for a short while. Reading
 * the whole tree costs a call per OU at Organizations' low request rate,
 * and a batch of ten items would otherwise read it ten times. A tree read
 * before a work item's hint was observed cannot reflect the change behind
 * it (an account move), so such an item always gets a fresh read.
 */
export class OrgTreeCache {
  #cached: { startedAt: number; tree: Promise<OrgTree> } | undefined;

  constructor(
    private readonly read: () => Promise<OrgTree>,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now
  ) {}

  get(notBefore = 0): Promise<OrgTree> {
    const now = this.now();
    const cached = this.#cached;
    const usable =
      cached !== undefined &&
      cached.startedAt >= notBefore &&
      now - cached.startedAt < this.ttlMs;
    if (usable) return cached.tree;

    const tree = this.read();
    const entry = { startedAt: now, tree };
    this.#cached = entry;
    // A failed read must not be served to the next item.
    tree.catch(() => {
      if (this.#cached === entry) this.#cached = undefined;
    });

    return tree;
  }
}
