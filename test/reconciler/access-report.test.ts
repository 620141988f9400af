import { describe, expect, it } from 'vitest';
import {
  type Finding,
  parseConfig,
  planSweep,
} from '../../packages/core/src/index.js';
import {
  buildAccessMatrix,
  buildReport,
  cellKey,
  escapeHtml,
  renderAccessHtml,
  renderAccessMarkdown,
} from '../../packages/reconciler/src/index.js';
import {
  buildProject,
  imageUri,
  orgTree,
  PAYMENTS,
  REGISTRY,
  repository,
  SANDBOX,
  WEB,
} from '../support/domain.js';

const config = parseConfig({ registries: [{ accountId: REGISTRY }] });
const HOSTILE = '<script>alert("x")</script>';

function matrixOf(extra = new Map<string, Finding[]>()) {
  const tree = orgTree();
  const projects = [
    buildProject(PAYMENTS, 'payments-api'),
    buildProject(WEB, HOSTILE),
    buildProject(SANDBOX, 'sandbox-builder'),
    buildProject(WEB, 'web-missing', { image: imageUri('team/missing') }),
    buildProject(WEB, 'web-curated', { image: 'aws/codebuild/standard:7.0' }),
    buildProject(PAYMENTS, 'payments-manual', { tags: {} }),
  ];
  const repositories = [
    repository('team/builder', 'ou-ab12-builds00'),
    repository('legacy/tools', undefined),
    repository('broken/tag', 'ou-nope'),
  ];
  const plan = planSweep({ tree, config, repositories, projects });
  const report = buildReport(
    'plan',
    tree.organizationId,
    plan.repositories,
    plan.findings,
    []
  );

  return buildAccessMatrix({
    report,
    tree,
    projects,
    config,
    extraFindings: extra,
    generatedAt: new Date('2026-12-03T12:00:00Z'),
  });
}

const cellOf = (
  matrix: ReturnType<typeof matrixOf>,
  project: string,
  repositoryName: string
) =>
  matrix.rows
    .find((row) => row.project?.name === project)
    ?.cells.find((cell) => cell.repositoryArn.endsWith(`/${repositoryName}`));

describe('Function: buildAccessMatrix', () => {
  it('marks cells pending, refused and not requested from the plan', () => {
    // Act
    const matrix = matrixOf();

    // Assess
    expect(cellOf(matrix, 'payments-api', 'team/builder')?.status).toBe(
      'pending'
    );
    expect(cellOf(matrix, 'sandbox-builder', 'team/builder')).toMatchObject({
      status: 'refused',
      findings: [{ code: 'ACCOUNT_OUTSIDE_AUDIENCE' }],
    });
    expect(cellOf(matrix, 'web-missing', 'team/missing')).toMatchObject({
      status: 'refused',
      findings: [{ code: 'REPOSITORY_NOT_FOUND' }],
    });
    expect(cellOf(matrix, 'payments-api', 'legacy/tools')?.status).toBe(
      'not-requested'
    );
    expect(
      matrix.rows
        .find((row) => row.project?.name === 'web-curated')
        ?.cells.every((cell) => cell.status === 'not-requested')
    ).toBe(true);
  });

  it('adds a column for a repository that does not exist', () => {
    // Act
    const matrix = matrixOf();

    // Assess
    expect(
      matrix.columns.map((column) => [column.name, column.exists])
    ).toEqual([
      ['broken/tag', true],
      ['legacy/tools', true],
      ['team/builder', true],
      ['team/missing', false],
    ]);
  });

  it('lists member accounts without build projects as rows', () => {
    // Act
    const matrix = matrixOf();

    // Assess
    const quiet = matrix.rows.filter((row) => !row.project);
    expect(quiet.map((row) => row.accountId).sort()).toEqual([
      '111111111111',
      '999999999999',
    ]);
  });

  it('refuses a pull the plan grants when explain found more', () => {
    // Prepare
    const project = buildProject(PAYMENTS, 'payments-api');
    const arn = `arn:aws:ecr:us-east-1:${REGISTRY}:repository/team/builder`;
    const extra = new Map<string, Finding[]>([
      [
        cellKey(project.arn, arn),
        [
          {
            code: 'ROLE_LACKS_IDENTITY_PERMISSION',
            severity: 'error',
            message: 'The role may not pull.',
          },
        ],
      ],
    ]);

    // Act
    const matrix = matrixOf(extra);

    // Assess
    expect(cellOf(matrix, 'payments-api', 'team/builder')).toMatchObject({
      status: 'refused',
      findings: [{ code: 'ROLE_LACKS_IDENTITY_PERMISSION' }],
    });
  });

  it('counts cells and findings in the totals', () => {
    // Act
    const { totals } = matrixOf();

    // Assess
    expect(totals).toMatchObject({
      repositories: 3,
      projects: 6,
      accounts: 5,
    });
    expect(totals.findings).toMatchObject({
      ACCOUNT_OUTSIDE_AUDIENCE: 1,
      REPOSITORY_NOT_FOUND: 1,
      INVALID_SHARE_TAG: 1,
    });
    expect(
      Object.values(totals.cells).reduce((sum, count) => sum + count, 0)
    ).toBe(6 * 4);
  });
});

describe('Function: renderAccessHtml', () => {
  it('escapes every string, a project named <script> included', () => {
    // Act
    const html = renderAccessHtml(matrixOf());

    // Assess
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('references no resource outside the page', () => {
    // Act
    const html = renderAccessHtml(matrixOf());

    // Assess
    expect(html).not.toMatch(/\b(?:src|href|action)\s*=\s*["']?[a-z]+:/i);
    expect(html).not.toMatch(/url\(|@import|<link|<iframe|<img/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('offers a filter per repository, account and finding', () => {
    // Act
    const html = renderAccessHtml(matrixOf());

    // Assess
    for (const id of ['repository', 'account', 'finding']) {
      expect(html).toContain(`<select id="filter-${id}">`);
    }
    expect(html).toContain('<option value="ACCOUNT_OUTSIDE_AUDIENCE">');
  });
});

describe('Function: renderAccessMarkdown', () => {
  it('renders a table row per project, escaping markup and pipes', () => {
    // Act
    const markdown = renderAccessMarkdown(matrixOf());

    // Assess
    expect(markdown).toContain(
      '| account | project | broken/tag | legacy/tools | team/builder | team/missing (does not exist) |'
    );
    expect(markdown).not.toContain('<script>');
    expect(markdown).toContain('| &lt;script&gt;alert("x")&lt;/script&gt; |');
    expect(markdown).toMatch(
      /\| 444444444444 \| sandbox-builder \| - \| - \| refused: ACCOUNT\\_OUTSIDE\\_AUDIENCE \| - \|/
    );
  });
});
