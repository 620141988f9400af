import type { AwsGateways } from '../../aws/src/index.js';
import {
  type BuildProject,
  mapSettled,
  memberRegionsOf,
  type OrgTree,
  parseRepositoryArn,
  planRemovals,
  planSweep,
  type ReconcilerConfig,
  type Report,
  type ReportError,
  type RepositoryLocation,
  type RepositoryPlan,
  type RepositorySnapshot,
  registryKey,
  repositoryArnOf,
} from '../../core/src/index.js';
import { type AuditLogger, silentLogger } from './logger.js';
import { buildReport } from './report.js';

export type ReconcileMode = 'plan' | 'apply';

export interface ReconcileRequest {
  mode: ReconcileMode;
  /** A repository name or ARN; all managed repositories when absent. */
  repository?: string;
  /** Only the repositories of this registry account. */
  account?: string;
  /**
   * Uninstall: take every managed statement out and change nothing else,
   * whatever the tags and build projects say.
   */
  removeManaged?: boolean;
}

export interface Progress {
  phase: 'projects' | 'repositories' | 'writes';
  done: number;
  total: number;
}

/** Where build projects come from: CodeBuild itself, or the project index. */
export interface ProjectSource {
  listBuildProjects(accountId: string, region: string): Promise<BuildProject[]>;
  /**
   * The projects pulling from one repository, when the source can tell
   * (the project index can): a reconcile of that repository then reads
   * only them instead of every member account.
   */
  projectsOfRepository?(repositoryArn: string): Promise<BuildProject[]>;
}

/** The gateways a reconcile uses; IAM is only for `explain`. */
export type ReconcilerGateways = Pick<
  AwsGateways,
  'organizations' | 'ecr' | 'codebuild'
>;

