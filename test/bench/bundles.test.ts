import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  awsClientsOf,
  entryOfHandler,
  librariesOf,
  measureBundle,
  moduleOf,
  moduleShares,
} from '../../bench/bundles.js';

describe('Function: moduleOf', () => {
  it('names npm packages, scoped or not, and repository folders', () => {
    // Act
    const modules = [
      'node_modules/@aws-sdk/client-ecr/dist-es/index.js',
      'node_modules/zod/v4/core/core.js',
      'node_modules/a/node_modules/@smithy/core/dist-es/x.js',
      'packages/aws/src/ecr.ts',
    ].map(moduleOf);

    // Assess
    expect(modules).toEqual([
      '@aws-sdk/client-ecr',
      'zod',
      '@smithy/core',
      'packages/aws',
    ]);
  });
});

describe('Function: moduleShares', () => {
  it('adds up bytes per module, heaviest first', () => {
    // Prepare
    const metafile = {
      inputs: {},
      outputs: {
        'out.mjs': {
          bytes: 0,
          imports: [],
          exports: [],
          inputs: {
            'node_modules/zod/a.js': { bytesInOutput: 10 },
            'node_modules/zod/b.js': { bytesInOutput: 15 },
            'node_modules/@aws-sdk/client-sqs/c.js': { bytesInOutput: 40 },
            'packages/core/src/d.ts': { bytesInOutput: 5 },
          },
        },
      },
    };

    // Act
    const shares = moduleShares(metafile);

    // Assess
    expect(shares).toEqual([
      { module: '@aws-sdk/client-sqs', bytes: 40 },
      { module: 'zod', bytes: 25 },
      { module: 'packages/core', bytes: 5 },
    ]);
    expect(awsClientsOf(shares)).toEqual(['client-sqs']);
    expect(librariesOf(shares)).toEqual(['zod']);
  });
});

describe('Function: entryOfHandler', () => {
  it('turns an SST handler name into its source file', () => {
    // Act
    const entry = entryOfHandler('packages/functions/src/sweep.handler');

    // Assess
    expect(entry).toBe('packages/functions/src/sweep.ts');
  });
});

describe('Function: measureBundle', () => {
  it('builds a handler, finds its one client and imports it', async () => {
    // Act
    const figures = await measureBundle(
      'sts-handler',
      'test/fixtures/bench/sts-handler.ts',
      { outdir: join(tmpdir(), 'bench-bundles-test'), env: {} }
    );

    // Assess
    expect(figures.importError).toBeUndefined();
    expect(figures.awsClients).toEqual(['client-sts']);
    expect(figures.bytes).toBeGreaterThan(figures.gzipBytes);
    expect(figures.coldStartSamples).toHaveLength(5);
    expect(figures.topModules[0]?.bytes).toBeGreaterThan(0);
  });
});

describe('Bundle: ecr-image-action', () => {
  it("carries zod's English messages only, not its every locale", async () => {
    // Act
    const { metafile } = await build({
      entryPoints: ['packages/functions/src/ecr-image-action.ts'],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const bundled = Object.values(metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([path]) => path)
    );
    const locales = bundled.filter((path) => path.includes('zod/v4/locales/'));

    // Assess
    expect(locales.map((path) => path.split('/').at(-1))).toEqual(['en.js']);
  });
});
