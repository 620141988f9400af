import { Readable } from 'node:stream';
import { STSClient } from '@aws-sdk/client-sts';
import type { HttpHandler, HttpRequest } from '@smithy/protocol-http';
import { describe, expect, it } from 'vitest';
import { createAwsGateways } from '../../packages/aws/src/index.js';
import { useMotoServer } from '../support/emulator.js';
import { MANAGEMENT_ACCOUNT_ID, REGION } from './moto-org.js';

const registry = { accountId: MANAGEMENT_ACCOUNT_ID, region: REGION };

/** Answers the first call of `operation` with a throttling error. */
function throttleOnce(operation: string): HttpHandler<object> {
  const real = new STSClient({ region: REGION }).config
    .requestHandler as HttpHandler<object>;
  let throttled = false;

  return {
    handle: (request: HttpRequest, options?: object) => {
      const target = request.headers['x-amz-target'] ?? '';
      if (!throttled && target.endsWith(`.${operation}`)) {
        throttled = true;
        const body =
          '{"__type":"ThrottlingException","message":"Rate exceeded"}';

        return Promise.resolve({
          response: {
            statusCode: 400,
            headers: { 'x-amzn-errortype': 'ThrottlingException' },
            body: Readable.from([Buffer.from(body)]),
          },
        });
      }

      return real.handle(request, options);
    },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  };
}

describe('Class: ClientFactory', () => {
  const server = useMotoServer();

  it('creates one client per service, account and Region', async () => {
    const { endpoint } = server();
    const created: string[] = [];
    const gateways = createAwsGateways({
      region: REGION,
      endpoint,
      memberRoleName: 'reader',
      registryRoleName: 'writer',
      configure: (_client, service) => created.push(service),
    });

    await gateways.ecr.listRepositories(registry);
    await gateways.ecr.listRepositories(registry);
    await gateways.ecr.listRepositories({ ...registry, region: 'us-east-1' });

    expect(created.sort()).toEqual(['ecr', 'ecr', 'sts']);
  });

  it('counts every attempt of an operation, retries included', async () => {
    const { endpoint } = server();
    const calls: string[] = [];
    const gateways = createAwsGateways({
      region: REGION,
      endpoint,
      memberRoleName: 'reader',
      registryRoleName: 'writer',
      requestHandler: throttleOnce('DescribeRepositories'),
      onCall: (service, operation, accountId) =>
        calls.push(`${service}:${operation}:${accountId}`),
    });

    const repositories = await gateways.ecr.listRepositories(registry);

    expect(repositories).toEqual([]);
    expect(calls).toEqual([
      'sts:GetCallerIdentity:undefined',
      `ecr:DescribeRepositories:${MANAGEMENT_ACCOUNT_ID}`,
      `ecr:DescribeRepositories:${MANAGEMENT_ACCOUNT_ID}`,
    ]);
  });
});
