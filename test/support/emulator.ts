import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import {
  type MotoServer,
  startMotoServer,
} from '../../packages/emulator/src/index.js';

/**
 * Starts a moto server for the calling test file, reset before each test.
 * Read `server()` inside tests or hooks, after `beforeAll` has run.
 */
export function useMotoServer(options: { resetEachTest?: boolean } = {}) {
  let server: MotoServer | undefined;

  beforeAll(async () => {
    server = await startMotoServer({ python: inject('motoPython') });
  });
  if (options.resetEachTest ?? true) {
    beforeEach(async () => {
      await server?.reset();
    });
  }
  afterAll(async () => {
    await server?.stop();
  });

  return () => {
    if (!server) throw new Error('moto server not started yet');

    return server;
  };
}
