import type { ProjectIndexGateway } from '../../../aws/src/project-index.js';
import {
  reconcileRepository,
  refreshAccount,
} from '../../../core/src/index.js';
import type { OrganizationChangeEvent } from '../events/schemas.js';
import { isManagedRepository, queue, settle, unique } from './route.js';
import type { RouteResult, RouterDependencies } from './types.js';

export interface OrganizationRouterDependencies extends RouterDependencies {
  projectIndex: Pick<ProjectIndexGateway, 'projectsOfAccount'>;
}

/**
 * An account moved between OUs, left the Organization, or was created.
 * Moves and removals queue the repositories the account's indexed
 * projects pull from; their audience may now include or exclude it. A new
 * account has no indexed projects yet, so it gets an account refresh.
 */
export async function routeOrganizationChange(
  event: OrganizationChangeEvent,
  dependencies: OrganizationRouterDependencies
): Promise<RouteResult> {
  const { detail } = event;
  const observedAt = (dependencies.now ?? Date.now)();
  const about = { eventId: event.id, eventName: detail.eventName };
  if (detail.errorCode) {
    return settle(
      dependencies.telemetry,
      {
        outcome: 'ignored',
        reason: `the call failed (${detail.errorCode})`,
        items: [],
      },
      about
    );
  }

  if (detail.eventName === 'CreateAccountResult') {
    const status = detail.serviceEventDetails.createAccountStatus;
    if (status.state !== 'SUCCEEDED' || !status.accountId) {
      return settle(
        dependencies.telemetry,
        {
          outcome: 'ignored',
          reason: `account creation ended as ${status.state}`,
          items: [],
        },
        about
      );
    }
    const result = await queue(
      dependencies,
      [refreshAccount(status.accountId, detail.eventName, observedAt)],
      event.id,
      'new account: its projects are indexed'
    );

    return settle(dependencies.telemetry, result, {
      ...about,
      accountId: status.accountId,
    });
  }

  const { accountId } = detail.requestParameters;
  const entries = await dependencies.projectIndex.projectsOfAccount(accountId);
  const repositories = unique(
    entries.map((entry) => entry.repositoryArn)
  ).filter((arn) => isManagedRepository(arn, dependencies.config));
  const items = repositories.map((arn) =>
    reconcileRepository(arn, detail.eventName, observedAt)
  );
  if (detail.eventName === 'RemoveAccountFromOrganization') {
    // The worker then drops the account's entries from the index.
    items.push(refreshAccount(accountId, detail.eventName, observedAt));
  }
  const result = await queue(
    dependencies,
    items,
    event.id,
    repositories.length > 0
      ? `${repositories.length} repositories pulled by the account's projects`
      : 'no indexed project of the account pulls from a managed repository'
  );

  return settle(dependencies.telemetry, result, { ...about, accountId });
}
