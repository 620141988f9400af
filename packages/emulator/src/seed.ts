import {
  CodeBuildClient,
  CreateProjectCommand,
} from '@aws-sdk/client-codebuild';
import {
  CreateRepositoryCommand,
  ECRClient,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import {
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  DescribeCreateAccountStatusCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { EmulatorError } from './errors.js';

/** moto answers every unknown access key as this account. */
export const MANAGEMENT_ACCOUNT_ID = '123456789012';

/** Created by Organizations in every account made with CreateAccount. */
export const MEMBER_ACCESS_ROLE = 'OrganizationAccountAccessRole';

/** Static keys moto does not know, so they act as the management account. */
const MANAGEMENT_CREDENTIALS: AccountCredentials = {
  accessKeyId: 'AKIAMANAGEMENTSEED00',
  secretAccessKey: 'management-account-secret',
};

/** Account creation and role set-up are independent between accounts. */
const DEFAULT_CONCURRENCY = 8;

const PULL_ACTIONS = [
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
];

export interface OrganizationalUnitSpec {
  name: string;
  children?: OrganizationalUnitSpec[];
}

/** A CodeBuild service role, trusted by codebuild.amazonaws.com. */
export interface BuildRoleSpec {
  name: string;
  /** IAM path such as `/service-role/`; `/` when absent. */
  path?: string;
  /**
   * Whether the role's own policy allows the pull actions and
   * `ecr:GetAuthorizationToken`. Without it a cross-account pull fails even
   * when the repository policy allows it.
   */
  allowsEcrPull: boolean;
}

export interface BuildProjectSpec {
  name: string;
  /** What the project demonstrates; the demo prints it. */
  description: string;
  /** Name of a role declared in the same account. */
  serviceRole: string;
  /** Image URI, with `{account:NAME}` and `{region}` placeholders. */
  image: string;
  /** Left out of the request when absent (moto then stores none). */
  imagePullCredentialsType?: 'CODEBUILD' | 'SERVICE_ROLE';
  /** Tag values may use placeholders. */
  tags?: Record<string, string>;
  /** The organization's default Region when absent. */
  region?: string;
}

export interface RepositorySpec {
  name: string;
  /** Tag values may use placeholders, e.g. `share-with: '{ou:Builds}'`. */
  tags?: Record<string, string>;
  /** A policy document; every string in it may use placeholders. */
  policy?: Record<string, unknown>;
  description?: string;
  region?: string;
}

/** What to create inside one account. */
export interface AccountResourcesSpec {
  roles?: BuildRoleSpec[];
  projects?: BuildProjectSpec[];
  repositories?: RepositorySpec[];
}

export interface MemberAccountSpec extends AccountResourcesSpec {
  name: string;
  /** Path of names from the root, such as `Builds/Web`; root when absent. */
  organizationalUnit?: string;
  description?: string;
}

/**
 * A whole Organization, written with names because moto hands out random
 * ids. Strings refer to ids through placeholders: `{root}`,
 * `{organization}`, `{region}`, `{ou:Builds/Web}` and `{account:payments}`
 * (`{account:management}` is the management account).
 */
export interface OrganizationSpec {
  region: string;
  organizationalUnits: OrganizationalUnitSpec[];
  accounts: MemberAccountSpec[];
  management?: AccountResourcesSpec;
}

export interface AccountCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** What an AWS SDK v3 client needs to act inside one account. */
export interface AccountClientConfig {
  endpoint: string;
  region: string;
  credentials: () => Promise<AccountCredentials>;
}

export interface SeededOrganization {
  endpoint: string;
  region: string;
  organizationId: string;
  rootId: string;
  managementAccountId: string;
  /** OU ids by path of names, e.g. `Builds` and `Builds/Web`. */
  organizationalUnits: Record<string, string>;
  /** Account ids by name, `management` included. */
  accounts: Record<string, string>;
  /** Wall time the seeding took. */
  elapsedMs: number;
  /** Replaces every placeholder in `text` by the real id. */
  resolve(text: string): string;
  /** Session credentials inside the account (assumed through STS). */
  credentialsFor(accountId: string): Promise<AccountCredentials>;
  /** Endpoint, Region and credentials for a client inside the account. */
  clientConfig(accountId: string, region?: string): AccountClientConfig;
}

export class SeedError extends EmulatorError {
  override name = 'SeedError';
}

interface PlaceholderIds {
  organizationId: string;
  rootId: string;
  region: string;
  organizationalUnits: Record<string, string>;
  accounts: Record<string, string>;
}

const PLACEHOLDER = /\{(root|organization|region|ou:[^}]+|account:[^}]+)\}/g;

