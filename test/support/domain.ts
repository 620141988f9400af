import type {
  BuildProject,
  OrgAccount,
  OrganizationalUnit,
  OrgTree,
  RepositorySnapshot,
} from '../../packages/core/src/index.js';

/**
 * A small Organization for pure tests:
 * root r-ab12 > ou-ab12-builds000 > ou-ab12-web00000, and ou-ab12-sandbox0.
 */
export const ORG_ID = 'o-a1b2c3d4e5';
export const ROOT_ID = 'r-ab12';
export const OU_BUILDS = 'ou-ab12-builds00';
export const OU_WEB = 'ou-ab12-web00000';
export const OU_SANDBOX = 'ou-ab12-sandbox0';
export const REGISTRY = '111111111111';
export const PAYMENTS = '222222222222';
export const WEB = '333333333333';
export const SANDBOX = '444444444444';
export const SUSPENDED = '555555555555';
export const REGION = 'us-east-1';

export function orgTree(
  extraAccounts: OrgAccount[] = [],
  extraUnits: OrganizationalUnit[] = []
): OrgTree {
  const units: OrganizationalUnit[] = [
    { id: OU_BUILDS, parentId: ROOT_ID },
    { id: OU_WEB, parentId: OU_BUILDS },
    { id: OU_SANDBOX, parentId: ROOT_ID },
    ...extraUnits,
  ];
  const accounts: OrgAccount[] = [
    { id: '999999999999', parentId: ROOT_ID, status: 'ACTIVE' },
    { id: REGISTRY, parentId: ROOT_ID, status: 'ACTIVE' },
    { id: PAYMENTS, parentId: OU_BUILDS, status: 'ACTIVE' },
    { id: WEB, parentId: OU_WEB, status: 'ACTIVE' },
    { id: SANDBOX, parentId: OU_SANDBOX, status: 'ACTIVE' },
    { id: SUSPENDED, parentId: OU_BUILDS, status: 'SUSPENDED' },
    ...extraAccounts,
  ];

  return {
    organizationId: ORG_ID,
    managementAccountId: '999999999999',
    rootId: ROOT_ID,
    organizationalUnits: new Map(units.map((unit) => [unit.id, unit])),
    accounts: new Map(accounts.map((account) => [account.id, account])),
  };
}

export function imageUri(repository: string, region = REGION): string {
  return `${REGISTRY}.dkr.ecr.${region}.amazonaws.com/${repository}:latest`;
}

export function roleArn(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:role/service-role/${name}`;
}

export function buildProject(
  accountId: string,
  name: string,
  overrides: Partial<BuildProject> = {}
): BuildProject {
  return {
    arn: `arn:aws:codebuild:${REGION}:${accountId}:project/${name}`,
    name,
    accountId,
    region: REGION,
    serviceRoleArn: roleArn(accountId, `${name}-role`),
    image: imageUri('team/builder'),
    imagePullCredentialsType: 'SERVICE_ROLE',
    tags: { 'ecr-pull': 'auto' },
    ...overrides,
  };
}

export function repository(
  name: string,
  shareWith: string | undefined,
  policyText?: string
): RepositorySnapshot {
  return {
    arn: `arn:aws:ecr:${REGION}:${REGISTRY}:repository/${name}`,
    partition: 'aws',
    region: REGION,
    registryAccountId: REGISTRY,
    repositoryName: name,
    tags: shareWith === undefined ? {} : { 'share-with': shareWith },
    policyText,
  };
}
