import type { Finding } from '../../core/src/index.js';
import type {
  AccessCell,
  AccessColumn,
  AccessMatrix,
  AccessRow,
  AccessStatus,
} from './access-matrix.js';
import { ACCESS_STATUSES } from './access-matrix.js';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const LABEL: Record<AccessStatus, string> = {
  granted: 'granted',
  pending: 'pending',
  refused: 'refused',
  'not-requested': 'not requested',
  unknown: 'unknown',
};

function codesOf(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((finding) => finding.code))];
}

function rowCodes(row: AccessRow): string[] {
  return codesOf([
    ...(row.project?.findings ?? []),
    ...row.cells.filter((cell) => cell.requested).flatMap((c) => c.findings),
  ]);
}

function allCodes(matrix: AccessMatrix): string[] {
  return Object.keys(matrix.totals.findings).sort();
}

function accountLabel(row: { accountId: string; accountName?: string }) {
  return row.accountName
    ? `${row.accountName} (${row.accountId})`
    : row.accountId;
}

const STYLE = `
:root { color-scheme: light; --granted: #d8f3dc; --pending: #fff3bf;
  --refused: #ffd6d6; --none: #f4f4f5; --unknown: #e5dbff; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2328;
  background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #57606a; margin: 0 0 16px; }
.totals { display: flex; flex-wrap: wrap; gap: 10px; margin: 0; padding: 0; }
.totals div { border: 1px solid #d0d7de; border-radius: 6px;
  padding: 8px 12px; min-width: 110px; }
.totals dt { color: #57606a; font-size: 12px; }
.totals dd { margin: 0; font-size: 20px; font-weight: 600; }
.filters { display: flex; flex-wrap: wrap; gap: 16px; align-items: end;
  margin: 12px 0; }
.filters label { display: flex; flex-direction: column; font-size: 12px;
  color: #57606a; }
select { font: inherit; padding: 4px; min-width: 180px; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d7de; padding: 6px 8px; text-align: left;
  vertical-align: top; }
thead th { background: #f6f8fa; position: sticky; top: 0; }
small { color: #57606a; display: block; font-weight: normal; }
td.cell { min-width: 110px; }
td.granted { background: var(--granted); }
td.pending { background: var(--pending); }
td.refused { background: var(--refused); }
td.granted.via-role { background: #eef9f0; color: #3d6b47; }
td.not-requested { background: var(--none); color: #8c959f; }
td.unknown { background: var(--unknown); }
.code { font-family: ui-monospace, monospace; font-size: 12px;
  display: block; }
.hidden { display: none; }
ul { margin: 4px 0; padding-left: 20px; }
`;

// Plain script, run from the file itself: the page must open offline.
const SCRIPT = `
(function () {
  var byId = function (id) { return document.getElementById(id); };
  var repository = byId('filter-repository');
  var account = byId('filter-account');
  var finding = byId('filter-finding');
  function apply() {
    var repo = repository.value, acct = account.value, code = finding.value;
    var shown = 0;
    document.querySelectorAll('[data-column]').forEach(function (el) {
      el.classList.toggle('hidden', repo !== '' && el.dataset.column !== repo);
    });
    document.querySelectorAll('tbody tr[data-account]').forEach(function (row) {
      var codes = (row.dataset.findings || '').split(' ');
      var wanted = (row.dataset.repositories || '').split(' ');
      var visible = (acct === '' || row.dataset.account === acct) &&
        (code === '' || codes.indexOf(code) >= 0) &&
        (repo === '' || wanted.indexOf(repo) >= 0);
      row.classList.toggle('hidden', !visible);
      if (visible) shown++;
    });
    byId('visible-rows').textContent = String(shown);
  }
  [repository, account, finding].forEach(function (select) {
    select.addEventListener('change', apply);
  });
  apply();
})();
`;

function option(value: string, label: string): string {
  return `<option value="${escapeHtml(value)}">${escapeHtml(label)}</option>`;
}

/** A role granted through another project of the same role says so. */
function label(cell: AccessCell): string {
  return cell.requested || cell.status === 'not-requested'
    ? LABEL[cell.status]
    : `${LABEL[cell.status]} (role)`;
}

function cellHtml(cell: AccessCell): string {
  const codes = codesOf(cell.findings)
    .map((code) => `<span class="code">${escapeHtml(code)}</span>`)
    .join('');

  return (
    `<td class="cell ${cell.status}${cell.requested ? '' : ' via-role'}" data-column="${escapeHtml(cell.repositoryArn)}" ` +
    `data-status="${cell.status}" title="${escapeHtml(cell.note)}">` +
    `${escapeHtml(label(cell))}${codes}</td>`
  );
}

