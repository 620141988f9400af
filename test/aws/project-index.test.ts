import { beforeEach, describe, expect, it } from 'vitest';
import {
  createProjectIndex,
  ensureProjectIndexTable,
  type ProjectIndexGateway,
} from '../../packages/aws/src/project-index.js';
import { buildProject, PAYMENTS, WEB } from '../support/domain.js';
import { useMotoServer } from '../support/emulator.js';

const REPOSITORY = 'arn:aws:ecr:us-east-1:111111111111:repository/team/builder';
const OTHER = 'arn:aws:ecr:us-east-1:111111111111:repository/base/node';

describe('Gateway: project-index', () => {
  const server = useMotoServer();
  let index: ProjectIndexGateway;

  beforeEach(async () => {
    const options = {
      region: 'us-east-1',
      endpoint: server().endpoint,
      tableName: 'ProjectIndex',
    };
    await ensureProjectIndexTable(options);
    await ensureProjectIndexTable(options);
    index = createProjectIndex(options);
  });

  it('returns the entry a put replaced, so both repositories can be queued', async () => {
    // Prepare
    const project = buildProject(PAYMENTS, 'api');
    await index.put({ project, repositoryArn: REPOSITORY });

    // Act
    const replaced = await index.put({
      project: { ...project, image: 'x' },
      repositoryArn: OTHER,
    });

    // Assess
    expect(replaced?.repositoryArn).toBe(REPOSITORY);
    expect(replaced?.project).toEqual(project);
    expect((await index.get(project.arn))?.repositoryArn).toBe(OTHER);
  });

  it('finds projects by repository and by account', async () => {
    // Prepare
    const api = buildProject(PAYMENTS, 'api');
    const web = buildProject(WEB, 'web');
    const worker = buildProject(PAYMENTS, 'worker');
    await index.put({ project: api, repositoryArn: REPOSITORY });
    await index.put({ project: web, repositoryArn: REPOSITORY });
    await index.put({ project: worker, repositoryArn: OTHER });

    // Act
    const byRepository = await index.projectsOfRepository(REPOSITORY);
    const byAccount = await index.projectsOfAccount(PAYMENTS);

    // Assess
    expect(byRepository.map((entry) => entry.project.name).sort()).toEqual([
      'api',
      'web',
    ]);
    expect(byAccount.map((entry) => entry.repositoryArn).sort()).toEqual(
      [OTHER, REPOSITORY].sort()
    );
  });

  it('removes an entry and returns it; removing it again returns nothing', async () => {
    // Prepare
    const project = buildProject(PAYMENTS, 'api');
    await index.put({ project, repositoryArn: REPOSITORY });

    // Act
    const removed = await index.remove(project.arn);
    const again = await index.remove(project.arn);

    // Assess
    expect(removed?.repositoryArn).toBe(REPOSITORY);
    expect(again).toBeUndefined();
    expect(await index.projectsOfRepository(REPOSITORY)).toEqual([]);
  });
});
