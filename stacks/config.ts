import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  configSchema,
  parseConfig,
  type ReconcilerConfig,
} from '../packages/core/src/config/config.js';
import { ConfigurationError } from '../packages/core/src/errors.js';

/** Read from the top of the repository when it exists. */
export const DEPLOYMENT_CONFIG_FILE = 'reconciler.config.json';

/** Read when the file is absent, e.g. in a CI pipeline. */
export const DEPLOYMENT_CONFIG_ENVIRONMENT_VARIABLE =
  'ECR_PULL_RECONCILER_DEPLOY_CONFIG';

/**
 * Lambda allows 4 KB of environment variables in total; the runtime
 * configuration shares that budget with the other variables.
 */
const RUNTIME_CONFIG_BUDGET = 3_072;

// The runtime schema owns the rules for every key the Lambdas read, so the
// deployment schema borrows its fields instead of restating them.
const runtimeFields = configSchema.shape;
const roleFields = runtimeFields.roles.unwrap().shape;
const registryFields = runtimeFields.registries.element.shape;
const accountId = registryFields.accountId;
const region = registryFields.regions.unwrap().element;

const organizationId = z
  .string()
  .regex(
    /^o-[a-z0-9]{10,32}$/,
    'must be an Organization id such as o-a1b2c3d4e5'
  );

const schedule = z
  .string()
  .regex(
    /^(rate|cron)\(.+\)$/,
    'must be an EventBridge schedule such as rate(1 day) or cron(0 3 * * ? *)'
  );

const organizationalUnitId = z
  .string()
  .regex(
    /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/,
    'must be an OU id such as ou-ab12-34cd5678 or the root id such as r-ab12'
  );

const ROLE_PART = '[\\w+=,.@-]';

const exactRoleArn = new RegExp(
  `^arn:aws[a-z-]*:iam::\\d{12}:role/(${ROLE_PART}+/)*${ROLE_PART}{1,64}$`
);

/**
 * IAM Identity Center gives a permission set's role a new random suffix
 * each time the set is assigned to an account afresh, so a trust naming
 * the exact ARN would silently stop matching; this one form may end in
 * `*` instead of the suffix. Only Identity Center can create roles under
 * `aws-reserved/`.
 */
export const PERMISSION_SET_ROLE_ARN = new RegExp(
  `^arn:aws[a-z-]*:iam::\\d{12}:role/aws-reserved/sso\\.amazonaws\\.com/([a-z]{2}(-[a-z]+)+-\\d+/)?AWSReservedSSO_${ROLE_PART}{1,32}_\\*$`
);

const operatorRoleArn = z
  .string()
  .refine(
    (arn) => exactRoleArn.test(arn) || PERMISSION_SET_ROLE_ARN.test(arn),
    'must be an IAM role ARN without wildcards, or an IAM Identity Center role ARN ending in AWSReservedSSO_<permission set>_*'
  );

const operatorRoleArns = z.array(operatorRoleArn).default([]);

const stageName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'must be an SST stage name');

