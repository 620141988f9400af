import { organizationChangeSchema } from './events/schemas.js';
import { type RouterHandlerOptions, routerHandler } from './router-handler.js';
import { routeOrganizationChange } from './routing/organization-change.js';
import { projectIndexOf, workQueueOf } from './runtime/central.js';
import {
  PROJECT_INDEX_TABLE_VARIABLE,
  perEnvironment,
  WORK_QUEUE_URL_VARIABLE,
} from './runtime/environment.js';

const dependencies = perEnvironment(
  [PROJECT_INDEX_TABLE_VARIABLE, WORK_QUEUE_URL_VARIABLE],
  (environment) => ({
    config: environment.config,
    projectIndex: projectIndexOf(environment),
    workQueue: workQueueOf(environment),
  })
);

/** Organizations MoveAccount, RemoveAccountFromOrganization, CreateAccountResult. */
export function createHandler(options: RouterHandlerOptions = {}) {
  return routerHandler(
    organizationChangeSchema,
    (event, telemetry) =>
      routeOrganizationChange(event, { ...dependencies(), telemetry }),
    options
  );
}

export const handler = createHandler();
