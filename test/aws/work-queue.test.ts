import { beforeEach, describe, expect, it } from 'vitest';
import {
  createWorkQueue,
  createWorkQueueReader,
  deduplicationId,
  ensureWorkQueue,
  type WorkQueueGateway,
  type WorkQueueReader,
} from '../../packages/aws/src/work-queue.js';
import {
  messageGroupOf,
  reconcileRepository,
  refreshAccount,
} from '../../packages/core/src/index.js';
import { useMotoServer } from '../support/emulator.js';

const REGION = 'us-east-1';
const REPOSITORY = 'arn:aws:ecr:us-east-1:111122223333:repository/team/builder';

describe('Gateway: work-queue', () => {
  const server = useMotoServer();
  let queue: WorkQueueGateway;
  let reader: WorkQueueReader;

  beforeEach(async () => {
    const { endpoint } = server();
    const queueUrl = await ensureWorkQueue({
      region: REGION,
      endpoint,
      queueName: 'work.fifo',
    });
    queue = createWorkQueue({ region: REGION, endpoint, queueUrl });
    reader = createWorkQueueReader({ region: REGION, endpoint, queueUrl });
  });

  async function drainBodies(): Promise<{ observedAt: number }[]> {
    const bodies: { observedAt: number }[] = [];
    for (;;) {
      const received = await receiveAll();
      if (received.length === 0) return bodies;
      for (const message of received) {
        bodies.push(JSON.parse(message.body));
        await reader.delete(message.receiptHandle);
      }
    }
  }

  const receiveAll = () =>
    reader.receive({ maxMessages: 10, waitSeconds: 0, visibilitySeconds: 30 });

  it('groups messages by repository ARN and accounts by account id', async () => {
    // Prepare
    const items = [
      reconcileRepository(REPOSITORY, 'test', 1),
      refreshAccount('444455556666', 'test', 1),
    ];

    // Act
    await queue.send(items, 'event-1');
    const received = await receiveAll();

    // Assess
    expect(
      received.map((message) => message.attributes.MessageGroupId)
    ).toEqual([REPOSITORY, 'account/444455556666']);
    expect(items.map(messageGroupOf)).toEqual([
      REPOSITORY,
      'account/444455556666',
    ]);
  });

  it('drops a second delivery of one event but keeps a distinct event for the same repository', async () => {
    // Prepare
    const item = reconcileRepository(REPOSITORY, 'TagResource', 1);

    // Act
    await queue.send([item], 'event-1');
    await queue.send([item], 'event-1');
    await queue.send(
      [reconcileRepository(REPOSITORY, 'TagResource', 2)],
      'event-2'
    );
    const bodies = await drainBodies();

    // Assess
    expect(bodies.map((body) => body.observedAt)).toEqual([1, 2]);
  });

  it('derives deduplication ids from the cause and the group, never the body alone', () => {
    // Prepare
    const item = reconcileRepository(REPOSITORY, 'push', 1);
    const sameBody = reconcileRepository(REPOSITORY, 'push', 1);

    // Act
    const ids = [
      deduplicationId(item, 'event-1'),
      deduplicationId(sameBody, 'event-1'),
      deduplicationId(sameBody, 'event-2'),
    ];

    // Assess
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(ids[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('sends more than ten items in batches of ten', async () => {
    // Prepare
    const items = Array.from({ length: 23 }, (_, index) =>
      refreshAccount(String(100000000000 + index), 'sweep', 1)
    );

    // Act
    await queue.send(items, 'sweep-1');
    const received = [
      ...(await receiveAll()),
      ...(await receiveAll()),
      ...(await receiveAll()),
    ];

    // Assess
    expect(received).toHaveLength(23);
  });
});
