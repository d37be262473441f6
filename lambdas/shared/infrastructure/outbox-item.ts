/**
 * How an event waits in a DynamoDB table until the stream dispatcher publishes it: the outbox
 * item, written in the same transaction as the state change that recorded the event.
 *
 * It shares the partition key of its aggregate, so an aggregate's events reach the stream in
 * one shard, in order; `sequence` (the aggregate version saved) and `index` order them within.
 * The envelope travels as a JSON string: published byte for byte as it was validated.
 */
import { parseEnvelopeJson, type AnyEnvelope } from '../events/envelope';
import type { OutboxEntry } from '../application/outbox';

export const OUTBOX_KIND = 'outbox';
export const INBOX_KIND = 'inbox';
/** Outbox items expire a week after they were written (the table's TTL attribute). */
export const OUTBOX_TTL_SECONDS = 7 * 24 * 3600;
/** Inbox items outlive any redelivery: SQS keeps a message at most 14 days. */
export const INBOX_TTL_SECONDS = 15 * 24 * 3600;
export const TTL_ATTRIBUTE = 'expiresAt';

/** The plain (unmarshalled) attributes of an outbox item. */
export interface OutboxItem {
  readonly pk: string;
  readonly sk: string;
  readonly kind: typeof OUTBOX_KIND;
  readonly eventId: string;
  readonly eventType: string;
  readonly sequence: number;
  readonly index: number;
  readonly envelope: string;
  readonly expiresAt: number;
}

export function outboxSortKey(sequence: number, index: number): string {
  return `OUTBOX#${String(sequence).padStart(10, '0')}#${String(index).padStart(3, '0')}`;
}

export function toOutboxItem(pk: string, entry: OutboxEntry, now: Date): OutboxItem {
  return {
    pk,
    sk: outboxSortKey(entry.sequence, entry.index),
    kind: OUTBOX_KIND,
    eventId: entry.event.id,
    eventType: entry.event.type,
    sequence: entry.sequence,
    index: entry.index,
    envelope: JSON.stringify(entry.event),
    expiresAt: Math.floor(now.getTime() / 1000) + OUTBOX_TTL_SECONDS,
  };
}

/** Rebuilds the outbox entry from an item (a stream record's new image, unmarshalled). */
export function fromOutboxItem(item: Record<string, unknown>): OutboxEntry {
  if (item.kind !== OUTBOX_KIND || typeof item.envelope !== 'string') {
    throw new Error(`not an outbox item: ${String(item.pk)} ${String(item.sk)}`);
  }
  const event: AnyEnvelope = parseEnvelopeJson(item.envelope);
  return { event, sequence: Number(item.sequence), index: Number(item.index) };
}

export function inboxKey(causationId: string): { pk: string; sk: string } {
  return { pk: `INBOX#${causationId}`, sk: 'INBOX' };
}
