import type { WorkQueueGateway } from '../../../aws/src/work-queue.js';
import type { ReconcilerConfig, WorkItem } from '../../../core/src/index.js';
import type { AuditLogger } from '../../../reconciler/src/logger.js';

export type MetricName =
  | 'Events'
  | 'EventsReceived'
  | 'WorkItemsReceived'
  | 'ManualReconciles'
  | 'WorkItemsQueued'
  | 'WorkItems'
  | 'GrantsAdded'
  | 'GrantsRemoved'
  | 'PolicyWrites'
  | 'Findings';

/** Logs and metrics, so the logic runs the same in and out of Lambda. */
export interface Telemetry {
  logger: AuditLogger;
  count(
    metric: MetricName,
    value?: number,
    dimensions?: Record<string, string>
  ): void;
}

/** What every router needs. */
export interface RouterDependencies {
  config: ReconcilerConfig;
  telemetry: Telemetry;
  workQueue: WorkQueueGateway;
  /** The clock, in epoch ms; tests may pin it. */
  now?: () => number;
}

export type RouteOutcome = 'queued' | 'ignored' | 'rejected';

/** What a router did with one event; also the handler's response. */
export interface RouteResult {
  outcome: RouteOutcome;
  reason: string;
  items: WorkItem[];
}
