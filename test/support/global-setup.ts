import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { provisionMoto } from '../../packages/emulator/src/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    motoPython: string;
  }
}

const CHROMIUM = '/usr/bin/chromium';
const INSTALL_CHROMIUM = fileURLToPath(
  new URL('../../scripts/install-chromium.sh', import.meta.url)
);

/**
 * The access report's browser test drives Debian's Chromium. Installing it
 * here lets `npm test` alone work on a fresh machine; where that fails, the
 * browser test fails with the reason, and the other tests still run.
 */
function provisionChromium(): void {
  if (existsSync(CHROMIUM)) return;
  process.stderr.write(`${CHROMIUM} is missing; installing Chromium ...\n`);
  spawnSync('bash', [INSTALL_CHROMIUM], {
    stdio: ['ignore', process.stderr, process.stderr],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/**
 * Installs the emulator once per run, where it is missing. Each test file
 * that needs AWS starts its own server (see `emulator.ts`), so files run in
 * parallel without resetting each other's accounts.
 */
export default function setup(project: TestProject) {
  const python = provisionMoto((line) => process.stderr.write(`${line}\n`));
  project.provide('motoPython', python);
  provisionChromium();
}
