import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AssumeRoleError,
  type AwsGateways,
  createAwsGateways,
} from '../../packages/aws/src/index.js';
import { useMotoServer } from '../support/emulator.js';
import {
  ACCESS_ROLE,
  MANAGEMENT_ACCOUNT_ID,
  REGION,
  SeededOrganization,
} from './moto-org.js';

interface Call {
  service: string;
  operation: string;
  accountId: string | undefined;
}

function observed(
  endpoint: string,
  options: Partial<Parameters<typeof createAwsGateways>[0]> = {}
) {
  const calls: Call[] = [];
  const gateways: AwsGateways = createAwsGateways({
    region: REGION,
    endpoint,
    memberRoleName: ACCESS_ROLE,
    registryRoleName: ACCESS_ROLE,
    onCall: (service, operation, accountId) =>
      calls.push({ service, operation, accountId }),
    ...options,
  });
  const count = (operation: string) =>
    calls.filter((call) => call.operation === operation).length;

  return { gateways, calls, count };
}

describe('Class: AccountCredentials', () => {
  const server = useMotoServer();

  afterEach(() => {
    vi.useRealTimers();
  });

  it('shares one AssumeRole between concurrent calls to an account', async () => {
    const { endpoint } = server();
    const org = await new SeededOrganization(endpoint).create();
    const member = await org.createAccount('member');
    const { gateways, count, calls } = observed(endpoint);
    const account = { accountId: member, region: REGION };

    await Promise.all([
      gateways.ecr.listRepositories(account),
      gateways.codebuild.listBuildProjects(account),
      gateways.ecr.listRepositories({ ...account, region: 'us-east-1' }),
    ]);

    expect(count('GetCallerIdentity')).toBe(1);
    expect(count('AssumeRole')).toBe(1);
    expect(calls).toContainEqual({
      service: 'ecr',
      operation: 'DescribeRepositories',
      accountId: member,
    });
  });

  it('uses the base credentials in their own account', async () => {
    const { endpoint } = server();
    const { gateways, count } = observed(endpoint);

    const repositories = await gateways.ecr.listRepositories({
      accountId: MANAGEMENT_ACCOUNT_ID,
      region: REGION,
    });

    expect(repositories).toEqual([]);
    expect(count('AssumeRole')).toBe(0);
    expect(await gateways.callerAccountId()).toBe(MANAGEMENT_ACCOUNT_ID);
  });

  it('assumes the role again shortly before it expires', async () => {
    const { endpoint } = server();
    const org = await new SeededOrganization(endpoint).create();
    const member = await org.createAccount('member');
    let shortened = 0;
    const { gateways, count } = observed(endpoint, {
      configure: (client, service) => {
        if (service !== 'sts') return;
        client.middlewareStack.add(
          (next, context) => async (args) => {
            const result = await next(args);
            const output = result.output as {
              Credentials?: { Expiration?: Date };
            };
            if (context.commandName === 'AssumeRoleCommand' && !shortened++) {
              output.Credentials = {
                ...output.Credentials,
                Expiration: new Date(Date.now() + 6 * 60 * 1000),
              };
            }

            return result;
          },
          { step: 'initialize', name: 'shortenFirstSession' }
        );
      },
    });
    const account = { accountId: member, region: REGION };
    vi.useFakeTimers({ toFake: ['Date'] });
    await gateways.ecr.listRepositories(account);
    await gateways.ecr.listRepositories(account);

    vi.setSystemTime(Date.now() + 2 * 60 * 1000);
    await gateways.ecr.listRepositories(account);

    expect(count('AssumeRole')).toBe(2);
  });

  it('names the account when its role cannot be assumed', async () => {
    const { endpoint } = server();
    const { gateways } = observed(endpoint, {
      configure: (client, service) => {
        if (service !== 'sts') return;
        client.middlewareStack.add(
          (next, context) => async (args) => {
            if (context.commandName !== 'AssumeRoleCommand') return next(args);
            throw Object.assign(new Error('not authorized'), {
              name: 'AccessDenied',
              $fault: 'client',
            });
          },
          { step: 'initialize', name: 'denyAssumeRole' }
        );
      },
    });

    const read = gateways.codebuild.listBuildProjects({
      accountId: '210987654321',
      region: REGION,
    });

    await expect(read).rejects.toBeInstanceOf(AssumeRoleError);
    await expect(read).rejects.toMatchObject({
      accountId: '210987654321',
      roleArn: `arn:aws:iam::210987654321:role/${ACCESS_ROLE}`,
      operation: 'AssumeRole',
    });
  });
});
