/**
 * Recent orders on DynamoDB Local: the listing contract that the in-memory store passes
 * (test/unit/order/recent-orders.test.ts), run against the DynamoDB store and a real table
 * with the listing index, declared from the same constants as the CDK table.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore, LISTING_INDEX, TABLE_KEYS } from '../../../lambdas/shared/infrastructure/dynamodb-store';
import { localClientConfig } from '../../../local/emulators/credentials';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../../../local/emulators/dynamodb-local';
import { listingContract } from '../../support/listing-contract';

let dynamo: RunningDynamoDbLocal;
let ddb: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  ddb = new DynamoDBClient(localClientConfig(dynamo.endpoint));
}, 60_000);

afterAll(async () => {
  ddb?.destroy();
  await dynamo?.stop();
});

/** An orders table as the stack declares it: the store's keys and the listing index. */
async function anOrdersTable(): Promise<string> {
  const name = `orders-listing-${++tables}`;
  const attribute = (AttributeName: string) => ({ AttributeName, AttributeType: 'S' as const });
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, LISTING_INDEX.partitionKey, LISTING_INDEX.sortKey].map(attribute),
      GlobalSecondaryIndexes: [
        {
          IndexName: LISTING_INDEX.indexName,
          KeySchema: [
            { AttributeName: LISTING_INDEX.partitionKey, KeyType: 'HASH' },
            { AttributeName: LISTING_INDEX.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  return name;
}

describe('recent orders on DynamoDB Local', () => {
  listingContract(async () => new DynamoDbStore({ client: ddb, tableName: await anOrdersTable(), source: 'order' }));
});
