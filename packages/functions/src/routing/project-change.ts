import type { CodeBuildGateway } from '../../../aws/src/codebuild.js';
import type { ProjectIndexGateway } from '../../../aws/src/project-index.js';
import { reconcileRepository } from '../../../core/src/index.js';
import type { ProjectChangeEvent } from '../events/schemas.js';
import { indexProject } from './indexing.js';
import { isManagedRepository, queue, settle } from './route.js';
import type { RouteResult, RouterDependencies } from './types.js';

export interface ProjectRouterDependencies extends RouterDependencies {
  codebuild: Pick<CodeBuildGateway, 'getBuildProjects'>;
  projectIndex: ProjectIndexGateway;
}

/**
 * A CodeBuild project was created, updated or deleted. The event is only a
 * hint: CloudTrail events come late and out of order, and a DeleteProject
 * record carries no project, so the project is read back from CodeBuild in
 * its account. Absent from the answer means deleted (moto never fills
 * `projectsNotFound`; the gateway counts what is missing).
 */
export async function routeProjectChange(
  event: ProjectChangeEvent,
  dependencies: ProjectRouterDependencies
): Promise<RouteResult> {
  const { detail } = event;
  const accountId = detail.recipientAccountId ?? event.account;
  const region = detail.awsRegion ?? event.region;
  const name = (detail.responseElements?.project?.name ??
    detail.requestParameters?.name) as string;
  const about = {
    eventId: event.id,
    eventName: detail.eventName,
    accountId,
    region,
    projectName: name,
  };
  if (detail.errorCode) {
    return settle(
      dependencies.telemetry,
      {
        outcome: 'ignored',
        reason: `the call failed (${detail.errorCode})`,
        items: [],
      },
      about
    );
  }

  // Known limitation: two events for one project routed at once each read
  // CodeBuild and write the index, and the later write wins even if its
  // read was the older; the next event or sweep repairs it. A conditional
  // put on CodeBuild's `lastModified` would close the gap.
  const lookup = await dependencies.codebuild.getBuildProjects(
    { accountId, region },
    [name]
  );
  const project = lookup.found[0];
  const projectArn =
    project?.arn ??
    (name.startsWith('arn:')
      ? name
      : `arn:aws:codebuild:${region}:${accountId}:project/${name}`);
  const { repositories, entry } = await indexProject(
    dependencies.projectIndex,
    projectArn,
    project,
    dependencies.config
  );
  const managed = repositories.filter((arn) =>
    isManagedRepository(arn, dependencies.config)
  );
  const observedAt = (dependencies.now ?? Date.now)();
  const state = !project
    ? 'project not found: removed from the index'
    : entry
      ? `indexed as pulling from ${entry.repositoryArn}`
      : 'not opted in or not pulling from private ECR: not indexed';
  const result = await queue(
    dependencies,
    managed.map((arn) =>
      reconcileRepository(arn, detail.eventName, observedAt)
    ),
    event.id,
    state
  );

  return settle(dependencies.telemetry, result, { ...about, projectArn });
}
