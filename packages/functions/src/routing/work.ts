import type { CodeBuildGateway } from '../../../aws/src/codebuild.js';
import type { ProjectIndexGateway } from '../../../aws/src/project-index.js';
import type { WorkQueueGateway } from '../../../aws/src/work-queue.js';
import {
  isActiveMember,
  memberRegionsOf,
  type ReconcilerConfig,
  type Report,
  reconcileRepository,
  type WorkItem,
} from '../../../core/src/index.js';
import {
  allFindings,
  createReconciler,
  type ReconcilerGateways,
} from '../../../reconciler/src/index.js';
import { WorkItemFailedError } from '../errors.js';
import { reindexAccount } from './indexing.js';
import type { OrgTreeCache } from './org-tree-cache.js';
import { isManagedRepository, unique } from './route.js';
import type { Telemetry } from './types.js';

export interface WorkerDependencies {
  config: ReconcilerConfig;
  telemetry: Telemetry;
  gateways: ReconcilerGateways;
  codebuild: Pick<CodeBuildGateway, 'listBuildProjects'>;
  projectIndex: ProjectIndexGateway;
  workQueue: WorkQueueGateway;
  orgTrees: OrgTreeCache;
  now?: () => number;
}

export type WorkOutcome =
  | { kind: 'reconciled'; repositoryArn: string; report: Report }
  | { kind: 'repository-gone'; repositoryArn: string }
  | { kind: 'account-refreshed'; accountId: string; queued: string[] };

/** Report errors that mean there is nothing left to reconcile. */
const NOTHING_TO_DO = new Set(['REPOSITORY_NOT_FOUND']);

function countReport(telemetry: Telemetry, report: Report): void {
  const { summary } = report;
  telemetry.count('GrantsAdded', summary.grantsAdded);
  telemetry.count('GrantsRemoved', summary.grantsRemoved);
  const writes = report.repositories.filter(
    (plan) => plan.write !== 'none' && plan.status === 'changed'
  ).length;
  telemetry.count('PolicyWrites', writes);
  const byCode = new Map<string, number>();
  for (const finding of allFindings(report)) {
    byCode.set(finding.code, (byCode.get(finding.code) ?? 0) + 1);
  }
  for (const [code, count] of byCode) {
    telemetry.count('Findings', count, { code });
  }
}

/**
 * Reconciles one repository from the current state (level-triggered):
 * grants from the project index, audience from the tag read now, the org
 * tree from Organizations. Writes only when the policy differs by content,
 * so duplicate deliveries write nothing.
 */
async function reconcileOne(
  item: Extract<WorkItem, { kind: 'reconcile-repository' }>,
  dependencies: WorkerDependencies
): Promise<WorkOutcome> {
  const { config, telemetry, projectIndex, orgTrees } = dependencies;
  const reconciler = createReconciler({
    config,
    logger: telemetry.logger,
    gateways: {
      ...dependencies.gateways,
      organizations: { readOrgTree: () => orgTrees.get(item.observedAt) },
    },
    projectSource: {
      listBuildProjects: async (accountId, region) =>
        (await projectIndex.projectsOfAccount(accountId))
          .filter((entry) => entry.project.region === region)
          .map((entry) => entry.project),
      projectsOfRepository: async (repositoryArn) =>
        (await projectIndex.projectsOfRepository(repositoryArn)).map(
          (entry) => entry.project
        ),
    },
  });
  const report = await reconciler.reconcile({
    mode: 'apply',
    repository: item.repositoryArn,
  });
  const failures = report.errors.filter(
    (error) => !NOTHING_TO_DO.has(error.code)
  );
  if (failures.length > 0) {
    throw new WorkItemFailedError(
      `Reconcile of ${item.repositoryArn} failed: ${failures
        .map((error) => `${error.code} ${error.message}`)
        .join('; ')}`,
      failures.map((error) => error.code)
    );
  }
  countReport(telemetry, report);
  if (report.repositories.length === 0) {
    telemetry.logger.info('Repository gone; nothing to reconcile', {
      repositoryArn: item.repositoryArn,
      reason: item.reason,
    });

    return { kind: 'repository-gone', repositoryArn: item.repositoryArn };
  }

  return { kind: 'reconciled', repositoryArn: item.repositoryArn, report };
}

/**
 * Indexes every project of one member account again (a new account, or a
 * sweep), then queues the repositories whose grants may have changed.
 */
async function refreshOne(
  item: Extract<WorkItem, { kind: 'refresh-account' }>,
  causeId: string,
  dependencies: WorkerDependencies
): Promise<WorkOutcome> {
  const { config, codebuild, projectIndex, workQueue } = dependencies;
  const tree = await dependencies.orgTrees.get(item.observedAt);
  // An account that left the Organization keeps no index entries: its
  // projects can never be granted again, and their repositories are
  // reconciled once more to drop their roles.
  const member = isActiveMember(tree, item.accountId);
  const affected: string[] = [];
  for (const region of memberRegionsOf(config)) {
    const projects = member
      ? await codebuild.listBuildProjects({
          accountId: item.accountId,
          region,
        })
      : [];
    affected.push(
      ...(await reindexAccount(
        projectIndex,
        item.accountId,
        region,
        projects,
        config
      ))
    );
  }
  const queued = unique(affected).filter((arn) =>
    isManagedRepository(arn, config)
  );
  const observedAt = (dependencies.now ?? Date.now)();
  if (queued.length > 0) {
    await workQueue.send(
      queued.map((arn) =>
        reconcileRepository(arn, `refresh of ${item.accountId}`, observedAt)
      ),
      causeId
    );
    dependencies.telemetry.count('WorkItemsQueued', queued.length);
  }
  dependencies.telemetry.logger.info('Account re-indexed', {
    accountId: item.accountId,
    member,
    reason: item.reason,
    queued,
  });

  return { kind: 'account-refreshed', accountId: item.accountId, queued };
}

/** Does one work item; throws when it must be delivered again. */
export async function processWorkItem(
  item: WorkItem,
  causeId: string,
  dependencies: WorkerDependencies
): Promise<WorkOutcome> {
  const outcome =
    item.kind === 'reconcile-repository'
      ? await reconcileOne(item, dependencies)
      : await refreshOne(item, causeId, dependencies);
  dependencies.telemetry.count('WorkItems', 1, { kind: item.kind });

  return outcome;
}
