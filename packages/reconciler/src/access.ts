import type { AwsGateways } from '../../aws/src/index.js';
import {
  type BuildProject,
  type Finding,
  type FindingCode,
  mapSettled,
  type OrgTree,
  parseImageReference,
  type ReportError,
  type RepositorySnapshot,
  repositoryArnOf,
} from '../../core/src/index.js';
import {
  type AccessMatrix,
  buildAccessMatrix,
  cellKey,
} from './access-matrix.js';
import { explainPull } from './explain.js';
import {
  createReconciler,
  type ProjectSource,
  type ReconcilerDependencies,
} from './reconciler.js';

/**
 * What the plan cannot see and explain can: the role's own IAM policies,
 * foreign Deny statements, and roles that no longer exist.
 */
const EXPLAIN_ONLY: ReadonlySet<FindingCode> = new Set([
  'ROLE_LACKS_IDENTITY_PERMISSION',
  'DENIED_BY_FOREIGN_STATEMENT',
  'PROJECT_WITHOUT_SERVICE_ROLE',
]);

export interface AccessSurveyOptions {
  /**
   * Explain every pull the plan grants, to find what only explain sees.
   * One IAM simulation (or policy read) per pull; repositories and the
   * Organization come from the plan's own reads.
   */
  explainGrants?: boolean;
  generatedAt?: Date;
}

/**
 * Who can pull what, from the same reads and plan as `plan` (nothing is
 * written), with every granted pull explained on top.
 */
export async function surveyAccess(
  // Explain reads build roles' policies, so IAM is needed besides the
  // reconciler's own gateways.
  dependencies: ReconcilerDependencies & { gateways: AwsGateways },
  options: AccessSurveyOptions = {}
): Promise<AccessMatrix> {
  const { config } = dependencies;
  let tree: OrgTree | undefined;
  const projects: BuildProject[] = [];
  // The plan's own reads are kept, so explaining a granted pull costs no
  // second read of the Organization or of the repository.
  const repositories = new Map<string, RepositorySnapshot>();
  const ecr = dependencies.gateways.ecr;
  const gateways: AwsGateways = {
    ...dependencies.gateways,
    ecr: {
      ...ecr,
      readRepositories: async (registry, options) => {
        const sweep = await ecr.readRepositories(registry, options);
        for (const snapshot of sweep.repositories) {
          repositories.set(snapshot.arn, snapshot);
        }

        return sweep;
      },
    },
    organizations: {
      readOrgTree: async () => {
        tree = await dependencies.gateways.organizations.readOrgTree();

        return tree;
      },
    },
  };
  const source: ProjectSource = dependencies.projectSource ?? {
    listBuildProjects: (accountId, region) =>
      dependencies.gateways.codebuild.listBuildProjects({ accountId, region }),
  };
  const projectSource: ProjectSource = {
    listBuildProjects: async (accountId, region) => {
      const listed = await source.listBuildProjects(accountId, region);
      projects.push(...listed);

      return listed;
    },
  };

  const report = await createReconciler({
    ...dependencies,
    gateways,
    projectSource,
  }).reconcile({ mode: 'plan' });

  const extraFindings = new Map<string, Finding[]>();
  const errors: ReportError[] = [];
  const granted = (project: BuildProject) => {
    const parsed = parseImageReference(project.image);
    if (parsed.kind !== 'ecr' || !project.serviceRoleArn) return undefined;
    const arn = repositoryArnOf(parsed.reference);
    const plan = report.repositories.find((candidate) => candidate.arn === arn);
    const role = project.serviceRoleArn;

    return plan?.grants.keep.includes(role) || plan?.grants.add.includes(role)
      ? arn
      : undefined;
  };
  // The findings only explain sees depend on the role and the repository,
  // not on the project: one explain per pair covers every project in it.
  const pairs = new Map<
    string,
    { project: BuildProject; repositoryArn: string; projects: BuildProject[] }
  >();
  for (const project of projects) {
    const repositoryArn = granted(project);
    if (!repositoryArn) continue;
    const key = `${project.serviceRoleArn} ${repositoryArn}`;
    const pair = pairs.get(key) ?? { project, repositoryArn, projects: [] };
    pair.projects.push(project);
    pairs.set(key, pair);
  }
  const toExplain = [...pairs.values()];

  if (tree && (options.explainGrants ?? true)) {
    const known = tree;
    const results = await mapSettled(
      toExplain,
      config.concurrency,
      ({ project }) =>
        explainPull(
          {
            config,
            gateways: dependencies.gateways,
            tree: known,
            repositories,
          },
          { project }
        )
    );
    results.forEach((result, index) => {
      const item = toExplain[index];
      if (!item) return;
      if (result.status === 'rejected') {
        errors.push({
          scope: item.project.arn,
          code: 'EXPLAIN_FAILED',
          message: String(result.reason),
        });
        return;
      }
      errors.push(...result.value.errors);
      const found = result.value.findings.filter((finding) =>
        EXPLAIN_ONLY.has(finding.code)
      );
      if (found.length === 0) return;
      for (const project of item.projects) {
        extraFindings.set(
          cellKey(project.arn, item.repositoryArn),
          found.map((finding) => ({ ...finding, projectArn: project.arn }))
        );
      }
    });
  }

  return buildAccessMatrix({
    report: { ...report, errors: [...report.errors, ...errors] },
    tree,
    projects,
    config,
    extraFindings,
    ...(options.generatedAt ? { generatedAt: options.generatedAt } : {}),
  });
}
