/**
 * The three contexts wired on the in-memory bus, end to end: every path of the order lifecycle,
 * and the bus's at-least-once behaviour (duplicates, retries, dead letters).
 */
import { createInMemorySystem, type InMemorySystem, type InMemorySystemOptions } from '../../../local/in-memory/system';
import type { AnyEnvelope } from '../../../lambdas/shared/events/envelope';
import type { PlaceOrderCommand } from '../../../lambdas/order/application/order-service';
import { fixedClock } from '../../support/factories';

const HAPPY: PlaceOrderCommand = { customerId: 'alice', lines: [{ sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 }] };
const TOO_EXPENSIVE: PlaceOrderCommand = { customerId: 'bob', lines: [{ sku: 'TSHIRT-CQRS', quantity: 60, unitPrice: 2500 }] };
const SOLD_OUT: PlaceOrderCommand = { customerId: 'carol', lines: [{ sku: 'SOLD-OUT', quantity: 1, unitPrice: 999 }] };

/** Each event of a timeline as `type ← type of its cause` (`request` when a command caused it). */
function chain(timeline: readonly AnyEnvelope[]): string[] {
  const byId = new Map(timeline.map((e) => [e.id, e]));
  return timeline.map((e) => `${e.type} ← ${byId.get(e.causationId)?.type ?? 'request'}`);
}

async function place(system: InMemorySystem, command: PlaceOrderCommand) {
  const order = await system.orders.placeOrder(command);
  await system.bus.settled();
  return order.orderId;
}

async function outcome(system: InMemorySystem, orderId: string) {
  const order = await system.orders.getOrder(orderId);
  const timeline = await system.orders.getTimeline(orderId);
  return { order, timeline, chain: chain(timeline) };
}

async function system(options: InMemorySystemOptions = {}) {
  return createInMemorySystem({ stock: { 'BOOK-DDD': 10, 'TSHIRT-CQRS': 100, 'SOLD-OUT': 0 }, ...options });
}

