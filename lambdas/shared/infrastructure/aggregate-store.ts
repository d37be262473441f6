import type { SaveResult } from '../application/save-result';
import type { Trace } from '../events/envelope';
import type { AggregateRoot } from '../domain/aggregate-root';

export interface StoredRecord<S> {
  readonly state: S;
  readonly version: number;
}

/**
 * Where an aggregate appears in its store's listing, for reads that are not by key: the
 * partition it is read with, and its place in that partition (read highest first).
 */
export interface ListingEntry {
  readonly partition: string;
  readonly sort: string;
}

/** One aggregate to write, under its key, as the plain state it is stored as. */
export interface AggregateWrite {
  readonly key: string;
  readonly aggregate: AggregateRoot;
  readonly state: unknown;
  /** Its entry in the listing, given with every write of it (a write replaces the whole item). */
  readonly listing?: ListingEntry;
}

/**
 * A context's storage of aggregates with a transactional outbox. `commit` writes every changed
 * aggregate's state and all their pending events together or not at all, each aggregate
 * guarded by its version (a lost race is a `ConcurrencyError`), and records `trace.causationId`
 * as applied so that the same cause twice is a no-op (`duplicate`). On success it marks the
 * aggregates committed.
 *
 * Two implementations: in memory (hands events to the dispatcher after the write) and
 * DynamoDB (`TransactWriteItems`; the table's stream feeds the dispatcher).
 */
export interface AggregateStore {
  load<S>(key: string): Promise<StoredRecord<S> | undefined>;
  /** Several aggregates in one consistent read; a key with nothing stored is absent from the map. */
  loadMany<S>(keys: readonly string[]): Promise<Map<string, StoredRecord<S>>>;
  commit(writes: readonly AggregateWrite[], trace: Trace): Promise<SaveResult>;
}

/**
 * Reads aggregates by listing partition rather than by key, without scanning the store: in
 * DynamoDB a sparse global secondary index over the listing attributes. Eventually consistent
 * there (a write may take a moment to be listed); the in-memory store lists at once.
 */
export interface AggregateListing {
  /** The states listed under `partition`, highest `sort` first, at most `limit` of them. */
  list<S>(partition: string, limit: number): Promise<S[]>;
}
