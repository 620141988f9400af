import {
  parseRepositoryArn,
  reconcileRepository,
  repositoryArnOf,
} from '../../../core/src/index.js';
import type {
  ImageActionEvent,
  RepositoryChangeEvent,
} from '../events/schemas.js';
import { isManagedRepository, queue, rejected, settle } from './route.js';
import type { RouteResult, RouterDependencies } from './types.js';

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';

  return 'aws';
}

async function queueRepository(
  dependencies: RouterDependencies,
  repositoryArn: string,
  cause: { id: string; name: string },
  about: Record<string, unknown>
): Promise<RouteResult> {
  const { config, telemetry } = dependencies;
  if (!isManagedRepository(repositoryArn, config)) {
    return settle(
      telemetry,
      {
        outcome: 'ignored',
        reason: 'the repository is not in a configured registry',
        items: [],
      },
      { ...about, repositoryArn }
    );
  }
  const observedAt = (dependencies.now ?? Date.now)();
  const result = await queue(
    dependencies,
    [reconcileRepository(repositoryArn, cause.name, observedAt)],
    cause.id,
    cause.name
  );

  return settle(telemetry, result, { ...about, repositoryArn });
}

/**
 * An image was pushed. ECR's push events are best effort and name the
 * repository only (`resources` is empty), so the ARN is built from the
 * event's account and Region.
 */
export function routeImageAction(
  event: ImageActionEvent,
  dependencies: RouterDependencies
): Promise<RouteResult> {
  const repositoryArn = repositoryArnOf({
    partition: partitionOf(event.region),
    region: event.region,
    registryAccountId: event.account,
    repositoryName: event.detail['repository-name'],
  });
  const about = { eventId: event.id, action: event.detail['action-type'] };

  return queueRepository(
    dependencies,
    repositoryArn,
    { id: event.id, name: `ECR ${event.detail['action-type']}` },
    about
  );
}

/**
 * A repository was created, tagged, untagged or deleted. Whatever the
 * request said, the worker reads the tags back: the casing of tag fields
 * in CloudTrail records is not documented.
 */
export async function routeRepositoryChange(
  event: RepositoryChangeEvent,
  dependencies: RouterDependencies
): Promise<RouteResult> {
  const { detail } = event;
  const parameters = detail.requestParameters ?? {};
  const region = detail.awsRegion ?? event.region;
  const about = { eventId: event.id, eventName: detail.eventName };
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
  let repositoryArn: string;
  if (parameters.resourceArn) {
    const location = parseRepositoryArn(parameters.resourceArn);
    if (!location) {
      return settle(
        dependencies.telemetry,
        rejected(
          `requestParameters.resourceArn: ${parameters.resourceArn} is not a repository ARN`
        ),
        about
      );
    }
    repositoryArn = repositoryArnOf(location);
  } else {
    repositoryArn = repositoryArnOf({
      partition: partitionOf(region),
      region,
      registryAccountId:
        parameters.registryId ?? detail.recipientAccountId ?? event.account,
      repositoryName: parameters.repositoryName as string,
    });
  }

  return queueRepository(
    dependencies,
    repositoryArn,
    { id: event.id, name: detail.eventName },
    about
  );
}
