import type { EventType } from '../events/catalogue';
import type { AnyEnvelope, Envelope } from '../events/envelope';
import type { EventBus } from './event-bus';

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
}
