import type { Output } from '../../packages/cli/src/runtime.js';

export interface CapturedOutput extends Output {
  stdout: string[];
  stderr: string[];
}

/** What a command line run printed, line by line, for a test to read. */
export function captureOutput(): CapturedOutput {
  const stdout: string[] = [];
  const stderr: string[] = [];

  return {
    stdout,
    stderr,
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    interactive: false,
  };
}
