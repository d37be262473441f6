import {
  BatchGetItemCommand,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ContextName } from '../events/catalogue';
import type { Trace } from '../events/envelope';
import { ConcurrencyError } from '../application/errors';
import { outboxEntries } from '../application/outbox';
import { randomIds, systemClock, type Clock, type IdGenerator } from '../application/ports';
import type { SaveResult } from '../application/save-result';
import type { AggregateListing, AggregateStore, AggregateWrite, StoredRecord } from './aggregate-store';
import { INBOX_KIND, INBOX_TTL_SECONDS, TTL_ATTRIBUTE, inboxKey, toOutboxItem } from './outbox-item';

/**
 * The key schema every table of this system shares (contexts' tables and the event log), for
 * the CDK stacks to declare: string partition and sort keys, and a TTL attribute.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: TTL_ATTRIBUTE,
} as const;

/**
 * The listing index, for the CDK stacks to declare where a context lists its aggregates: a
 * sparse global secondary index (only state items written with a listing entry carry its keys)
 * that projects every attribute, so one Query answers the states themselves.
 */
export const LISTING_INDEX = {
  indexName: 'listing',
  partitionKey: 'listingPk',
  sortKey: 'listingSk',
} as const;

/** The sort key of an aggregate's state item (its outbox items share its partition key). */
export const STATE_SORT_KEY = 'STATE';
export const AGGREGATE_KIND = 'aggregate';
/** DynamoDB's limit on the number of items in one `TransactWriteItems`. */
export const MAX_TRANSACTION_ITEMS = 100;

/** The plain (unmarshalled) attributes of an aggregate's state item. */
export interface AggregateItem {
  readonly pk: string;
  readonly sk: typeof STATE_SORT_KEY;
  readonly kind: typeof AGGREGATE_KIND;
  readonly version: number;
  readonly state: unknown;
  /** The listing index's keys, on the state items of aggregates that are listed. */
  readonly [LISTING_INDEX.partitionKey]?: string;
  readonly [LISTING_INDEX.sortKey]?: string;
}

/** The plain attributes of an inbox item: the record that a cause was applied. */
export interface InboxItem {
  readonly pk: string;
  readonly sk: string;
  readonly kind: typeof INBOX_KIND;
  readonly correlationId: string;
  readonly expiresAt: number;
}

/** DynamoDB's limit on the keys of one `BatchGetItem`. */
const MAX_BATCH_GET_KEYS = 100;
/** Calls for one batch of keys, the first included, before unprocessed keys count as a failure. */
const MAX_BATCH_GET_ATTEMPTS = 5;

/** A save that cannot be one transaction. Never retried: the same save would fail again. */
export class TransactionTooLargeError extends Error {
  override readonly name = 'TransactionTooLargeError';
  constructor(readonly items: number) {
    super(`a save of ${items} items exceeds DynamoDB's limit of ${MAX_TRANSACTION_ITEMS} items per transaction`);
  }
}

export interface DynamoDbStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The context whose events this store writes (the envelopes' `source`). */
  readonly source: ContextName;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
}

/** What each item of the transaction is, by index, to read `CancellationReasons` back. */
type ItemRole = { readonly role: 'aggregate'; readonly write: AggregateWrite } | { readonly role: 'outbox' } | { readonly role: 'inbox' };
/** The condition part of a `Put`. */
type Guard = Omit<NonNullable<TransactWriteItem['Put']>, 'TableName' | 'Item'>;

const marshallOptions = { removeUndefinedValues: true } as const;
const NEW_ITEM_ONLY = `attribute_not_exists(${TABLE_KEYS.partitionKey})`;

/**
 * The DynamoDB {@link AggregateStore}: one `TransactWriteItems` per save writes the changed
 * aggregates' state items (each guarded by its version), one outbox item per pending event,
 * and an inbox item for `trace.causationId` (guarded by its absence, so the same cause twice
 * writes nothing). The table's stream then feeds the outbox items to the dispatcher.
 *
 * No `ClientRequestToken`: its 10-minute idempotency window would turn a genuine retry into a
 * silent success; the inbox item is the idempotency record instead.
 */
