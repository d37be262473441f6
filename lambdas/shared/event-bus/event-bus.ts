import type { EventType } from '../events/catalogue';
import type { AnyEnvelope, Envelope } from '../events/envelope';

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

/** An event that was not handed over, and why. */
export interface FailedEvent {
  readonly event: AnyEnvelope;
  readonly reason: string;
}

/**
 * A bus that can publish many events in few calls (SNS `PublishBatch`). Never all-or-nothing:
 * each event either went out or is named in `failed`.
 *
 * Events of one aggregate are published in the order given; once one of them fails, the later
 * ones are not sent (they fail too), so that a retry republishes them in order.
 */
export interface BatchPublisher {
  publishBatch(events: readonly AnyEnvelope[]): Promise<{ failed: FailedEvent[] }>;
}

/** Why an event was not sent: an earlier event of its aggregate failed, and order matters. */
export function heldBack(event: AnyEnvelope): string {
  return `held back: an earlier event of aggregate ${event.aggregateId} failed`;
}

export function isBatchPublisher(bus: EventBus): bus is EventBus & BatchPublisher {
  return typeof (bus as Partial<BatchPublisher>).publishBatch === 'function';
}

/** The handlers subscribed to an event type, wherever they were registered. */
export type HandlerLookup = (type: EventType) => readonly EventHandler[];

/** A bus that keeps its subscriptions for a consumer adapter to run (SQS), instead of delivering itself. */
export interface HandlerRegistry {
  handlersFor<T extends EventType>(type: T): readonly EventHandler<T>[];
}