function rowHtml(row: AccessRow, columns: readonly AccessColumn[]): string {
  const wanted = row.cells
    .filter((cell) => cell.requested || cell.status !== 'not-requested')
    .map((cell) => cell.repositoryArn);
  const attributes =
    `data-account="${escapeHtml(row.accountId)}" ` +
    `data-findings="${escapeHtml(rowCodes(row).join(' '))}" ` +
    `data-repositories="${escapeHtml(wanted.join(' '))}"`;
  const account = `<td>${escapeHtml(accountLabel(row))}</td>`;
  if (!row.project) {
    const empty = columns
      .map(
        (column) =>
          `<td class="cell not-requested" data-column="${escapeHtml(column.arn)}" data-status="not-requested">-</td>`
      )
      .join('');

    return `<tr ${attributes}>${account}<td><em>no build projects</em></td>${empty}</tr>`;
  }
  const project = row.project;
  const projectFindings = project.findings
    .map(
      (finding) =>
        `<span class="code" title="${escapeHtml(finding.message)}">${escapeHtml(finding.code)}</span>`
    )
    .join('');

  return (
    `<tr ${attributes}>${account}<td class="project">` +
    `${escapeHtml(project.name)}` +
    `<small>${escapeHtml(project.roleArn ?? 'no service role')}</small>` +
    `<small>${escapeHtml(project.image)}</small>` +
    `${project.optedIn ? '' : '<small>not opted in</small>'}` +
    `${projectFindings}</td>` +
    `${row.cells.map(cellHtml).join('')}</tr>`
  );
}

function columnHeader(column: AccessColumn): string {
  const where = `${column.accountId} ${column.region}`;
  const state = column.exists ? '' : '<small>does not exist</small>';

  return (
    `<th data-column="${escapeHtml(column.arn)}" title="${escapeHtml(column.arn)}">` +
    `${escapeHtml(column.name)}<small>${escapeHtml(where)}</small>${state}</th>`
  );
}

function findingItem(finding: Finding): string {
  const fix = finding.fix ? ` <em>Fix: ${escapeHtml(finding.fix)}</em>` : '';

  return `<li><span class="code">${escapeHtml(finding.code)}</span> ${escapeHtml(finding.message)}${fix}</li>`;
}

