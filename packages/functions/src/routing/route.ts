import {
  parseRepositoryArn,
  type ReconcilerConfig,
  type WorkItem,
} from '../../../core/src/index.js';
import type { RouteResult, RouterDependencies, Telemetry } from './types.js';

/** Whether a repository is in a configured registry account and Region. */
export function isManagedRepository(
  repositoryArn: string,
  config: ReconcilerConfig
): boolean {
  const location = parseRepositoryArn(repositoryArn);
  if (!location) return false;

  return config.registries.some(
    (registry) =>
      registry.accountId === location.registryAccountId &&
      registry.regions.includes(location.region)
  );
}

/** Counts and logs the outcome of one event; returns it. */
export function settle(
  telemetry: Telemetry,
  result: RouteResult,
  attributes: Record<string, unknown>
): RouteResult {
  // The total has no dimension, so every invocation publishes at least
  // one metric of its own besides the per-outcome single metrics.
  telemetry.count('EventsReceived', 1);
  telemetry.count('Events', 1, { outcome: result.outcome });
  const line = {
    ...attributes,
    outcome: result.outcome,
    reason: result.reason,
  };
  if (result.outcome === 'rejected') {
    telemetry.logger.warn('Event rejected', line);
  } else {
    telemetry.logger.info('Event routed', {
      ...line,
      work: result.items.map((item) =>
        item.kind === 'reconcile-repository'
          ? item.repositoryArn
          : `account ${item.accountId}`
      ),
    });
  }

  return result;
}

/** Sends the items, then reports them as queued (or ignored if none). */
export async function queue(
  dependencies: RouterDependencies,
  items: WorkItem[],
  causeId: string,
  reason: string
): Promise<RouteResult> {
  if (items.length === 0) return { outcome: 'ignored', reason, items };

  await dependencies.workQueue.send(items, causeId);
  dependencies.telemetry.count('WorkItemsQueued', items.length);

  return { outcome: 'queued', reason, items };
}

export function rejected(reason: string): RouteResult {
  return { outcome: 'rejected', reason, items: [] };
}

export function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((value) => value !== undefined))].sort();
}
