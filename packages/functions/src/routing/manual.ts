import type { ProjectIndexGateway } from '../../../aws/src/project-index.js';
import type { WorkQueueGateway } from '../../../aws/src/work-queue.js';
import {
  type ReconcilerConfig,
  type Report,
  reconcileRepository,
} from '../../../core/src/index.js';
import {
  createReconciler,
  type ReconcilerGateways,
} from '../../../reconciler/src/index.js';
import type { ManualReconcileRequest } from '../events/schemas.js';
import type { Telemetry } from './types.js';

export interface ManualDependencies {
  config: ReconcilerConfig;
  telemetry: Telemetry;
  gateways: ReconcilerGateways;
  projectIndex: Pick<
    ProjectIndexGateway,
    'projectsOfAccount' | 'projectsOfRepository'
  >;
  workQueue: WorkQueueGateway;
}

/**
 * Plans or applies on demand and returns the JSON report. Grants come from
 * the project index, as the worker's do: were they read live from
 * CodeBuild, the worker's next reconcile from the index could undo them.
 * An apply writes outside the per-repository FIFO groups, so every
 * repository it changed is queued once more: should it have raced the
 * worker, the serialized path settles the policy from current state.
 */
export async function runManualReconcile(
  request: ManualReconcileRequest,
  requestId: string,
  dependencies: ManualDependencies
): Promise<Report> {
  const { config, telemetry, projectIndex } = dependencies;
  const reconciler = createReconciler({
    config,
    logger: telemetry.logger,
    gateways: dependencies.gateways,
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
  const report = await reconciler.reconcile(request);

  const changed = report.repositories
    .filter((plan) => plan.status === 'changed')
    .map((plan) => plan.arn);
  if (request.mode === 'apply' && changed.length > 0) {
    await dependencies.workQueue.send(
      changed.map((arn) => reconcileRepository(arn, 'manual apply')),
      requestId
    );
  }
  telemetry.logger.info('Manual reconcile done', {
    mode: request.mode,
    repository: request.repository,
    account: request.account,
    summary: report.summary,
  });

  return report;
}
