/**
 * A table shaped as the stack's context tables (lib/constructs/context-table.ts): the store's
 * keys, a stream, and, for Order's, the listing index. For the tests and the bench that run on
 * DynamoDB Local without a synthesized template; the local cloud itself provisions from the template.
 */
import { CreateTableCommand, type CreateTableCommandInput, type DynamoDBClient, type StreamViewType } from '@aws-sdk/client-dynamodb';
import { LISTING_INDEX, TABLE_KEYS } from '../../lambdas/shared/infrastructure/dynamodb-store';

export interface ContextTableOptions {
  /** What the stream carries (the stack's: new images); `false` for no stream. */
  readonly stream?: StreamViewType | false;
  /** The listing index of recent orders (the Order table's). */
  readonly listing?: boolean;
}

export function contextTableInput(tableName: string, options: ContextTableOptions = {}): CreateTableCommandInput {
  const keys = (partitionKey: string, sortKey: string) => [
    { AttributeName: partitionKey, KeyType: 'HASH' as const },
    { AttributeName: sortKey, KeyType: 'RANGE' as const },
  ];
  const attributes = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...(options.listing ? [LISTING_INDEX.partitionKey, LISTING_INDEX.sortKey] : [])];
  const stream = options.stream ?? 'NEW_IMAGE';
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: keys(TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey),
    AttributeDefinitions: attributes.map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
    ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream } } : {}),
    ...(options.listing
      ? {
          GlobalSecondaryIndexes: [
            { IndexName: LISTING_INDEX.indexName, KeySchema: keys(LISTING_INDEX.partitionKey, LISTING_INDEX.sortKey), Projection: { ProjectionType: 'ALL' } },
          ],
        }
      : {}),
  };
}

/** Creates the table; answers its stream's ARN when it has one. */
export async function createContextTable(client: DynamoDBClient, tableName: string, options: ContextTableOptions = {}): Promise<{ streamArn?: string }> {
  const { TableDescription } = await client.send(new CreateTableCommand(contextTableInput(tableName, options)));
  return TableDescription?.LatestStreamArn ? { streamArn: TableDescription.LatestStreamArn } : {};
}
