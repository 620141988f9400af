import { describe, expect, it } from 'vitest';
import { createHandler as projectRouter } from '../../packages/functions/src/codebuild-project-change.js';
import { localContext } from '../../packages/functions/src/local/lambda-context.js';
import { createHandler as reconcileWorker } from '../../packages/functions/src/reconcile-worker.js';
import { useEventPath } from '../support/event-path.js';
import { RecordingTelemetry } from '../support/telemetry.js';

describe('Handler: codebuild-project-change', () => {
  const path = useEventPath();

  it('grants the build role of a created project once the worker drains', async () => {
    // Prepare
    const { event, drain, grantedRoles, roleArn } = path();
    const telemetry = new RecordingTelemetry();
    const router = projectRouter({ telemetry });
    const worker = reconcileWorker({ telemetry });

    // Act
    const routed = await router(
      await event('codebuild/create-project.json'),
      localContext('codebuild-project-change')
    );
    const drained = await drain(worker);

    // Assess
    expect(routed).toMatchObject({
      outcome: 'queued',
      items: [{ repositoryArn: path().repositoryArn('team/builder') }],
    });
    expect(drained).toMatchObject({ succeeded: 1, deadLettered: 0 });
    expect(await grantedRoles('team/builder')).toEqual([
      roleArn('payments', 'payments-build'),
    ]);
    expect(telemetry.total('Events', { outcome: 'queued' })).toBe(1);
    expect(telemetry.total('GrantsAdded')).toBe(1);
    expect(telemetry.total('PolicyWrites')).toBe(1);
  });
});
