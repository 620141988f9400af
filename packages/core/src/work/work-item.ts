import * as z from 'zod';

/**
 * What the work queue carries: a hint that one repository may need a new
 * policy, or that one member account's build projects must be indexed
 * again. Items name what to look at, never what to write: the worker reads
 * the current state and decides (level-triggered).
 */
export type WorkItem =
  | {
      kind: 'reconcile-repository';
      repositoryArn: string;
      /** What queued it, for the logs: an event name or `sweep`. */
      reason: string;
      /**
       * When the hint was observed (epoch ms). State cached before then
       * cannot reflect the change, so the worker reads it again.
       */
      observedAt: number;
    }
  | {
      kind: 'refresh-account';
      accountId: string;
      reason: string;
      observedAt: number;
    };

const REPOSITORY_ARN = /^arn:aws[a-z-]*:ecr:[a-z0-9-]+:\d{12}:repository\/.+$/;

export const workItemSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('reconcile-repository'),
    repositoryArn: z.string().regex(REPOSITORY_ARN, 'not a repository ARN'),
    reason: z.string().max(256),
    observedAt: z.number().int().nonnegative(),
  }),
  z.strictObject({
    kind: z.literal('refresh-account'),
    accountId: z.string().regex(/^\d{12}$/, 'not an account id'),
    reason: z.string().max(256),
    observedAt: z.number().int().nonnegative(),
  }),
]);

/**
 * The FIFO message group of an item. One group per repository serializes
 * its read-modify-write cycles, as SetRepositoryPolicy has no conditional
 * write; account refreshes get groups of their own.
 */
export function messageGroupOf(item: WorkItem): string {
  return item.kind === 'reconcile-repository'
    ? item.repositoryArn
    : `account/${item.accountId}`;
}

export function reconcileRepository(
  repositoryArn: string,
  reason: string,
  observedAt = Date.now()
): WorkItem {
  return { kind: 'reconcile-repository', repositoryArn, reason, observedAt };
}

export function refreshAccount(
  accountId: string,
  reason: string,
  observedAt = Date.now()
): WorkItem {
  return { kind: 'refresh-account', accountId, reason, observedAt };
}
