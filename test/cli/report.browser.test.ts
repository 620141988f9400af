import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsGateways } from '../../packages/aws/src/index.js';
import { main } from '../../packages/cli/src/main.js';
import { parseConfig } from '../../packages/core/src/index.js';
import {
  MEMBER_ACCESS_ROLE,
  SAMPLE_ORGANIZATION,
  seedOrganization,
} from '../../packages/emulator/src/index.js';
import { createReconciler } from '../../packages/reconciler/src/index.js';
import { useMotoServer } from '../support/emulator.js';
import { decodePng } from '../support/png.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('Command: report (the demo Organization in Chromium)', () => {
  const server = useMotoServer({ resetEachTest: false });
  let folder: string;
  let browser: Browser;
  let page: Page;
  let exitCode: number;
  const requests: string[] = [];
  const stderr: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is missing at ${CHROMIUM}; the report's browser test ` +
          'needs it. Install it with scripts/install-chromium.sh ' +
          '(apt-get install -y chromium).'
      );
    }
    const org = await seedOrganization(server().endpoint, SAMPLE_ORGANIZATION);
    const settings = {
      registries: [{ accountId: org.accounts.registry, regions: [org.region] }],
      roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
    };
    const gateways = createAwsGateways({
      region: org.region,
      endpoint: server().endpoint,
      memberRoleName: MEMBER_ACCESS_ROLE,
      registryRoleName: MEMBER_ACCESS_ROLE,
    });
    await createReconciler({
      config: parseConfig(settings),
      gateways,
    }).reconcile({ mode: 'apply' });
    folder = await mkdtemp(join(tmpdir(), 'access-report-'));
    const configFile = join(folder, 'config.json');
    await writeFile(configFile, JSON.stringify(settings));

    exitCode = await main(
      [
        'report',
        '--endpoint',
        server().endpoint,
        '--region',
        org.region,
        '--config',
        configFile,
        '--output',
        join(folder, 'report.html'),
      ],
      { out: () => {}, err: (text) => stderr.push(text), interactive: false }
    );

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(join(folder, 'report.html')).href);
  });

  afterAll(async () => {
    await browser?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  const visibleRows = () =>
    page.locator('#access-matrix tbody tr:not(.hidden)').count();

  it('writes the page and says so', () => {
    // Assess
    expect(exitCode).toBe(0);
    expect(stderr.join('\n')).toMatch(
      /Wrote the access report to .*report\.html/
    );
  });

  it('shows every demo repository and project', async () => {
    // Prepare
    const repositories = SAMPLE_ORGANIZATION.accounts.flatMap((account) =>
      (account.repositories ?? []).map((repository) => repository.name)
    );
    const projects = SAMPLE_ORGANIZATION.accounts.flatMap((account) =>
      (account.projects ?? []).map((project) => project.name)
    );

    // Act
    const headers = await page
      .locator('#access-matrix thead th')
      .allTextContents();
    const names = await page
      .locator('#access-matrix td.project')
      .allTextContents();

    // Assess
    for (const repository of repositories) {
      expect(headers.some((header) => header.startsWith(repository))).toBe(
        true
      );
    }
    for (const project of projects) {
      expect(names.some((name) => name.startsWith(project))).toBe(true);
    }
  });

  it('marks granted, refused and not requested cells', async () => {
    // Act
    const status = (project: string, repository: string) =>
      page
        .locator('#access-matrix tbody tr', {
          has: page.locator('td.project', { hasText: project }),
        })
        .first()
        .locator(`td[data-column$="/${repository}"]`)
        .first()
        .getAttribute('data-status');

    // Assess
    expect(await status('payments-api', 'team/builder')).toBe('granted');
    expect(await status('web-docs', 'base/node')).toBe('refused');
    expect(await status('sandbox-builder', 'team/builder')).toBe('refused');
    expect(await status('sandbox-builder', 'legacy/tools')).toBe(
      'not-requested'
    );
    expect(
      await page.locator('#access-matrix td[data-status="refused"]').count()
    ).toBeGreaterThanOrEqual(7);
  });

  it('hides rows with the account filter, and shows them again', async () => {
    // Prepare
    const all = await visibleRows();
    const sandbox = await page
      .locator('#filter-account option', { hasText: 'sandbox' })
      .getAttribute('value');

    // Act
    await page.selectOption('#filter-account', sandbox ?? '');
    const filtered = await visibleRows();
    const counter = await page.locator('#visible-rows').textContent();
    await page.selectOption('#filter-account', '');
    const restored = await visibleRows();

    // Assess
    expect(filtered).toBe(2);
    expect(counter).toBe('2');
    expect(filtered).toBeLessThan(all);
    expect(restored).toBe(all);
  });

  it('filters by finding and by repository', async () => {
    // Act
    await page.selectOption(
      '#filter-finding',
      'ROLE_LACKS_IDENTITY_PERMISSION'
    );
    const lacking = await page
      .locator('#access-matrix tbody tr:not(.hidden) td.project')
      .allTextContents();
    await page.selectOption('#filter-finding', '');
    const column = await page
      .locator('#filter-repository option', { hasText: 'payments/runner' })
      .getAttribute('value');
    await page.selectOption('#filter-repository', column ?? '');
    const headers = await page
      .locator('#access-matrix thead th:not(.hidden)')
      .allTextContents();
    await page.selectOption('#filter-repository', '');

    // Assess
    expect(lacking).toHaveLength(1);
    expect(lacking[0]).toMatch(/^web-docs/);
    expect(headers).toHaveLength(3);
    expect(headers[2]).toMatch(/^payments\/runner/);
  });

  it('needs no network: every request is the file itself', async () => {
    // Act
    const html = await readFile(join(folder, 'report.html'), 'utf8');

    // Assess
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((url) => url.startsWith('file:'))).toBe(true);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?https?:/i);
  });

  it('renders a screenshot that is not blank', async () => {
    // Act
    const png = await page.screenshot({ fullPage: true });
    if (process.env.REPORT_SCREENSHOT) {
      await writeFile(process.env.REPORT_SCREENSHOT, png);
    }
    const { width, height, pixels } = decodePng(png);

    // Assess
    expect(png.length).toBeGreaterThan(10_000);
    expect(width).toBeGreaterThanOrEqual(1400);
    expect(height).toBeGreaterThan(400);
    const colours = new Set<number>();
    let notWhite = 0;
    for (let index = 0; index < pixels.length; index += 4) {
      const [red = 0, green = 0, blue = 0] = pixels.subarray(index, index + 3);
      colours.add((red << 16) | (green << 8) | blue);
      if (red < 240 || green < 240 || blue < 240) notWhite++;
    }
    expect(colours.size).toBeGreaterThan(20);
    expect(notWhite / (width * height)).toBeGreaterThan(0.02);
  });
});
