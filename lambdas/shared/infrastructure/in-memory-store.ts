import type { ContextName } from '../events/catalogue';
import type { Trace } from '../events/envelope';
import { ConcurrencyError } from '../application/errors';
import { outboxEntries, type OutboxEntry } from '../application/outbox';
import { randomIds, systemClock, type Clock, type IdGenerator } from '../application/ports';
import type { EventDispatcher } from '../event-bus/dispatcher';

import type { SaveResult } from '../application/save-result';
import type { AggregateListing, AggregateStore, AggregateWrite, ListingEntry, StoredRecord } from './aggregate-store';

export interface InMemoryStoreOptions {
  readonly source: ContextName;
  /** Receives the events of every successful save, after the save. */
  readonly dispatcher?: EventDispatcher;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
}

/**
 * A context's in-memory storage, with the guarantees the DynamoDB version gives through
 * `TransactWriteItems` (see {@link AggregateStore}). Committed events then go straight to the
 * dispatcher, so nothing is published unless it was saved.
 */
export class InMemoryStore implements AggregateStore, AggregateListing {
  readonly #records = new Map<string, { state: string; version: number; listing?: ListingEntry }>();
  readonly #applied = new Set<string>();
  readonly #outbox: OutboxEntry[] = [];
  readonly #clock: Clock;
  readonly #ids: IdGenerator;

  constructor(private readonly options: InMemoryStoreOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#ids = options.ids ?? randomIds;
  }

  /** A copy of the stored state: callers never hold a reference into the store. */
  async load<S>(key: string): Promise<StoredRecord<S> | undefined> {
    const record = this.#records.get(key);
    return record && { state: JSON.parse(record.state) as S, version: record.version };
  }

  async loadMany<S>(keys: readonly string[]): Promise<Map<string, StoredRecord<S>>> {
    const found = new Map<string, StoredRecord<S>>();
    for (const key of new Set(keys)) {
      const record = await this.load<S>(key);
      if (record) found.set(key, record);
    }
    return found;
  }

  /** As DynamoDB's listing index answers: the partition's states, highest sort first, at most `limit`. */
  async list<S>(partition: string, limit: number): Promise<S[]> {
    return [...this.#records.values()]
      .filter((record) => record.listing?.partition === partition)
      .sort((a, b) => compareDescending(a.listing?.sort ?? '', b.listing?.sort ?? ''))
      .slice(0, Math.max(0, limit))
      .map((record) => JSON.parse(record.state) as S);
  }

  keys(): string[] {
    return [...this.#records.keys()];
  }

  /** Every event ever committed here, in commit order (the outbox, kept for inspection). */
  get committedEvents(): readonly OutboxEntry[] {
    return this.#outbox;
  }

  async commit(writes: readonly AggregateWrite[], trace: Trace): Promise<SaveResult> {
    const changed = writes.filter((w) => w.aggregate.hasChanges);
    if (changed.length === 0) return 'unchanged';
    if (this.#applied.has(trace.causationId)) return 'duplicate';
    for (const { key, aggregate } of changed) {
      const current = this.#records.get(key)?.version ?? 0;
      if (current !== aggregate.version) throw new ConcurrencyError(aggregate.id, aggregate.version);
    }
    const entries = changed.flatMap(({ aggregate }) =>
      outboxEntries(aggregate, { source: this.options.source, trace, clock: this.#clock, ids: this.#ids }),
    );
    // The "transaction": nothing above has written; everything below cannot fail.
    for (const { key, aggregate, state, listing } of changed) {
      this.#records.set(key, { state: JSON.stringify(state), version: aggregate.version + 1, ...(listing ? { listing: { ...listing } } : {}) });
      aggregate.markCommitted(aggregate.version + 1);
    }
    this.#applied.add(trace.causationId);
    this.#outbox.push(...entries);
    await this.options.dispatcher?.dispatch(entries.map((e) => e.event));
    return 'saved';
  }
}

/** By code unit, not by locale: for ASCII keys, the byte order DynamoDB sorts string keys in. */
function compareDescending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}
