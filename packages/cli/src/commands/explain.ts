import { explainPull } from '../../../reconciler/src/index.js';
import type { CliArguments } from '../arguments.js';
import { renderFinding } from '../render.js';
import { createRuntime, type Output } from '../runtime.js';

const VERDICT = {
  'can-pull': 'CAN PULL',
  'cannot-pull': 'CANNOT PULL',
  'not-ecr': 'NOT A PRIVATE ECR IMAGE (no repository policy involved)',
  unknown: 'UNKNOWN',
} as const;

const CHECK_MARK = {
  pass: 'ok  ',
  fail: 'FAIL',
  info: 'info',
  skipped: '--  ',
} as const;

/** `explain`: returns the exit code. */
export async function runExplain(
  args: CliArguments,
  output: Output
): Promise<number> {
  const runtime = await createRuntime(args, output);
  const explanation = await explainPull(
    runtime,
    args.project
      ? { projectArn: args.project }
      : {
          roleArn: args.role ?? '',
          image: args.image ?? '',
          ...(args.region ? { region: args.region } : {}),
        }
  );

  if (args.json) {
    output.out(JSON.stringify(explanation, null, 2));
  } else {
    const lines = [
      `${VERDICT[explanation.verdict]}`,
      ...(explanation.projectArn
        ? [`  project:    ${explanation.projectArn}`]
        : []),
      ...(explanation.roleArn ? [`  role:       ${explanation.roleArn}`] : []),
      ...(explanation.image ? [`  image:      ${explanation.image}`] : []),
      ...(explanation.repositoryArn
        ? [`  repository: ${explanation.repositoryArn}`]
        : []),
      ...(explanation.checks.length > 0 ? ['', '  checks:'] : []),
      ...explanation.checks.map(
        (check) =>
          `    ${CHECK_MARK[check.status]} ${check.check.padEnd(24)} ${check.detail}`
      ),
      ...(explanation.identityCheck.method === 'not-run'
        ? []
        : [
            '',
            `  identity check: ${explanation.identityCheck.method}. ${explanation.identityCheck.note}`,
            `    not modelled: ${explanation.identityCheck.notModelled.join('; ')}`,
            ...explanation.identityCheck.undetermined.map(
              (statement) => `    not judged: ${statement}`
            ),
          ]),
      ...(explanation.findings.length > 0 ? ['', '  findings:'] : []),
      ...explanation.findings.flatMap((finding) =>
        renderFinding(finding, '    ')
      ),
      ...explanation.errors.map(
        (error) => `  ${error.code} ${error.scope}: ${error.message}`
      ),
    ];
    output.out(lines.join('\n'));
  }

  if (explanation.errors.length > 0) return 1;
  if (args.detailedExitcode && explanation.verdict === 'cannot-pull') return 2;

  return 0;
}
