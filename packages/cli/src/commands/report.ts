import { writeFile } from 'node:fs/promises';
import {
  renderAccessHtml,
  renderAccessMarkdown,
  surveyAccess,
} from '../../../reconciler/src/index.js';
import type { CliArguments } from '../arguments.js';
import { createRuntime, type Output } from '../runtime.js';

/** `report`: who can pull what, as HTML or Markdown; returns the exit code. */
export async function runReport(
  args: CliArguments,
  output: Output
): Promise<number> {
  const runtime = await createRuntime(args, output);
  const matrix = await surveyAccess(runtime);
  const text =
    args.format === 'markdown'
      ? renderAccessMarkdown(matrix)
      : renderAccessHtml(matrix);

  if (args.output) {
    await writeFile(args.output, text, 'utf8');
    output.err(
      `Wrote the access report to ${args.output}: ` +
        `${matrix.totals.repositories} repositories, ` +
        `${matrix.totals.projects} projects, ` +
        `${matrix.totals.cells.refused} refused pulls, ` +
        `${matrix.totals.errors} errors.`
    );
  } else {
    output.out(text.trimEnd());
  }

  return matrix.errors.length > 0 ? 1 : 0;
}