export interface ReconcilerDependencies {
  config: ReconcilerConfig;
  gateways: ReconcilerGateways;
  logger?: AuditLogger;
  projectSource?: ProjectSource;
  onProgress?: (progress: Progress) => void;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface RepositoryRead {
  snapshots: RepositorySnapshot[];
  unreadableRegistries: Set<string>;
  unreadableRepositories: Set<string>;
  inScope?: (location: RepositoryLocation) => boolean;
  errors: ReportError[];
}

export function createReconciler(dependencies: ReconcilerDependencies) {
  const { config, gateways } = dependencies;
  const logger = dependencies.logger ?? silentLogger;
  const progress = dependencies.onProgress ?? (() => {});
  const projectSource: ProjectSource = dependencies.projectSource ?? {
    listBuildProjects: (accountId, region) =>
      gateways.codebuild.listBuildProjects({ accountId, region }),
  };

  function registriesFor(request: ReconcileRequest) {
    return config.registries
      .filter(
        (registry) => !request.account || registry.accountId === request.account
      )
      .flatMap((registry) =>
        registry.regions.map((region) => ({
          accountId: registry.accountId,
          region,
        }))
      );
  }

  async function readProjects(tree: OrgTree, request: ReconcileRequest) {
    const wanted = request.repository;
    const byRepository = projectSource.projectsOfRepository;
    if (wanted?.startsWith('arn:') && byRepository) {
      // A failure here rejects the whole reconcile: judged without its
      // projects, the repository would lose every grant it has.
      const members = config.memberAccounts && new Set(config.memberAccounts);
      const projects = (await byRepository.call(projectSource, wanted)).filter(
        (project) => !members || members.has(project.accountId)
      );

      return {
        projects,
        unreadableAccounts: new Set<string>(),
        errors: [] as ReportError[],
      };
    }
    const accounts =
      config.memberAccounts ??
      [...tree.accounts.values()]
        .filter((account) => account.status === 'ACTIVE')
        .map((account) => account.id)
        .sort();
    const targets = accounts.flatMap((accountId) =>
      memberRegionsOf(config).map((region) => ({ accountId, region }))
    );
    let done = 0;
    const results = await mapSettled(
      targets,
      config.concurrency,
      async ({ accountId, region }) => {
        const projects = await projectSource.listBuildProjects(
          accountId,
          region
        );
        progress({ phase: 'projects', done: ++done, total: targets.length });

        return projects;
      }
    );

    const projects: BuildProject[] = [];
    const unreadableAccounts = new Set<string>();
    const errors: ReportError[] = [];
    results.forEach((result, index) => {
      const target = targets[index];
      if (!target) return;
      if (result.status === 'fulfilled') {
        projects.push(...result.value);
        return;
      }
      unreadableAccounts.add(target.accountId);
      errors.push({
        scope: `account ${target.accountId} ${target.region}`,
        code: 'ACCOUNT_UNREADABLE',
        message: `Build projects could not be read: ${message(result.reason)}. Grants of this account's roles are kept as they are.`,
      });
      logger.error('Member account unreadable', {
        accountId: target.accountId,
        region: target.region,
        error: message(result.reason),
      });
    });

    return { projects, unreadableAccounts, errors };
  }

  async function readOneRepository(
    request: ReconcileRequest
  ): Promise<RepositoryRead> {
    const wanted = request.repository ?? '';
    const fromArn = wanted.startsWith('arn:')
      ? parseRepositoryArn(wanted)
      : undefined;
    const errors: ReportError[] = [];
    if (wanted.startsWith('arn:') && !fromArn) {
      errors.push({
        scope: wanted,
        code: 'INVALID_REPOSITORY',
        message: 'Not an ECR repository ARN.',
      });
    }
    const candidates: RepositoryLocation[] = fromArn
      ? [fromArn]
      : wanted.startsWith('arn:')
        ? []
        : registriesFor(request).map((registry) => ({
            partition: 'aws',
            region: registry.region,
            registryAccountId: registry.accountId,
            repositoryName: wanted,
          }));
    const matches = (location: RepositoryLocation) =>
      candidates.some(
        (candidate) =>
          candidate.registryAccountId === location.registryAccountId &&
          candidate.region === location.region &&
          candidate.repositoryName === location.repositoryName
      );

    const results = await mapSettled(
      candidates,
      config.concurrency,
      (location) => gateways.ecr.readRepository(location)
    );
    const snapshots: RepositorySnapshot[] = [];
    const unreadableRepositories = new Set<string>();
    results.forEach((result, index) => {
      const location = candidates[index];
      if (!location) return;
      if (result.status === 'fulfilled') {
        if (result.value) snapshots.push(result.value);
        return;
      }
      const scope = repositoryArnOf(location);
      unreadableRepositories.add(scope);
      errors.push({
        scope,
        code: 'REPOSITORY_UNREADABLE',
        message: message(result.reason),
      });
    });
    if (snapshots.length === 0 && errors.length === 0) {
      errors.push({
        scope: wanted,
        code: 'REPOSITORY_NOT_FOUND',
        message: `No managed registry has a repository ${wanted}.`,
      });
    }

    return {
      snapshots,
      unreadableRegistries: new Set(),
      unreadableRepositories,
      inScope: matches,
      errors,
    };
  }

  async function readRepositories(
    request: ReconcileRequest
  ): Promise<RepositoryRead> {
    if (request.repository) return readOneRepository(request);

    const registries = registriesFor(request);
    let done = 0;
    const results = await mapSettled(
      registries,
      config.concurrency,
      async (registry) => {
        const sweep = await gateways.ecr.readRepositories(registry, {
          concurrency: config.concurrency,
        });
        progress({
          phase: 'repositories',
          done: ++done,
          total: registries.length,
        });

        return sweep;
      }
    );

    const read: RepositoryRead = {
      snapshots: [],
      unreadableRegistries: new Set(),
      unreadableRepositories: new Set(),
      errors: [],
    };
    if (request.account) {
      read.inScope = (location) =>
        location.registryAccountId === request.account;
    }
    results.forEach((result, index) => {
      const registry = registries[index];
      if (!registry) return;
      const key = registryKey(registry.accountId, registry.region);
      if (result.status === 'rejected') {
        read.unreadableRegistries.add(key);
        read.errors.push({
          scope: `registry ${key}`,
          code: 'REGISTRY_UNREADABLE',
          message: message(result.reason),
        });
        return;
      }
      read.snapshots.push(...result.value.repositories);
      for (const failure of result.value.failures) {
        const location = failure.location;
        const arn = repositoryArnOf(location);
        read.unreadableRepositories.add(arn);
        read.errors.push({
          scope: arn,
          code: 'REPOSITORY_UNREADABLE',
          message: message(failure.error),
        });
      }
    });

    return read;
  }

  function locationOf(arn: string): RepositoryLocation {
    const location = parseRepositoryArn(arn);
    if (!location) throw new Error(`Unexpected repository ARN ${arn}`);

    return location;
  }

  async function applyPlans(plans: RepositoryPlan[]): Promise<ReportError[]> {
    const pending = plans.filter((plan) => plan.write !== 'none');
    let done = 0;
    const results = await mapSettled(
      pending,
      config.concurrency,
      async (plan) => {
        const location = locationOf(plan.arn);
        if (plan.write === 'delete') {
          await gateways.ecr.deleteRepositoryPolicy(location);
        } else if (plan.policyText !== null) {
          await gateways.ecr.setRepositoryPolicy(location, plan.policyText);
        }
        progress({ phase: 'writes', done: ++done, total: pending.length });
      }
    );

    const errors: ReportError[] = [];
    results.forEach((result, index) => {
      const plan = pending[index];
      if (!plan) return;
      const attributes = {
        repositoryArn: plan.arn,
        accountId: locationOf(plan.arn).registryAccountId,
      };
      if (result.status === 'rejected') {
        plan.status = 'error';
        errors.push({
          scope: plan.arn,
          code: 'WRITE_FAILED',
          message: `The policy was not changed: ${message(result.reason)}`,
        });
        logger.error('Repository policy write failed', {
          ...attributes,
          error: message(result.reason),
        });
        return;
      }
      for (const roleArn of plan.grants.add) {
        logger.info('Grant added', { ...attributes, roleArn });
      }
      for (const roleArn of plan.grants.remove) {
        logger.info('Grant removed', { ...attributes, roleArn });
      }
    });

    return errors;
  }

  /**
   * Needs neither the Organization nor the member accounts, so a team can
   * leave the tool after its other roles are gone; the report's
   * organizationId is null for that reason.
   */
  async function removeManaged(request: ReconcileRequest): Promise<Report> {
    const read = await readRepositories(request);
    const inScope = read.inScope;
    const repositories = inScope
      ? read.snapshots.filter((snapshot) => inScope(snapshot))
      : read.snapshots;
    const plans = planRemovals(repositories, config);
    for (const plan of plans) {
      if (plan.status === 'skipped' && plan.findings[0]) {
        logger.warn('Repository skipped', {
          repositoryArn: plan.arn,
          code: plan.findings[0].code,
          reason: plan.findings[0].message,
        });
      }
    }

    const errors = [...read.errors];
    if (request.mode === 'apply') errors.push(...(await applyPlans(plans)));

    return buildReport(request.mode, null, plans, [], errors);
  }

  /** Reconciles every managed repository, or the ones the request names. */
  async function reconcile(request: ReconcileRequest): Promise<Report> {
    if (request.removeManaged) return removeManaged(request);

    // Reading repositories needs nothing from the Organization, so it
    // overlaps the tree walk, whose levels can only be read one by one.
    const repositoryReading = readRepositories(request);
    let tree: OrgTree;
    try {
      tree = await gateways.organizations.readOrgTree();
    } catch (error) {
      // Let the reads finish, so nothing runs on after the report.
      await repositoryReading.catch(() => undefined);
      logger.error('Organization unreadable', { error: message(error) });

      return buildReport(
        request.mode,
        null,
        [],
        [],
        [
          {
            scope: 'organization',
            code: 'ORGANIZATION_UNREADABLE',
            message: `The Organization could not be read, so nothing was planned: ${message(error)}`,
          },
        ]
      );
    }

    const [projectRead, repositoryRead] = await Promise.all([
      readProjects(tree, request),
      repositoryReading,
    ]);
    const plan = planSweep({
      tree,
      config,
      repositories: repositoryRead.snapshots,
      projects: projectRead.projects,
      unreadableRegistries: repositoryRead.unreadableRegistries,
      unreadableRepositories: repositoryRead.unreadableRepositories,
      unreadableAccounts: projectRead.unreadableAccounts,
      ...(repositoryRead.inScope ? { inScope: repositoryRead.inScope } : {}),
    });
    for (const repository of plan.repositories) {
      if (repository.status === 'skipped' && repository.findings[0]) {
        logger.warn('Repository skipped', {
          repositoryArn: repository.arn,
          code: repository.findings[0].code,
          reason: repository.findings[0].message,
        });
      }
    }

    const errors = [...projectRead.errors, ...repositoryRead.errors];
    if (request.mode === 'apply') {
      errors.push(...(await applyPlans(plan.repositories)));
    }

    return buildReport(
      request.mode,
      tree.organizationId,
      plan.repositories,
      plan.findings,
      errors
    );
  }

  return { reconcile };
}

export type Reconciler = ReturnType<typeof createReconciler>;
