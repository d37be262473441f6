/**
 * Recent orders on DynamoDB Local: the listing contract that the in-memory store passes
 * (test/unit/order/recent-orders.test.ts), run against the DynamoDB store and a real table
 * with the listing index, declared from the same constants as the CDK table.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from '../../../lambdas/shared/infrastructure/dynamodb-store';
import { createContextTable } from '../../../local/emulators/context-table';
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
  await createContextTable(ddb, name, { listing: true });
  return name;
}

describe('recent orders on DynamoDB Local', () => {
  listingContract(async () => new DynamoDbStore({ client: ddb, tableName: await anOrdersTable(), source: 'order' }));
});
