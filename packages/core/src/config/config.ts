import * as z from 'zod';
import { ConfigurationError } from '../errors.js';

const accountId = z
  .string()
  .regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const region = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS Region such as us-east-1');
const roleName = z
  .string()
  .regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name');
const roleArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
    'must be an IAM role ARN'
  );
const tagKey = z.string().min(1).max(128);

const registrySchema = z.strictObject({
  accountId,
  regions: z.array(region).min(1).default(['us-east-1']),
});

export const configSchema = z.strictObject({
  /** Registry accounts and the Regions whose repositories are managed. */
  registries: z.array(registrySchema).min(1),
  /** Regions scanned for build projects; defaults to the registry Regions. */
  memberRegions: z.array(region).min(1).optional(),
  /** Member accounts to scan; defaults to every ACTIVE account of the org. */
  memberAccounts: z.array(accountId).optional(),
  roles: z
    .strictObject({
      /** Assumed in member accounts to read build projects. */
      member: roleName.default('EcrPullReconcilerReader'),
      /** Assumed in registry accounts to read tags and write policies. */
      registry: roleName.default('EcrPullReconcilerWriter'),
      /** Assumed for Organizations reads; absent means own credentials. */
      organizations: roleArn.optional(),
    })
    .default({
      member: 'EcrPullReconcilerReader',
      registry: 'EcrPullReconcilerWriter',
    }),
  tags: z
    .strictObject({
      shareWith: tagKey.default('share-with'),
      projectOptIn: tagKey.default('ecr-pull'),
      projectOptInValue: z.string().max(256).default('auto'),
    })
    .default({
      shareWith: 'share-with',
      projectOptIn: 'ecr-pull',
      projectOptInValue: 'auto',
    }),
  /** `tagged`: only projects with the opt-in tag; `all`: every project. */
  projectSelection: z.enum(['tagged', 'all']).default('tagged'),
  managedSid: z
    .string()
    .regex(/^[A-Za-z0-9]{1,64}$/, 'must be letters and digits only')
    .default('EcrPullReconciler'),
  /** How many accounts or repositories are worked on at once. */
  concurrency: z.number().int().min(1).max(64).default(8),
});

export type ReconcilerConfig = z.output<typeof configSchema>;
export type ReconcilerConfigInput = z.input<typeof configSchema>;

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';

    return issue.keys.map((name) => `${prefix}${name}: unknown key`).join('; ');
  }

  return `${key}: ${issue.message}`;
}

/** Checks a configuration and fills in defaults; refuses with the key named. */
export function parseConfig(input: unknown): ReconcilerConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;

  const issues = result.error.issues.map(describeIssue);

  throw new ConfigurationError(
    `Invalid configuration: ${issues.join('; ')}`,
    issues
  );
}

/** The Regions scanned for build projects. */
export function memberRegionsOf(config: ReconcilerConfig): string[] {
  if (config.memberRegions) return [...config.memberRegions];
  const regions = config.registries.flatMap((registry) => registry.regions);

  return [...new Set(regions)].sort();
}

export const CONFIG_ENVIRONMENT_VARIABLE = 'ECR_PULL_RECONCILER_CONFIG';

/** Lambdas receive their configuration as JSON in one variable. */
export function configFromEnvironment(
  env: Record<string, string | undefined>
): ReconcilerConfig {
  const text = env[CONFIG_ENVIRONMENT_VARIABLE];
  if (!text) {
    throw new ConfigurationError(`${CONFIG_ENVIRONMENT_VARIABLE} is not set`);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(
      `${CONFIG_ENVIRONMENT_VARIABLE} is not valid JSON`,
      [],
      { cause: error }
    );
  }

  return parseConfig(input);
}