/** Replaces `{root}`, `{ou:PATH}`, `{account:NAME}` and the like. */
export function resolvePlaceholders(text: string, ids: PlaceholderIds) {
  return text.replace(PLACEHOLDER, (placeholder, key: string) => {
    const value = lookUpPlaceholder(key, ids);
    if (value === undefined) {
      throw new SeedError(`Unknown placeholder ${placeholder} in "${text}".`);
    }

    return value;
  });
}

function lookUpPlaceholder(key: string, ids: PlaceholderIds) {
  if (key === 'root') return ids.rootId;
  if (key === 'organization') return ids.organizationId;
  if (key === 'region') return ids.region;
  if (key.startsWith('ou:')) return ids.organizationalUnits[key.slice(3)];

  return ids.accounts[key.slice('account:'.length)];
}

function resolveDeep(
  value: unknown,
  resolve: (text: string) => string
): unknown {
  if (typeof value === 'string') return resolve(value);
  if (Array.isArray(value)) {
    return value.map((item): unknown => resolveDeep(item, resolve));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        resolveDeep(item, resolve),
      ])
    );
  }

  return value;
}

/** Runs `work` over `items`, at most `limit` at a time, keeping order. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, lane)
  );

  return results;
}

function buildRoleArn(accountId: string, role: BuildRoleSpec) {
  return `arn:aws:iam::${accountId}:role${role.path ?? '/'}${role.name}`;
}

function buildRolePolicy(role: BuildRoleSpec) {
  const statements: Record<string, unknown>[] = [
    {
      Sid: 'WriteBuildLogs',
      Effect: 'Allow',
      Action: [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ],
      Resource: '*',
    },
  ];
  if (role.allowsEcrPull) {
    statements.push({
      Sid: 'PullBuildImages',
      Effect: 'Allow',
      Action: ['ecr:GetAuthorizationToken', ...PULL_ACTIONS],
      Resource: '*',
    });
  }

  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** The trust policy of a CodeBuild service role. */
export const CODEBUILD_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'codebuild.amazonaws.com' },
      Action: 'sts:AssumeRole',
    },
  ],
});

/** A build that only prints; the projects exist for their configuration. */
const BUILDSPEC = [
  'version: 0.2',
  'phases:',
  '  build:',
  '    commands:',
  '      - echo build',
].join('\n');

function firstDuplicate(names: string[]) {
  return names.find((name, index) => names.indexOf(name) !== index);
}

/** Refuses a spec before any call, so a mistake leaves moto untouched. */
function validateSpec(spec: OrganizationSpec) {
  const names = spec.accounts.map((account) => account.name);
  const duplicate = firstDuplicate(names);
  if (duplicate !== undefined) {
    throw new SeedError(`Account "${duplicate}" is declared twice.`);
  }
  if (names.includes('management')) {
    throw new SeedError('"management" names the management account.');
  }
  const unitPaths = flattenOrganizationalUnits(spec.organizationalUnits).map(
    (unit) => unit.path
  );
  const duplicateUnit = firstDuplicate(unitPaths);
  if (duplicateUnit !== undefined) {
    throw new SeedError(`OU "${duplicateUnit}" is declared twice.`);
  }
  // Names stand in for ids, to find unknown placeholders before any call.
  const knownNames: PlaceholderIds = {
    organizationId: 'organization',
    rootId: 'root',
    region: spec.region,
    organizationalUnits: Object.fromEntries(
      unitPaths.map((path) => [path, path])
    ),
    accounts: Object.fromEntries(
      ['management', ...names].map((name) => [name, name])
    ),
  };
  const workload = [
    { name: 'management', ...spec.management },
    ...spec.accounts,
  ];
  for (const account of workload) {
    const unit = 'organizationalUnit' in account && account.organizationalUnit;
    if (unit && !unitPaths.includes(unit)) {
      throw new SeedError(
        `Account "${account.name}" names an undeclared OU "${unit}".`
      );
    }
    resolveDeep(account, (text) => resolvePlaceholders(text, knownNames));
    const roles = (account.roles ?? []).map((role) => role.name);
    for (const project of account.projects ?? []) {
      if (!roles.includes(project.serviceRole)) {
        throw new SeedError(
          `Project "${project.name}" in account "${account.name}" names ` +
            `an undeclared role "${project.serviceRole}".`
        );
      }
    }
  }
}

