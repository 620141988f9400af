import { repositoryChangeSchema } from './events/schemas.js';
import { type RouterHandlerOptions, routerHandler } from './router-handler.js';
import { routeRepositoryChange } from './routing/repository-change.js';
import { workQueueOf } from './runtime/central.js';
import {
  perEnvironment,
  WORK_QUEUE_URL_VARIABLE,
} from './runtime/environment.js';

const dependencies = perEnvironment(
  [WORK_QUEUE_URL_VARIABLE],
  (environment) => ({
    config: environment.config,
    workQueue: workQueueOf(environment),
  })
);

/** ECR CreateRepository, TagResource, UntagResource, DeleteRepository. */
export function createHandler(options: RouterHandlerOptions = {}) {
  return routerHandler(
    repositoryChangeSchema,
    (event, telemetry) =>
      routeRepositoryChange(event, { ...dependencies(), telemetry }),
    options
  );
}

export const handler = createHandler();
