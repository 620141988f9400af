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
    // Tests run on the machine's Node.js 20; the SDK's notice that future
    // releases need Node.js 22 repeats once per worker and hides results.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
