import { ConfigurationError } from '../../core/src/index.js';
import { EmulatorUnavailableError } from '../../emulator/src/index.js';
import { parseArguments, USAGE, UsageError } from './arguments.js';
import { runDemo } from './commands/demo.js';
import { runExplain } from './commands/explain.js';
import { runInvoke } from './commands/invoke.js';
import { runReconcile } from './commands/reconcile.js';
import { runReport } from './commands/report.js';
import { type Output, processOutput } from './runtime.js';

/** Runs one command line and returns its exit code; never throws. */
export async function main(
  argv: string[],
  output: Output = processOutput
): Promise<number> {
  try {
    const args = parseArguments(argv);
    if (args === 'help') {
      output.out(USAGE);
      return 0;
    }
    switch (args.command) {
      case 'demo':
        return await runDemo(args, output);
      case 'explain':
        return await runExplain(args, output);
      case 'invoke':
        return await runInvoke(args, output);
      case 'report':
        return await runReport(args, output);
      default:
        return await runReconcile(args, output);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`${error.message}\n\n${USAGE}`);
    } else if (
      error instanceof ConfigurationError ||
      error instanceof EmulatorUnavailableError
    ) {
      output.err(error.message);
    } else {
      output.err(`Failed: ${(error as Error).stack ?? String(error)}`);
    }

    return 1;
  }
}
