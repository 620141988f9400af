import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  HANDLER_NAMES,
  isHandlerName,
} from '../../packages/functions/src/local/handlers.js';
import { HANDLERS } from '../../stacks/Reconciler.js';

describe('Handlers: entry files', () => {
  it.each(Object.entries(HANDLERS))(
    'finds the %s entry the stack names and its handler export',
    async (_name, entry) => {
      // Prepare
      const [file, exported] = entry.split('.') as [string, string];

      // Act
      const module = (await import(
        /* @vite-ignore */ resolve(`${file}.ts`)
      )) as Record<string, unknown>;

      // Assess
      expect(typeof module[exported]).toBe('function');
    }
  );

  it('lets invoke run exactly the handlers the stack deploys', () => {
    // Prepare
    const deployed = Object.values(HANDLERS).map(
      (entry) => entry.split('/').at(-1)?.split('.')[0] ?? ''
    );

    // Act
    const known = deployed.filter(isHandlerName);

    // Assess
    expect(known.sort()).toEqual([...HANDLER_NAMES].sort());
  });
});