function flattenOrganizationalUnits(
  units: OrganizationalUnitSpec[],
  parentPath = ''
): { path: string; parentPath: string; name: string }[] {
  return units.flatMap((unit) => {
    const path = parentPath ? `${parentPath}/${unit.name}` : unit.name;

    return [
      { path, parentPath, name: unit.name },
      ...flattenOrganizationalUnits(unit.children ?? [], path),
    ];
  });
}

class OrganizationSeeder {
  private readonly sessions = new Map<string, Promise<AccountCredentials>>();
  private readonly sts: STSClient;

  constructor(
    private readonly endpoint: string,
    private readonly region: string
  ) {
    this.sts = new STSClient(this.managementConfig(region));
  }

  managementConfig(region: string) {
    return {
      endpoint: this.endpoint,
      region,
      credentials: MANAGEMENT_CREDENTIALS,
    };
  }

  credentialsFor(accountId: string): Promise<AccountCredentials> {
    if (accountId === MANAGEMENT_ACCOUNT_ID) {
      return Promise.resolve(MANAGEMENT_CREDENTIALS);
    }
    const cached = this.sessions.get(accountId);
    if (cached) return this.renewWhenExpired(accountId, cached);

    const session = this.assumeMemberRole(accountId);
    this.sessions.set(accountId, session);
    session.catch(() => this.sessions.delete(accountId));

    return session;
  }

  private async renewWhenExpired(
    accountId: string,
    cached: Promise<AccountCredentials>
  ) {
    const credentials = await cached;
    const margin = 5 * 60_000;
    if (
      credentials.expiration === undefined ||
      credentials.expiration.getTime() - margin > Date.now()
    ) {
      return credentials;
    }
    this.sessions.delete(accountId);

    return this.credentialsFor(accountId);
  }