/** The access report as one self-contained HTML page. */
export function renderAccessHtml(matrix: AccessMatrix): string {
  const { totals } = matrix;
  const organization = matrix.organizationId ?? '(unknown Organization)';
  const accounts = [
    ...new Map(matrix.rows.map((row) => [row.accountId, row])).values(),
  ];
  const total = (label: string, value: number, id: string) =>
    `<div><dt>${escapeHtml(label)}</dt><dd id="total-${id}">${value}</dd></div>`;
  const findingTotals = allCodes(matrix)
    .map(
      (code) =>
        `<tr><td class="code">${escapeHtml(code)}</td><td>${totals.findings[code as keyof typeof totals.findings] ?? 0}</td></tr>`
    )
    .join('');
  const repositories = matrix.columns
    .map((column) => {
      const invalid = column.findings.some(
        (finding) => finding.code === 'INVALID_SHARE_TAG'
      );
      const audience = column.audience.length
        ? `shared with ${column.audience.join(' ')}`
        : !column.exists
          ? 'does not exist'
          : invalid
            ? 'share-with tag invalid, left untouched'
            : 'not shared';
      const findings = column.findings.map(findingItem).join('');

      return `<li data-column="${escapeHtml(column.arn)}"><strong>${escapeHtml(column.name)}</strong> <small>${escapeHtml(column.arn)}: ${escapeHtml(audience)}</small>${findings ? `<ul>${findings}</ul>` : ''}</li>`;
    })
    .join('');
  const refusals = matrix.rows
    .flatMap((row) =>
      row.cells
        .filter((cell) => cell.status === 'refused')
        .map(
          (cell) =>
            `<li><strong>${escapeHtml(row.project?.name ?? row.accountId)}</strong> on ${escapeHtml(cell.repositoryArn)}<ul>${cell.findings.map(findingItem).join('')}</ul></li>`
        )
    )
    .join('');
  const errors = matrix.errors
    .map(
      (error) =>
        `<li><span class="code">${escapeHtml(error.code)}</span> ${escapeHtml(error.scope)}: ${escapeHtml(error.message)}</li>`
    )
    .join('');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ECR pull access: ${escapeHtml(organization)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Who can pull what</h1>
<p class="meta">Organization ${escapeHtml(organization)}, ${escapeHtml(matrix.generatedAt)}. Read from AWS like <code>plan</code>; nothing was written.</p>
<h2>Totals</h2>
<dl class="totals">
${total('repositories', totals.repositories, 'repositories')}
${total('accounts', totals.accounts, 'accounts')}
${total('projects', totals.projects, 'projects')}
${ACCESS_STATUSES.map((status) => total(LABEL[status], totals.cells[status], status)).join('\n')}
${total('errors', totals.errors, 'errors')}
</dl>
<table id="finding-totals"><thead><tr><th>finding</th><th>count</th></tr></thead><tbody>${findingTotals}</tbody></table>
<h2>Access</h2>
<div class="filters">
<label>Repository<select id="filter-repository">${option('', 'all repositories')}${matrix.columns.map((column) => option(column.arn, column.name)).join('')}</select></label>
<label>Account<select id="filter-account">${option('', 'all accounts')}${accounts.map((row) => option(row.accountId, accountLabel(row))).join('')}</select></label>
<label>Finding<select id="filter-finding">${option('', 'any or none')}${allCodes(
    matrix
  )
    .map((code) => option(code, code))
    .join('')}</select></label>
<span><span id="visible-rows">${matrix.rows.length}</span> of ${matrix.rows.length} rows</span>
</div>
<table id="access-matrix">
<thead><tr><th>Account</th><th>Project</th>${matrix.columns.map(columnHeader).join('')}</tr></thead>
<tbody>
${matrix.rows.map((row) => rowHtml(row, matrix.columns)).join('\n')}
</tbody>
</table>
<h2>Refused pulls</h2>
<ul id="refusals">${refusals || '<li>none</li>'}</ul>
<h2>Repositories</h2>
<ul id="repositories">${repositories}</ul>
<h2>Errors</h2>
<ul id="errors">${errors || '<li>none</li>'}</ul>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** Escapes text for a Markdown table cell or list item. */
export function escapeMarkdown(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/([\\`*_[\]|])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

function markdownCell(cell: AccessCell): string {
  const codes = codesOf(cell.findings);

  return escapeMarkdown(
    codes.length > 0
      ? `${LABEL[cell.status]}: ${codes.join(', ')}`
      : cell.status === 'not-requested'
        ? '-'
        : label(cell)
  );
}

/** The access report as Markdown: totals, the matrix, then the reasons. */
export function renderAccessMarkdown(matrix: AccessMatrix): string {
  const { totals } = matrix;
  const lines = [
    `# Who can pull what: ${escapeMarkdown(matrix.organizationId ?? '(unknown Organization)')}`,
    '',
    `Generated ${escapeMarkdown(matrix.generatedAt)}, read like \`plan\`; nothing was written.`,
    '',
    '## Totals',
    '',
    `- repositories: ${totals.repositories}`,
    `- accounts: ${totals.accounts}`,
    `- projects: ${totals.projects}`,
    ...ACCESS_STATUSES.map(
      (status) => `- ${LABEL[status]}: ${totals.cells[status]}`
    ),
    `- errors: ${totals.errors}`,
    ...allCodes(matrix).map(
      (code) =>
        `- ${escapeMarkdown(code)}: ${totals.findings[code as keyof typeof totals.findings] ?? 0}`
    ),
    '',
    '## Access',
    '',
    `| account | project | ${matrix.columns.map((column) => escapeMarkdown(column.exists ? column.name : `${column.name} (does not exist)`)).join(' | ')} |`,
    `| --- | --- |${matrix.columns.map(() => ' --- |').join('')}`,
    ...matrix.rows.map((row) => {
      const cells = row.project
        ? row.cells.map(markdownCell)
        : matrix.columns.map(() => '-');
      const name = row.project
        ? escapeMarkdown(row.project.name)
        : '_no build projects_';

      return `| ${escapeMarkdown(accountLabel(row))} | ${name} | ${cells.join(' | ')} |`;
    }),
    '',
    '## Refused pulls',
    '',
  ];
  for (const row of matrix.rows) {
    for (const cell of row.cells) {
      if (cell.status !== 'refused') continue;
      lines.push(
        `- **${escapeMarkdown(row.project?.name ?? row.accountId)}** on ${escapeMarkdown(cell.repositoryArn)}`
      );
      for (const finding of cell.findings) {
        lines.push(
          `  - \`${finding.code}\` ${escapeMarkdown(finding.message)}${finding.fix ? ` Fix: ${escapeMarkdown(finding.fix)}` : ''}`
        );
      }
    }
  }
  if (matrix.errors.length > 0) {
    lines.push('', '## Errors', '');
    for (const error of matrix.errors) {
      lines.push(
        `- \`${error.code}\` ${escapeMarkdown(error.scope)}: ${escapeMarkdown(error.message)}`
      );
    }
  }

  return `${lines.join('\n')}\n`;
}
