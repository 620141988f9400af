import type {
  AwsGateways,
  RoleDescription,
  SimulationContextEntry,
} from '../../aws/src/index.js';
import {
  type BuildProject,
  type EcrImageReference,
  type Finding,
  type IdentityCheck,
  identityCheckFromPolicies,
  identityCheckFromSimulation,
  identityCheckNotRun,
  identityPullRequests,
  judgePullConditions,
  type OrgTree,
  type PullCheck,
  type PullPrincipal,
  parseImageReference,
  pullPrincipal,
  type ReconcilerConfig,
  type RepositorySnapshot,
  repositoryArnOf,
} from '../../core/src/index.js';

export type ExplainRequest =
  | { projectArn: string }
  | { roleArn: string; image: string; region?: string }
  /** A project already read, e.g. by the access report's sweep. */
  | { project: BuildProject };

export type Verdict = 'can-pull' | 'cannot-pull' | 'not-ecr' | 'unknown';

export interface Explanation {
  verdict: Verdict;
  projectArn?: string;
  roleArn?: string;
  image?: string;
  repositoryArn?: string;
  /** Every condition of the pull, in order, with what was found. */
  checks: PullCheck[];
  /** How the role's own IAM policies were judged, and what that leaves out. */
  identityCheck: IdentityCheck;
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
  if ('project' in request) return request.project;
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

type ExplainError = Explanation['errors'][number];

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface ExplainDependencies {
  config: ReconcilerConfig;
  gateways: AwsGateways;
  /** The Organization as read already; read afresh when absent. */
  tree?: OrgTree;
  /** Repositories as read already, by ARN; any other is read afresh. */
  repositories?: ReadonlyMap<string, RepositorySnapshot>;
}

async function readRepository(
  { gateways, config, repositories }: ExplainDependencies,
  image: EcrImageReference,
  errors: ExplainError[]
): Promise<RepositorySnapshot | undefined | 'unreadable'> {
  const known = repositories?.get(repositoryArnOf(image));
  if (known) return known;
  try {
    return await gateways.ecr.readRepository(image);
  } catch (error) {
    const managed = config.registries.some(
      (registry) =>
        registry.accountId === image.registryAccountId &&
        registry.regions.includes(image.region)
    );
    // An unmanaged registry is often one this tool has no role in; its
    // REGISTRY_NOT_MANAGED finding says enough.
    if (managed) {
      errors.push({
        scope: repositoryArnOf(image),
        code: 'REPOSITORY_UNREADABLE',
        message: message(error),
      });
    }

    return 'unreadable';
  }
}

async function readRole(
  gateways: AwsGateways,
  roleArn: string | undefined,
  errors: ExplainError[]
): Promise<RoleDescription | undefined | 'unreadable'> {
  if (!roleArn) return undefined;
  try {
    return await gateways.iam.readRole(roleArn);
  } catch (error) {
    errors.push({
      scope: roleArn,
      code: 'ROLE_UNREADABLE',
      message: message(error),
    });

    return 'unreadable';
  }
}

/** The principal's condition keys, typed as the simulator wants them. */
function simulationContext(
  context: PullPrincipal['context']
): SimulationContextEntry[] {
  return Object.entries(context).map(([key, value]) =>
    typeof value !== 'string'
      ? { key, values: [...value], type: 'stringList' }
      : key === 'aws:principalisawsservice'
        ? { key, values: [value], type: 'boolean' }
        : { key, values: [value], type: 'string' }
  );
}

/**
 * IAM's policy simulator where the member account's endpoint offers it
 * (real AWS does; moto answers HTTP 500), else the role's policies read and
 * judged by the project's evaluator.
 */
async function checkIdentity(
  gateways: AwsGateways,
  tree: OrgTree,
  project: BuildProject,
  image: EcrImageReference,
  role: RoleDescription | undefined | 'unreadable',
  errors: ExplainError[]
): Promise<IdentityCheck> {
  if (role === 'unreadable') {
    return identityCheckNotRun('The role could not be read.');
  }
  if (!role) return identityCheckNotRun('There is no role to judge.');

  const principal = pullPrincipal(tree, project, image);
  const simulation = await gateways.iam.simulatePrincipalPolicy(
    role.arn,
    identityPullRequests(principal),
    simulationContext(principal.context)
  );
  if (simulation.kind === 'simulated') {
    return identityCheckFromSimulation(simulation.actions);
  }
  if (simulation.kind === 'no-such-role') {
    return identityCheckNotRun('The role does not exist.');
  }

  try {
    const policies = (await gateways.iam.readRolePolicies(role.arn)) ?? [];
    const boundary = role.permissionsBoundaryArn
      ? [
          `the permissions boundary ${role.permissionsBoundaryArn} set on this role, which may refuse what the policies allow`,
        ]
      : [];

    return identityCheckFromPolicies(
      policies,
      principal,
      `SimulatePrincipalPolicy is not available: ${simulation.reason}`,
      boundary
    );
  } catch (error) {
    errors.push({
      scope: role.arn,
      code: 'ROLE_UNREADABLE',
      message: `The role's policies could not be read: ${message(error)}`,
    });

    return identityCheckNotRun(
      `SimulatePrincipalPolicy is not available (${simulation.reason}) and the role's policies could not be read.`
    );
  }
}

function unknown(base: Partial<Explanation>, error: ExplainError): Explanation {
  return {
    ...base,
    verdict: 'unknown',
    checks: [],
    identityCheck: identityCheckNotRun('The check did not get that far.'),
    findings: [],
    errors: [error],
  };
}

/**
 * Can this build role pull this image, and if not, every reason why. Each
 * condition of a pull is checked on its own (see `PULL_CHECKS`), so a
 * project broken in several ways hears of each.
 */
export async function explainPull(
  dependencies: ExplainDependencies,
  request: ExplainRequest
): Promise<Explanation> {
  const { config, gateways } = dependencies;
  const project = await projectFor(request, gateways);
  if (typeof project === 'string') {
    return unknown(
      {},
      { scope: 'project', code: 'PROJECT_NOT_FOUND', message: project }
    );
  }
  const isProject = !('roleArn' in request);
  const base = {
    ...(isProject ? { projectArn: project.arn } : {}),
    ...(project.serviceRoleArn ? { roleArn: project.serviceRoleArn } : {}),
    image: project.image,
  };
  const parsed = parseImageReference(project.image);
  if (parsed.kind === 'not-ecr') {
    return {
      ...base,
      verdict: 'not-ecr',
      checks: [],
      identityCheck: identityCheckNotRun('Not a private ECR image.'),
      findings: [],
      errors: [],
    };
  }
  if (parsed.kind === 'invalid') {
    return {
      ...base,
      verdict: 'cannot-pull',
      checks: [],
      identityCheck: identityCheckNotRun('The image URI is not valid.'),
      findings: [
        {
          code: 'INVALID_IMAGE_REFERENCE',
          severity: 'error',
          message: `Image "${project.image}" is not a valid ECR image URI: ${parsed.reason}`,
          fix: 'Use ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY[:TAG|@DIGEST].',
          ...(isProject ? { projectArn: project.arn } : {}),
          accountId: project.accountId,
          image: project.image,
        },
      ],
      errors: [],
    };
  }

  const image = parsed.reference;
  const repositoryArn = repositoryArnOf(image);
  let tree: OrgTree;
  try {
    tree = dependencies.tree ?? (await gateways.organizations.readOrgTree());
  } catch (error) {
    return unknown(
      { ...base, repositoryArn },
      {
        scope: 'organization',
        code: 'ORGANIZATION_UNREADABLE',
        message: message(error),
      }
    );
  }

  const errors: ExplainError[] = [];
  const [repository, role] = await Promise.all([
    readRepository(dependencies, image, errors),
    readRole(gateways, project.serviceRoleArn, errors),
  ]);
  const identity = await checkIdentity(
    gateways,
    tree,
    project,
    image,
    role,
    errors
  );
  const { checks, findings } = judgePullConditions({
    tree,
    config,
    project,
    isProject,
    image,
    repository,
    roleExists: role === 'unreadable' ? 'unreadable' : role !== undefined,
    identity,
  });
  const blocking = findings.some((finding) => finding.severity !== 'info');
  const verdict = blocking
    ? 'cannot-pull'
    : errors.length > 0
      ? 'unknown'
      : 'can-pull';

  return {
    ...base,
    repositoryArn,
    verdict,
    checks,
    identityCheck: identity,
    findings,
    errors,
  };
}
