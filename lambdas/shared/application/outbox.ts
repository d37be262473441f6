import type { ContextName } from '../events/catalogue';
import { createEnvelope, type AnyEnvelope, type Trace } from '../events/envelope';
import type { AggregateRoot } from '../domain/aggregate-root';
import type { Clock, IdGenerator } from './ports';

/** One event on its way out, with its place in the aggregate's history. */
export interface OutboxEntry {
  readonly event: AnyEnvelope;
  /** The aggregate version whose save recorded the event. */
  readonly sequence: number;
  /** Its position among the events of that save. */
  readonly index: number;
}

export interface OutboxContext {
  readonly source: ContextName;
  readonly trace: Trace;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** Wraps an aggregate's pending events in envelopes, numbered with the version being saved. */
export function outboxEntries(aggregate: AggregateRoot, context: OutboxContext): OutboxEntry[] {
  const sequence = aggregate.version + 1;
  const occurredAt = context.clock();
  return aggregate.pendingEvents.map((event, index) => ({
    event: createEnvelope(event, {
      id: context.ids(),
      occurredAt,
      source: context.source,
      aggregateId: aggregate.id,
      trace: context.trace,
    }) as AnyEnvelope,
    sequence,
    index,
  }));
}

/** Dispatch order: by aggregate, then by the order the aggregate recorded them. */
export function inDispatchOrder<T extends OutboxEntry>(entries: readonly T[]): T[] {
  return [...entries].sort(
    (a, b) =>
      a.event.aggregateId.localeCompare(b.event.aggregateId) || a.sequence - b.sequence || a.index - b.index,
  );
}