export const deploymentConfigSchema = z
  .strictObject({
    /** Region of the central stack; defaults to the first registry Region. */
    region: region.optional(),
    /** Account the stack is deployed to; checked against the credentials. */
    centralAccountId: accountId,
    /**
     * The central account is itself a registry account: its own ECR events
     * arrive on its default bus and its repositories are written without
     * assuming a role.
     */
    registryIsCentralAccount: z.boolean().default(true),
    registries: runtimeFields.registries,
    memberRegions: runtimeFields.memberRegions,
    memberAccounts: runtimeFields.memberAccounts,
    /** Only principals of this Organization may put events on the bus. */
    organizationId,
    organizationsRoleArn: roleFields.organizations,
    memberRoleName: roleFields.member,
    registryRoleName: roleFields.registry,
    sweepSchedule: schedule.default('rate(1 day)'),
    projectSelection: runtimeFields.projectSelection,
    tags: runtimeFields.tags,
    managedSid: runtimeFields.managedSid,
    concurrency: runtimeFields.concurrency,
    /** Receives the dead-letter alarm; the topic exists without it. */
    alarmEmail: z.email('must be an email address').optional(),
    /** Stages whose table is retained and protected from deletion. */
    productionStages: z.array(stageName).default(['prod']),
    /**
     * Where the member StackSet deploys, its instances following accounts
     * that join or leave these OUs; needed only to synthesize the StackSet.
     */
    memberOrganizationalUnitIds: z
      .array(organizationalUnitId)
      .min(1)
      .optional(),
    /** Account of the Organization's management account. */
    managementAccountId: accountId.optional(),
    /**
     * `SELF` from the management account; `DELEGATED_ADMIN` from an account
     * registered as delegated administrator for CloudFormation StackSets.
     */
    stackSetCallAs: z.enum(['SELF', 'DELEGATED_ADMIN']).default('SELF'),
    /**
     * Roles of people who run the command line across accounts: `read`
     * ones may assume the reader roles (plan, explain, report), `write`
     * ones the writer roles too (apply). None by default.
     */
    operatorRoleArns: z
      .strictObject({ read: operatorRoleArns, write: operatorRoleArns })
      .default({ read: [], write: [] }),
    /**
     * The read-only role the registry templates create for `read`
     * operators, so that planning needs no role able to write policies.
     */
    registryReaderRoleName: roleFields.registry
      .unwrap()
      .default('EcrPullReconcilerRegistryReader'),
  })
  .superRefine((config, context) => {
    const registryAccounts = config.registries.map((r) => r.accountId);
    if (
      config.registryIsCentralAccount &&
      !registryAccounts.includes(config.centralAccountId)
    ) {
      context.addIssue({
        code: 'custom',
        path: ['registryIsCentralAccount'],
        message: `is true, but centralAccountId ${config.centralAccountId} is not one of the registries`,
      });
    }
    const organizationsAccount = config.organizationsRoleArn?.split(':')[4];
    if (
      config.managementAccountId &&
      organizationsAccount &&
      organizationsAccount !== config.managementAccountId
    ) {
      // The management template creates this role, and only Organizations'
      // management account can read the whole tree without a delegation.
      context.addIssue({
        code: 'custom',
        path: ['organizationsRoleArn'],
        message: `is in account ${organizationsAccount}, but the management account is ${config.managementAccountId}`,
      });
    }
    checkOperators(config, context);
  });

interface OperatorFields {
  operatorRoleArns: { read: string[]; write: string[] };
  registryIsCentralAccount: boolean;
  centralAccountId: string;
}

function checkOperators(config: OperatorFields, context: z.RefinementCtx) {
  const seen = new Set<string>();
  for (const access of ['read', 'write'] as const) {
    config.operatorRoleArns[access].forEach((arn, index) => {
      const path = ['operatorRoleArns', access, index];
      if (seen.has(arn)) {
        context.addIssue({
          code: 'custom',
          path,
          message: `lists ${arn} a second time; write operators may read too`,
        });
      }
      seen.add(arn);
      const account = arn.split(':')[4];
      // The central account's repositories are written with the caller's
      // own credentials and no role there trusts anybody else.
      if (
        config.registryIsCentralAccount &&
        account !== config.centralAccountId
      ) {
        context.addIssue({
          code: 'custom',
          path,
          message: `is in account ${account}, but the central account ${config.centralAccountId} is a registry reached without a role: use a role of the central account`,
        });
      }
    });
  }
}

export type DeploymentConfig = Omit<
  z.output<typeof deploymentConfigSchema>,
  'region'
> & { region: string };

export type DeploymentConfigInput = z.input<typeof deploymentConfigSchema>;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeIssue(issue: z.core.$ZodIssue, prefix: string): string {
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  if (issue.code === 'unrecognized_keys') {
    const parent = path ? `${path}.` : '';

    return issue.keys.map((key) => `${parent}${key}: unknown key`).join('; ');
  }

  return `${path || '(top level)'}: ${issue.message}`;
}

/** Objects merge key by key; arrays and scalars of the override win. */
function mergeOverride(base: JsonObject, override: JsonObject): JsonObject {
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] =
      isObject(current) && isObject(value)
        ? mergeOverride(current, value)
        : value;
  }

  return merged;
}

function check(input: unknown, prefix: string): string[] | DeploymentConfig {
  const result = deploymentConfigSchema.safeParse(input);
  if (!result.success) {
    return result.error.issues.map((issue) => describeIssue(issue, prefix));
  }
  const config = result.data;
  const firstRegion = config.registries[0]?.regions[0] ?? 'us-east-1';

  return { ...config, region: config.region ?? firstRegion };
}

