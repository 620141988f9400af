import { ECRClient } from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { createEcrGateway } from '../../packages/aws/src/ecr.js';

/**
 * moto ignores maxResults on DescribeRepositories, so the page size the
 * gateway asks for is checked on the request itself: a middleware answers
 * in place of ECR, two pages, the first with a token.
 */
function pagingClient(requests: Record<string, unknown>[]): ECRClient {
  const client = new ECRClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  client.middlewareStack.add(
    () => async (args) => {
      const input = args.input as Record<string, unknown>;
      requests.push(input);
      const first = input.nextToken === undefined;
      const name = first ? 'base/node' : 'base/python';

      return {
        output: {
          $metadata: {},
          repositories: [
            {
              repositoryName: name,
              registryId: '111122223333',
              repositoryArn: `arn:aws:ecr:us-east-1:111122223333:repository/${name}`,
            },
          ],
          nextToken: first ? 'page-2' : undefined,
        },
        response: {},
      };
    },
    { step: 'initialize', name: 'answerInPlaceOfEcr' }
  );

  return client;
}

describe('Gateway: ecr listRepositories paging', () => {
  it('asks for pages of 1,000 repositories and follows the token', async () => {
    // Prepare
    const requests: Record<string, unknown>[] = [];
    const client = pagingClient(requests);
    const ecr = createEcrGateway(() => client);

    // Act
    const repositories = await ecr.listRepositories({
      accountId: '111122223333',
      region: 'us-east-1',
    });

    // Assess
    expect(repositories.map((repository) => repository.repositoryName)).toEqual(
      ['base/node', 'base/python']
    );
    expect(requests.map((request) => request.maxResults)).toEqual([1000, 1000]);
    expect(requests[1]?.nextToken).toBe('page-2');
  });
});
