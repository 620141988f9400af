import { scheduledEventSchema } from './events/schemas.js';
import { type RouterHandlerOptions, routerHandler } from './router-handler.js';
import { planSweepWork } from './routing/sweep.js';
import { accountClients } from './runtime/aws-context.js';
import { workQueueOf } from './runtime/central.js';
import {
  perEnvironment,
  WORK_QUEUE_URL_VARIABLE,
} from './runtime/environment.js';
import { ecrOf, organizationsOf } from './runtime/registries.js';

const dependencies = perEnvironment(
  [WORK_QUEUE_URL_VARIABLE],
  (environment) => {
    const accounts = accountClients(environment);

    return {
      config: environment.config,
      ecr: ecrOf(accounts, environment.config),
      organizations: organizationsOf(accounts, environment.config),
      workQueue: workQueueOf(environment),
    };
  }
);

/** The scheduled sweep: fans out account refreshes and reconciles. */
export function createHandler(options: RouterHandlerOptions = {}) {
  return routerHandler(
    scheduledEventSchema,
    (event, telemetry) =>
      planSweepWork(event.id, { ...dependencies(), telemetry }),
    options
  );
}

export const handler = createHandler();
