import type { ReconcilerConfig } from '../config/config.js';
import type { Finding, FindingCode, Severity } from '../findings/finding.js';
import {
  type ContextValue,
  describeStatement,
  principalContext,
} from '../iam/policy-evaluation.js';
import {
  judgeRepositoryPolicy,
  type PullPrincipal,
} from '../iam/pull-access.js';
import { repositoryArnOf } from '../image/image-reference.js';
import type { EcrImageReference } from '../image/types.js';
import {
  isActiveMember,
  type OrgTree,
  orgPathOfAccount,
} from '../organization/org-tree.js';
import { isSelected } from '../plan/project-pull.js';
import {
  audienceOfRepository,
  describeTarget,
} from '../plan/repository-audience.js';
import { planSweep } from '../plan/sweep-plan.js';
import { parsePolicyText } from '../policy/parse.js';
import type { BuildProject } from '../project/build-project.js';
import type { RepositorySnapshot } from '../repository/repository.js';
import type { IdentityCheck } from './identity-check.js';

/** Every condition of a successful pull, in the order explain checks them. */
export const PULL_CHECKS = [
  'same-region',
  'registry-managed',
  'repository-exists',
  'repository-shared',
  'account-in-organization',
  'account-in-audience',
  'service-role',
  'pull-credentials',
  'project-opted-in',
  'policy-grants-role',
  'no-foreign-deny',
  'identity-permissions',
] as const;

export type PullCheckName = (typeof PULL_CHECKS)[number];

/**
 * `pass`: the condition holds. `fail`: it does not, and a finding says why.
 * `info`: worth knowing, does not stop the pull. `skipped`: could not be
 * judged, because an earlier fact is missing.
 */
export type PullCheckStatus = 'pass' | 'fail' | 'info' | 'skipped';

export interface PullCheck {
  check: PullCheckName;
  status: PullCheckStatus;
  detail: string;
  /** The codes of the findings this check raised. */
  codes: FindingCode[];
}

/** What explain read from AWS about one pull. */
export interface PullFacts {
  tree: OrgTree;
  config: ReconcilerConfig;
  /** The project, or one made up from `--role` and `--image`. */
  project: BuildProject;
  /** False when explaining a role and an image rather than a project. */
  isProject: boolean;
  image: EcrImageReference;
  /** `unreadable` when the registry could not be read. */
  repository: RepositorySnapshot | undefined | 'unreadable';
  /** Whether the service role exists; `unreadable` when IAM refused. */
  roleExists: boolean | 'unreadable';
  identity: IdentityCheck;
}

