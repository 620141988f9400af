import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack as CdkStack } from 'aws-cdk-lib';
import { App, getStack, use } from 'sst/constructs';
import { setProject } from 'sst/project.js';
import type { DeploymentConfig } from './config.js';
import {
  APP_NAME,
  type ReconcilerOutputs,
  reconcilerStack,
} from './Reconciler.js';

export interface OfflineSynthesis {
  app: App;
  stack: CdkStack;
  outputs: ReconcilerOutputs;
}

export interface OfflineSynthesisOptions {
  config: DeploymentConfig;
  stage: string;
  /** The account SST would learn from STS; the central account if absent. */
  account?: string;
  /** Where CDK writes the cloud assembly when `synth()` is called. */
  outdir?: string;
}

type SstProject = Parameters<typeof setProject>[0];

/**
 * Builds the stacks without AWS credentials and without bundling handlers.
 *
 * `sst build` asks STS who the caller is before it synthesizes, and SST's
 * `Function` bundles its handler in a task that only `App.finish()` runs.
 * Here the project SST would have loaded from `sst.config.ts` is supplied
 * directly, the account comes from the configuration, and `finish()` is
 * never called: every function keeps the inline placeholder code SST gives
 * it before bundling, so handler files need not exist. The cost is that
 * the template lacks what `finish()` adds: the asset references of the
 * bundles, the `sst:app`/`sst:stage` tags and the SSTMetadata output.
 */
export function synthesizeOffline(
  options: OfflineSynthesisOptions
): OfflineSynthesis {
  const { config, stage } = options;
  // As `sst` does: SST itself passes deprecated CDK props, and the
  // warnings they print are not ours to act on.
  process.env.JSII_DEPRECATED ??= 'quiet';
  const scratch = mkdtempSync(join(tmpdir(), `${APP_NAME}-sst-`));
  const project: SstProject = {
    version: 'offline',
    cdkVersion: 'offline',
    constructsVersion: 'offline',
    config: {
      name: APP_NAME,
      stage,
      region: config.region,
      ssmPrefix: `/sst/${APP_NAME}/${stage}/`,
    },
    stacks: () => {},
    metafile: { inputs: {}, outputs: {} },
    paths: {
      root: process.cwd(),
      config: join(process.cwd(), 'sst.config.ts'),
      // SST writes generated type declarations here on every new App.
      out: scratch,
      artifacts: join(scratch, 'artifacts'),
    },
  };
  setProject(project);

  const app = new App(
    {
      mode: 'deploy',
      name: APP_NAME,
      stage,
      region: config.region,
      account: options.account ?? config.centralAccountId,
    },
    { outdir: options.outdir ?? join(scratch, 'cdk.out') }
  );
  const Reconciler = reconcilerStack(config);
  app.stack(Reconciler);
  const stack = getStack(Reconciler);
  const outputs = use(Reconciler);

  return { app, stack, outputs };
}
