import type { SaveResult } from '../application/save-result';
import type { Trace } from '../events/envelope';
import type { AggregateRoot } from '../domain/aggregate-root';

export interface StoredRecord<S> {
  readonly state: S;
  readonly version: number;
}

/** One aggregate to write, under its key, as the plain state it is stored as. */
export interface AggregateWrite {
  readonly key: string;
  readonly aggregate: AggregateRoot;
  readonly state: unknown;
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
  commit(writes: readonly AggregateWrite[], trace: Trace): Promise<SaveResult>;
}
