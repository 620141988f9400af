import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { ParsedResult } from '@aws-lambda-powertools/parser/types';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Report } from '../../core/src/index.js';
import { InvalidPayloadError } from './errors.js';
import {
  type ManualReconcileRequest,
  manualReconcileSchema,
} from './events/schemas.js';
import {
  describeIssues,
  type RouterHandlerOptions,
  withPowertools,
} from './router-handler.js';
import { runManualReconcile } from './routing/manual.js';
import { accountClients } from './runtime/aws-context.js';
import { projectIndexOf, workQueueOf } from './runtime/central.js';
import {
  PROJECT_INDEX_TABLE_VARIABLE,
  perEnvironment,
  WORK_QUEUE_URL_VARIABLE,
} from './runtime/environment.js';
import { codebuildOf } from './runtime/member-accounts.js';
import { ecrOf, organizationsOf } from './runtime/registries.js';
import { powertoolsTelemetry } from './runtime/telemetry.js';

const dependencies = perEnvironment(
  [PROJECT_INDEX_TABLE_VARIABLE, WORK_QUEUE_URL_VARIABLE],
  (environment) => {
    const { config } = environment;
    const accounts = accountClients(environment);

    return {
      config,
      gateways: {
        organizations: organizationsOf(accounts, config),
        ecr: ecrOf(accounts, config),
        codebuild: codebuildOf(accounts, config.roles.member),
      },
      projectIndex: projectIndexOf(environment),
      workQueue: workQueueOf(environment),
    };
  }
);

export type ManualReconcileHandler = (
  payload: unknown,
  context: Context
) => Promise<Report>;

/**
 * `{"mode": "plan" | "apply", "repository"?, "account"?}` in, the JSON
 * report out. A payload it does not accept is an error naming the field:
 * the caller invoked it synchronously and reads the answer.
 */
export function createHandler(
  options: RouterHandlerOptions = {}
): ManualReconcileHandler {
  const telemetry = options.telemetry ?? powertoolsTelemetry;
  const handler = withPowertools(
    middy<unknown, Report, Error, Context>(),
    options
  )
    .use(parser({ schema: manualReconcileSchema, safeParse: true }))
    .handler(async (event, context) => {
      const parsed = event as ParsedResult<unknown, ManualReconcileRequest>;
      telemetry.count('ManualReconciles', 1);
      if (!parsed.success) {
        const reason = describeIssues(parsed.error);
        telemetry.count('Events', 1, { outcome: 'rejected' });
        telemetry.logger.warn('Manual reconcile refused', { reason });
        throw new InvalidPayloadError(
          `Invalid payload: ${reason}. Expected {"mode": "plan" | "apply", "repository"?: name or ARN, "account"?: 12-digit id}.`
        );
      }

      return runManualReconcile(parsed.data, context.awsRequestId, {
        ...dependencies(),
        telemetry,
      });
    });

  return handler as unknown as ManualReconcileHandler;
}

export const handler = createHandler();
