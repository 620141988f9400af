import type {
  IndexedProject,
  ProjectIndexGateway,
} from '../../../aws/src/project-index.js';
import {
  type BuildProject,
  collectProjectPulls,
  type ReconcilerConfig,
} from '../../../core/src/index.js';
import { unique } from './route.js';

export type IndexEntry = Omit<IndexedProject, 'indexedAt'>;

/**
 * The index entry of a project, or undefined when the project has no
 * place in the index: not opted in, or not pulling from private ECR.
 */
export function indexEntryOf(
  project: BuildProject,
  config: ReconcilerConfig
): IndexEntry | undefined {
  const [pull] = collectProjectPulls([project], config).pulls;

  return pull ? { project, repositoryArn: pull.repositoryArn } : undefined;
}

function sameEntry(a: IndexEntry, b: IndexEntry): boolean {
  return (
    a.repositoryArn === b.repositoryArn &&
    JSON.stringify(a.project) === JSON.stringify(b.project)
  );
}

/**
 * Brings the index in line with one project as CodeBuild has it now
 * (undefined: the project is gone). Returns the repositories whose grants
 * may change: the one of the entry replaced, and the one of the new entry.
 */
export async function indexProject(
  index: ProjectIndexGateway,
  projectArn: string,
  project: BuildProject | undefined,
  config: ReconcilerConfig
): Promise<{ repositories: string[]; entry: IndexEntry | undefined }> {
  const entry = project ? indexEntryOf(project, config) : undefined;
  const previous = entry
    ? await index.put(entry)
    : await index.remove(projectArn);

  return {
    entry,
    repositories: unique([previous?.repositoryArn, entry?.repositoryArn]),
  };
}

/**
 * Re-indexes every project of one account and Region from a fresh listing:
 * new and changed projects are stored, vanished ones removed. Returns the
 * repositories whose grants may have changed.
 */
export async function reindexAccount(
  index: ProjectIndexGateway,
  accountId: string,
  region: string,
  projects: readonly BuildProject[],
  config: ReconcilerConfig
): Promise<string[]> {
  const stored = (await index.projectsOfAccount(accountId)).filter(
    (entry) => entry.project.region === region
  );
  const storedByArn = new Map(
    stored.map((entry) => [entry.project.arn, entry])
  );
  const affected: (string | undefined)[] = [];

  for (const project of projects) {
    const entry = indexEntryOf(project, config);
    const before = storedByArn.get(project.arn);
    storedByArn.delete(project.arn);
    if (entry && before && sameEntry(entry, before)) continue;
    if (!entry && !before) continue;
    const { repositories } = await indexProject(
      index,
      project.arn,
      project,
      config
    );
    affected.push(...repositories);
  }
  for (const [arn, entry] of storedByArn) {
    await index.remove(arn);
    affected.push(entry.repositoryArn);
  }

  return unique(affected);
}
