import type { SQSRecord } from 'aws-lambda';
import { workItemSchema } from '../../../core/src/index.js';
import {
  processWorkItem,
  type WorkerDependencies,
  type WorkOutcome,
} from './work.js';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One message of a worker batch. A body that is not a work item can never
 * succeed, so it is logged, counted and dropped rather than redelivered
 * until the dead-letter queue; a failed item is thrown back to the batch.
 */
export async function handleWorkRecord(
  record: Pick<SQSRecord, 'messageId' | 'body'>,
  dependencies: WorkerDependencies
): Promise<WorkOutcome | undefined> {
  const { telemetry } = dependencies;
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const parsed = workItemSchema.safeParse(body);
  if (!parsed.success) {
    telemetry.count('Events', 1, { outcome: 'rejected' });
    telemetry.logger.error('Work item rejected', {
      messageId: record.messageId,
      reason: parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; '),
    });

    return undefined;
  }
  try {
    return await processWorkItem(parsed.data, record.messageId, dependencies);
  } catch (error) {
    telemetry.logger.error('Work item failed', {
      messageId: record.messageId,
      item: parsed.data,
      error: message(error),
    });
    throw error;
  }
}