describe('order flows on the in-memory bus', () => {
  it('happy path: given stock and a total under the limit, the order ends STOCK_RESERVED', async () => {
    // given
    const sys = await system();
    // when
    const orderId = await place(sys, HAPPY);
    // then
    const { order, timeline, chain: steps } = await outcome(sys, orderId);
    expect(order.status).toBe('STOCK_RESERVED');
    expect(steps).toEqual([
      'order.placed ← request',
      'payment.approved ← order.placed',
      'order.paid ← payment.approved',
      'stock.reserved ← order.paid',
    ]);
    expect(new Set(timeline.map((e) => e.correlationId))).toEqual(new Set([order.correlationId]));
    expect(order.paymentId).toBe((timeline[1] as AnyEnvelope & { data: { paymentId: string } }).data.paymentId);
    expect(await sys.inventory.getAvailable('BOOK-DDD')).toBe(8);
    expect(sys.bus.deadLetters).toEqual([]);
  });

  it('payment declined: given a total above 1,000.00, the order is cancelled with PAYMENT_DECLINED and nothing is reserved', async () => {
    // given
    const sys = await system();
    // when
    const orderId = await place(sys, TOO_EXPENSIVE);
    // then
    const { order, chain: steps } = await outcome(sys, orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED' });
    expect(steps).toEqual(['order.placed ← request', 'payment.declined ← order.placed', 'order.cancelled ← payment.declined']);
    expect(await sys.payments.getPayment(orderId)).toMatchObject({ status: 'DECLINED' });
    expect(await sys.inventory.getReservation(orderId)).toMatchObject({ status: 'VOIDED' });
    expect(await sys.inventory.getAvailable('TSHIRT-CQRS')).toBe(100);
  });

  it('out of stock: given a SKU with no stock, the paid order is cancelled with OUT_OF_STOCK and refunded', async () => {
    // given
    const sys = await system();
    // when
    const orderId = await place(sys, SOLD_OUT);
    // then
    const { order, chain: steps } = await outcome(sys, orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK' });
    expect(steps).toEqual([
      'order.placed ← request',
      'payment.approved ← order.placed',
      'order.paid ← payment.approved',
      'stock.reservation-failed ← order.paid',
      'order.cancelled ← stock.reservation-failed',
      'payment.refunded ← order.cancelled',
    ]);
    expect(await sys.payments.getPayment(orderId)).toMatchObject({ status: 'REFUNDED', amount: 999 });
    expect(await sys.inventory.getReservation(orderId)).toMatchObject({ status: 'FAILED', missingSkus: ['SOLD-OUT'] });
  });

  it('customer cancel of a paid order: the payment is refunded and the reserved stock released', async () => {
    // given: Order has not yet heard that the stock is reserved (its consumer is held back)
    const clock = fixedClock();
    const sys = await system({ clock });
    sys.bus.pause('order:stock.reserved');
    const orderId = await place(sys, HAPPY);
    expect((await sys.orders.getOrder(orderId)).status).toBe('PAID');
    expect(await sys.inventory.getAvailable('BOOK-DDD')).toBe(8);
    // when: the customer cancels a moment later (the timeline orders unrelated events by time)
    clock.advance(1_000);
    const cancelled = await sys.orders.cancelOrder(orderId);
    await sys.bus.settled();
    sys.bus.resume('order:stock.reserved');
    await sys.bus.settled();
    // then
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_REQUEST' });
    const { order, timeline, chain: steps } = await outcome(sys, orderId);
    expect(order.status).toBe('CANCELLED');
    expect(steps).toEqual([
      'order.placed ← request',
      'payment.approved ← order.placed',
      'order.paid ← payment.approved',
      'stock.reserved ← order.paid',
      'order.cancelled ← request',
      'payment.refunded ← order.cancelled',
    ]);
    expect(timeline[4]?.data).toEqual({ orderId, reason: 'CUSTOMER_REQUEST', paymentId: order.paymentId });
    expect(await sys.payments.getPayment(orderId)).toMatchObject({ status: 'REFUNDED' });
    expect(await sys.inventory.getReservation(orderId)).toMatchObject({ status: 'RELEASED' });
    expect(await sys.inventory.getAvailable('BOOK-DDD')).toBe(10);
  });

  it('a STOCK_RESERVED order can no longer be cancelled by the customer', async () => {
    // given
    const sys = await system();
    const orderId = await place(sys, HAPPY);
    // when
    const attempt = sys.orders.cancelOrder(orderId);
    // then
    await expect(attempt).rejects.toMatchObject({ name: 'OrderTransitionError', status: 'STOCK_RESERVED' });
    expect((await outcome(sys, orderId)).order.status).toBe('STOCK_RESERVED');
  });

  describe('when every event is delivered twice', () => {
    it.each([
      ['happy path', HAPPY, 'STOCK_RESERVED', 4],
      ['payment declined', TOO_EXPENSIVE, 'CANCELLED', 3],
      ['out of stock', SOLD_OUT, 'CANCELLED', 6],
    ] as const)('%s: same final state and timeline, and no second payment, refund or reservation', async (_, command, status, events) => {
      // given
      const sys = await system({ deliveriesPerEvent: 2 });
      // when
      const orderId = await place(sys, command);
      // then
      const { order, timeline } = await outcome(sys, orderId);
      expect(order.status).toBe(status);
      expect(timeline).toHaveLength(events);
      const committed = [...sys.stores.order.committedEvents, ...sys.stores.payment.committedEvents, ...sys.stores.inventory.committedEvents];
      expect(committed).toHaveLength(events);
      expect(sys.bus.deadLetters).toEqual([]);
    });

    it('a cancelled paid order is refunded once and its stock released once', async () => {
      // given
      const sys = await system({ deliveriesPerEvent: 2 });
      sys.bus.pause('order:stock.reserved');
      const orderId = await place(sys, HAPPY);
      // when
      await sys.orders.cancelOrder(orderId);
      sys.bus.resume('order:stock.reserved');
      await sys.bus.settled();
      // then
      const refunds = sys.stores.payment.committedEvents.filter((e) => e.event.type === 'payment.refunded');
      expect(refunds).toHaveLength(1);
      expect(await sys.inventory.getAvailable('BOOK-DDD')).toBe(10);
      expect(await sys.inventory.getReservation(orderId)).toMatchObject({ status: 'RELEASED' });
    });
  });

  describe('when a subscriber fails', () => {
    it('fails twice then succeeds: the third delivery is handled and the order completes', async () => {
      // given: Payment's handler of order.placed throws on its first two deliveries
      let calls = 0;
      const sys = await system({
        maxAttempts: 3,
        decorate: (context, eventName, handler) =>
          context === 'payment' && eventName === 'order.placed'
            ? async (event) => {
                calls++;
                if (calls <= 2) throw new Error(`transient failure ${calls}`);
                await handler(event);
              }
            : handler,
      });
      // when
      const orderId = await place(sys, HAPPY);
      // then
      expect(calls).toBe(3);
      expect((await outcome(sys, orderId)).order.status).toBe('STOCK_RESERVED');
      expect(sys.bus.deadLetters).toEqual([]);
    });

    it('always fails: the event ends in the dead letters with its reason, and the other subscribers are unaffected', async () => {
      // given: Inventory's handler of order.cancelled is broken
      const sys = await system({
        maxAttempts: 3,
        decorate: (context, eventName, handler) =>
          context === 'inventory' && eventName === 'order.cancelled'
            ? async () => {
                throw new Error('inventory database unavailable');
              }
            : handler,
      });
      // when
      const orderId = await place(sys, SOLD_OUT);
      // then: Payment, also subscribed to order.cancelled, refunded; the event log recorded it
      const { order, chain: steps } = await outcome(sys, orderId);
      expect(order.status).toBe('CANCELLED');
      expect(steps).toContain('payment.refunded ← order.cancelled');
      expect(sys.bus.deadLetters).toEqual([
        expect.objectContaining({
          eventName: 'order.cancelled',
          subscriber: 'inventory:order.cancelled',
          attempts: 3,
          reason: 'inventory database unavailable',
        }),
      ]);
    });
  });
});