function refuse(source: string, issues: string[]): never {
  throw new ConfigurationError(
    `Invalid deployment configuration in ${source}: ${issues.join('; ')}`,
    issues
  );
}

/**
 * Checks a deployment configuration for one stage. The optional `stages`
 * key maps stage names to overrides merged over the rest; every declared
 * stage is checked, so a broken production override stops a development
 * deploy too instead of waiting for the production one.
 */
export function parseDeploymentConfig(
  input: unknown,
  stage: string,
  source = 'the deployment configuration'
): DeploymentConfig {
  if (!isObject(input)) refuse(source, ['(top level): must be an object']);
  const { stages = {}, ...base } = input;
  if (!isObject(stages)) refuse(source, ['stages: must be an object']);

  const issues: string[] = [];
  for (const [name, override] of Object.entries(stages)) {
    if (!isObject(override)) {
      issues.push(`stages.${name}: must be an object`);
      continue;
    }
    if (name === stage) continue;
    const checked = check(mergeOverride(base, override), `stages.${name}`);
    if (Array.isArray(checked)) issues.push(...checked);
  }
  const override = stages[stage];
  const merged = isObject(override) ? mergeOverride(base, override) : base;
  const checked = check(merged, '');
  if (Array.isArray(checked)) issues.unshift(...checked);
  if (issues.length > 0 || Array.isArray(checked)) refuse(source, issues);

  return checked;
}

export interface DeploymentConfigSource {
  stage: string;
  /** Where `reconciler.config.json` is looked up; the working directory. */
  root?: string;
  env?: Record<string, string | undefined>;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`${source} is not valid JSON`, [], {
      cause: error,
    });
  }
}

/**
 * Reads the deployment configuration: the file at the top of the
 * repository when present, else the environment variable.
 */
export function loadDeploymentConfig(
  options: DeploymentConfigSource
): DeploymentConfig {
  const root = options.root ?? process.cwd();
  const env = options.env ?? process.env;
  const file = join(root, DEPLOYMENT_CONFIG_FILE);
  if (existsSync(file)) {
    const input = parseJson(readFileSync(file, 'utf8'), file);

    return parseDeploymentConfig(input, options.stage, file);
  }
  const text = env[DEPLOYMENT_CONFIG_ENVIRONMENT_VARIABLE];
  if (text) {
    const source = DEPLOYMENT_CONFIG_ENVIRONMENT_VARIABLE;

    return parseDeploymentConfig(
      parseJson(text, source),
      options.stage,
      source
    );
  }

  throw new ConfigurationError(
    `No deployment configuration: create ${DEPLOYMENT_CONFIG_FILE} (see reconciler.config.example.json) or set ${DEPLOYMENT_CONFIG_ENVIRONMENT_VARIABLE}`
  );
}

/** The configuration the Lambdas read, checked by the runtime's own rules. */
export function runtimeConfigOf(config: DeploymentConfig): ReconcilerConfig {
  return parseConfig({
    registries: config.registries,
    memberRegions: config.memberRegions,
    memberAccounts: config.memberAccounts,
    roles: {
      member: config.memberRoleName,
      registry: config.registryRoleName,
      organizations: config.organizationsRoleArn,
    },
    tags: config.tags,
    projectSelection: config.projectSelection,
    managedSid: config.managedSid,
    concurrency: config.concurrency,
  });
}

/** The runtime configuration as the JSON text of one variable. */
export function runtimeConfigText(config: DeploymentConfig): string {
  const text = JSON.stringify(runtimeConfigOf(config));
  if (text.length > RUNTIME_CONFIG_BUDGET) {
    throw new ConfigurationError(
      `registries: the runtime configuration is ${text.length} characters, more than the ${RUNTIME_CONFIG_BUDGET} that fit in the Lambda environment`,
      ['registries: runtime configuration too large']
    );
  }

  return text;
}

/** Production stages keep their data when the stack is removed. */
export function isProductionStage(
  config: DeploymentConfig,
  stage: string
): boolean {
  return config.productionStages.includes(stage);
}
