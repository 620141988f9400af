import { imageActionSchema } from './events/schemas.js';
import { type RouterHandlerOptions, routerHandler } from './router-handler.js';
import { routeImageAction } from './routing/repository-change.js';
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

/** ECR `ECR Image Action` events (pushes). */
export function createHandler(options: RouterHandlerOptions = {}) {
  return routerHandler(
    imageActionSchema,
    (event, telemetry) =>
      routeImageAction(event, { ...dependencies(), telemetry }),
    options
  );
}

export const handler = createHandler();