export class DynamoDbStore implements AggregateStore, AggregateListing {
  readonly #clock: Clock;
  readonly #ids: IdGenerator;

  constructor(private readonly options: DynamoDbStoreOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#ids = options.ids ?? randomIds;
  }

  async load<S>(key: string): Promise<StoredRecord<S> | undefined> {
    const { Item } = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: marshall({ [TABLE_KEYS.partitionKey]: key, [TABLE_KEYS.sortKey]: STATE_SORT_KEY }),
        ConsistentRead: true, // a command decides on the latest version, not a stale one
      }),
    );
    return Item && aggregateRecord<S>(key, Item);
  }

  /**
   * One consistent `BatchGetItem` (100 keys a call at most), asking again for what DynamoDB
   * leaves unprocessed, a bounded number of times with a growing pause.
   */
  async loadMany<S>(keys: readonly string[]): Promise<Map<string, StoredRecord<S>>> {
    const found = new Map<string, StoredRecord<S>>();
    const unique = [...new Set(keys)];
    for (let start = 0; start < unique.length; start += MAX_BATCH_GET_KEYS) {
      let pending: Record<string, AttributeValue>[] = unique
        .slice(start, start + MAX_BATCH_GET_KEYS)
        .map((key) => marshall({ [TABLE_KEYS.partitionKey]: key, [TABLE_KEYS.sortKey]: STATE_SORT_KEY }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > MAX_BATCH_GET_ATTEMPTS) throw new Error(`${pending.length} item(s) still unprocessed after ${MAX_BATCH_GET_ATTEMPTS} BatchGetItem calls`);
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
        const { Responses, UnprocessedKeys } = await this.options.client.send(
          new BatchGetItemCommand({ RequestItems: { [this.options.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of Responses?.[this.options.tableName] ?? []) {
          const key = String(unmarshall(item)[TABLE_KEYS.partitionKey]);
          found.set(key, aggregateRecord<S>(key, item));
        }
        pending = UnprocessedKeys?.[this.options.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  /**
   * Queries the listing index, newest (highest sort key) first, page after page until `limit`
   * states are read or the partition ends. Eventually consistent, as every index read is.
   */
  async list<S>(partition: string, limit: number): Promise<S[]> {
    const states: S[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    while (states.length < limit) {
      const page = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: LISTING_INDEX.indexName,
          KeyConditionExpression: '#partition = :partition',
          ExpressionAttributeNames: { '#partition': LISTING_INDEX.partitionKey },
          ExpressionAttributeValues: { ':partition': { S: partition } },
          ScanIndexForward: false,
          Limit: limit - states.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) states.push(aggregateState<S>(unmarshall(item)));
      startKey = page.LastEvaluatedKey;
      if (!startKey) break;
    }
    return states.slice(0, limit);
  }

  async commit(writes: readonly AggregateWrite[], trace: Trace): Promise<SaveResult> {
    const changed = writes.filter((w) => w.aggregate.hasChanges);
    if (changed.length === 0) return 'unchanged';

    // Counted before any envelope is made: a save too large fails without side effects.
    const itemCount = changed.reduce((n, w) => n + 1 + w.aggregate.pendingEvents.length, 1);
    if (itemCount > MAX_TRANSACTION_ITEMS) throw new TransactionTooLargeError(itemCount);

    const now = this.#clock();
    const roles: ItemRole[] = [];
    const items: TransactWriteItem[] = [];
    const put = (role: ItemRole, item: object, guard: Guard) => {
      roles.push(role);
      items.push({ Put: { TableName: this.options.tableName, Item: marshall(item, marshallOptions), ...guard } });
    };

    for (const write of changed) put({ role: 'aggregate', write }, this.#aggregateItem(write), versionGuard(write.aggregate.version));
    const context = { source: this.options.source, trace, clock: this.#clock, ids: this.#ids };
    for (const { key, aggregate } of changed) {
      for (const entry of outboxEntries(aggregate, context)) {
        put({ role: 'outbox' }, toOutboxItem(key, entry, now), { ConditionExpression: NEW_ITEM_ONLY });
      }
    }
    put({ role: 'inbox' }, inboxItem(trace, now), { ConditionExpression: NEW_ITEM_ONLY });

    try {
      await this.options.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
    } catch (error) {
      return this.#explain(error, roles);
    }
    for (const { aggregate } of changed) aggregate.markCommitted(aggregate.version + 1);
    return 'saved';
  }

  #aggregateItem({ key, aggregate, state, listing }: AggregateWrite): AggregateItem {
    return {
      pk: key,
      sk: STATE_SORT_KEY,
      kind: AGGREGATE_KIND,
      version: aggregate.version + 1,
      state,
      ...(listing ? { [LISTING_INDEX.partitionKey]: listing.partition, [LISTING_INDEX.sortKey]: listing.sort } : {}),
    };
  }

  /**
   * A cancelled transaction wrote nothing. Its reasons come in the order of the items: a
   * failed inbox condition means the cause was already applied (checked first, as in memory);
   * a failed version condition means a lost race. Anything else (a conflict with another
   * transaction in flight, throttling) is rethrown for the caller or the trigger to retry.
   */
  #explain(error: unknown, roles: readonly ItemRole[]): 'duplicate' {
    if (!isTransactionCanceled(error)) throw error;
    const reasons = error.CancellationReasons ?? [];
    const failed = (i: number) => reasons[i]?.Code === 'ConditionalCheckFailed';
    if (roles.some((r, i) => r.role === 'inbox' && failed(i))) return 'duplicate';
    const lost = roles.find((r, i): r is Extract<ItemRole, { role: 'aggregate' }> => r.role === 'aggregate' && failed(i));
    if (lost) throw new ConcurrencyError(lost.write.aggregate.id, lost.write.aggregate.version);
    // Another transaction was writing one of the same items: also a lost race, so the caller
    // reloads and decides again instead of waiting for the message to come back.
    const conflict = roles.findIndex((r, i) => r.role === 'aggregate' && reasons[i]?.Code === 'TransactionConflict');
    const contested = roles[conflict];
    if (contested?.role === 'aggregate') throw new ConcurrencyError(contested.write.aggregate.id, contested.write.aggregate.version);
    throw error;
  }
}

/** The state of an aggregate item read from the listing index; anything else there is an error, not a guess. */
function aggregateState<S>(item: Record<string, unknown>): S {
  if (item.kind !== AGGREGATE_KIND || typeof item.state !== 'object' || item.state === null) {
    throw new Error(`not an aggregate item in the listing: ${String(item.pk)} ${String(item.sk)}`);
  }
  return item.state as S;
}

function versionGuard(version: number): Guard {
  if (version === 0) return { ConditionExpression: NEW_ITEM_ONLY };
  return {
    ConditionExpression: '#version = :expected',
    ExpressionAttributeNames: { '#version': 'version' },
    ExpressionAttributeValues: { ':expected': { N: String(version) } },
  };
}

function inboxItem(trace: Trace, now: Date): InboxItem {
  return {
    ...inboxKey(trace.causationId),
    kind: INBOX_KIND,
    correlationId: trace.correlationId,
    expiresAt: Math.floor(now.getTime() / 1000) + INBOX_TTL_SECONDS,
  };
}

/** By name as well as class: a bundle may hold two copies of the SDK's error classes. */
function isTransactionCanceled(error: unknown): error is TransactionCanceledException {
  return error instanceof TransactionCanceledException || (error instanceof Error && error.name === 'TransactionCanceledException');
}

/** The state and version of an aggregate's state item, or an error naming the key if it is not one. */
function aggregateRecord<S>(key: string, raw: Record<string, AttributeValue>): StoredRecord<S> {
  const item = unmarshall(raw);
  if (item.kind !== AGGREGATE_KIND || typeof item.version !== 'number' || typeof item.state !== 'object' || item.state === null) {
    throw new Error(`not an aggregate item: ${key} ${STATE_SORT_KEY}`);
  }
  return { state: item.state as S, version: item.version };
}
