import type { TestProject } from 'vitest/node';
import { provisionMoto } from '../../packages/emulator/src/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    motoPython: string;
  }
}

/**
 * Installs the emulator once per run, where it is missing. Each test file
 * that needs AWS starts its own server (see `emulator.ts`), so files run in
 * parallel without resetting each other's accounts.
 */
export default function setup(project: TestProject) {
  const python = provisionMoto((line) => process.stderr.write(`${line}\n`));
  project.provide('motoPython', python);
}
