import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  messageGroupOf,
  type WorkItem,
} from '../../core/src/work/work-item.js';
import {
  type AwsContext,
  baseCredentialsOf,
  ClientFactory,
} from './clients.js';
import { chunk } from './concurrency.js';
import { AwsGatewayError, errorName, toGatewayError } from './errors.js';

/** SendMessageBatch takes at most this many entries. */
const SEND_BATCH_LIMIT = 10;

export interface WorkQueueOptions
  extends Pick<
    AwsContext,
    'region' | 'endpoint' | 'onCall' | 'configure' | 'requestHandler'
  > {
  queueUrl: string;
  credentials?: AwsContext['baseCredentials'];
}

export interface WorkQueueGateway {
  /**
   * Queues the items. `causeId` identifies the triggering event (its
   * EventBridge `id`, or the SQS or invoke request id): a second delivery
   * of one event is deduplicated, distinct events never are.
   */
  send(items: readonly WorkItem[], causeId: string): Promise<void>;
}

/**
 * SQS FIFO drops any message whose deduplication id it saw in the last five
 * minutes, even after the first was deleted. A body-only (content-based) id
 * would therefore lose a second, real change to one repository within five
 * minutes; the cause's id in the hash keeps distinct events apart.
 */
export function deduplicationId(item: WorkItem, causeId: string): string {
  return createHash('sha256')
    .update(`${causeId}\n${messageGroupOf(item)}\n${item.kind}`)
    .digest('hex');
}

function sqsClient(options: WorkQueueOptions): SQSClient {
  const { credentials, ...rest } = options;
  const context: AwsContext = { ...rest, baseCredentials: credentials };

  return new ClientFactory(context).get('sqs', SQSClient, {
    key: 'base',
    accountId: () => undefined,
    credentials: baseCredentialsOf(context),
  });
}

export function createWorkQueue(options: WorkQueueOptions): WorkQueueGateway {
  const client = sqsClient(options);
  const QueueUrl = options.queueUrl;

  return {
    async send(items, causeId) {
      for (const batch of chunk(items, SEND_BATCH_LIMIT)) {
        let failed: { Id?: string; Message?: string }[] = [];
        try {
          const response = await client.send(
            new SendMessageBatchCommand({
              QueueUrl,
              Entries: batch.map((item, index) => ({
                Id: String(index),
                MessageBody: JSON.stringify(item),
                MessageGroupId: messageGroupOf(item),
                MessageDeduplicationId: deduplicationId(item, causeId),
              })),
            })
          );
          failed = response.Failed ?? [];
        } catch (error) {
          throw toGatewayError(error, {
            operation: 'SendMessageBatch',
            region: options.region,
          });
        }
        if (failed.length > 0) {
          throw new AwsGatewayError(
            `SendMessageBatch refused ${failed.length} work items: ${failed
              .map((entry) => entry.Message ?? 'no reason')
              .join('; ')}`,
            { operation: 'SendMessageBatch', region: options.region },
            {}
          );
        }
      }
    },
  };
}

/** A received message, in the shape Lambda's SQS event source passes on. */
export interface ReceivedWork {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  md5OfBody: string;
}

/**
 * Receives and settles messages the way Lambda's event source does; used
 * to run the worker locally against an emulator.
 */
export interface WorkQueueReader {
  receive(options: {
    maxMessages: number;
    waitSeconds: number;
    visibilitySeconds: number;
  }): Promise<ReceivedWork[]>;
  delete(receiptHandle: string): Promise<void>;
  /** Makes a failed message visible again at once, for a quick retry. */
  release(receiptHandle: string): Promise<void>;
}

function toReceived(message: Message): ReceivedWork {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: { ...(message.Attributes ?? {}) },
    md5OfBody: message.MD5OfBody ?? '',
  };
}

export function createWorkQueueReader(
  options: WorkQueueOptions
): WorkQueueReader {
  const client = sqsClient(options);
  const QueueUrl = options.queueUrl;
  const fail = (operation: string) => (error: unknown) => {
    throw toGatewayError(error, { operation, region: options.region });
  };

  return {
    async receive({ maxMessages, waitSeconds, visibilitySeconds }) {
      const { Messages } = await client
        .send(
          new ReceiveMessageCommand({
            QueueUrl,
            MaxNumberOfMessages: maxMessages,
            WaitTimeSeconds: waitSeconds,
            VisibilityTimeout: visibilitySeconds,
            MessageSystemAttributeNames: ['All'],
          })
        )
        .catch(fail('ReceiveMessage'));

      return (Messages ?? []).map(toReceived);
    },
    async delete(receiptHandle) {
      await client
        .send(
          new DeleteMessageCommand({ QueueUrl, ReceiptHandle: receiptHandle })
        )
        .catch(fail('DeleteMessage'));
    },
    async release(receiptHandle) {
      await client
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl,
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: 0,
          })
        )
        .catch(fail('ChangeMessageVisibility'));
    },
  };
}

/**
 * Creates the FIFO work queue for a local emulator, or finds it; returns
 * its URL. Deduplication ids are always explicit, see `deduplicationId`.
 */
export async function ensureWorkQueue(
  options: Omit<WorkQueueOptions, 'queueUrl'> & { queueName: string }
): Promise<string> {
  const client = sqsClient({ ...options, queueUrl: '' });
  const QueueName = options.queueName;
  try {
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({
        QueueName,
        Attributes: { FifoQueue: 'true', VisibilityTimeout: '60' },
      })
    );
    if (QueueUrl) return QueueUrl;
  } catch (error) {
    if (errorName(error) !== 'QueueAlreadyExists') {
      throw toGatewayError(error, {
        operation: 'CreateQueue',
        region: options.region,
      });
    }
  }
  const { QueueUrl } = await client
    .send(new GetQueueUrlCommand({ QueueName }))
    .catch((error: unknown) => {
      throw toGatewayError(error, {
        operation: 'GetQueueUrl',
        region: options.region,
      });
    });

  return QueueUrl ?? '';
}
