import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@ecr-pull-reconciler/core': source('packages/core/src/index.ts'),
      '@ecr-pull-reconciler/aws': source('packages/aws/src/index.ts'),
      '@ecr-pull-reconciler/reconciler': source(
        'packages/reconciler/src/index.ts'
      ),
      '@ecr-pull-reconciler/emulator': source('packages/emulator/src/index.ts'),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
