import type { ShareTagParse, ShareTarget } from './types.js';

/** The most characters an ECR tag value can hold. */
export const SHARE_TAG_MAX_LENGTH = 256;

const OU_ID = /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const ACCOUNT_ID = /^\d{12}$/;
const ORG_TOKEN = 'org';

const KIND_ORDER: Readonly<Record<ShareTarget['kind'], number>> = {
  org: 0,
  root: 1,
  ou: 2,
  account: 3,
};

/**
 * Reads a `share-with` tag value: space-separated targets, each an OU id, the
 * root id, a 12-digit account id or `org`. The whole value is refused when
 * any token is unknown, so that a typo never shares less (or more) than the
 * registry owner meant. Targets come back deduplicated and sorted, so two
 * spellings of one audience compare equal.
 */
export function parseShareTag(value: string | undefined): ShareTagParse {
  if (typeof value !== 'string') return refuse('the tag has no value');
  if (value.length > SHARE_TAG_MAX_LENGTH) {
    return refuse(
      `the value is ${value.length} characters long, more than the ` +
        `${SHARE_TAG_MAX_LENGTH} an ECR tag value can hold`
    );
  }
  const tokens = value.split(' ').filter((token) => token.length > 0);
  if (tokens.length === 0) {
    return refuse(
      'the value names no target; give OU ids, the root id, ' +
        `12-digit account ids or '${ORG_TOKEN}', separated by spaces`
    );
  }

  const targets = new Map<string, ShareTarget>();
  for (const token of tokens) {
    const target = shareTargetOf(token);
    if (target === undefined) return refuse(unknownTokenReason(token));
    targets.set(shareTargetKey(target), target);
  }

  return { ok: true, targets: [...targets.values()].sort(compareTargets) };
}

/** One target as it is written in the tag value. */
export function shareTargetKey(target: ShareTarget): string {
  return target.kind === 'org' ? ORG_TOKEN : target.id;
}

/** The tag value that `parseShareTag` reads back as these targets. */
export function formatShareTag(targets: readonly ShareTarget[]): string {
  return targets.map(shareTargetKey).join(' ');
}

function shareTargetOf(token: string): ShareTarget | undefined {
  if (token === ORG_TOKEN) return { kind: 'org' };
  if (OU_ID.test(token)) return { kind: 'ou', id: token };
  if (ROOT_ID.test(token)) return { kind: 'root', id: token };
  if (ACCOUNT_ID.test(token)) return { kind: 'account', id: token };

  return undefined;
}

function unknownTokenReason(token: string): string {
  const shown = JSON.stringify(token);
  if (token.includes(',')) {
    return (
      `${shown} contains a comma: ECR tag values cannot hold commas, ` +
      'so separate targets with spaces'
    );
  }

  return (
    `${shown} is not an OU id (ou-xxxx-xxxxxxxx), a root id (r-xxxx), ` +
    `a 12-digit account id or '${ORG_TOKEN}'`
  );
}

function compareTargets(left: ShareTarget, right: ShareTarget): number {
  const byKind = KIND_ORDER[left.kind] - KIND_ORDER[right.kind];
  if (byKind !== 0) return byKind;
  const leftKey = shareTargetKey(left);
  const rightKey = shareTargetKey(right);
  if (leftKey === rightKey) return 0;

  return leftKey < rightKey ? -1 : 1;
}

function refuse(reason: string): ShareTagParse {
  return { ok: false, reason };
}
