import type { EventType } from '../events/catalogue';
import type { Envelope } from '../events/envelope';

/** Reacts to one event. Throwing means "not handled": the bus delivers it again later. */
export type EventHandler<T extends EventType = EventType> = (event: Envelope<T>) => Promise<void>;

export interface SubscribeOptions {
  /** Who subscribes: names the subscriber in logs and in dead letters. */
  readonly name?: string;
}

/**
 * The message bus port, as the design gives it: publish an event to its topic, and subscribe
 * a handler to a topic. `eventName` is the catalogue name, which is also the topic.
 *
 * Every implementation delivers at least once: a handler may see the same event twice, late,
 * or out of order, and must be idempotent on the envelope id.
 */
export interface EventBus {
  publish<T extends EventType>(eventName: T, payload: Envelope<T>): Promise<void>;
  subscribe<T extends EventType>(eventName: T, handler: EventHandler<T>, options?: SubscribeOptions): void;
}

/** What a context does with each event it consumes: one handler per event type. */
export type Reactions<T extends EventType> = { readonly [K in T]: EventHandler<K> };
