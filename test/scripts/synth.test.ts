import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(
  new URL('../../scripts/synth.mjs', import.meta.url)
);
const folder = mkdtempSync(join(tmpdir(), 'synth-'));

const config = {
  centralAccountId: '111111111111',
  registryIsCentralAccount: false,
  registries: [{ accountId: '222222222222', regions: ['eu-west-1'] }],
  organizationId: 'o-a1b2c3d4e5',
  memberOrganizationalUnitIds: ['r-ab12'],
};

/** No AWS variable reaches the script: synthesis needs no credentials. */
function synth(configFile: string, out: string) {
  return run(
    process.execPath,
    [script, '--stage', 'prod', '--config', configFile, '--out', out],
    { env: { PATH: process.env.PATH ?? '', HOME: folder } }
  );
}

describe('Script: synth', () => {
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('writes every template of the stage without AWS credentials', async () => {
    const configFile = join(folder, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
    const out = join(folder, 'templates');

    const { stdout } = await synth(configFile, out);

    expect(readdirSync(out).sort()).toEqual([
      'prod-ecr-pull-reconciler-Management.json',
      'prod-ecr-pull-reconciler-Member.json',
      'prod-ecr-pull-reconciler-MemberStackSet.json',
      'prod-ecr-pull-reconciler-Reconciler.json',
      'prod-ecr-pull-reconciler-Registry-222222222222.json',
    ]);
    expect(stdout).toMatch(
      /Registry-222222222222\.json: \d+ resources, for registry account 222222222222 in eu-west-1/
    );
  });

  it('stops with a message naming the key of a bad value', async () => {
    const configFile = join(folder, 'bad.json');
    writeFileSync(
      configFile,
      JSON.stringify({ ...config, memberOrganizationalUnitIds: ['ou-x'] })
    );

    const failure = synth(configFile, join(folder, 'bad'));

    await expect(failure).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /memberOrganizationalUnitIds\.0: must be an OU id/
      ),
    });
  });
});
