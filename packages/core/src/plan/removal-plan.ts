import type { ReconcilerConfig } from '../config/config.js';
import { planPolicy } from '../policy/index.js';
import type { RepositorySnapshot } from '../repository/repository.js';
import type { RepositoryPlan } from './types.js';

/**
 * Plans the uninstall of one repository: its policy with every managed
 * statement taken out, deleted when nothing else remains, foreign
 * statements and the Version kept exactly. Tags play no part, so a
 * repository whose `share-with` tag is broken or gone is cleaned as well.
 */
export function planRemoval(
  repository: RepositorySnapshot,
  config: Pick<ReconcilerConfig, 'managedSid'>
): RepositoryPlan {
  const about = { repositoryArn: repository.arn };
  // With no roles to grant, the plan renders no managed statement, so the
  // Organization it would name does not matter.
  const policy = planPolicy({
    currentText: repository.policyText,
    sidPrefix: config.managedSid,
    access: { organizationId: '', roleArns: [] },
  });
  if (!policy.ok) {
    return {
      arn: repository.arn,
      status: 'skipped',
      write: 'none',
      policyText: null,
      audience: [],
      grants: { add: [], remove: [], keep: [] },
      policy: { before: policy.before, after: policy.before },
      findings: [{ ...policy.finding, ...about }],
    };
  }

  return {
    arn: repository.arn,
    status: policy.action === 'none' ? 'unchanged' : 'changed',
    write: policy.action,
    policyText: policy.afterText,
    audience: [],
    grants: { add: [], remove: [...policy.grantedBefore].sort(), keep: [] },
    policy: { before: policy.before, after: policy.after },
    findings: policy.findings.map((finding) => ({ ...finding, ...about })),
  };
}

/** Removal plans of every repository, in ARN order like a sweep. */
export function planRemovals(
  repositories: readonly RepositorySnapshot[],
  config: Pick<ReconcilerConfig, 'managedSid'>
): RepositoryPlan[] {
  return [...repositories]
    .sort((a, b) => a.arn.localeCompare(b.arn))
    .map((repository) => planRemoval(repository, config));
}
