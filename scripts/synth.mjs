#!/usr/bin/env node
/**
 * Synthesizes the CloudFormation templates of the stacks without AWS
 * credentials (see stacks/offline.ts) into build/templates/<stack>.json,
 * for checks that read templates and for deploying: the central stack and
 * the templates of the other accounts (stacks/rollout.ts). Handlers stay
 * placeholders unless --bundle is given, which needs
 * packages/functions/src/*.ts to exist and writes the bundles as assets
 * into build/cdk.out. --out writes the templates elsewhere.
 *
 *   node scripts/synth.mjs [--stage <name>]... [--config <file>]
 *                          [--out <folder>] [--bundle]
 *
 * The deployment configuration comes from --config, else from
 * reconciler.config.json or ECR_PULL_RECONCILER_DEPLOY_CONFIG as for a
 * deploy, else from reconciler.config.example.json (said on stderr).
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    stage: { type: 'string', multiple: true },
    config: { type: 'string' },
    out: { type: 'string' },
    bundle: { type: 'boolean', default: false },
  },
});
if (values.bundle) {
  // SST skips its bootstrap-stack lookup, which needs credentials, only
  // when it believes it runs under a test; bundling itself is offline.
  process.env.NODE_ENV = 'test';
}
const stages = values.stage?.length ? values.stage : ['dev'];
const templatesDirectory = values.out
  ? resolve(values.out)
  : join(root, 'build', 'templates');

/** The stacks are TypeScript; bundled next to node_modules to import them. */
async function importStacks() {
  const outfile = join(root, 'build', `.synth-${process.pid}.mjs`);
  await build({
    stdin: {
      contents: [
        "export * from './stacks/config.ts';",
        "export * from './stacks/offline.ts';",
        "export * from './stacks/rollout.ts';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(outfile, { force: true });
  }
}

function configFor(stacks, stage) {
  if (values.config) {
    const file = resolve(values.config);
    const input = JSON.parse(readFileSync(file, 'utf8'));

    return stacks.parseDeploymentConfig(input, stage, file);
  }
  const hasFile = existsSync(join(root, stacks.DEPLOYMENT_CONFIG_FILE));
  const hasVariable = Boolean(
    process.env[stacks.DEPLOYMENT_CONFIG_ENVIRONMENT_VARIABLE]
  );
  if (hasFile || hasVariable) {
    return stacks.loadDeploymentConfig({ stage, root });
  }
  const example = join(root, 'reconciler.config.example.json');
  process.stderr.write(`No deployment configuration; using ${example}\n`);

  return stacks.parseDeploymentConfig(
    JSON.parse(readFileSync(example, 'utf8')),
    stage,
    example
  );
}

const stacks = await importStacks();
// Templates of accounts no longer configured must not linger for cfn-lint
// or a deploy to pick up.
rmSync(templatesDirectory, { recursive: true, force: true });
mkdirSync(templatesDirectory, { recursive: true });
try {
  for (const stage of stages) await synthesizeStage(stacks, stage);
} catch (error) {
  // A refused configuration names its key; the stack trace adds nothing.
  if (error?.name !== 'ConfigurationError') throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}

/** The central stack, then the templates of the other accounts. */
async function synthesizeStage(stacks, stage) {
  const config = configFor(stacks, stage);
  const outdir = values.bundle ? join(root, 'build', 'cdk.out') : undefined;
  const synthesis = stacks.synthesizeOffline({ config, stage, outdir });
  if (values.bundle) await synthesis.app.finish();
  const assembly = synthesis.app.synth();
  for (const stack of assembly.stacks) {
    const file = join(templatesDirectory, `${stack.stackName}.json`);
    writeFileSync(file, `${JSON.stringify(stack.template, null, 2)}\n`);
    const count = Object.keys(stack.template.Resources ?? {}).length;
    process.stdout.write(`${file}: ${count} resources\n`);
  }
  synthesis.dispose();

  const rollout = stacks.synthesizeRollout(config, stage);
  for (const { name, template, target, regions } of rollout.templates) {
    const file = join(templatesDirectory, `${name}.json`);
    writeFileSync(file, `${JSON.stringify(template, null, 2)}\n`);
    const count = Object.keys(template.Resources ?? {}).length;
    process.stdout.write(
      `${file}: ${count} resources, for ${target} in ${regions.join(', ')}\n`
    );
  }
  for (const reason of rollout.skipped) {
    process.stderr.write(`Not synthesized: ${reason}\n`);
  }
}
