import { projectChangeSchema } from './events/schemas.js';
import { type RouterHandlerOptions, routerHandler } from './router-handler.js';
import { routeProjectChange } from './routing/project-change.js';
import { accountClients } from './runtime/aws-context.js';
import { projectIndexOf, workQueueOf } from './runtime/central.js';
import {
  PROJECT_INDEX_TABLE_VARIABLE,
  perEnvironment,
  WORK_QUEUE_URL_VARIABLE,
} from './runtime/environment.js';
import { codebuildOf } from './runtime/member-accounts.js';

const dependencies = perEnvironment(
  [PROJECT_INDEX_TABLE_VARIABLE, WORK_QUEUE_URL_VARIABLE],
  (environment) => ({
    config: environment.config,
    codebuild: codebuildOf(
      accountClients(environment),
      environment.config.roles.member
    ),
    projectIndex: projectIndexOf(environment),
    workQueue: workQueueOf(environment),
  })
);

/** CodeBuild CreateProject, UpdateProject and DeleteProject. */
export function createHandler(options: RouterHandlerOptions = {}) {
  return routerHandler(
    projectChangeSchema,
    (event, telemetry) =>
      routeProjectChange(event, { ...dependencies(), telemetry }),
    options
  );
}

export const handler = createHandler();
