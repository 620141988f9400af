import type { ReconcilerConfig } from '../config/config.js';
import type { Finding } from '../findings/finding.js';
import {
  parseImageReference,
  repositoryArnOf,
} from '../image/image-reference.js';
import type { EcrImageReference } from '../image/types.js';
import type { BuildProject } from '../project/build-project.js';

/** A selected build project whose image lives in a private ECR repository. */
export interface ProjectPull {
  project: BuildProject;
  image: EcrImageReference;
  repositoryArn: string;
}

export interface ProjectPulls {
  pulls: ProjectPull[];
  findings: Finding[];
}

/** Whether the project opted in, by tag or because every project counts. */
export function isSelected(
  project: BuildProject,
  config: ReconcilerConfig
): boolean {
  if (config.projectSelection === 'all') return true;
  const value = project.tags[config.tags.projectOptIn];

  return value?.trim() === config.tags.projectOptInValue;
}

/**
 * Turns selected projects into the repositories they pull from. Images that
 * are not private ECR (curated, public, other registries) need no policy and
 * are left alone; malformed ones are reported.
 */
export function collectProjectPulls(
  projects: readonly BuildProject[],
  config: ReconcilerConfig
): ProjectPulls {
  const pulls: ProjectPull[] = [];
  const findings: Finding[] = [];

  for (const project of projects) {
    if (!isSelected(project, config)) continue;
    const parsed = parseImageReference(project.image);
    if (parsed.kind === 'invalid') {
      findings.push({
        code: 'INVALID_IMAGE_REFERENCE',
        severity: 'error',
        message: `Project ${project.name} uses image "${project.image}", which is not a valid ECR image URI: ${parsed.reason}`,
        fix: 'Use ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY[:TAG|@DIGEST].',
        projectArn: project.arn,
        accountId: project.accountId,
        image: project.image,
      });
      continue;
    }
    if (parsed.kind === 'not-ecr') continue;

    pulls.push({
      project,
      image: parsed.reference,
      repositoryArn: repositoryArnOf(parsed.reference),
    });
  }

  return { pulls, findings };
}
