import type { ReconcilerConfig } from '../config/config.js';
import type { Finding } from '../findings/finding.js';
import type { RepositoryLocation } from '../image/types.js';
import type { OrgTree } from '../organization/org-tree.js';
import { isActiveMember } from '../organization/org-tree.js';
import { planPolicy } from '../policy/index.js';
import type { BuildProject } from '../project/build-project.js';
import type { RepositorySnapshot } from '../repository/repository.js';
import { collectProjectPulls, type ProjectPull } from './project-pull.js';
import {
  audienceOfRepository,
  describeTarget,
  type RepositoryAudience,
} from './repository-audience.js';
import type { Grant, RepositoryPlan } from './types.js';

export interface SweepInput {
  tree: OrgTree;
  config: ReconcilerConfig;
  /** Every repository to plan, as read from its registry account. */
  repositories: readonly RepositorySnapshot[];
  /** Every build project read from the member accounts. */
  projects: readonly BuildProject[];
  /**
   * Which repositories this run is about. Pulls of repositories outside the
   * scope are ignored; a pull of a repository inside it that was not read is
   * reported as not found. Defaults to every repository.
   */
  inScope?: (location: RepositoryLocation) => boolean;
  /** Registries (`account:region`) that could not be read this run. */
  unreadableRegistries?: ReadonlySet<string>;
  /** Repository ARNs that could not be read this run. */
  unreadableRepositories?: ReadonlySet<string>;
  /**
   * Member accounts whose projects could not be read. Their roles keep the
   * grants they have: a failed read must never revoke a working pull.
   */
  unreadableAccounts?: ReadonlySet<string>;
}

