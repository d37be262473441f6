/** Floor bundle of an outbox dispatcher: only the SNS client, and one batch publish of the records' events. */
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';

const client = new SNSClient({});
const topics = JSON.parse(process.env.TOPIC_ARNS ?? '{}') as Record<string, string>;

type Image = Record<string, { S?: string }>;

export const handler = async (event: { Records: { dynamodb?: { NewImage?: Image } }[] }) => {
  const entries = event.Records.flatMap((record, i) => {
    const image = record.dynamodb?.NewImage;
    const type = image?.eventType?.S;
    const message = image?.envelope?.S;
    return type && message ? [{ type, entry: { Id: `e${i}`, Message: message, MessageAttributes: { type: { DataType: 'String', StringValue: type } } } }] : [];
  });
  const [first] = entries;
  if (first) {
    await client.send(new PublishBatchCommand({ TopicArn: topics[first.type], PublishBatchRequestEntries: entries.map((e) => e.entry) }));
  }
  return { batchItemFailures: [] };
};
