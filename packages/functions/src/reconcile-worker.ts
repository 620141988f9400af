import {
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type {
  Context,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import { type RouterHandlerOptions, withPowertools } from './router-handler.js';
import { OrgTreeCache } from './routing/org-tree-cache.js';
import { handleWorkRecord } from './routing/work-record.js';
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
    const organizations = organizationsOf(accounts, config);
    const codebuild = codebuildOf(accounts, config.roles.member);

    return {
      config,
      gateways: { organizations, ecr: ecrOf(accounts, config), codebuild },
      codebuild,
      projectIndex: projectIndexOf(environment),
      workQueue: workQueueOf(environment),
      orgTrees: new OrgTreeCache(() => organizations.readOrgTree()),
    };
  }
);

/**
 * The reconcile worker: SQS FIFO batches, one repository (or account
 * refresh) per message. A failing item fails only the rest of its own
 * message group, i.e. its repository; other repositories go on.
 */
export function createHandler(options: RouterHandlerOptions = {}) {
  const telemetry = options.telemetry ?? powertoolsTelemetry;

  return withPowertools(
    middy<SQSEvent, SQSBatchResponse, Error, Context>(),
    options
  ).handler(async (event) => {
    const worker = { ...dependencies(), telemetry };
    // One processor per invocation: it holds the batch's state, and
    // local runs drive several invocations at once in one process.
    const processor = new SqsFifoPartialProcessorAsync();

    return processPartialResponse(
      event,
      (record: SQSRecord) => handleWorkRecord(record, worker),
      processor,
      { skipGroupOnError: true, throwOnFullBatchFailure: false }
    );
  });
}

export const handler = createHandler();
