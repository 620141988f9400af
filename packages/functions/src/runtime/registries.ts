import { ECRClient } from '@aws-sdk/client-ecr';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { createEcrGateway, type EcrGateway } from '../../../aws/src/ecr.js';
import type { OrganizationsGateway } from '../../../aws/src/index.js';
import { readOrgTree } from '../../../aws/src/organizations.js';
import type { ReconcilerConfig } from '../../../core/src/index.js';
import type { accountClients } from './aws-context.js';

/** ECR in registry accounts, through the registry role. */
export function ecrOf(
  { clients, credentials }: ReturnType<typeof accountClients>,
  config: ReconcilerConfig
): EcrGateway {
  return createEcrGateway((accountId, region) =>
    clients.get(
      'ecr',
      ECRClient,
      credentials.forAccount(accountId, config.roles.registry),
      region
    )
  );
}

/** Organizations reads, through the configured role or the function's own. */
export function organizationsOf(
  { clients, credentials }: ReturnType<typeof accountClients>,
  config: ReconcilerConfig
): OrganizationsGateway {
  const role = config.roles.organizations;
  const identity = role ? credentials.forRole(role) : credentials.base;

  return {
    readOrgTree: () =>
      readOrgTree(clients.get('organizations', OrganizationsClient, identity)),
  };
}
