/**
 * The outbox relay: a Lambda on a context table's DynamoDB Stream that publishes what the
 * outbox items of each committed transaction hold, through the context's dispatcher.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { inDispatchOrder, type OutboxEntry } from '../application/outbox';
import type { EventDispatcher } from '../event-bus/dispatcher';
import { eventFields, silentLogger, type Logger } from '../logger';
import { fromOutboxItem, OUTBOX_KIND } from './outbox-item';

export interface StreamDispatcherOptions {
  readonly dispatcher: Pick<EventDispatcher, 'dispatchBatch'>;
  readonly logger?: Logger;
}

interface RecordEntry extends OutboxEntry {
  readonly record: DynamoDBRecord;
}

/**
 * Builds the stream handler. Only outbox inserts are dispatched; anything else on the stream
 * (state items, TTL removals) is left alone and counts as processed.
 *
 * Failures come back as `batchItemFailures`: every record whose event was not published, and
 * every outbox record that could not be read. Lambda resumes from the lowest sequence number
 * reported, so nothing after a failure is ever skipped (some successes are sent again: every
 * consumer is idempotent on the event id).
 */
export function createStreamDispatcher(options: StreamDispatcherOptions) {
  const logger = options.logger ?? silentLogger;

  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const failedRecords = new Set<DynamoDBRecord>();
    const entries: RecordEntry[] = [];
    for (const record of event.Records) {
      const image = record.dynamodb?.NewImage;
      if (record.eventName !== 'INSERT' || image?.kind?.S !== OUTBOX_KIND) continue;
      try {
        // The two AttributeValue types (aws-lambda, SDK) describe the same wire shape.
        const item = unmarshall(image as Record<string, AttributeValue>);
        entries.push({ ...fromOutboxItem(item), record });
      } catch (error) {
        // A corrupted outbox item: retrying will not fix it, but skipping it would lose an
        // event. The stream's retry limit sends it to the on-failure destination.
        logger.error('outbox item could not be rebuilt', {
          sequenceNumber: record.dynamodb?.SequenceNumber,
          pk: image.pk?.S,
          sk: image.sk?.S,
          error,
        });
        failedRecords.add(record);
      }
    }

    // The records of one transaction may arrive in any order: restore each aggregate's order.
    const ordered = inDispatchOrder(entries);
    const failed = await options.dispatcher.dispatchBatch(ordered.map((entry) => entry.event));
    const failedIds = new Set(failed.map((f) => f.event.id));
    for (const { event, reason } of failed) logger.error('event not dispatched', { ...eventFields(event), reason });
    for (const entry of ordered) if (failedIds.has(entry.event.id)) failedRecords.add(entry.record);

    const batchItemFailures = event.Records.filter((record) => failedRecords.has(record)).map((record) => {
      const itemIdentifier = record.dynamodb?.SequenceNumber;
      // Without a sequence number the record cannot be named: fail the whole batch rather than skip it.
      if (itemIdentifier === undefined) throw new Error(`stream record ${record.eventID ?? '?'} failed and has no SequenceNumber`);
      return { itemIdentifier };
    });
    logger.info('stream batch dispatched', {
      records: event.Records.length,
      outboxEvents: entries.length,
      failedRecords: batchItemFailures.length,
    });
    return { batchItemFailures };
  };
}
