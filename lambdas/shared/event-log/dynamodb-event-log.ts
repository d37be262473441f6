import { PutItemCommand, QueryCommand, type DynamoDBClient, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { parseEnvelopeJson, type AnyEnvelope } from '../events/envelope';
import { TABLE_KEYS } from '../infrastructure/dynamodb-store';
import { inCausalOrder, type EventLog } from './event-log';

/** Threads are kept 90 days after their events occurred (the table's TTL attribute). */
export const EVENT_LOG_TTL_SECONDS = 90 * 24 * 3600;

/** The plain (unmarshalled) attributes of one logged event. */
export interface EventLogItem {
  readonly pk: string;
  readonly sk: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly envelope: string;
  readonly expiresAt: number;
}

export const threadKey = (correlationId: string) => `THREAD#${correlationId}`;

/** Sorts a thread by time; the event id makes the key unique and the same event the same item. */
export const eventSortKey = (event: Pick<AnyEnvelope, 'occurredAt' | 'id'>) => `${event.occurredAt}#${event.id}`;

export function toEventLogItem(event: AnyEnvelope): EventLogItem {
  return {
    pk: threadKey(event.correlationId),
    sk: eventSortKey(event),
    eventId: event.id,
    eventType: event.type,
    envelope: JSON.stringify(event),
    // From the event's own time, not the write's: a redelivery writes the identical item.
    expiresAt: Math.floor(Date.parse(event.occurredAt) / 1000) + EVENT_LOG_TTL_SECONDS,
  };
}

export interface DynamoDbEventLogOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/** The {@link EventLog} in a DynamoDB table: one partition per correlation id (thread). */
export class DynamoDbEventLog implements EventLog {
  constructor(private readonly options: DynamoDbEventLogOptions) {}

  /** An unconditional put: the same event again overwrites its own item with the same content. */
  async append(event: AnyEnvelope): Promise<void> {
    await this.options.client.send(
      new PutItemCommand({ TableName: this.options.tableName, Item: marshall(toEventLogItem(event), { removeUndefinedValues: true }) }),
    );
  }

  async timeline(correlationId: string): Promise<AnyEnvelope[]> {
    const events: AnyEnvelope[] = [];
    let startKey: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: '#pk = :thread',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
          ExpressionAttributeValues: { ':thread': { S: threadKey(correlationId) } },
          ConsistentRead: true, // an event just appended shows up in the timeline read next
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) events.push(fromEventLogItem(unmarshall(item)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return inCausalOrder(events);
  }
}

/** A stored event that no longer parses is an error to see, not an event to drop. */
function fromEventLogItem(item: Record<string, unknown>): AnyEnvelope {
  if (typeof item.envelope !== 'string') {
    throw new Error(`not an event log item: ${String(item.pk)} ${String(item.sk)}`);
  }
  return parseEnvelopeJson(item.envelope);
}
