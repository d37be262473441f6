import type { EventType } from '../events/catalogue';
import type { AnyEnvelope, Envelope } from '../events/envelope';
import { heldBack, isBatchPublisher, type EventBus, type FailedEvent } from './event-bus';

export type InternalHandler<T extends EventType = EventType> = (event: Envelope<T>) => Promise<void>;
export type InternalHandlers = { readonly [T in EventType]?: readonly InternalHandler<T>[] };

/**
 * Takes events that are already committed (never before) and sends them on their way: first
 * to the context's own internal handlers, then to the bus for the other contexts.
 *
 * In AWS and in the local cloud it runs inside the stream dispatcher Lambda, fed by the
 * table's stream of outbox inserts; in memory, the repository calls it after a save.
 */
export class EventDispatcher {
  constructor(
    private readonly bus: EventBus,
    private readonly internalHandlers: InternalHandlers = {},
  ) {}

  async dispatch(events: readonly AnyEnvelope[]): Promise<void> {
    for (const event of events) await this.dispatchOne(event);
  }

  async dispatchOne<T extends EventType>(event: Envelope<T>): Promise<void> {
    const handlers = (this.internalHandlers[event.type] ?? []) as readonly InternalHandler<T>[];
    for (const handler of handlers) await handler(event);
    await this.bus.publish(event.type, event);
  }

  /**
   * Dispatches a batch and reports, in input order, the events that did not get through. A
   * throwing internal handler fails its event, which is then not published. Once an event of
   * an aggregate fails, the later events of that aggregate are held back (not run, not
   * published) so that a retry sends them in order.
   */
  async dispatchBatch(events: readonly AnyEnvelope[]): Promise<FailedEvent[]> {
    // Keyed by id, not identity: a publisher may hand back copies, and no failure may be lost.
    const reasons = new Map<string, string>();
    const blocked = new Set<string>();
    const fail = (event: AnyEnvelope, reason: string) => {
      if (!reasons.has(event.id)) reasons.set(event.id, reason);
      blocked.add(event.aggregateId);
    };

    const ready: AnyEnvelope[] = [];
    for (const event of events) {
      if (blocked.has(event.aggregateId)) {
        fail(event, heldBack(event));
        continue;
      }
      try {
        const handlers = (this.internalHandlers[event.type] ?? []) as readonly InternalHandler[];
        for (const handler of handlers) await handler(event);
        ready.push(event);
      } catch (error) {
        fail(event, `internal handler failed: ${describe(error)}`);
      }
    }

    if (isBatchPublisher(this.bus)) {
      const { failed } = await this.bus.publishBatch(ready);
      for (const { event, reason } of failed) fail(event, reason);
    } else {
      for (const event of ready) {
        if (blocked.has(event.aggregateId)) {
          fail(event, heldBack(event));
          continue;
        }
        try {
          await this.bus.publish(event.type, event);
        } catch (error) {
          fail(event, `publish failed: ${describe(error)}`);
        }
      }
    }
    return events.flatMap((event) => {
      const reason = reasons.get(event.id);
      return reason === undefined ? [] : [{ event, reason }];
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
