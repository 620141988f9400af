import type {
  Finding,
  Report,
  ReportError,
  RepositoryPlan,
} from '../../core/src/index.js';

export function buildReport(
  mode: Report['mode'],
  organizationId: string | null,
  repositories: RepositoryPlan[],
  findings: Finding[],
  errors: ReportError[]
): Report {
  const count = (status: RepositoryPlan['status']) =>
    repositories.filter((plan) => plan.status === status).length;
  const sum = (pick: (plan: RepositoryPlan) => number) =>
    repositories.reduce((total, plan) => total + pick(plan), 0);

  return {
    mode,
    organizationId,
    summary: {
      repositories: repositories.length,
      changed: count('changed'),
      unchanged: count('unchanged'),
      skipped: count('skipped'),
      grantsAdded: sum((plan) => plan.grants.add.length),
      grantsRemoved: sum((plan) => plan.grants.remove.length),
      findings: findings.length + sum((plan) => plan.findings.length),
      errors: errors.length,
    },
    repositories,
    findings,
    errors,
  };
}

/** Every finding of a report, repository ones first. */
export function allFindings(report: Report): Finding[] {
  return [
    ...report.repositories.flatMap((plan) => plan.findings),
    ...report.findings,
  ];
}

/** Whether applying the report's plans would change any policy. */
export function hasPendingChanges(report: Report): boolean {
  return report.repositories.some((plan) => plan.write !== 'none');
}
