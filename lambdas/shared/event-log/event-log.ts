import type { AnyEnvelope } from '../events/envelope';

/**
 * The event log: a consumer of every topic that keeps each event by correlation id, so that an
 * order's whole cross-context timeline can be read back. It shows the design's claim that a
 * new consumer needs no change to any publisher.
 */
export interface EventLog {
  /** Idempotent: appending the same event id twice keeps one copy. */
  append(event: AnyEnvelope): Promise<void>;
  timeline(correlationId: string): Promise<AnyEnvelope[]>;
}

/**
 * Orders a thread's events for reading: by time, but never an effect before its cause (clocks
 * of different functions can disagree by a few milliseconds, and many events share one).
 */
export function inCausalOrder(events: readonly AnyEnvelope[]): AnyEnvelope[] {
  const byTime = [...events].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.id.localeCompare(b.id));
  const ids = new Set(byTime.map((e) => e.id));
  const placed = new Set<string>();
  const out: AnyEnvelope[] = [];
  while (out.length < byTime.length) {
    // The earliest event whose cause is already placed (or not in this thread at all).
    const next =
      byTime.find((e) => !placed.has(e.id) && (!ids.has(e.causationId) || placed.has(e.causationId))) ??
      byTime.find((e) => !placed.has(e.id));
    if (!next) break;
    placed.add(next.id);
    out.push(next);
  }
  return out;
}

export class InMemoryEventLog implements EventLog {
  readonly #threads = new Map<string, Map<string, AnyEnvelope>>();

  async append(event: AnyEnvelope): Promise<void> {
    const thread = this.#threads.get(event.correlationId) ?? new Map<string, AnyEnvelope>();
    thread.set(event.id, event);
    this.#threads.set(event.correlationId, thread);
  }

  async timeline(correlationId: string): Promise<AnyEnvelope[]> {
    return inCausalOrder([...(this.#threads.get(correlationId)?.values() ?? [])]);
  }
}
