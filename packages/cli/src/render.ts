import type { Finding, Report, RepositoryPlan } from '../../core/src/index.js';

const MARK: Record<RepositoryPlan['status'], string> = {
  changed: '~',
  unchanged: '=',
  skipped: '-',
  error: '!',
};

function shortArn(arn: string): string {
  const match = arn.match(/^arn:[^:]+:ecr:([^:]+):(\d{12}):repository\/(.+)$/);

  return match ? `${match[3]} (${match[2]}, ${match[1]})` : arn;
}

export function renderFinding(finding: Finding, indent = '    '): string[] {
  const lines = [
    `${indent}${finding.severity.padEnd(7)} ${finding.code}: ${finding.message}`,
  ];
  if (finding.fix) lines.push(`${indent}        fix: ${finding.fix}`);

  return lines;
}

function renderRepository(
  plan: RepositoryPlan,
  mode: Report['mode']
): string[] {
  const verb =
    plan.status === 'changed'
      ? mode === 'plan'
        ? `will ${plan.write === 'delete' ? 'delete the policy' : 'update the policy'}`
        : plan.write === 'delete'
          ? 'policy deleted'
          : 'policy updated'
      : plan.status;
  const lines = [`${MARK[plan.status]} ${shortArn(plan.arn)}: ${verb}`];
  if (plan.audience.length > 0) {
    lines.push(`    shared with: ${plan.audience.join(' ')}`);
  }
  for (const role of plan.grants.add) lines.push(`    + ${role}`);
  for (const role of plan.grants.remove) lines.push(`    - ${role}`);
  for (const role of plan.grants.keep) lines.push(`      ${role}`);
  for (const finding of plan.findings) lines.push(...renderFinding(finding));

  return lines;
}

/** The report for people: one block per repository, then totals. */
export function renderReport(report: Report): string {
  const { summary } = report;
  const lines = [
    `${report.mode === 'plan' ? 'Plan' : 'Apply'} for Organization ${report.organizationId ?? '(unknown)'}`,
    '',
  ];
  for (const plan of report.repositories) {
    lines.push(...renderRepository(plan, report.mode), '');
  }
  if (report.findings.length > 0) {
    lines.push('Projects whose pulls no managed repository covers:');
    for (const finding of report.findings)
      lines.push(...renderFinding(finding, '  '));
    lines.push('');
  }
  if (report.errors.length > 0) {
    lines.push('Errors:');
    for (const error of report.errors) {
      lines.push(`  ${error.code} ${error.scope}: ${error.message}`);
    }
    lines.push('');
  }
  const pending = report.mode === 'plan' ? 'to change' : 'changed';
  lines.push(
    `${summary.repositories} repositories: ${summary.changed} ${pending}, ` +
      `${summary.unchanged} unchanged, ${summary.skipped} skipped; ` +
      `grants +${summary.grantsAdded} -${summary.grantsRemoved}; ` +
      `${summary.findings} findings; ${summary.errors} errors.`
  );

  return lines.join('\n');
}