export interface SweepPlan {
  repositories: RepositoryPlan[];
  /** Findings about projects that belong to no planned repository. */
  findings: Finding[];
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;
/** The account of a role ARN or of a compacted role ARN pattern. */
const ROLE_ARN_ACCOUNT = /^arn:aws[a-z-]*:iam::(\d{12}):role\//;

export function registryKey(accountId: string, region: string): string {
  return `${accountId}:${region}`;
}

function isManagedRegistry(
  config: ReconcilerConfig,
  location: RepositoryLocation
): boolean {
  return config.registries.some(
    (registry) =>
      registry.accountId === location.registryAccountId &&
      registry.regions.includes(location.region)
  );
}

interface PullContext {
  input: SweepInput;
  repositories: ReadonlyMap<string, RepositorySnapshot>;
  audiences: ReadonlyMap<string, RepositoryAudience>;
}

type PullOutcome = { grant: true; roleArn: string } | { finding: Finding };

function judgePull(
  pull: ProjectPull,
  context: PullContext
): PullOutcome | null {
  const { project, image, repositoryArn } = pull;
  const { tree, config } = context.input;
  const about = {
    repositoryArn,
    projectArn: project.arn,
    accountId: project.accountId,
    image: project.image,
  };
  const refuse = (
    code: Finding['code'],
    message: string,
    fix?: string
  ): PullOutcome => ({
    finding: {
      code,
      severity: 'error',
      message,
      ...(fix ? { fix } : {}),
      ...about,
      ...(project.serviceRoleArn ? { roleArn: project.serviceRoleArn } : {}),
    },
  });

  if (image.region !== project.region) {
    return refuse(
      'REGION_MISMATCH',
      `Project ${project.name} builds in ${project.region} but its image is in ${image.region}.`,
      `Replicate the repository to ${project.region} (ECR replication) and use that image URI.`
    );
  }
  if (!isManagedRegistry(config, image)) {
    return {
      finding: {
        code: 'REGISTRY_NOT_MANAGED',
        severity: 'info',
        message: `Project ${project.name} pulls from account ${image.registryAccountId} in ${image.region}, which is not a configured registry; its policy is not managed here.`,
        ...about,
      },
    };
  }
  const repository = context.repositories.get(repositoryArn);
  if (!repository) {
    const registry = registryKey(image.registryAccountId, image.region);
    if (context.input.unreadableRegistries?.has(registry)) return null;
    if (context.input.unreadableRepositories?.has(repositoryArn)) return null;

    return refuse(
      'REPOSITORY_NOT_FOUND',
      `Project ${project.name} pulls ${image.repositoryName}, which does not exist in account ${image.registryAccountId} in ${image.region}.`,
      'Create the repository, or fix the image URI of the project.'
    );
  }
  const audience = context.audiences.get(repositoryArn);
  if (!audience || audience.kind === 'invalid') return null;
  if (audience.kind === 'not-shared') {
    return {
      finding: {
        code: 'REPOSITORY_NOT_SHARED',
        severity: 'warning',
        message: `Project ${project.name} pulls ${image.repositoryName}, which has no ${config.tags.shareWith} tag, so nobody is granted.`,
        fix: `The registry owner can tag the repository ${config.tags.shareWith}=<OU, root, account or org>.`,
        ...about,
      },
    };
  }
  if (!isActiveMember(tree, project.accountId)) {
    return refuse(
      'ACCOUNT_NOT_IN_ORGANIZATION',
      `Account ${project.accountId} of project ${project.name} is not an active account of the Organization.`
    );
  }
  if (!audience.audience.accountIds.has(project.accountId)) {
    const targets = audience.audience.targets.map(describeTarget).join(' ');

    return refuse(
      'ACCOUNT_OUTSIDE_AUDIENCE',
      `Account ${project.accountId} of project ${project.name} is outside the audience of ${image.repositoryName} (${config.tags.shareWith}=${targets}).`,
      'Ask the registry owner to share the repository with this account or its OU.'
    );
  }
  const roleArn = project.serviceRoleArn;
  const roleAccount = roleArn?.match(ROLE_ARN)?.[1];
  if (!roleArn || roleAccount !== project.accountId) {
    return refuse(
      'PROJECT_WITHOUT_SERVICE_ROLE',
      `Project ${project.name} has no service role of its own account (${roleArn ?? 'none'}).`,
      'Give the project an IAM service role in its account.'
    );
  }
  const crossAccount = project.accountId !== image.registryAccountId;
  if (crossAccount && project.imagePullCredentialsType !== 'SERVICE_ROLE') {
    return refuse(
      'CODEBUILD_CREDENTIALS_CROSS_ACCOUNT',
      `Project ${project.name} pulls a cross-account image with ${project.imagePullCredentialsType} credentials, which CodeBuild refuses.`,
      'Set the environment imagePullCredentialsType of the project to SERVICE_ROLE.'
    );
  }

  return { grant: true, roleArn };
}

function planOneRepository(
  repository: RepositorySnapshot,
  audience: RepositoryAudience,
  grants: readonly Grant[],
  projectFindings: readonly Finding[],
  input: SweepInput
): RepositoryPlan {
  const { tree, config } = input;
  const about = { repositoryArn: repository.arn };
  const findings: Finding[] = [];
  const skipped = (extra: Finding): RepositoryPlan => ({
    arn: repository.arn,
    status: 'skipped',
    write: 'none',
    policyText: null,
    audience: [],
    grants: { add: [], remove: [], keep: [] },
    policy: { before: null, after: null },
    findings: [extra, ...projectFindings],
  });

  if (audience.kind === 'invalid') {
    return skipped({
      code: 'INVALID_SHARE_TAG',
      severity: 'error',
      message: `Tag ${config.tags.shareWith}="${audience.value}" is invalid: ${audience.reason}. The repository is left as it is.`,
      fix: 'Use space-separated OU ids, the root id, 12-digit account ids or org.',
      ...about,
    });
  }

  let roleArns: string[] = [];
  let audienceNames: string[] = [];
  let orgPaths: readonly string[] | undefined;
  if (audience.kind === 'shared') {
    const resolved = audience.audience;
    audienceNames = resolved.targets.map(describeTarget);
    orgPaths = resolved.orgPaths;
    for (const target of resolved.missingTargets) {
      const isAccount = target.kind === 'account';
      findings.push({
        code: isAccount
          ? 'ACCOUNT_NOT_IN_ORGANIZATION'
          : 'SHARE_TARGET_NOT_FOUND',
        severity: 'warning',
        message: `${config.tags.shareWith} names ${describeTarget(target)}, which is not ${isAccount ? 'an active account' : 'a root or OU'} of the Organization; it grants nothing.`,
        ...about,
      });
    }
    // The audience was checked per pull already; checking again here keeps
    // invariant 1 true even if a caller hands in grants from elsewhere.
    roleArns = grants
      .map((grant) => grant.roleArn)
      .filter((arn) => {
        const account = arn.match(ROLE_ARN)?.[1];

        return account !== undefined && resolved.accountIds.has(account);
      });
  }

  const planFor = (granted: string[]) =>
    planPolicy({
      currentText: repository.policyText,
      sidPrefix: config.managedSid,
      access: {
        organizationId: tree.organizationId,
        roleArns: granted,
        ...(orgPaths ? { orgPaths } : {}),
      },
    });
  let policy = planFor(roleArns);
  const unreadable = input.unreadableAccounts;
  if (
    policy.ok &&
    unreadable &&
    unreadable.size > 0 &&
    audience.kind === 'shared'
  ) {
    const retained = policy.grantedBefore.filter((arn) => {
      const account = arn.match(ROLE_ARN_ACCOUNT)?.[1];

      return (
        account !== undefined &&
        unreadable.has(account) &&
        audience.audience.accountIds.has(account) &&
        !roleArns.includes(arn)
      );
    });
    if (retained.length > 0) {
      roleArns = [...roleArns, ...retained];
      policy = planFor(roleArns);
    }
  }
  if (!policy.ok) {
    return {
      ...skipped({ ...policy.finding, ...about }),
      audience: audienceNames,
      policy: { before: policy.before, after: policy.before },
    };
  }

  const desired = new Set(roleArns);
  const before = new Set(policy.grantedBefore);
  const sorted = (values: Iterable<string>) => [...values].sort();
  const changed = policy.action !== 'none';
  const status =
    audience.kind === 'not-shared' && !changed
      ? 'skipped'
      : changed
        ? 'changed'
        : 'unchanged';

  return {
    arn: repository.arn,
    status,
    write: policy.action,
    policyText: policy.afterText,
    audience: audienceNames,
    grants: {
      add: sorted([...desired].filter((arn) => !before.has(arn))),
      remove: sorted([...before].filter((arn) => !desired.has(arn))),
      keep: sorted([...desired].filter((arn) => before.has(arn))),
    },
    policy: { before: policy.before, after: policy.after },
    findings: [
      ...findings,
      ...policy.findings.map((finding) => ({ ...finding, ...about })),
      ...projectFindings,
    ],
  };
}

/**
 * Plans every repository of a sweep from what was read: which build roles
 * each must grant, and the policy that grants exactly them.
 */
export function planSweep(input: SweepInput): SweepPlan {
  const { tree, config } = input;
  const repositories = new Map(
    input.repositories.map((repository) => [repository.arn, repository])
  );
  const audiences = new Map(
    input.repositories.map((repository) => [
      repository.arn,
      audienceOfRepository(repository, tree, config),
    ])
  );
  const context: PullContext = { input, repositories, audiences };

  const collected = collectProjectPulls(input.projects, config);
  const orphanFindings: Finding[] = [...collected.findings];
  const grantsByRepository = new Map<string, Map<string, Grant>>();
  const findingsByRepository = new Map<string, Finding[]>();

  for (const pull of collected.pulls) {
    if (input.inScope && !input.inScope(pull.image)) continue;

    const outcome = judgePull(pull, context);
    if (outcome === null) continue;
    if ('finding' in outcome) {
      if (repositories.has(pull.repositoryArn)) {
        const list = findingsByRepository.get(pull.repositoryArn) ?? [];
        list.push(outcome.finding);
        findingsByRepository.set(pull.repositoryArn, list);
      } else {
        orphanFindings.push(outcome.finding);
      }
      continue;
    }
    const grants = grantsByRepository.get(pull.repositoryArn) ?? new Map();
    const grant = grants.get(outcome.roleArn) ?? {
      repositoryArn: pull.repositoryArn,
      roleArn: outcome.roleArn,
      projectArns: [],
    };
    grant.projectArns.push(pull.project.arn);
    grants.set(outcome.roleArn, grant);
    grantsByRepository.set(pull.repositoryArn, grants);
  }

  const plans = [...repositories.values()]
    .sort((a, b) => a.arn.localeCompare(b.arn))
    .map((repository) =>
      planOneRepository(
        repository,
        audiences.get(repository.arn) ?? { kind: 'not-shared' },
        [...(grantsByRepository.get(repository.arn)?.values() ?? [])],
        findingsByRepository.get(repository.arn) ?? [],
        input
      )
    );

  return { repositories: plans, findings: orphanFindings };
}
