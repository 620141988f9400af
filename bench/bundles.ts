import { execFile } from 'node:child_process';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { median } from './statistics.js';

const run = promisify(execFile);

export interface ModuleShare {
  /** An npm package, or a folder of this repository such as `packages/aws`. */
  module: string;
  bytes: number;
}

export interface BundleFigures {
  name: string;
  entry: string;
  /** Minified size on disk. */
  bytes: number;
  gzipBytes: number;
  /** Median time to `import()` the bundle in a fresh Node.js process. */
  coldStartMs: number;
  coldStartSamples: number[];
  /** The modules that weigh most in the bundle, heaviest first. */
  topModules: ModuleShare[];
  /** AWS SDK clients the bundle carries, e.g. `client-ecr`. */
  awsClients: string[];
  /** The clients its handler has a use for; undefined when not declared. */
  neededClients?: string[];
  /** Other npm packages that weigh at least 1% of the bundle. */
  libraries: string[];
  /** Set when the bundle could not be imported. */
  importError?: string;
}

/**
 * The npm package a bundled input belongs to (`@aws-sdk/client-ecr`,
 * `zod`), or the repository folder two levels deep (`packages/aws`).
 */
export function moduleOf(inputPath: string): string {
  const marker = 'node_modules/';
  const cut = inputPath.lastIndexOf(marker);
  if (cut >= 0) {
    const parts = inputPath.slice(cut + marker.length).split('/');
    const scoped = parts[0]?.startsWith('@');

    return (scoped ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
  }

  return inputPath.split('/').slice(0, 2).join('/');
}

/** Bytes each module adds to one output of a metafile, heaviest first. */
export function moduleShares(metafile: Metafile): ModuleShare[] {
  const shares = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const module = moduleOf(path);
      shares.set(module, (shares.get(module) ?? 0) + input.bytesInOutput);
    }
  }

  return [...shares]
    .map(([module, bytes]) => ({ module, bytes }))
    .sort((a, b) => b.bytes - a.bytes || a.module.localeCompare(b.module));
}

/** AWS SDK clients among the modules, as `client-<service>`. */
export function awsClientsOf(shares: ModuleShare[]): string[] {
  return shares
    .map((share) => share.module)
    .filter((module) => module.startsWith('@aws-sdk/client-'))
    .map((module) => module.slice('@aws-sdk/'.length))
    .sort();
}

/** npm packages outside the AWS SDK and Smithy that weigh at least 1%. */
export function librariesOf(shares: ModuleShare[]): string[] {
  const total = shares.reduce((sum, share) => sum + share.bytes, 0);

  return shares
    .filter(
      (share) =>
        !share.module.startsWith('packages/') &&
        !share.module.startsWith('@aws-sdk/') &&
        !share.module.startsWith('@smithy/') &&
        !share.module.startsWith('@aws-crypto/') &&
        share.bytes >= total * 0.01
    )
    .map((share) => share.module)
    .sort();
}

/** `packages/functions/src/sweep.handler` to its source file. */
export function entryOfHandler(handler: string): string {
  return `${handler.slice(0, handler.lastIndexOf('.'))}.ts`;
}

/** Lambda's ESM runtime gives no `require`; bundled CommonJS needs one. */
const REQUIRE_BANNER = [
  "import { createRequire as __createRequire } from 'node:module';",
  'const require = __createRequire(import.meta.url);',
].join('\n');

async function coldStart(
  file: string,
  env: Record<string, string>
): Promise<{ samples: number[]; error?: string }> {
  const url = pathToFileURL(resolve(file)).href;
  const script =
    'const started = performance.now();' +
    `await import(${JSON.stringify(url)});` +
    'process.stdout.write(String(performance.now() - started));';
  const samples: number[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const { stdout } = await run(
        process.execPath,
        ['--input-type=module', '-e', script],
        { env: { ...process.env, ...env } }
      );
      samples.push(Math.round(Number(stdout) * 10) / 10);
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);

      return { samples, error: stderr.trim().split('\n').slice(-3).join(' ') };
    }
  }

  return { samples };
}

