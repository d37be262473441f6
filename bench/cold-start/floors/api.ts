/**
 * Floor bundle of the Order API function: only the DynamoDB client, and the one call placing an
 * order needs (a transaction of the order, its outbox item and its inbox item).
 */
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});
const table = process.env.TABLE_NAME;

export const handler = async (event: { body?: string; requestContext?: { requestId?: string } }) => {
  const id = `BENCH-FLOOR#${event.requestContext?.requestId ?? Date.now()}`;
  const body = event.body ?? '{}';
  await client.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: table, Item: { pk: { S: id }, sk: { S: 'STATE' }, state: { S: body } }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: table, Item: { pk: { S: id }, sk: { S: 'OUTBOX#1' }, envelope: { S: body } }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: table, Item: { pk: { S: `${id}#INBOX` }, sk: { S: 'INBOX' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ],
    }),
  );
  return { statusCode: 201, body };
};
