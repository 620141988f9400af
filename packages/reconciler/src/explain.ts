import type { AwsGateways } from '../../aws/src/index.js';
import {
  type BuildProject,
  type Finding,
  parseImageReference,
  planSweep,
  type ReconcilerConfig,
  type RepositoryLocation,
  repositoryArnOf,
} from '../../core/src/index.js';

export type ExplainRequest =
  | { projectArn: string }
  | { roleArn: string; image: string; region?: string };

export type Verdict = 'can-pull' | 'cannot-pull' | 'not-ecr' | 'unknown';

export interface Explanation {
  verdict: Verdict;
  projectArn?: string;
  roleArn?: string;
  image?: string;
  repositoryArn?: string;
  /** Every reason the pull fails, or a note when it works. */
  findings: Finding[];
  /** Problems that kept the check from finishing. */
  errors: { scope: string; code: string; message: string }[];
}

const PROJECT_ARN =
  /^arn:(aws[a-z-]*):codebuild:([a-z0-9-]+):(\d{12}):project\/(.+)$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

async function projectFor(
  request: ExplainRequest,
  gateways: AwsGateways
): Promise<BuildProject | string> {
  if ('projectArn' in request) {
    const match = request.projectArn.match(PROJECT_ARN);
    if (!match) return `${request.projectArn} is not a CodeBuild project ARN.`;
    const [, , region, accountId, name] = match as unknown as string[];
    const lookup = await gateways.codebuild.getBuildProjects(
      { accountId: accountId as string, region: region as string },
      [name as string]
    );
    const project = lookup.found[0];

    return (
      project ?? `Project ${name} does not exist in ${accountId} ${region}.`
    );
  }

  const match = request.roleArn.match(ROLE_ARN);
  if (!match) return `${request.roleArn} is not an IAM role ARN.`;
  const parsed = parseImageReference(request.image);
  const imageRegion =
    parsed.kind === 'ecr' ? parsed.reference.region : undefined;
  const region = request.region ?? imageRegion ?? 'us-east-1';

  return {
    arn: `arn:aws:codebuild:${region}:${match[1]}:project/(role ${match[2]})`,
    name: `(role ${match[2]})`,
    accountId: match[1] as string,
    region,
    serviceRoleArn: request.roleArn,
    image: request.image,
    imagePullCredentialsType: 'SERVICE_ROLE',
    tags: {},
  };
}

/**
 * Can this build role pull this image, and if not, every reason why. Runs
 * the same judgement as a sweep, restricted to one project and repository,
 * then checks that the stored policy already grants the role.
 */
export async function explainPull(
  dependencies: { config: ReconcilerConfig; gateways: AwsGateways },
  request: ExplainRequest
): Promise<Explanation> {
  const { config, gateways } = dependencies;
  const project = await projectFor(request, gateways);
  if (typeof project === 'string') {
    return {
      verdict: 'unknown',
      findings: [],
      errors: [
        { scope: 'project', code: 'PROJECT_NOT_FOUND', message: project },
      ],
    };
  }
  const base = {
    ...('projectArn' in request ? { projectArn: project.arn } : {}),
    ...(project.serviceRoleArn ? { roleArn: project.serviceRoleArn } : {}),
    image: project.image,
  };
  const parsed = parseImageReference(project.image);
  if (parsed.kind === 'not-ecr') {
    return { ...base, verdict: 'not-ecr', findings: [], errors: [] };
  }

  const tree = await gateways.organizations.readOrgTree();
  const location = parsed.kind === 'ecr' ? parsed.reference : undefined;
  const snapshot = location
    ? await gateways.ecr.readRepository(location)
    : undefined;
  const sameRepository = (candidate: RepositoryLocation) =>
    !!location && repositoryArnOf(candidate) === repositoryArnOf(location);
  const plan = planSweep({
    tree,
    config: { ...config, projectSelection: 'all' },
    repositories: snapshot ? [snapshot] : [],
    projects: [project],
    inScope: sameRepository,
  });
  const repositoryPlan = plan.repositories[0];
  const findings = [
    ...(repositoryPlan?.findings ?? []).filter(
      (finding) =>
        finding.projectArn === project.arn ||
        finding.code === 'INVALID_SHARE_TAG' ||
        finding.code === 'POLICY_TOO_LARGE'
    ),
    ...plan.findings,
  ];
  const repositoryArn = location ? repositoryArnOf(location) : undefined;
  const roleArn = project.serviceRoleArn ?? '';
  if (
    findings.length === 0 &&
    repositoryPlan &&
    !repositoryPlan.grants.keep.includes(roleArn)
  ) {
    findings.push({
      code: 'GRANT_PENDING',
      severity: 'warning',
      message: `The repository policy does not allow ${roleArn} yet; the next reconcile grants it.`,
      fix: 'Wait for the event-driven reconcile, or run: ecr-pull-reconciler apply --repository <name>.',
      ...(repositoryArn ? { repositoryArn } : {}),
      roleArn,
    });
  }
  const blocking = findings.filter((finding) => finding.severity !== 'info');

  return {
    ...base,
    ...(repositoryArn ? { repositoryArn } : {}),
    verdict: blocking.length === 0 ? 'can-pull' : 'cannot-pull',
    findings,
    errors: [],
  };
}
