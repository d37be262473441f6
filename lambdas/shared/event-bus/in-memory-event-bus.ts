import type { EventType } from '../events/catalogue';
import { parseEnvelope, type AnyEnvelope, type Envelope } from '../events/envelope';
import { eventFields, silentLogger, type Logger } from '../logger';
import type { EventBus, EventHandler, SubscribeOptions } from './event-bus';

/** A delivery that kept failing, kept for inspection like a message in an SQS dead-letter queue. */
export interface DeadLetter {
  readonly eventName: EventType;
  readonly subscriber: string;
  readonly body: string;
  readonly attempts: number;
  readonly reason: string;
}

export interface InMemoryEventBusOptions {
  /** Deliveries tried per subscriber before the event goes to the dead letters (SQS's `maxReceiveCount`). */
  readonly maxAttempts?: number;
  /**
   * How many times each event is handed to each subscriber. At-least-once buses do deliver
   * twice now and then; 2 shows the consumers' idempotency at work on every event.
   */
  readonly deliveriesPerEvent?: number;
  readonly logger?: Logger;
}

export interface InMemorySubscribeOptions extends SubscribeOptions {
  /** Simulated latency before each delivery to this subscriber (a slow consumer), in ms. */
  readonly delayMs?: number;
}

interface Subscription {
  readonly name: string;
  readonly eventName: EventType;
  readonly handler: EventHandler<EventType>;
  readonly delayMs: number;
  readonly queue: string[];
  running: boolean;
  paused: boolean;
}

/**
 * The educational bus: in-process, with the delivery semantics of SNS topics fanning out to
 * SQS queues, so that what it teaches holds in production.
 *
 * - `publish` hands the event to a queue per subscriber and returns, as an SNS publish does:
 *   the publisher never waits for, nor hears about, its consumers.
 * - Each subscriber's queue is worked one event at a time; every delivery is awaited, and the
 *   subscriber gets its own copy, validated against the catalogue as a consumer would on
 *   receipt. An invalid event goes straight to the dead letters.
 * - A failing subscriber never affects the others. A failed delivery is tried again, up to
 *   `maxAttempts`, then kept in {@link deadLetters} with its reason.
 * - {@link settled} resolves once every queue is empty and no delivery is running.
 */
export class InMemoryEventBus implements EventBus {
  readonly #subscriptions = new Map<EventType, Subscription[]>();
  readonly #byName = new Map<string, Subscription>();
  readonly #deadLetters: DeadLetter[] = [];
  readonly #maxAttempts: number;
  readonly #deliveries: number;
  readonly #logger: Logger;
  #busy = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(options: InMemoryEventBusOptions = {}) {
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#deliveries = options.deliveriesPerEvent ?? 1;
    this.#logger = options.logger ?? silentLogger;
    if (this.#maxAttempts < 1 || this.#deliveries < 1) throw new RangeError('maxAttempts and deliveriesPerEvent must be >= 1');
  }

  subscribe<T extends EventType>(eventName: T, handler: EventHandler<T>, options: InMemorySubscribeOptions = {}): void {
    const subscriptions = this.#subscriptions.get(eventName) ?? [];
    const name = options.name ?? `${eventName}#${subscriptions.length + 1}`;
    if (this.#byName.has(name)) throw new Error(`a subscriber named ${name} already exists`);
    const subscription: Subscription = {
      name,
      eventName,
      handler: handler as EventHandler<EventType>,
      delayMs: options.delayMs ?? 0,
      queue: [],
      running: false,
      paused: false,
    };
    subscriptions.push(subscription);
    this.#subscriptions.set(eventName, subscriptions);
    this.#byName.set(name, subscription);
  }

  async publish<T extends EventType>(eventName: T, payload: Envelope<T>): Promise<void> {
    if (payload.type !== eventName) {
      throw new TypeError(`cannot publish a ${payload.type} event to the ${eventName} topic`);
    }
    // Serialised once, as a broker would: subscribers never share the publisher's object.
    const body = JSON.stringify(payload);
    for (const subscription of this.#subscriptions.get(eventName) ?? []) {
      for (let i = 0; i < this.#deliveries; i++) subscription.queue.push(body);
      this.#work(subscription);
    }
  }

  /** Deliveries that exhausted their attempts (or could never succeed), oldest first. */
  get deadLetters(): readonly DeadLetter[] {
    return this.#deadLetters;
  }

  /** Resolves when every queue is empty (paused ones aside) and no delivery is running. */
  settled(): Promise<void> {
    if (this.#busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Holds a subscriber's deliveries in its queue (a consumer that is down, or slow). */
  pause(subscriber: string): void {
    this.#subscription(subscriber).paused = true;
  }

  resume(subscriber: string): void {
    const subscription = this.#subscription(subscriber);
    subscription.paused = false;
    this.#work(subscription);
  }

  /** Puts the dead letters back in their subscribers' queues, once the cause is fixed. */
  redriveDeadLetters(): number {
    const letters = this.#deadLetters.splice(0);
    for (const letter of letters) {
      const subscription = this.#subscription(letter.subscriber);
      subscription.queue.push(letter.body);
      this.#work(subscription);
    }
    return letters.length;
  }

  #subscription(name: string): Subscription {
    const subscription = this.#byName.get(name);
    if (!subscription) throw new Error(`no subscriber named ${name}`);
    return subscription;
  }

  #work(subscription: Subscription): void {
    if (subscription.running || subscription.paused || subscription.queue.length === 0) return;
    subscription.running = true;
    this.#busy++;
    // Later, never inside publish: the publisher's call returns before any consumer runs.
    setImmediate(() => void this.#drain(subscription));
  }

  async #drain(subscription: Subscription): Promise<void> {
    try {
      while (!subscription.paused) {
        const body = subscription.queue.shift();
        if (body === undefined) break;
        if (subscription.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, subscription.delayMs));
        await this.#deliver(subscription, body);
      }
    } finally {
      subscription.running = false;
      this.#busy--;
      // Events published by this subscriber's handlers have already started their own work.
      if (this.#busy === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  async #deliver(subscription: Subscription, body: string): Promise<void> {
    let event: AnyEnvelope;
    try {
      event = parseEnvelope(JSON.parse(body));
    } catch (error) {
      // No retry can fix a message that is not a valid event: straight to the dead letters.
      this.#deadLetter(subscription, body, 1, (error as Error).message);
      return;
    }
    const log = this.#logger.child({ ...eventFields(event), subscriber: subscription.name });
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      try {
        await subscription.handler(event);
        return;
      } catch (error) {
        log.warn('delivery failed', { attempt, error });
        if (attempt === this.#maxAttempts) this.#deadLetter(subscription, body, attempt, (error as Error).message);
      }
    }
  }

  #deadLetter(subscription: Subscription, body: string, attempts: number, reason: string): void {
    this.#logger.error('delivery dead-lettered', { subscriber: subscription.name, eventName: subscription.eventName, attempts, reason });
    this.#deadLetters.push({ eventName: subscription.eventName, subscriber: subscription.name, body, attempts, reason });
  }
}
