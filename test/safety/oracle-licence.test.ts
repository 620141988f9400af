import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ORACLE = '@cloud-copilot/';

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        return entry.name === 'node_modules' ? [] : sourceFiles(path);
      }

      return /\.[cm]?[jt]s$/.test(entry.name) ? [path] : [];
    })
  );

  return nested.flat();
}

describe('Licence: the AGPL oracle stays in the tests', () => {
  it('is a devDependency only', async () => {
    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };

    const shipped = Object.keys(manifest.dependencies ?? {});
    const development = Object.keys(manifest.devDependencies ?? {});

    expect(shipped.filter((name) => name.startsWith(ORACLE))).toEqual([]);
    expect(development).toContain('@cloud-copilot/iam-simulate');
  });

  it('is imported by no file that ships', async () => {
    const files = [
      ...(await sourceFiles('packages')),
      ...(await sourceFiles('stacks')),
    ];

    const importing: string[] = [];
    for (const file of files) {
      if ((await readFile(file, 'utf8')).includes(ORACLE)) importing.push(file);
    }

    expect(files.length).toBeGreaterThan(20);
    expect(importing).toEqual([]);
  });
});
