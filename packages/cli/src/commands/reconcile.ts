import {
  createReconciler,
  hasPendingChanges,
} from '../../../reconciler/src/index.js';
import type { CliArguments } from '../arguments.js';
import { renderReport } from '../render.js';
import { createRuntime, type Output } from '../runtime.js';

/** `plan` and `apply`: returns the exit code. */
export async function runReconcile(
  args: CliArguments,
  output: Output
): Promise<number> {
  const runtime = await createRuntime(args, output);
  const reconciler = createReconciler(runtime);
  const report = await reconciler.reconcile({
    mode: args.command === 'apply' ? 'apply' : 'plan',
    ...(args.repository ? { repository: args.repository } : {}),
    ...(args.account ? { account: args.account } : {}),
    ...(args.removeManaged ? { removeManaged: true } : {}),
  });

  output.out(
    args.json ? JSON.stringify(report, null, 2) : renderReport(report)
  );

  if (report.errors.length > 0) return 1;
  if (
    args.detailedExitcode &&
    report.mode === 'plan' &&
    hasPendingChanges(report)
  ) {
    return 2;
  }

  return 0;
}
