/** Floor bundle of the event log recorder: only the DynamoDB client, and one put per message. */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});
const table = process.env.EVENT_LOG_TABLE_NAME;

export const handler = async (event: { Records: { messageId: string; body: string }[] }) => {
  for (const record of event.Records) {
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: `BENCH-FLOOR#${record.messageId}` }, sk: { S: 'EVENT' }, envelope: { S: record.body } } }));
  }
  return { batchItemFailures: [] };
};
