import {
  type BuildProject,
  type Finding,
  type FindingCode,
  isSelected,
  type OrgTree,
  parseImageReference,
  parseRepositoryArn,
  type ReconcilerConfig,
  type Report,
  type ReportError,
  repositoryArnOf,
} from '../../core/src/index.js';

/**
 * `granted`: the stored policy lets the project's role pull. `pending`: the
 * next reconcile grants it. `refused`: the project asks and a finding says
 * why it cannot pull. `not-requested`: the project does not pull from the
 * repository (or did not opt in). `unknown`: something could not be read.
 */
export type AccessStatus =
  | 'granted'
  | 'pending'
  | 'refused'
  | 'not-requested'
  | 'unknown';

export const ACCESS_STATUSES: readonly AccessStatus[] = [
  'granted',
  'pending',
  'refused',
  'not-requested',
  'unknown',
];

export interface AccessCell {
  repositoryArn: string;
  status: AccessStatus;
  /** Whether the project's image is in this repository. */
  requested: boolean;
  findings: Finding[];
  /** Why the status is what it is, in a sentence. */
  note: string;
}

export interface AccessRow {
  accountId: string;
  accountName?: string;
  /** Undefined for an account without build projects. */
  project?: {
    arn: string;
    name: string;
    roleArn?: string;
    image: string;
    optedIn: boolean;
    /** Findings that name no repository, e.g. a malformed image URI. */
    findings: Finding[];
  };
  cells: AccessCell[];
}

export interface AccessColumn {
  arn: string;
  name: string;
  accountId: string;
  region: string;
  /** False for a repository that projects name but that does not exist. */
  exists: boolean;
  audience: string[];
  /** Findings about the repository itself (tag, policy). */
  findings: Finding[];
}

export interface AccessTotals {
  repositories: number;
  accounts: number;
  projects: number;
  cells: Record<AccessStatus, number>;
  /** Findings of requested cells and repositories, by code. */
  findings: Partial<Record<FindingCode, number>>;
  errors: number;
}

/** Who can pull what: repositories against member accounts and projects. */
export interface AccessMatrix {
  organizationId: string | null;
  generatedAt: string;
  columns: AccessColumn[];
  rows: AccessRow[];
  totals: AccessTotals;
  errors: ReportError[];
}

/** Extra findings per (project, repository), e.g. identity checks. */
export type ExtraFindings = ReadonlyMap<string, readonly Finding[]>;

export function cellKey(projectArn: string, repositoryArn: string): string {
  return `${projectArn} ${repositoryArn}`;
}

export interface AccessMatrixInput {
  report: Report;
  tree: OrgTree | undefined;
  projects: readonly BuildProject[];
  config: ReconcilerConfig;
  /** Findings found besides the plan's, keyed by `cellKey`. */
  extraFindings?: ExtraFindings;
  generatedAt?: Date;
}

function requestedRepository(project: BuildProject): string | undefined {
  const parsed = parseImageReference(project.image);

  return parsed.kind === 'ecr' ? repositoryArnOf(parsed.reference) : undefined;
}

function columnOf(arn: string): Omit<AccessColumn, 'exists'> {
  const location = parseRepositoryArn(arn);

  return {
    arn,
    name: location?.repositoryName ?? arn,
    accountId: location?.registryAccountId ?? '',
    region: location?.region ?? '',
    audience: [],
    findings: [],
  };
}

function blocking(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => finding.severity !== 'info');
}

/**
 * Builds the access matrix from a plan report and the projects it was made
 * from. Nothing is read here: the survey has done that.
 */
