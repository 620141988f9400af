import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArguments } from '../../packages/cli/src/arguments.js';
import { main } from '../../packages/cli/src/main.js';
import {
  MEMBER_ACCESS_ROLE,
  SAMPLE_ORGANIZATION,
  type SeededOrganization,
  seedOrganization,
} from '../../packages/emulator/src/index.js';
import { useMotoServer } from '../support/emulator.js';

describe('Command: explain', () => {
  const server = useMotoServer({ resetEachTest: false });
  let org: SeededOrganization;
  let folder: string;
  let configFile: string;

  beforeAll(async () => {
    org = await seedOrganization(server().endpoint, SAMPLE_ORGANIZATION);
    folder = await mkdtemp(join(tmpdir(), 'explain-cli-'));
    configFile = join(folder, 'config.json');
    await writeFile(
      configFile,
      JSON.stringify({
        registries: [
          { accountId: org.accounts.registry, regions: [org.region] },
        ],
        roles: { member: MEMBER_ACCESS_ROLE, registry: MEMBER_ACCESS_ROLE },
      })
    );
  });
  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  async function run(...extra: string[]) {
    const out: string[] = [];
    const project = `arn:aws:codebuild:${org.region}:${org.accounts.web}:project/web-docs`;
    const code = await main(
      [
        'explain',
        '--project',
        project,
        '--endpoint',
        server().endpoint,
        '--config',
        configFile,
        ...extra,
      ],
      { out: (text) => out.push(text), err: () => {}, interactive: false }
    );

    return { code, text: out.join('\n') };
  }

  it('prints every check, the identity method and the findings', async () => {
    // Act
    const { code, text } = await run('--detailed-exitcode');

    // Assess
    expect(code).toBe(2);
    expect(text).toMatch(/^CANNOT PULL/);
    expect(text).toMatch(/ok {3}same-region/);
    expect(text).toMatch(/FAIL identity-permissions/);
    expect(text).toMatch(/identity check: policies-read\./);
    expect(text).toMatch(/not modelled: .*permissions boundaries/);
    expect(text).toMatch(/error +ROLE_LACKS_IDENTITY_PERMISSION/);
  });

  it('prints the explanation as JSON with the checks and the method', async () => {
    // Act
    const { code, text } = await run('--json');
    const explanation = JSON.parse(text);

    // Assess
    expect(code).toBe(0);
    expect(Object.keys(explanation)).toEqual([
      'projectArn',
      'roleArn',
      'image',
      'repositoryArn',
      'verdict',
      'checks',
      'identityCheck',
      'findings',
      'errors',
    ]);
    expect(explanation.identityCheck.method).toBe('policies-read');
    expect(explanation.checks).toHaveLength(12);
  });
});

describe('Function: parseArguments (report)', () => {
  it('reads --format and --output of report', () => {
    // Act
    const args = parseArguments([
      'report',
      '--format',
      'markdown',
      '--output',
      'access.md',
    ]);

    // Assess
    expect(args).toMatchObject({
      command: 'report',
      format: 'markdown',
      output: 'access.md',
    });
  });

  it('refuses an unknown format, and --output on other commands', () => {
    // Act
    const badFormat = () => parseArguments(['report', '--format', 'pdf']);
    const misplaced = () => parseArguments(['plan', '--output', 'x.html']);

    // Assess
    expect(badFormat).toThrow(/--format takes html or markdown/);
    expect(misplaced).toThrow(/belong to report/);
  });
});
