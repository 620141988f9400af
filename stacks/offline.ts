import { mkdtempSync, rmSync } from 'node:fs';
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
  /** Removes the scratch folder of the bundles and the cloud assembly. */
  dispose(): void;
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

let sstOutput: string | undefined;

/**
 * SST writes generated types there on every new App and opens its debug
 * log there once per process, so the folder lives as long as the process.
 */
function sstOutputFolder(): string {
  sstOutput ??= mkdtempSync(join(tmpdir(), `${APP_NAME}-sst-`));

  return sstOutput;
}

/**
 * Builds the stacks without AWS credentials and without bundling handlers.
 *
 * `sst build` asks STS who the caller is before it synthesizes, and SST's
 * `Function` bundles its handler in a task that only `App.finish()` runs.
 * Here the project SST would have loaded from `sst.config.ts` is supplied
 * directly, the account comes from the configuration, and `finish()` is
 * left to the caller: until then every function keeps the inline
 * placeholder code SST gives it before bundling, so handler files need not
 * exist. The cost is that such a template lacks what `finish()` adds: the
 * asset references of the bundles, the `sst:app`/`sst:stage` tags and the
 * SSTMetadata output. `finish()` bundles offline too, once the handlers
 * exist, when NODE_ENV is `test`: SST skips its bootstrap-stack lookup,
 * the one step of it that needs credentials, in that case.
 */
export function synthesizeOffline(
  options: OfflineSynthesisOptions
): OfflineSynthesis {
  const { config, stage } = options;
  // As `sst` does: SST itself passes deprecated CDK props, and the
  // warnings they print are not ours to act on.
  process.env.JSII_DEPRECATED ??= 'quiet';
  const out = sstOutputFolder();
  const scratch = mkdtempSync(join(tmpdir(), `${APP_NAME}-cdk-`));
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
      out,
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
  const dispose = () => rmSync(scratch, { recursive: true, force: true });
  const Reconciler = reconcilerStack(config);
  try {
    app.stack(Reconciler);
  } catch (error) {
    dispose();
    throw error;
  }
  const stack = getStack(Reconciler);
  const outputs = use(Reconciler);

  return { app, stack, outputs, dispose };
}
