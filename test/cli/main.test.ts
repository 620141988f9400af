import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../packages/cli/src/main.js';
import {
  MEMBER_ACCESS_ROLE,
  SAMPLE_ORGANIZATION,
  type SeededOrganization,
  seedOrganization,
} from '../../packages/emulator/src/index.js';
import { captureOutput } from '../support/cli-output.js';
import { useMotoServer } from '../support/emulator.js';

const REPORT_KEYS = [
  'errors',
  'findings',
  'mode',
  'organizationId',
  'repositories',
  'summary',
];
const SUMMARY_KEYS = [
  'changed',
  'errors',
  'findings',
  'grantsAdded',
  'grantsRemoved',
  'repositories',
  'skipped',
  'unchanged',
];

describe('Function: main', () => {
  // One Organization for the whole file: the tests run in order and each
  // builds on the state the one before left.
  const server = useMotoServer({ resetEachTest: false });
  const folder = mkdtempSync(join(tmpdir(), 'cli-test-'));
  let seeded: SeededOrganization;
  let configFile = '';

  async function run(...argv: string[]) {
    const output = captureOutput();
    const code = await main(
      [...argv, '--endpoint', server().endpoint, '--config', configFile],
      output
    );

    return { code, output, text: output.stdout.join('\n') };
  }

  beforeAll(async () => {
    seeded = await seedOrganization(server().endpoint, SAMPLE_ORGANIZATION);
    configFile = join(folder, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        registries: [
          { accountId: seeded.accounts.registry, regions: [seeded.region] },
        ],
        roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
      })
    );
  });

  it('prints the report of DESIGN.md with --json and exits 2 on pending changes', async () => {
    // Act
    const { code, text } = await run('plan', '--json', '--detailed-exitcode');

    // Assess
    const report = JSON.parse(text);
    expect(code).toBe(2);
    expect(Object.keys(report).sort()).toEqual(REPORT_KEYS);
    expect(Object.keys(report.summary).sort()).toEqual(SUMMARY_KEYS);
    expect(report).toMatchObject({
      mode: 'plan',
      organizationId: seeded.organizationId,
      summary: { repositories: 6, changed: 4, skipped: 2, errors: 0 },
    });
    const changed = report.repositories.find((r: { arn: string }) =>
      r.arn.endsWith(':repository/team/builder')
    );
    expect(changed).toMatchObject({
      status: 'changed',
      policy: { before: null, after: { Version: '2012-10-17' } },
      grants: { remove: [], keep: [] },
    });
    expect(changed.grants.add).toHaveLength(2);
    expect(changed.audience).toEqual([seeded.organizationalUnits.Builds]);
  });

  it('applies only the repository named by --repository', async () => {
    // Act
    const { code, text } = await run(
      'apply',
      '--json',
      '--repository',
      'payments/runner'
    );

    // Assess
    const report = JSON.parse(text);
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ repositories: 1, changed: 1 });
    const after = await run('plan', '--json');
    expect(JSON.parse(after.text).summary).toMatchObject({
      changed: 3,
      unchanged: 1,
    });
  });

  it('applies the rest, then a second apply changes nothing and plan exits 0', async () => {
    // Act
    const first = await run('apply', '--json');
    const second = await run('apply', '--json');
    const plan = await run('plan', '--detailed-exitcode');

    // Assess
    expect(first.code).toBe(0);
    expect(JSON.parse(first.text).summary.changed).toBe(3);
    expect(JSON.parse(second.text).summary).toMatchObject({
      changed: 0,
      unchanged: 4,
      grantsAdded: 0,
      grantsRemoved: 0,
    });
    expect(plan.code).toBe(0);
    expect(plan.text).not.toBe('');
  });

  it('reports a repository name that exists nowhere as an error and exits 1', async () => {
    // Act
    const { code, text } = await run(
      'plan',
      '--json',
      '--repository',
      'no/such-repository'
    );

    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(text).errors).toEqual([
      expect.objectContaining({ code: 'REPOSITORY_NOT_FOUND' }),
    ]);
  });

  it('refuses a configuration with an unknown key, naming it', async () => {
    // Prepare
    const bad = join(folder, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        registries: [{ accountId: '111122223333', regions: ['us-east-1'] }],
        roles: { memebr: 'Reader' },
      })
    );
    const output = captureOutput();

    // Act
    const code = await main(['plan', '--config', bad], output);

    // Assess
    expect(code).toBe(1);
    expect(output.stderr.join('\n')).toContain('roles.memebr');
  });

  it('refuses an unknown command with the usage text', async () => {
    // Prepare
    const output = captureOutput();

    // Act
    const code = await main(['destroy'], output);

    // Assess
    expect(code).toBe(1);
    expect(output.stderr.join('\n')).toMatch(/Unknown command "destroy"/);
    expect(output.stderr.join('\n')).toContain('Usage: ecr-pull-reconciler');
  });
});
