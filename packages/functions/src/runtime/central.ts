import {
  createProjectIndex,
  type ProjectIndexGateway,
} from '../../../aws/src/project-index.js';
import {
  createWorkQueue,
  type WorkQueueGateway,
} from '../../../aws/src/work-queue.js';
import { awsContextOf } from './aws-context.js';
import {
  type HandlerEnvironment,
  PROJECT_INDEX_TABLE_VARIABLE,
  required,
  WORK_QUEUE_URL_VARIABLE,
} from './environment.js';

/** The central account's own table and queue, with the function's role. */
export function projectIndexOf(
  environment: HandlerEnvironment
): ProjectIndexGateway {
  return createProjectIndex({
    ...awsContextOf(environment),
    tableName: required(environment, PROJECT_INDEX_TABLE_VARIABLE),
  });
}

export function workQueueOf(environment: HandlerEnvironment): WorkQueueGateway {
  return createWorkQueue({
    ...awsContextOf(environment),
    queueUrl: required(environment, WORK_QUEUE_URL_VARIABLE),
  });
}
