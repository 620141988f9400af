import type { EcrGateway } from '../../../aws/src/ecr.js';
import type { OrganizationsGateway } from '../../../aws/src/index.js';
import {
  mapSettled,
  reconcileRepository,
  refreshAccount,
  type WorkItem,
} from '../../../core/src/index.js';
import { queue, settle } from './route.js';
import type { RouteResult, RouterDependencies } from './types.js';

export interface SweepDependencies extends RouterDependencies {
  ecr: Pick<EcrGateway, 'listRepositories'>;
  organizations: OrganizationsGateway;
}

export interface SweepResult extends RouteResult {
  accounts: number;
  repositories: number;
  errors: { scope: string; message: string }[];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The sweep fans out through the work queue instead of reconciling in
 * process: one refresh per member account, one reconcile per repository.
 * So it never depends on one Lambda finishing within 15 minutes, and its
 * writes go through the same per-repository FIFO groups as the events',
 * never racing them. A repository reconciled before its accounts are
 * re-indexed is queued again by the refresh that changes its grants.
 */
export async function planSweepWork(
  causeId: string,
  dependencies: SweepDependencies
): Promise<SweepResult> {
  const { config, telemetry } = dependencies;
  const tree = await dependencies.organizations.readOrgTree();
  const accounts =
    config.memberAccounts ??
    [...tree.accounts.values()]
      .filter((account) => account.status === 'ACTIVE')
      .map((account) => account.id)
      .sort();
  const registries = config.registries.flatMap((registry) =>
    registry.regions.map((region) => ({
      accountId: registry.accountId,
      region,
    }))
  );
  const listings = await mapSettled(
    registries,
    config.concurrency,
    (registry) => dependencies.ecr.listRepositories(registry)
  );
  const errors: SweepResult['errors'] = [];
  const repositories: string[] = [];
  listings.forEach((listing, index) => {
    const registry = registries[index];
    if (!registry) return;
    if (listing.status === 'fulfilled') {
      repositories.push(...listing.value.map((repository) => repository.arn));
      return;
    }
    const scope = `registry ${registry.accountId}:${registry.region}`;
    errors.push({ scope, message: message(listing.reason) });
    telemetry.logger.error(
      'Registry unreadable; its repositories wait for the next sweep',
      {
        accountId: registry.accountId,
        region: registry.region,
        error: message(listing.reason),
      }
    );
  });

  const observedAt = (dependencies.now ?? Date.now)();
  const items: WorkItem[] = [
    ...accounts.map((accountId) =>
      refreshAccount(accountId, 'sweep', observedAt)
    ),
    ...repositories
      .sort()
      .map((arn) => reconcileRepository(arn, 'sweep', observedAt)),
  ];
  const result = await queue(
    dependencies,
    items,
    causeId,
    `${accounts.length} accounts to re-index, ${repositories.length} repositories to reconcile`
  );

  return {
    ...settle(telemetry, result, { causeId, errors: errors.length }),
    accounts: accounts.length,
    repositories: repositories.length,
    errors,
  };
}
