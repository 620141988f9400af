import type {
  Context,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import type {
  ReceivedWork,
  WorkQueueReader,
} from '../../../aws/src/work-queue.js';
import { localContext } from './lambda-context.js';

export interface DrainOptions {
  reader: WorkQueueReader;
  worker: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  queueArn: string;
  region: string;
  /** Deliveries before a message is dropped, as the stack's redrive does. */
  maxReceives?: number;
  /** Empty receives in a row after which the queue counts as drained. */
  idleReceives?: number;
}

export interface DrainSummary {
  batches: number;
  succeeded: number;
  retried: number;
  /** Dropped after `maxReceives` failures: the dead-letter queue's share. */
  deadLettered: number;
}

function toRecord(
  message: ReceivedWork,
  options: Pick<DrainOptions, 'queueArn' | 'region'>
): SQSRecord {
  const { attributes } = message;

  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp:
        attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.MessageGroupId
        ? { MessageGroupId: attributes.MessageGroupId }
        : {}),
      ...(attributes.MessageDeduplicationId
        ? { MessageDeduplicationId: attributes.MessageDeduplicationId }
        : {}),
      ...(attributes.SequenceNumber
        ? { SequenceNumber: attributes.SequenceNumber }
        : {}),
    },
    messageAttributes: {},
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the worker on the work queue until it is empty, the way Lambda's
 * SQS event source would: batches of up to 10, successes deleted, reported
 * failures made visible again, and dropped after `maxReceives` deliveries.
 * Several drains may run at once; FIFO keeps each repository's items in
 * order and one at a time.
 */
export async function drainWorkQueue(
  options: DrainOptions
): Promise<DrainSummary> {
  const maxReceives = options.maxReceives ?? 5;
  const idleReceives = options.idleReceives ?? 3;
  const summary: DrainSummary = {
    batches: 0,
    succeeded: 0,
    retried: 0,
    deadLettered: 0,
  };
  let idle = 0;
  while (idle < idleReceives) {
    const messages = await options.reader.receive({
      maxMessages: 10,
      waitSeconds: 0,
      visibilitySeconds: 60,
    });
    if (messages.length === 0) {
      idle++;
      // Another drain may still hold a message group in flight.
      await pause(50 * idle);
      continue;
    }
    idle = 0;
    summary.batches++;
    const response = await options.worker(
      { Records: messages.map((message) => toRecord(message, options)) },
      localContext('reconcile-worker')
    );
    const failed = new Set(
      response.batchItemFailures.map((failure) => failure.itemIdentifier)
    );
    for (const message of messages) {
      if (!failed.has(message.messageId)) {
        await options.reader.delete(message.receiptHandle);
        summary.succeeded++;
        continue;
      }
      const receives = Number(message.attributes.ApproximateReceiveCount ?? 1);
      if (receives >= maxReceives) {
        await options.reader.delete(message.receiptHandle);
        summary.deadLettered++;
      } else {
        await options.reader.release(message.receiptHandle);
        summary.retried++;
      }
    }
  }

  return summary;
}
