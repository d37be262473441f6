/**
 * Lambda events as the event source mappings deliver them (SQS messages, DynamoDB stream
 * records), built from the project's own types so that they cannot drift from production.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import type { OutboxEntry } from '../../lambdas/shared/application/outbox';
import type { AnyEnvelope } from '../../lambdas/shared/events/envelope';
import { toOutboxItem } from '../../lambdas/shared/infrastructure/outbox-item';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:payment-order-placed';
const TABLE_STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:order-placed';

let messages = 0;
let sequence = 0;

/** An SQS message with `body` as it is, fresh ids. */
export function anSqsRecord(body: string, overrides: Partial<SQSRecord> = {}): SQSRecord {
  messages++;
  return {
    messageId: `msg-${messages}`,
    receiptHandle: `receipt-${messages}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1767268800000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1767268800001',
    },
    messageAttributes: {},
    md5OfBody: 'not-checked',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'eu-west-1',
    ...overrides,
  };
}

/** An SQS message holding an envelope as raw delivery puts it: the envelope JSON itself. */
export function anSqsRecordOf(event: AnyEnvelope, overrides: Partial<SQSRecord> = {}): SQSRecord {
  return anSqsRecord(JSON.stringify(event), overrides);
}

/** The body SQS holds when the SNS subscription does not use raw delivery. */
export function anSnsNotificationBody(event: AnyEnvelope): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: `sns-${event.id}`,
    TopicArn: TOPIC_ARN,
    Message: JSON.stringify(event),
    Timestamp: event.occurredAt,
    SignatureVersion: '1',
    Signature: 'not-checked',
    SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/cert.pem',
    UnsubscribeURL: 'https://sns.eu-west-1.amazonaws.com/unsubscribe',
    MessageAttributes: {
      type: { Type: 'String', Value: event.type },
      version: { Type: 'Number', Value: String(event.version) },
    },
  });
}

export function anSqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A stream record of any item; SequenceNumbers grow with each record made. */
export function aStreamRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { keys: Record<string, unknown>; newImage?: Record<string, unknown>; oldImage?: Record<string, unknown> },
): DynamoDBRecord {
  sequence++;
  const attributes = (item: Record<string, unknown>) => marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
  return {
    eventID: `stream-event-${sequence}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    eventSourceARN: TABLE_STREAM_ARN,
    dynamodb: {
      ApproximateCreationDateTime: 1767268800,
      Keys: attributes(images.keys),
      ...(images.newImage && { NewImage: attributes(images.newImage) }),
      ...(images.oldImage && { OldImage: attributes(images.oldImage) }),
      SequenceNumber: String(100_000_000 + sequence * 100),
      SizeBytes: 256,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** The INSERT of an outbox item, written exactly as the DynamoDB store writes it. */
export function anOutboxInsert(entry: OutboxEntry, pk = `ORDER#${entry.event.aggregateId}`): DynamoDBRecord {
  const item = toOutboxItem(pk, entry, new Date('2026-01-01T12:00:00.000Z'));
  return aStreamRecord('INSERT', { keys: { pk: item.pk, sk: item.sk }, newImage: { ...item } });
}

/** An outbox entry of `event`: its aggregate's version `sequence`, position `index` in that save. */
export function anOutboxEntry(event: AnyEnvelope, sequence = 1, index = 0): OutboxEntry {
  return { event, sequence, index };
}

export function aStreamEvent(records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}

/** The SequenceNumber of a stream record (always set by {@link aStreamRecord}). */
export function sequenceNumberOf(record: DynamoDBRecord): string {
  const n = record.dynamodb?.SequenceNumber;
  if (n === undefined) throw new Error('stream record without a SequenceNumber');
  return n;
}
