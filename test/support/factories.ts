/**
 * Test data in one place: envelopes of every catalogue event with sensible defaults, and the
 * ids and clock that make runs repeatable.
 */
import type { EventData, EventType } from '../../lambdas/shared/events/catalogue';
import { createEnvelope, type AnyEnvelope, type Envelope, type EnvelopeOptions } from '../../lambdas/shared/events/envelope';
import { catalogue, EVENT_TYPES } from '../../lambdas/shared/events/catalogue';
import type { Clock, IdGenerator } from '../../lambdas/shared/application/ports';
import type { EventBus } from '../../lambdas/shared/event-bus/event-bus';
import type { InMemoryEventBus } from '../../lambdas/shared/event-bus/in-memory-event-bus';

export const ORDER_ID = 'order-1';
export const PAYMENT_ID = 'pay_1';

export const DEFAULT_DATA: { [T in EventType]: EventData<T> } = {
  'order.placed': {
    orderId: ORDER_ID,
    customerId: 'customer-1',
    lines: [{ sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 }],
    total: 9000,
    currency: 'EUR',
  },
  'order.paid': { orderId: ORDER_ID, paymentId: PAYMENT_ID, lines: [{ sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 }] },
  'order.cancelled': { orderId: ORDER_ID, reason: 'CUSTOMER_REQUEST' },
  'payment.approved': { orderId: ORDER_ID, paymentId: PAYMENT_ID, amount: 9000, currency: 'EUR' },
  'payment.declined': { orderId: ORDER_ID, reason: 'AMOUNT_EXCEEDS_LIMIT' },
  'payment.refunded': { orderId: ORDER_ID, paymentId: PAYMENT_ID, amount: 9000, currency: 'EUR' },
  'stock.reserved': { orderId: ORDER_ID, reservationId: 'res_1', lines: [{ sku: 'BOOK-DDD', quantity: 2 }] },
  'stock.reservation-failed': { orderId: ORDER_ID, reason: 'OUT_OF_STOCK', skus: ['SOLD-OUT'] },
};

let counter = 0;

/** A valid envelope of `type`: default data, overridden field by field, and fresh ids. */
export function anEvent<T extends EventType>(
  type: T,
  data: Partial<EventData<T>> = {},
  meta: Partial<Omit<EnvelopeOptions, 'trace'>> & { correlationId?: string; causationId?: string } = {},
): Envelope<T> {
  counter++;
  return createEnvelope(
    { type, data: { ...DEFAULT_DATA[type], ...data } as EventData<T> },
    {
      id: meta.id ?? `evt-${counter}`,
      occurredAt: meta.occurredAt ?? new Date(Date.UTC(2026, 0, 1, 12, 0, 0, counter % 1000)),
      source: meta.source ?? catalogue[type].producer,
      aggregateId: meta.aggregateId ?? ORDER_ID,
      trace: { correlationId: meta.correlationId ?? 'corr-1', causationId: meta.causationId ?? 'cause-1' },
    },
  );
}

/** Ids `prefix-1`, `prefix-2`, … */
export function sequentialIds(prefix = 'id'): IdGenerator {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

/** A clock that stands still until moved. */
export function fixedClock(start = new Date('2026-01-01T12:00:00.000Z')): Clock & { advance(ms: number): void } {
  let now = start.getTime();
  const clock = (() => new Date(now)) as Clock & { advance(ms: number): void };
  clock.advance = (ms: number) => {
    now += ms;
  };
  return clock;
}

/**
 * Subscribes a recorder to every event type on `bus` and returns the list it fills, in
 * delivery order (await the bus's `settled()` before reading it).
 */
export function recordPublished(bus: EventBus, types: readonly EventType[] = EVENT_TYPES): AnyEnvelope[] {
  const published: AnyEnvelope[] = [];
  for (const type of types) {
    bus.subscribe(
      type,
      async (event) => {
        published.push(event as AnyEnvelope);
      },
      { name: `test-recorder:${type}` },
    );
  }
  return published;
}

/**
 * What a recorder gains from now on: call before the `when`, read after it (both wait for the
 * bus to settle).
 */
export async function recordedFromNow(bus: InMemoryEventBus, recorded: readonly AnyEnvelope[]): Promise<() => Promise<AnyEnvelope[]>> {
  await bus.settled();
  const start = recorded.length;
  return async () => {
    await bus.settled();
    return recorded.slice(start);
  };
}
