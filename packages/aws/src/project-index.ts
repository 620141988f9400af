import {
  type AttributeValue,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
} from '@aws-sdk/client-dynamodb';
import type { BuildProject } from '../../core/src/project/build-project.js';
import {
  type AwsContext,
  baseCredentialsOf,
  ClientFactory,
} from './clients.js';
import { errorName, toGatewayError } from './errors.js';

/** Key attributes of the table and its two lookup indexes. */
export const PROJECT_INDEX = {
  partitionKey: 'pk',
  sortKey: 'sk',
  byRepository: { name: 'byRepository', pk: 'repositoryArn', sk: 'projectArn' },
  byAccount: { name: 'byAccount', pk: 'accountId', sk: 'projectArn' },
} as const;

/** A build project as the index holds it, with the repository it pulls. */
export interface IndexedProject {
  project: BuildProject;
  repositoryArn: string;
  /** When the project was last read from CodeBuild (ISO 8601). */
  indexedAt: string;
}

export interface ProjectIndexGateway {
  get(projectArn: string): Promise<IndexedProject | undefined>;
  /** Stores the entry and returns the one it replaced, read atomically. */
  put(
    entry: Omit<IndexedProject, 'indexedAt'>
  ): Promise<IndexedProject | undefined>;
  /** Removes the entry and returns it; undefined when there was none. */
  remove(projectArn: string): Promise<IndexedProject | undefined>;
  projectsOfRepository(repositoryArn: string): Promise<IndexedProject[]>;
  projectsOfAccount(accountId: string): Promise<IndexedProject[]>;
}

export interface ProjectIndexOptions
  extends Pick<
    AwsContext,
    'region' | 'endpoint' | 'onCall' | 'configure' | 'requestHandler'
  > {
  tableName: string;
  credentials?: AwsContext['baseCredentials'];
}

type Item = Record<string, AttributeValue>;

const ENTRY_SORT_KEY = 'project';

function keyOf(projectArn: string): Item {
  return {
    [PROJECT_INDEX.partitionKey]: { S: `project#${projectArn}` },
    [PROJECT_INDEX.sortKey]: { S: ENTRY_SORT_KEY },
  };
}

function toItem(entry: IndexedProject): Item {
  const { project } = entry;

  return {
    ...keyOf(project.arn),
    projectArn: { S: project.arn },
    accountId: { S: project.accountId },
    region: { S: project.region },
    repositoryArn: { S: entry.repositoryArn },
    indexedAt: { S: entry.indexedAt },
    // One attribute for the whole project keeps the item readable and
    // leaves the index free of DynamoDB's map encoding for tags.
    project: { S: JSON.stringify(project) },
  };
}

function fromItem(item: Item | undefined): IndexedProject | undefined {
  const text = item?.project?.S;
  const repositoryArn = item?.repositoryArn?.S;
  if (!text || !repositoryArn) return undefined;

  return {
    project: JSON.parse(text) as BuildProject,
    repositoryArn,
    indexedAt: item.indexedAt?.S ?? '',
  };
}

/** The client of the central account's own table: no role is assumed. */
function dynamoDbClient(options: ProjectIndexOptions): DynamoDBClient {
  const { credentials, ...rest } = options;
  const context: AwsContext = { ...rest, baseCredentials: credentials };

  return new ClientFactory(context).get('dynamodb', DynamoDBClient, {
    key: 'base',
    accountId: () => undefined,
    credentials: baseCredentialsOf(context),
  });
}

/**
 * The project index in DynamoDB: one item per selected build project that
 * pulls from a private ECR repository, found by repository or by account
 * through the two global secondary indexes.
 */
export function createProjectIndex(
  options: ProjectIndexOptions
): ProjectIndexGateway {
  const client = dynamoDbClient(options);
  const TableName = options.tableName;
  const scope = (operation: string) => ({ operation, region: options.region });

  async function query(
    index: { name: string; pk: string },
    value: string
  ): Promise<IndexedProject[]> {
    const entries: IndexedProject[] = [];
    try {
      const pages = paginateQuery(
        { client },
        {
          TableName,
          IndexName: index.name,
          KeyConditionExpression: '#key = :value',
          ExpressionAttributeNames: { '#key': index.pk },
          ExpressionAttributeValues: { ':value': { S: value } },
        }
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          const entry = fromItem(item);
          if (entry) entries.push(entry);
        }
      }
    } catch (error) {
      throw toGatewayError(error, scope('Query'));
    }

    return entries;
  }

  return {
    async get(projectArn) {
      try {
        const { Item } = await client.send(
          new GetItemCommand({
            TableName,
            Key: keyOf(projectArn),
            ConsistentRead: true,
          })
        );

        return fromItem(Item);
      } catch (error) {
        throw toGatewayError(error, scope('GetItem'));
      }
    },

    async put(entry) {
      const indexed = { ...entry, indexedAt: new Date().toISOString() };
      try {
        const { Attributes } = await client.send(
          new PutItemCommand({
            TableName,
            Item: toItem(indexed),
            ReturnValues: 'ALL_OLD',
          })
        );

        return fromItem(Attributes);
      } catch (error) {
        throw toGatewayError(error, scope('PutItem'));
      }
    },

    async remove(projectArn) {
      try {
        const { Attributes } = await client.send(
          new DeleteItemCommand({
            TableName,
            Key: keyOf(projectArn),
            ReturnValues: 'ALL_OLD',
          })
        );

        return fromItem(Attributes);
      } catch (error) {
        throw toGatewayError(error, scope('DeleteItem'));
      }
    },

    projectsOfRepository: (repositoryArn) =>
      query(PROJECT_INDEX.byRepository, repositoryArn),
    projectsOfAccount: (accountId) => query(PROJECT_INDEX.byAccount, accountId),
  };
}

/**
 * Creates the table as the stack defines it, for a local emulator; an
 * existing table is left as it is.
 */
export async function ensureProjectIndexTable(
  options: ProjectIndexOptions
): Promise<void> {
  const client = dynamoDbClient(options);
  const { byRepository, byAccount } = PROJECT_INDEX;
  const string = 'S' as const;
  const lookup = (index: { name: string; pk: string; sk: string }) => ({
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.pk, KeyType: 'HASH' as const },
      { AttributeName: index.sk, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: options.tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: PROJECT_INDEX.partitionKey, KeyType: 'HASH' },
          { AttributeName: PROJECT_INDEX.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          PROJECT_INDEX.partitionKey,
          PROJECT_INDEX.sortKey,
          byRepository.pk,
          byAccount.pk,
          byRepository.sk,
        ].map((AttributeName) => ({ AttributeName, AttributeType: string })),
        GlobalSecondaryIndexes: [lookup(byRepository), lookup(byAccount)],
      })
    );
  } catch (error) {
    if (errorName(error) === 'ResourceInUseException') return;
    throw toGatewayError(error, {
      operation: 'CreateTable',
      region: options.region,
    });
  }
}
