import {
  configFromEnvironment,
  type ReconcilerConfig,
} from '../../../core/src/config/config.js';
import { HandlerEnvironmentError } from '../errors.js';

/** Set by the stack on every function (see stacks/Reconciler.ts). */
export const PROJECT_INDEX_TABLE_VARIABLE = 'PROJECT_INDEX_TABLE';
export const WORK_QUEUE_URL_VARIABLE = 'WORK_QUEUE_URL';
/** The SDK's own variable; set for a local emulator only. */
export const ENDPOINT_VARIABLE = 'AWS_ENDPOINT_URL';

type Env = Record<string, string | undefined>;

export interface HandlerEnvironment {
  config: ReconcilerConfig;
  region: string;
  endpoint: string | undefined;
  env: Env;
}

export function readEnvironment(env: Env = process.env): HandlerEnvironment {
  return {
    config: configFromEnvironment(env),
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    endpoint: env[ENDPOINT_VARIABLE] || undefined,
    env,
  };
}

export function required(environment: HandlerEnvironment, name: string) {
  const value = environment.env[name];
  if (!value) throw new HandlerEnvironmentError(`${name} is not set`);

  return value;
}

/**
 * Builds a handler's dependencies once per process, as a warm Lambda
 * reuses them, and again only when the variables they come from change
 * (local runs and tests point one process at several emulators).
 */
export function perEnvironment<T>(
  names: readonly string[],
  build: (environment: HandlerEnvironment) => T
): () => T {
  let cached: { key: string; value: T } | undefined;
  const all = [
    'ECR_PULL_RECONCILER_CONFIG',
    'AWS_REGION',
    ENDPOINT_VARIABLE,
    ...names,
  ];

  return () => {
    const key = all.map((name) => process.env[name] ?? '').join('\n');
    if (cached?.key !== key) {
      cached = { key, value: build(readEnvironment(process.env)) };
    }

    return cached.value;
  };
}