export interface PullJudgement {
  checks: PullCheck[];
  findings: Finding[];
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;

/** The condition keys the pull is evaluated with. */
export function pullPrincipal(
  tree: OrgTree,
  project: BuildProject,
  image: EcrImageReference
): PullPrincipal {
  const roleArn = project.serviceRoleArn ?? '';
  const member = tree.accounts.has(project.accountId);
  const orgPath = member
    ? orgPathOfAccount(tree, project.accountId)
    : undefined;
  const context: Record<string, ContextValue> = principalContext({
    roleArn,
    accountId: project.accountId,
    ...(member ? { organizationId: tree.organizationId } : {}),
    ...(orgPath ? { orgPath } : {}),
  });

  return { roleArn, repositoryArn: repositoryArnOf(image), context };
}

function isManagedRegistry(config: ReconcilerConfig, image: EcrImageReference) {
  return config.registries.some(
    (registry) =>
      registry.accountId === image.registryAccountId &&
      registry.regions.includes(image.region)
  );
}

/**
 * Judges every condition of a pull on its own, so that a project broken in
 * several ways hears of each, not only of the first. The grant itself is
 * decided by the same sweep planning the reconciler runs.
 */
export function judgePullConditions(facts: PullFacts): PullJudgement {
  const { tree, config, project, image } = facts;
  const checks: PullCheck[] = [];
  const findings: Finding[] = [];
  const repositoryArn = repositoryArnOf(image);
  const roleArn = project.serviceRoleArn;
  const about = {
    repositoryArn,
    ...(facts.isProject ? { projectArn: project.arn } : {}),
    ...(roleArn ? { roleArn } : {}),
    accountId: project.accountId,
    image: project.image,
  };
  const subject = facts.isProject
    ? `Project ${project.name}`
    : `Role ${roleArn ?? '(none)'}`;

  const record = (
    check: PullCheckName,
    status: PullCheckStatus,
    detail: string,
    raised: {
      code: FindingCode;
      severity: Severity;
      message: string;
      fix?: string;
    }[] = []
  ) => {
    checks.push({
      check,
      status,
      detail,
      codes: raised.map((finding) => finding.code),
    });
    for (const finding of raised) findings.push({ ...finding, ...about });
  };
  const failed = () => checks.some((check) => check.status === 'fail');

  if (image.region === project.region) {
    record(
      'same-region',
      'pass',
      `Image and build are both in ${image.region}.`
    );
  } else {
    record(
      'same-region',
      'fail',
      `Build in ${project.region}, image in ${image.region}.`,
      [
        {
          code: 'REGION_MISMATCH',
          severity: 'error',
          message: `${subject} builds in ${project.region} but its image is in ${image.region}; CodeBuild pulls only from its own Region.`,
          fix: `Replicate the repository to ${project.region} (ECR replication) and use that image URI.`,
        },
      ]
    );
  }

  const managed = isManagedRegistry(config, image);
  if (managed) {
    record(
      'registry-managed',
      'pass',
      `Account ${image.registryAccountId} in ${image.region} is a managed registry.`
    );
  } else {
    record(
      'registry-managed',
      'info',
      'This tool does not manage the policy of this registry.',
      [
        {
          code: 'REGISTRY_NOT_MANAGED',
          severity: 'info',
          message: `The image is in account ${image.registryAccountId} in ${image.region}, which is not a configured registry; its policy is not managed here.`,
          fix: 'Add the account and Region to registries if this tool should manage it.',
        },
      ]
    );
  }

  const repository =
    typeof facts.repository === 'object' ? facts.repository : undefined;
  if (facts.repository === 'unreadable') {
    record(
      'repository-exists',
      'skipped',
      `The registry account ${image.registryAccountId} could not be read.`
    );
  } else if (!repository) {
    record(
      'repository-exists',
      'fail',
      `No repository ${image.repositoryName} in ${image.registryAccountId} ${image.region}.`,
      [
        {
          code: 'REPOSITORY_NOT_FOUND',
          severity: 'error',
          message: `Repository ${image.repositoryName} does not exist in account ${image.registryAccountId} in ${image.region}.`,
          fix: 'Create the repository, or fix the image URI.',
        },
      ]
    );
  } else {
    record('repository-exists', 'pass', `Repository ${repositoryArn} exists.`);
  }

  const audience = repository
    ? audienceOfRepository(repository, tree, config)
    : undefined;
  if (!audience) {
    record('repository-shared', 'skipped', 'No repository to read tags from.');
  } else if (audience.kind === 'invalid') {
    record(
      'repository-shared',
      'fail',
      `Tag ${config.tags.shareWith}="${audience.value}" is invalid.`,
      [
        {
          code: 'INVALID_SHARE_TAG',
          severity: 'error',
          message: `Tag ${config.tags.shareWith}="${audience.value}" of ${image.repositoryName} is invalid: ${audience.reason}. The repository is left as it is.`,
          fix: 'The registry owner fixes the tag: space-separated OU ids, the root id, 12-digit account ids or org.',
        },
      ]
    );
  } else if (audience.kind === 'not-shared') {
    record('repository-shared', 'fail', `No ${config.tags.shareWith} tag.`, [
      {
        code: 'REPOSITORY_NOT_SHARED',
        severity: 'warning',
        message: `Repository ${image.repositoryName} has no ${config.tags.shareWith} tag, so nobody is granted.`,
        fix: `The registry owner tags it ${config.tags.shareWith}=<OU, root, account or org>.`,
      },
    ]);
  } else {
    const targets = audience.audience.targets.map(describeTarget).join(' ');
    record('repository-shared', 'pass', `Shared with ${targets}.`);
  }

  if (isActiveMember(tree, project.accountId)) {
    record(
      'account-in-organization',
      'pass',
      `Account ${project.accountId} is an active member of ${tree.organizationId}.`
    );
  } else {
    record(
      'account-in-organization',
      'fail',
      `Account ${project.accountId} is not an active member.`,
      [
        {
          code: 'ACCOUNT_NOT_IN_ORGANIZATION',
          severity: 'error',
          message: `Account ${project.accountId} is not an active account of Organization ${tree.organizationId}; the managed statement admits members only.`,
          fix: 'Build in an active member account of the Organization.',
        },
      ]
    );
  }

  if (audience?.kind !== 'shared') {
    record(
      'account-in-audience',
      'skipped',
      'The repository has no valid audience.'
    );
  } else if (audience.audience.accountIds.has(project.accountId)) {
    record(
      'account-in-audience',
      'pass',
      `Account ${project.accountId} is in the audience.`
    );
  } else {
    const targets = audience.audience.targets.map(describeTarget).join(' ');
    record(
      'account-in-audience',
      'fail',
      `Account ${project.accountId} is outside ${targets}.`,
      [
        {
          code: 'ACCOUNT_OUTSIDE_AUDIENCE',
          severity: 'error',
          message: `Account ${project.accountId} is outside the audience of ${image.repositoryName} (${config.tags.shareWith}=${targets}).`,
          fix: 'Ask the registry owner to share the repository with this account or its OU.',
        },
      ]
    );
  }

  const roleAccount = roleArn?.match(ROLE_ARN)?.[1];
  if (!roleArn || roleAccount !== project.accountId) {
    record(
      'service-role',
      'fail',
      `No service role of account ${project.accountId}.`,
      [
        {
          code: 'PROJECT_WITHOUT_SERVICE_ROLE',
          severity: 'error',
          message: `${subject} has no service role of its own account (${roleArn ?? 'none'}).`,
          fix: 'Give the project an IAM service role in its account.',
        },
      ]
    );
  } else if (facts.roleExists === 'unreadable') {
    record(
      'service-role',
      'skipped',
      `IAM in account ${project.accountId} could not be read.`
    );
  } else if (!facts.roleExists) {
    record('service-role', 'fail', `Role ${roleArn} does not exist.`, [
      {
        code: 'PROJECT_WITHOUT_SERVICE_ROLE',
        severity: 'error',
        message: `The service role ${roleArn} does not exist (deleted?). A role made again with the same name is a new principal.`,
        fix: 'Create the role again and let the next reconcile grant it, or give the project another role.',
      },
    ]);
  } else {
    record('service-role', 'pass', `Role ${roleArn} exists.`);
  }

  const crossAccount = project.accountId !== image.registryAccountId;
  if (!facts.isProject) {
    record(
      'pull-credentials',
      'skipped',
      'No project: a role pulls with its own credentials.'
    );
  } else if (
    crossAccount &&
    project.imagePullCredentialsType !== 'SERVICE_ROLE'
  ) {
    record(
      'pull-credentials',
      'fail',
      `${project.imagePullCredentialsType} credentials across accounts.`,
      [
        {
          code: 'CODEBUILD_CREDENTIALS_CROSS_ACCOUNT',
          severity: 'error',
          message: `${subject} pulls a cross-account image with ${project.imagePullCredentialsType} credentials, which CodeBuild refuses.`,
          fix: 'Set the environment imagePullCredentialsType of the project to SERVICE_ROLE.',
        },
      ]
    );
  } else {
    record(
      'pull-credentials',
      'pass',
      `Pulls with ${project.imagePullCredentialsType} credentials.`
    );
  }

  const parsed = repository
    ? parsePolicyText(repository.policyText)
    : undefined;
  const principal = pullPrincipal(tree, project, image);
  const judgement =
    parsed?.ok && roleArn
      ? judgeRepositoryPolicy(parsed.document, config.managedSid, principal)
      : undefined;
  const granted = judgement !== undefined && judgement.notGranted.length === 0;
  const optedIn = !facts.isProject || isSelected(project, config);

  if (!facts.isProject) {
    record('project-opted-in', 'skipped', 'No project to opt in.');
  } else if (optedIn) {
    record(
      'project-opted-in',
      'pass',
      `Tagged ${config.tags.projectOptIn}=${config.tags.projectOptInValue}, or every project is selected.`
    );
  } else if (granted) {
    record(
      'project-opted-in',
      'info',
      `Not tagged ${config.tags.projectOptIn}=${config.tags.projectOptInValue}; its role is granted through another project.`
    );
  } else {
    record(
      'project-opted-in',
      'fail',
      `Not tagged ${config.tags.projectOptIn}=${config.tags.projectOptInValue}.`,
      [
        {
          code: 'PROJECT_NOT_OPTED_IN',
          severity: 'warning',
          message: `${subject} is not tagged ${config.tags.projectOptIn}=${config.tags.projectOptInValue}, so the reconciler does not grant its role.`,
          fix: `Tag the project ${config.tags.projectOptIn}=${config.tags.projectOptInValue}.`,
        },
      ]
    );
  }

  if (!repository) {
    record('policy-grants-role', 'skipped', 'No repository policy to read.');
  } else if (parsed && !parsed.ok) {
    record(
      'policy-grants-role',
      'fail',
      'The stored policy is not a policy document.',
      [
        {
          code: 'INVALID_REPOSITORY_POLICY',
          severity: 'error',
          message: `The policy of ${image.repositoryName} cannot be read as a policy document: ${parsed.reason}. It is left untouched.`,
          fix: 'Fix the policy by hand.',
        },
      ]
    );
  } else if (granted) {
    const by = judgement?.grantedByManagedStatement
      ? 'the managed statement'
      : 'a foreign statement';
    record(
      'policy-grants-role',
      'pass',
      `The policy allows the role the pull actions, through ${by}.`
    );
  } else {
    // Opting in is a check of its own; here the question is only whether
    // the reconciler could fit the grant into the policy.
    const plan = planSweep({
      tree,
      config: { ...config, projectSelection: 'all' },
      repositories: [repository],
      projects: [project],
    }).repositories[0];
    const tooLarge = plan?.findings.filter(
      (finding) => finding.code === 'POLICY_TOO_LARGE'
    );
    const missing = judgement?.notGranted.join(', ') ?? 'the pull actions';
    if (tooLarge && tooLarge.length > 0) {
      record(
        'policy-grants-role',
        'fail',
        `Not granted (${missing}); the policy has no room.`,
        tooLarge
      );
    } else if (failed()) {
      record(
        'policy-grants-role',
        'fail',
        `Not granted (${missing}), for the reasons above.`
      );
    } else {
      record('policy-grants-role', 'fail', `Not granted yet (${missing}).`, [
        {
          code: 'GRANT_PENDING',
          severity: 'warning',
          message: `The repository policy does not allow ${roleArn} ${missing} yet; the next reconcile grants it.`,
          fix: `Wait for the event-driven reconcile, or run: ecr-pull-reconciler apply --repository ${image.repositoryName}.`,
        },
      ]);
    }
  }

  if (!judgement) {
    record('no-foreign-deny', 'skipped', 'No repository policy to read.');
  } else if (
    judgement.denies.length === 0 &&
    judgement.possibleDenies.length === 0
  ) {
    record(
      'no-foreign-deny',
      'pass',
      'No foreign Deny statement applies to the role.'
    );
  } else {
    record(
      'no-foreign-deny',
      'fail',
      'A foreign Deny statement stands in the way.',
      [
        ...judgement.denies.map((ref) => ({
          code: 'DENIED_BY_FOREIGN_STATEMENT' as const,
          severity: 'error' as const,
          message: `${describeStatement(ref)} denies the role a pull action; a Deny wins over any Allow.`,
          fix: 'Talk to the registry owner: the statement is foreign, so this tool never changes it.',
        })),
        ...judgement.possibleDenies.map((ref) => ({
          code: 'DENIED_BY_FOREIGN_STATEMENT' as const,
          severity: 'warning' as const,
          message: `${describeStatement(ref)} denies a pull action when its condition on ${ref.keys.join(', ')} holds, which explain cannot judge.`,
          fix: 'Check the condition with the registry owner.',
        })),
      ]
    );
  }

  const identity = facts.identity;
  const refused = identity.actions.filter(
    (action) => action.decision !== 'allowed'
  );
  if (identity.method === 'not-run') {
    record('identity-permissions', 'skipped', identity.note);
  } else if (refused.length === 0) {
    record(
      'identity-permissions',
      'pass',
      `The role's own policies allow every pull action (${identity.method}).`
    );
  } else {
    const how =
      identity.method === 'simulated'
        ? 'judged by IAM SimulatePrincipalPolicy'
        : "judged by reading the role's policies";
    const list = refused
      .map((action) => {
        const by = action.decidedBy.length
          ? ` by ${action.decidedBy.join(', ')}`
          : '';
        return `${action.action} (${action.decision}${by})`;
      })
      .join(', ');
    record('identity-permissions', 'fail', `Refused: ${list}.`, [
      {
        code: 'ROLE_LACKS_IDENTITY_PERMISSION',
        severity: 'error',
        message: `The IAM policies of role ${roleArn} do not allow ${list}; ${how}.`,
        fix: `Allow the role ecr:GetAuthorizationToken on * and ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability on ${repositoryArn}.`,
      },
    ]);
  }

  return { checks, findings };
}