  private async assumeMemberRole(accountId: string) {
    const roleArn = `arn:aws:iam::${accountId}:role/${MEMBER_ACCESS_ROLE}`;
    try {
      const { Credentials: session } = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: 'ecr-pull-reconciler-seed',
        })
      );
      if (!session?.AccessKeyId || !session.SecretAccessKey) {
        throw new SeedError(`AssumeRole ${roleArn} returned no credentials.`);
      }

      return {
        accessKeyId: session.AccessKeyId,
        secretAccessKey: session.SecretAccessKey,
        sessionToken: session.SessionToken,
        expiration: session.Expiration,
      };
    } catch (error) {
      if (error instanceof SeedError) throw error;
      throw new SeedError(`Could not assume ${roleArn}.`, { cause: error });
    }
  }

  clientConfig(accountId: string, region?: string): AccountClientConfig {
    return {
      endpoint: this.endpoint,
      region: region ?? this.region,
      credentials: () => this.credentialsFor(accountId),
    };
  }

  async createOrganization(spec: OrganizationSpec, concurrency: number) {
    const organizations = new OrganizationsClient(
      this.managementConfig(spec.region)
    );
    const created = await organizations.send(
      new CreateOrganizationCommand({ FeatureSet: 'ALL' })
    );
    const organizationId = created.Organization?.Id;
    const { Roots: roots } = await organizations.send(new ListRootsCommand({}));
    const rootId = roots?.[0]?.Id;
    if (!organizationId || !rootId) {
      throw new SeedError('CreateOrganization returned no id or root.');
    }

    const organizationalUnits = await this.createOrganizationalUnits(
      organizations,
      rootId,
      spec.organizationalUnits
    );
    const accountIds = await mapBounded(
      spec.accounts,
      concurrency,
      async (account) => {
        const accountId = await this.createAccount(organizations, account.name);
        const parentId = this.parentOf(account, rootId, organizationalUnits);
        if (parentId !== rootId) {
          await organizations.send(
            new MoveAccountCommand({
              AccountId: accountId,
              SourceParentId: rootId,
              DestinationParentId: parentId,
            })
          );
        }

        return [account.name, accountId] as const;
      }
    );

    return {
      organizationId,
      rootId,
      organizationalUnits,
      accounts: {
        management: MANAGEMENT_ACCOUNT_ID,
        ...Object.fromEntries(accountIds),
      } as Record<string, string>,
    };
  }

  private parentOf(
    account: MemberAccountSpec,
    rootId: string,
    organizationalUnits: Record<string, string>
  ) {
    if (account.organizationalUnit === undefined) return rootId;
    const unitId = organizationalUnits[account.organizationalUnit];
    if (unitId === undefined) {
      throw new SeedError(
        `Account "${account.name}" names an undeclared OU ` +
          `"${account.organizationalUnit}".`
      );
    }

    return unitId;
  }

  /** Parents must exist before children, so OUs go level by level. */
  private async createOrganizationalUnits(
    organizations: OrganizationsClient,
    rootId: string,
    units: OrganizationalUnitSpec[]
  ) {
    const ids: Record<string, string> = {};
    let level = flattenOrganizationalUnits(units).filter(
      (unit) => unit.parentPath === ''
    );
    const all = flattenOrganizationalUnits(units);
    while (level.length > 0) {
      await Promise.all(
        level.map(async (unit) => {
          const parentId = unit.parentPath ? ids[unit.parentPath] : rootId;
          const { OrganizationalUnit: created } = await organizations.send(
            new CreateOrganizationalUnitCommand({
              ParentId: parentId,
              Name: unit.name,
            })
          );
          if (!created?.Id) {
            throw new SeedError(`OU "${unit.path}" was created without id.`);
          }
          ids[unit.path] = created.Id;
        })
      );
      const done = new Set(level.map((unit) => unit.path));
      level = all.filter((unit) => done.has(unit.parentPath));
    }

    return ids;
  }

  private async createAccount(
    organizations: OrganizationsClient,
    name: string
  ) {
    const { CreateAccountStatus: request } = await organizations.send(
      new CreateAccountCommand({
        AccountName: name,
        Email: `${name}@example.com`,
      })
    );
    let status = request;
    // moto finishes at once; AWS takes minutes, so poll like a client would.
    for (let attempt = 0; status?.State === 'IN_PROGRESS'; attempt++) {
      if (attempt >= 50) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
      ({ CreateAccountStatus: status } = await organizations.send(
        new DescribeCreateAccountStatusCommand({
          CreateAccountRequestId: request?.Id,
        })
      ));
    }
    if (status?.State !== 'SUCCEEDED' || !status.AccountId) {
      throw new SeedError(
        `CreateAccount "${name}" ended as ${status?.State}: ` +
          `${status?.FailureReason ?? 'no reason given'}.`
      );
    }

    return status.AccountId;
  }

  async createResources(
    accountName: string,
    accountId: string,
    resources: AccountResourcesSpec
  ) {
    const iam = new IAMClient(this.clientConfig(accountId));
    const roles = new Map<string, BuildRoleSpec>();
    await Promise.all(
      (resources.roles ?? []).map(async (role) => {
        roles.set(role.name, role);
        await iam.send(
          new CreateRoleCommand({
            RoleName: role.name,
            Path: role.path ?? '/',
            AssumeRolePolicyDocument: CODEBUILD_TRUST_POLICY,
            Description: 'CodeBuild service role',
          })
        );
        await iam.send(
          new PutRolePolicyCommand({
            RoleName: role.name,
            PolicyName: 'build-permissions',
            PolicyDocument: buildRolePolicy(role),
          })
        );
      })
    );

    await Promise.all([
      ...(resources.repositories ?? []).map((repository) =>
        this.createRepository(accountId, repository)
      ),
      ...(resources.projects ?? []).map((project) => {
        const role = roles.get(project.serviceRole);
        if (!role) {
          throw new SeedError(
            `Project "${project.name}" in account "${accountName}" names ` +
              `an undeclared role "${project.serviceRole}".`
          );
        }

        return this.createProject(accountId, project, role);
      }),
    ]);
  }

  private async createRepository(accountId: string, spec: RepositorySpec) {
    const ecr = new ECRClient(this.clientConfig(accountId, spec.region));
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: spec.name,
        tags: Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({
          Key,
          Value,
        })),
      })
    );
    if (spec.policy) {
      await ecr.send(
        new SetRepositoryPolicyCommand({
          repositoryName: spec.name,
          policyText: JSON.stringify(spec.policy),
        })
      );
    }
  }

  private async createProject(
    accountId: string,
    spec: BuildProjectSpec,
    role: BuildRoleSpec
  ) {
    const codebuild = new CodeBuildClient(
      this.clientConfig(accountId, spec.region)
    );
    await codebuild.send(
      new CreateProjectCommand({
        name: spec.name,
        description: spec.description,
        // moto refuses NO_SOURCE without a location; AWS ignores it.
        source: { type: 'NO_SOURCE', location: 'none', buildspec: BUILDSPEC },
        artifacts: { type: 'NO_ARTIFACTS' },
        environment: {
          type: 'LINUX_CONTAINER',
          computeType: 'BUILD_GENERAL1_SMALL',
          image: spec.image,
          imagePullCredentialsType: spec.imagePullCredentialsType,
        },
        serviceRole: buildRoleArn(accountId, role),
        tags: Object.entries(spec.tags ?? {}).map(([key, value]) => ({
          key,
          value,
        })),
      })
    );
  }
}

