import { CloseAccountCommand } from '@aws-sdk/client-organizations';
import { describe, expect, it } from 'vitest';
import { createAwsGateways } from '../../packages/aws/src/index.js';
import { accountStatus } from '../../packages/aws/src/organizations.js';
import { useMotoServer } from '../support/emulator.js';
import {
  MANAGEMENT_ACCOUNT_ID,
  REGION,
  SeededOrganization,
} from './moto-org.js';

const roles = { memberRoleName: 'reader', registryRoleName: 'writer' };

describe('Function: readOrgTree', () => {
  const server = useMotoServer();

  it('walks nested OUs and places each account under its parent', async () => {
    const { endpoint } = server();
    const org = await new SeededOrganization(endpoint).create();
    const platform = await org.createUnit('platform');
    const builds = await org.createUnit('builds', platform);
    const nightly = await org.createUnit('nightly', builds);
    const registry = await org.createAccount('registry', platform);
    const member = await org.createAccount('member', nightly);
    const loose = await org.createAccount('loose');
    const gateways = createAwsGateways({ region: REGION, endpoint, ...roles });

    const tree = await gateways.organizations.readOrgTree();

    expect(tree.organizationId).toBe(org.organizationId);
    expect(tree.managementAccountId).toBe(MANAGEMENT_ACCOUNT_ID);
    expect(tree.rootId).toBe(org.rootId);
    expect(Object.fromEntries(tree.organizationalUnits)).toEqual({
      [platform]: { id: platform, parentId: org.rootId, name: 'platform' },
      [builds]: { id: builds, parentId: platform, name: 'builds' },
      [nightly]: { id: nightly, parentId: builds, name: 'nightly' },
    });
    expect(tree.accounts.get(registry)?.parentId).toBe(platform);
    expect(tree.accounts.get(member)).toEqual({
      id: member,
      parentId: nightly,
      status: 'ACTIVE',
      name: 'member',
    });
    expect(tree.accounts.get(loose)?.parentId).toBe(org.rootId);
    expect(tree.accounts.get(MANAGEMENT_ACCOUNT_ID)?.parentId).toBe(org.rootId);
    expect(tree.accounts.size).toBe(4);
  });

  it('reports a closed account as suspended', async () => {
    const { endpoint } = server();
    const org = await new SeededOrganization(endpoint).create();
    const leaving = await org.createAccount('leaving');
    await org.organizations.send(
      new CloseAccountCommand({ AccountId: leaving })
    );
    const gateways = createAwsGateways({ region: REGION, endpoint, ...roles });

    const tree = await gateways.organizations.readOrgTree();

    expect(tree.accounts.get(leaving)?.status).toBe('SUSPENDED');
  });

  it('follows pagination past twenty accounts under one parent', async () => {
    const { endpoint } = server();
    const org = await new SeededOrganization(endpoint).create();
    const unit = await org.createUnit('many');
    const created = [];
    for (let index = 0; index < 25; index++) {
      created.push(await org.createAccount(`member-${index}`, unit));
    }
    const gateways = createAwsGateways({ region: REGION, endpoint, ...roles });

    const tree = await gateways.organizations.readOrgTree();

    const inUnit = [...tree.accounts.values()].filter(
      (account) => account.parentId === unit
    );
    expect(inUnit.map((account) => account.id).sort()).toEqual(created.sort());
  });

  // moto scopes Organizations reads to the management account, so a
  // delegated administrator's role cannot be emulated; a separate role in
  // the management account still proves the role is assumed.
  it('assumes the Organizations role when one is configured', async () => {
    const { endpoint } = server();
    const org = await new SeededOrganization(endpoint).create();
    const calls: string[] = [];
    const gateways = createAwsGateways({
      region: REGION,
      endpoint,
      ...roles,
      organizationsRoleArn: `arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:role/org-reader`,
      onCall: (service, operation, accountId) =>
        calls.push(`${service}:${operation}:${accountId}`),
    });

    const tree = await gateways.organizations.readOrgTree();

    expect(tree.organizationId).toBe(org.organizationId);
    expect(calls.slice(0, 3)).toEqual([
      'sts:GetCallerIdentity:undefined',
      `sts:AssumeRole:${MANAGEMENT_ACCOUNT_ID}`,
      'organizations:DescribeOrganization:123456789012',
    ]);
  });
});

describe('Function: accountStatus', () => {
  it.each([
    [{ State: 'ACTIVE' }, 'ACTIVE'],
    [{ State: 'PENDING_ACTIVATION' }, 'ACTIVE'],
    [{ State: 'PENDING_CLOSURE' }, 'PENDING_CLOSURE'],
    [{ State: 'CLOSED' }, 'SUSPENDED'],
    [{ Status: 'SUSPENDED' }, 'SUSPENDED'],
    [{ State: 'SUSPENDED', Status: 'ACTIVE' }, 'SUSPENDED'],
  ] as const)('maps %o to %s', (account, expected) => {
    const status = accountStatus(account);

    expect(status).toBe(expected);
  });
});