/**
 * Builds one handler as it would ship (esbuild, minified, ESM, Node.js
 * 22), then times its import in fresh Node.js processes.
 */
export async function measureBundle(
  name: string,
  entry: string,
  options: { outdir: string; env: Record<string, string> }
): Promise<BundleFigures> {
  await mkdir(options.outdir, { recursive: true });
  const outfile = join(options.outdir, `${name}.mjs`);
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    metafile: true,
    banner: { js: REQUIRE_BANNER },
    logLevel: 'silent',
  });
  const { size } = await stat(outfile);
  const gzipBytes = gzipSync(await readFile(outfile)).length;
  const shares = moduleShares(result.metafile);
  const started = await coldStart(outfile, options.env);

  return {
    name,
    entry,
    bytes: size,
    gzipBytes,
    coldStartMs: median(started.samples),
    coldStartSamples: started.samples,
    topModules: shares.slice(0, 5),
    awsClients: awsClientsOf(shares),
    libraries: librariesOf(shares),
    ...(started.error ? { importError: started.error } : {}),
  };
}

export interface BundleSection {
  bundles: BundleFigures[];
  /** Why some or all handlers were not measured. */
  missing: string[];
}

/** Variables the handlers read at import, with harmless values. */
export const HANDLER_ENVIRONMENT: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_SERVICE_NAME: 'ecr-pull-reconciler',
  POWERTOOLS_METRICS_NAMESPACE: 'EcrPullReconciler',
  POWERTOOLS_TRACE_ENABLED: 'false',
  ECR_PULL_RECONCILER_CONFIG: JSON.stringify({
    registries: [{ accountId: '111122223333', regions: ['us-east-1'] }],
  }),
  PROJECT_INDEX_TABLE: 'project-index',
  WORK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/work.fifo',
};

/**
 * The AWS SDK clients each handler has a use for, from what it does
 * (DESIGN.md): a client outside its list is dead weight on its cold start.
 */
export const HANDLER_CLIENTS: Record<string, string[]> = {
  // Routers of ECR events only queue the repository: the worker reads it.
  ecrImageAction: ['client-sqs'],
  ecrRepositoryChange: ['client-sqs'],
  // Reads the project back in its account, indexes it, queues its repository.
  codebuildProjectChange: [
    'client-codebuild',
    'client-dynamodb',
    'client-sqs',
    'client-sts',
  ],
  // Finds the moved account's projects in the index and queues their work.
  organizationChange: ['client-dynamodb', 'client-sqs'],
  // Reconciles one repository, or re-indexes one account.
  reconcileWorker: [
    'client-codebuild',
    'client-dynamodb',
    'client-ecr',
    'client-organizations',
    'client-sqs',
    'client-sts',
  ],
  // Lists accounts and repositories and fans the work out.
  sweep: ['client-ecr', 'client-organizations', 'client-sqs', 'client-sts'],
  // Runs a whole sweep in process, or queues one repository.
  manualReconcile: [
    'client-codebuild',
    'client-dynamodb',
    'client-ecr',
    'client-organizations',
    'client-sqs',
    'client-sts',
  ],
};

/** Measures every handler whose source file exists. */
export async function measureHandlers(
  handlers: Record<string, string>,
  options: { outdir: string; log: (line: string) => void }
): Promise<BundleSection> {
  const section: BundleSection = { bundles: [], missing: [] };
  for (const [name, handler] of Object.entries(handlers)) {
    const entry = entryOfHandler(handler);
    const exists = await stat(entry).then(
      () => true,
      () => false
    );
    if (!exists) {
      section.missing.push(`${name}: ${entry} does not exist yet`);
      continue;
    }
    options.log(`bundling ${name} ...`);
    const figures = await measureBundle(name, entry, {
      outdir: options.outdir,
      env: HANDLER_ENVIRONMENT,
    });
    const needed = HANDLER_CLIENTS[name];
    section.bundles.push(
      needed ? { ...figures, neededClients: needed } : figures
    );
  }

  return section;
}