export function buildAccessMatrix(input: AccessMatrixInput): AccessMatrix {
  const { report, tree, config } = input;
  const plans = new Map(report.repositories.map((plan) => [plan.arn, plan]));
  const projects = [...input.projects].sort(
    (a, b) =>
      a.accountId.localeCompare(b.accountId) || a.name.localeCompare(b.name)
  );

  const columns: AccessColumn[] = report.repositories.map((plan) => ({
    ...columnOf(plan.arn),
    exists: true,
    audience: plan.audience,
    findings: plan.findings.filter((finding) => !finding.projectArn),
  }));
  for (const project of projects) {
    const arn = requestedRepository(project);
    if (arn && !plans.has(arn) && !columns.some((c) => c.arn === arn)) {
      columns.push({ ...columnOf(arn), exists: false });
    }
  }

  const findingsOf = (projectArn: string, repositoryArn: string) => [
    ...[...(plans.get(repositoryArn)?.findings ?? []), ...report.findings]
      .filter(
        (finding) =>
          finding.projectArn === projectArn &&
          (finding.repositoryArn ?? repositoryArn) === repositoryArn
      )
      .filter(
        (finding, index, all) =>
          all.findIndex(
            (other) =>
              other.code === finding.code && other.message === finding.message
          ) === index
      ),
    ...(input.extraFindings?.get(cellKey(projectArn, repositoryArn)) ?? []),
  ];

  const cellFor = (project: BuildProject, column: AccessColumn): AccessCell => {
    const requested = requestedRepository(project) === column.arn;
    const plan = plans.get(column.arn);
    const role = project.serviceRoleArn ?? '';
    const kept = plan?.grants.keep.includes(role) ?? false;
    const added = plan?.grants.add.includes(role) ?? false;
    const cell = (status: AccessStatus, note: string, findings = []) => ({
      repositoryArn: column.arn,
      status,
      requested,
      findings,
      note,
    });

    if (!requested) {
      if (kept) {
        return cell('granted', 'Its role is granted through another project.');
      }
      if (added) {
        return cell('pending', 'Its role is granted on the next reconcile.');
      }

      return cell('not-requested', 'The project does not pull from here.');
    }
    const findings = findingsOf(project.arn, column.arn);
    const refusals = blocking(findings);
    const base = { repositoryArn: column.arn, requested, findings };
    if (refusals.length > 0) {
      return {
        ...base,
        status: 'refused',
        note: refusals.map((finding) => finding.message).join(' '),
      };
    }
    const repositoryRefusal = blocking(column.findings).find(
      (finding) => finding.severity === 'error'
    );
    if (plan?.status === 'skipped' && repositoryRefusal) {
      return {
        ...base,
        status: 'refused',
        findings: [...findings, repositoryRefusal],
        note: repositoryRefusal.message,
      };
    }
    if (kept) return { ...base, status: 'granted', note: 'Granted.' };
    if (added) {
      return {
        ...base,
        status: 'pending',
        note: 'The next reconcile grants it (GRANT_PENDING).',
      };
    }
    if (!isSelected(project, config)) {
      return {
        ...base,
        status: 'not-requested',
        note: `Pulls from here, but is not tagged ${config.tags.projectOptIn}=${config.tags.projectOptInValue}.`,
      };
    }

    return {
      ...base,
      status: 'unknown',
      note: 'Could not be judged: see the errors.',
    };
  };

  const rows: AccessRow[] = projects.map((project) => ({
    accountId: project.accountId,
    ...accountName(tree, project.accountId),
    project: {
      arn: project.arn,
      name: project.name,
      ...(project.serviceRoleArn ? { roleArn: project.serviceRoleArn } : {}),
      image: project.image,
      optedIn: isSelected(project, config),
      findings: report.findings.filter(
        (finding) =>
          finding.projectArn === project.arn && !finding.repositoryArn
      ),
    },
    cells: columns.map((column) => cellFor(project, column)),
  }));
  const withProjects = new Set(projects.map((project) => project.accountId));
  const quiet = [...(tree?.accounts.values() ?? [])]
    .filter(
      (account) => account.status === 'ACTIVE' && !withProjects.has(account.id)
    )
    .map(
      (account): AccessRow => ({
        accountId: account.id,
        ...accountName(tree, account.id),
        cells: [],
      })
    );
  const allRows = [...rows, ...quiet].sort(
    (a, b) =>
      (a.accountName ?? a.accountId).localeCompare(
        b.accountName ?? b.accountId
      ) || (a.project?.name ?? '').localeCompare(b.project?.name ?? '')
  );

  return {
    organizationId: report.organizationId,
    generatedAt: (input.generatedAt ?? new Date()).toISOString(),
    columns,
    rows: allRows,
    totals: totalsOf(columns, allRows, report.errors.length),
    errors: report.errors,
  };
}

function accountName(tree: OrgTree | undefined, accountId: string) {
  const name = tree?.accounts.get(accountId)?.name;

  return name ? { accountName: name } : {};
}

function totalsOf(
  columns: readonly AccessColumn[],
  rows: readonly AccessRow[],
  errors: number
): AccessTotals {
  const cells = Object.fromEntries(
    ACCESS_STATUSES.map((status) => [status, 0])
  ) as Record<AccessStatus, number>;
  const findings: Partial<Record<FindingCode, number>> = {};
  const count = (finding: Finding) => {
    findings[finding.code] = (findings[finding.code] ?? 0) + 1;
  };
  // A repository's own finding shown in a refused cell counts once.
  const ofRepositories = new Set(columns.flatMap((column) => column.findings));
  for (const row of rows) {
    row.project?.findings.forEach(count);
    for (const cell of row.cells) {
      cells[cell.status]++;
      if (!cell.requested) continue;
      for (const finding of cell.findings) {
        if (!ofRepositories.has(finding)) count(finding);
      }
    }
  }
  ofRepositories.forEach(count);

  return {
    repositories: columns.filter((column) => column.exists).length,
    accounts: new Set(rows.map((row) => row.accountId)).size,
    projects: rows.filter((row) => row.project).length,
    cells,
    findings,
    errors,
  };
}