export interface SeedOptions {
  /** Accounts set up at the same time; 8 when absent. */
  concurrency?: number;
}

/**
 * Creates the Organization described by `spec` in moto's server at
 * `endpoint`, which must be freshly reset: the management account can hold
 * only one Organization.
 */
export async function seedOrganization(
  endpoint: string,
  spec: OrganizationSpec,
  options: SeedOptions = {}
): Promise<SeededOrganization> {
  const started = performance.now();
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  validateSpec(spec);
  const seeder = new OrganizationSeeder(endpoint, spec.region);

  let created: Awaited<ReturnType<OrganizationSeeder['createOrganization']>>;
  try {
    created = await seeder.createOrganization(spec, concurrency);
  } catch (error) {
    if (error instanceof SeedError) throw error;
    throw new SeedError('Could not create the Organization.', {
      cause: error,
    });
  }
  const ids: PlaceholderIds = { ...created, region: spec.region };
  const resolve = (text: string) => resolvePlaceholders(text, ids);

  const workload = [
    { name: 'management', resources: spec.management ?? {} },
    ...spec.accounts.map((account) => ({
      name: account.name,
      resources: account,
    })),
  ];
  await mapBounded(workload, concurrency, async ({ name, resources }) => {
    const accountId = created.accounts[name] as string;
    const resolved = resolveDeep(
      {
        roles: resources.roles,
        projects: resources.projects,
        repositories: resources.repositories,
      },
      resolve
    ) as AccountResourcesSpec;
    try {
      await seeder.createResources(name, accountId, resolved);
    } catch (error) {
      if (error instanceof SeedError) throw error;
      throw new SeedError(`Could not seed account "${name}" (${accountId}).`, {
        cause: error,
      });
    }
  });

  return {
    endpoint,
    region: spec.region,
    organizationId: created.organizationId,
    rootId: created.rootId,
    managementAccountId: MANAGEMENT_ACCOUNT_ID,
    organizationalUnits: created.organizationalUnits,
    accounts: created.accounts,
    elapsedMs: Math.round(performance.now() - started),
    resolve,
    credentialsFor: (accountId) => seeder.credentialsFor(accountId),
    clientConfig: (accountId, region) => seeder.clientConfig(accountId, region),
  };
}
