import { resolveAudience } from '../audience/audience.js';
import { parseShareTag } from '../audience/share-tag.js';
import type { Audience, ShareTarget } from '../audience/types.js';
import type { ReconcilerConfig } from '../config/config.js';
import type { OrgTree } from '../organization/org-tree.js';
import type { RepositorySnapshot } from '../repository/repository.js';

export type RepositoryAudience =
  | { kind: 'not-shared' }
  | { kind: 'invalid'; value: string; reason: string }
  | { kind: 'shared'; audience: Audience };

export function audienceOfRepository(
  repository: RepositorySnapshot,
  tree: OrgTree,
  config: ReconcilerConfig
): RepositoryAudience {
  const value = repository.tags[config.tags.shareWith];
  if (value === undefined) return { kind: 'not-shared' };

  const parsed = parseShareTag(value);
  if (!parsed.ok) return { kind: 'invalid', value, reason: parsed.reason };

  return { kind: 'shared', audience: resolveAudience(parsed.targets, tree) };
}

export function describeTarget(target: ShareTarget): string {
  return target.kind === 'org' ? 'org' : target.id;
}
