import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidPayloadError } from '../../packages/functions/src/errors.js';
import {
  type HandlerName,
  isHandlerName,
} from '../../packages/functions/src/local/handlers.js';
import { useEventPath } from '../support/event-path.js';

const MALFORMED = readdirSync('events/malformed')
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => {
    const name = file.split('--')[0] ?? '';
    if (!isHandlerName(name)) throw new Error(`${file}: no handler ${name}`);

    return { file, handler: name as HandlerName };
  });

describe('Event path: malformed events', () => {
  const path = useEventPath();

  it('has a malformed sample for every router, the worker and the manual function', () => {
    const covered = new Set(MALFORMED.map((sample) => sample.handler));

    expect([...covered].sort()).toEqual([
      'codebuild-project-change',
      'ecr-image-action',
      'ecr-repository-change',
      'manual-reconcile',
      'organization-change',
      'reconcile-worker',
    ]);
  });

  it.each(MALFORMED)(
    'rejects $file with a logged reason and writes nothing',
    async ({ file, handler }) => {
      // Prepare
      const { invoke, event, telemetry, proxy, reader } = path();
      const sample = await event(`malformed/${file}`);
      proxy.stats.reset();

      // Act
      const outcome = invoke(handler, sample);

      // Assess
      if (handler === 'manual-reconcile') {
        await expect(outcome).rejects.toBeInstanceOf(InvalidPayloadError);
      } else if (handler === 'reconcile-worker') {
        // Dropped, not failed: a body that cannot parse never will.
        await expect(outcome).resolves.toEqual({ batchItemFailures: [] });
        const line = telemetry.lines.find(
          (entry) => entry.message === 'Work item rejected'
        );
        expect(String(line?.attributes.reason)).not.toBe('');
      } else {
        const result = (await outcome) as { outcome: string; reason: string };
        expect(result.outcome).toBe('rejected');
        expect(result.reason.length).toBeGreaterThan(0);
        const line = telemetry.lines.find(
          (entry) => entry.message === 'Event rejected'
        );
        expect(line?.level).toBe('warn');
        expect(line?.attributes.reason).toBe(result.reason);
      }
      expect(telemetry.total('Events', { outcome: 'rejected' })).toBe(1);
      expect(proxy.stats.count('ecr', 'SetRepositoryPolicy')).toBe(0);
      expect(proxy.stats.count('dynamodb', 'PutItem')).toBe(0);
      expect(
        await reader.receive({
          maxMessages: 10,
          waitSeconds: 0,
          visibilitySeconds: 0,
        })
      ).toEqual([]);
    }
  );
});
