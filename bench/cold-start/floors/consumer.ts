/**
 * Floor bundle of a context's SQS consumer: only the DynamoDB client, and the calls one message
 * needs: one read of the items the decision depends on (a GetItem, or a BatchGetItem when there
 * are several, such as a reservation and its stock), then one transaction of the items it
 * changes, its outbox item and its inbox item. How many of each: BENCH_FLOOR_READ_ITEMS and
 * BENCH_FLOOR_WRITE_ITEMS, set by the bench from the design (cost.ts).
 */
import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});
const table = process.env.TABLE_NAME as string;
const reads = Number(process.env.BENCH_FLOOR_READ_ITEMS ?? 1);
const writes = Number(process.env.BENCH_FLOOR_WRITE_ITEMS ?? 3);

export const handler = async (event: { Records: { messageId: string; body: string }[] }) => {
  for (const record of event.Records) {
    const id = `BENCH-FLOOR#${record.messageId}`;
    const keys = Array.from({ length: reads }, (_, i) => ({ pk: { S: `${id}#${i}` }, sk: { S: 'STATE' } }));
    if (reads > 1) {
      await client.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }));
    } else {
      await client.send(new GetItemCommand({ TableName: table, Key: keys[0], ConsistentRead: true }));
    }
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: Array.from({ length: writes }, (_, i) => ({
          Put: { TableName: table, Item: { pk: { S: `${id}#${i}` }, sk: { S: 'STATE' }, body: { S: record.body } }, ConditionExpression: 'attribute_not_exists(pk)' },
        })),
      }),
    );
  }
  return { batchItemFailures: [] };
};
