import { ConcurrencyError, ConflictError } from '../../../lambdas/shared/application/errors';
import { DEFAULT_CONCURRENCY_ATTEMPTS } from '../../../lambdas/shared/application/retry';
import type { SaveResult } from '../../../lambdas/shared/application/save-result';
import { EventDispatcher } from '../../../lambdas/shared/event-bus/dispatcher';
import { InMemoryEventBus } from '../../../lambdas/shared/event-bus/in-memory-event-bus';
import { eventsProducedBy, type OrderLine } from '../../../lambdas/shared/events/catalogue';
import type { Trace } from '../../../lambdas/shared/events/envelope';
import type { AggregateStore, AggregateWrite, StoredRecord } from '../../../lambdas/shared/infrastructure/aggregate-store';
import { InMemoryStore } from '../../../lambdas/shared/infrastructure/in-memory-store';
import { InvalidOrderError, OrderTransitionError, PaymentMismatchError } from '../../../lambdas/order/domain/errors';
import type { OrderState } from '../../../lambdas/order/domain/order';
import { OrderNotFoundError, OrderService } from '../../../lambdas/order/application/order-service';
import { StoredOrderRepository } from '../../../lambdas/order/infrastructure/stored-order-repository';
import { anEvent, fixedClock, recordPublished, recordedFromNow, sequentialIds } from '../../support/factories';

const LINES: OrderLine[] = [
  { sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 },
  { sku: 'MUG-EVENTS', quantity: 1, unitPrice: 1250 },
];

/**
 * The Order context in memory: its store hands committed events to a dispatcher over an
 * in-memory bus, where a recorder keeps everything Order publishes.
 */
function anOrderContext() {
  const clock = fixedClock();
  const bus = new InMemoryEventBus();
  const published = recordPublished(bus, eventsProducedBy('order'));
  const store = new InMemoryStore({ source: 'order', dispatcher: new EventDispatcher(bus), clock, ids: sequentialIds('evt') });
  const service = new OrderService({ orders: new StoredOrderRepository(store), clock, ids: sequentialIds('id') });
  /** A second instance of the service over another view of the same store (a concurrent Lambda). */
  const serviceOver = (s: AggregateStore) => new OrderService({ orders: new StoredOrderRepository(s), clock, ids: sequentialIds('other') });

  /** What this context publishes from now on: call before the `when`, read after it. */
  const publishedFromNow = () => recordedFromNow(bus, published);

  return { clock, bus, store, service, serviceOver, publishedFromNow };
}
type OrderContext = ReturnType<typeof anOrderContext>;

/** Wraps a store to run `interfere` before each commit: a competitor's write, or a lost race. */
class InterferingStore implements AggregateStore {
  commits = 0;
  constructor(
    private readonly inner: AggregateStore,
    private readonly interfere: (attempt: number, writes: readonly AggregateWrite[]) => Promise<void>,
  ) {}

  load<S>(key: string): Promise<StoredRecord<S> | undefined> {
    return this.inner.load<S>(key);
  }

  loadMany<S>(keys: readonly string[]): Promise<Map<string, StoredRecord<S>>> {
    return this.inner.loadMany<S>(keys);
  }

  async commit(writes: readonly AggregateWrite[], trace: Trace): Promise<SaveResult> {
    this.commits += 1;
    await this.interfere(this.commits, writes);
    return this.inner.commit(writes, trace);
  }
}

async function loseTheRace(_attempt: number, writes: readonly AggregateWrite[]): Promise<void> {
  const first = writes[0];
  if (!first) throw new Error('nothing to commit');
  throw new ConcurrencyError(first.aggregate.id, first.aggregate.version);
}

async function aPlacedOrder(ctx: OrderContext): Promise<OrderState> {
  return ctx.service.placeOrder({ customerId: 'customer-1', lines: LINES });
}

async function aPaidOrder(ctx: OrderContext, paymentId = 'pay_1'): Promise<OrderState> {
  const order = await aPlacedOrder(ctx);
  await ctx.service.confirmPayment(approvalOf(order, paymentId));
  return ctx.service.getOrder(order.orderId);
}

async function aStockReservedOrder(ctx: OrderContext): Promise<OrderState> {
  const order = await aPaidOrder(ctx);
  await ctx.service.applyStockReserved(anEvent('stock.reserved', { orderId: order.orderId }, { correlationId: order.correlationId }));
  return ctx.service.getOrder(order.orderId);
}

async function aCancelledOrder(ctx: OrderContext, from: 'PLACED' | 'PAID'): Promise<OrderState> {
  const order = from === 'PLACED' ? await aPlacedOrder(ctx) : await aPaidOrder(ctx);
  return ctx.service.cancelOrder(order.orderId);
}

const approvalOf = (order: OrderState, paymentId = 'pay_1') =>
  anEvent('payment.approved', { orderId: order.orderId, paymentId, amount: order.total }, { correlationId: order.correlationId });
const declineOf = (order: OrderState) => anEvent('payment.declined', { orderId: order.orderId }, { correlationId: order.correlationId });
const stockReservedOf = (order: OrderState) => anEvent('stock.reserved', { orderId: order.orderId }, { correlationId: order.correlationId });
const reservationFailureOf = (order: OrderState) =>
  anEvent('stock.reservation-failed', { orderId: order.orderId }, { correlationId: order.correlationId });

describe('OrderService', () => {
  describe('placeOrder', () => {
    it('given valid lines, when placed, then the order is stored as PLACED and order.placed is published', async () => {
      // given
      const ctx = anOrderContext();
      const published = await ctx.publishedFromNow();

      // when
      const order = await ctx.service.placeOrder({ customerId: 'customer-1', lines: LINES, currency: 'EUR' });

      // then
      expect(order).toMatchObject({ status: 'PLACED', customerId: 'customer-1', total: 10250, currency: 'EUR', lines: LINES });
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
      expect(await published()).toEqual([
        expect.objectContaining({
          type: 'order.placed',
          aggregateId: order.orderId,
          correlationId: order.correlationId,
          data: { orderId: order.orderId, customerId: 'customer-1', lines: LINES, total: 10250, currency: 'EUR' },
        }),
      ]);
    });

    it('given a correlationId and a commandId, when placed, then the order and its event carry them', async () => {
      // given
      const ctx = anOrderContext();
      const published = await ctx.publishedFromNow();

      // when
      const order = await ctx.service.placeOrder({ customerId: 'customer-1', lines: LINES, correlationId: 'req-corr', commandId: 'req-1' });

      // then
      expect(order.correlationId).toBe('req-corr');
      expect(await published()).toEqual([expect.objectContaining({ type: 'order.placed', correlationId: 'req-corr', causationId: 'req-1' })]);
    });

    it('given an invalid line, when placed, then it is rejected with an InvalidOrderError, and nothing is stored or published', async () => {
      // given
      const ctx = anOrderContext();
      const published = await ctx.publishedFromNow();

      // when
      const placing = ctx.service.placeOrder({ customerId: 'customer-1', lines: [{ sku: 'BOOK-DDD', quantity: 0, unitPrice: 100 }] });

      // then
      await expect(placing).rejects.toThrow(InvalidOrderError);
      await expect(placing).rejects.toMatchObject({ field: 'lines[0].quantity' });
      expect(ctx.store.keys()).toEqual([]);
      expect(await published()).toEqual([]);
    });

    it('given a request already applied, when the same commandId is placed again, then no second order is placed and the answer is an order that exists', async () => {
      // given
      const ctx = anOrderContext();
      const first = await ctx.service.placeOrder({ customerId: 'customer-1', lines: LINES, commandId: 'req-1' });
      const published = await ctx.publishedFromNow();

      // when
      const again = await ctx.service.placeOrder({ customerId: 'customer-1', lines: LINES, commandId: 'req-1' });

      // then
      expect(ctx.store.keys()).toEqual([`ORDER#${first.orderId}`]);
      expect(await published()).toEqual([]);
      await expect(ctx.service.getOrder(again.orderId)).resolves.toEqual(first);
    });
  });

  describe('getOrder', () => {
    it('given a placed order, when read, then it answers its current state', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPaidOrder(ctx);

      // when
      const read = await ctx.service.getOrder(order.orderId);

      // then
      expect(read).toMatchObject({ orderId: order.orderId, status: 'PAID', paymentId: 'pay_1' });
    });

    it('given no such order, when read, then it is rejected with an OrderNotFoundError', async () => {
      // given
      const ctx = anOrderContext();

      // when
      const reading = ctx.service.getOrder('no-such-order');

      // then
      await expect(reading).rejects.toThrow(OrderNotFoundError);
      await expect(reading).rejects.toMatchObject({ orderId: 'no-such-order' });
    });
  });

  describe('cancelOrder', () => {
    it('given a PLACED order, when the customer cancels, then it is CANCELLED and order.cancelled is published without a paymentId', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPlacedOrder(ctx);
      const published = await ctx.publishedFromNow();

      // when
      const cancelled = await ctx.service.cancelOrder(order.orderId, 'cancel-req-1');

      // then
      expect(cancelled).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_REQUEST' });
      expect(await ctx.service.getOrder(order.orderId)).toEqual(cancelled);
      expect(await published()).toEqual([
        expect.objectContaining({
          type: 'order.cancelled',
          correlationId: order.correlationId,
          causationId: 'cancel-req-1',
          data: { orderId: order.orderId, reason: 'CUSTOMER_REQUEST' },
        }),
      ]);
    });

    it('given a PAID order, when the customer cancels, then it is CANCELLED and order.cancelled carries the paymentId', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPaidOrder(ctx);
      const published = await ctx.publishedFromNow();

      // when
      const cancelled = await ctx.service.cancelOrder(order.orderId);

      // then
      expect(cancelled.status).toBe('CANCELLED');
      expect(await published()).toEqual([
        expect.objectContaining({ type: 'order.cancelled', data: { orderId: order.orderId, reason: 'CUSTOMER_REQUEST', paymentId: 'pay_1' } }),
      ]);
    });

    it('given a STOCK_RESERVED order, when the customer cancels, then it is rejected with an OrderTransitionError and nothing changes', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aStockReservedOrder(ctx);
      const published = await ctx.publishedFromNow();

      // when
      const cancelling = ctx.service.cancelOrder(order.orderId);

      // then
      await expect(cancelling).rejects.toThrow(OrderTransitionError);
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
      expect(await published()).toEqual([]);
    });

    it('given a CANCELLED order, when the customer cancels again, then it answers the cancelled order and publishes nothing', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aCancelledOrder(ctx, 'PLACED');
      const published = await ctx.publishedFromNow();

      // when
      const again = await ctx.service.cancelOrder(order.orderId);

      // then
      expect(again).toEqual(order);
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
      expect(await published()).toEqual([]);
    });

    it('given no such order, when cancelled, then it is rejected with an OrderNotFoundError', async () => {
      // given
      const ctx = anOrderContext();

      // when
      const cancelling = ctx.service.cancelOrder('no-such-order');

      // then
      await expect(cancelling).rejects.toThrow(OrderNotFoundError);
      expect(ctx.store.keys()).toEqual([]);
    });
  });

  describe('confirmPayment', () => {
    it('given a PLACED order, when payment.approved arrives, then it is PAID and order.paid is published, caused by the approval', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPlacedOrder(ctx);
      const approval = approvalOf(order);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.confirmPayment(approval);

      // then
      expect(await ctx.service.getOrder(order.orderId)).toMatchObject({ status: 'PAID', paymentId: 'pay_1' });
      expect(await published()).toEqual([
        expect.objectContaining({
          type: 'order.paid',
          correlationId: order.correlationId,
          causationId: approval.id,
          data: { orderId: order.orderId, paymentId: 'pay_1', lines: LINES },
        }),
      ]);
    });

    it('given a PAID order, when the same payment.approved is delivered again, then nothing changes and nothing is published', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPlacedOrder(ctx);
      const approval = approvalOf(order);
      await ctx.service.confirmPayment(approval);
      const paid = await ctx.service.getOrder(order.orderId);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.confirmPayment(approval);

      // then
      expect(await ctx.service.getOrder(order.orderId)).toEqual(paid);
      expect(await published()).toEqual([]);
    });

    it('given a PAID order, when another approval with the same paymentId arrives, then nothing changes and nothing is published', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPaidOrder(ctx);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.confirmPayment(approvalOf(order, 'pay_1'));

      // then
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
      expect(await published()).toEqual([]);
    });

    it('given a PAID order, when an approval with another paymentId arrives, then it is rejected with a PaymentMismatchError and nothing changes', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPaidOrder(ctx, 'pay_1');
      const published = await ctx.publishedFromNow();

      // when
      const confirming = ctx.service.confirmPayment(approvalOf(order, 'pay_2'));

      // then
      await expect(confirming).rejects.toThrow(PaymentMismatchError);
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
      expect(await published()).toEqual([]);
    });

    it('given an order the customer cancelled, when a late payment.approved arrives, then it is ignored: the order stays CANCELLED and nothing is published', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aCancelledOrder(ctx, 'PLACED');
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.confirmPayment(approvalOf(order));

      // then
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
      expect(await published()).toEqual([]);
    });

    it('given no such order, when payment.approved arrives, then it is rejected with an OrderNotFoundError', async () => {
      // given
      const ctx = anOrderContext();

      // when
      const confirming = ctx.service.confirmPayment(anEvent('payment.approved', { orderId: 'no-such-order' }));

      // then
      await expect(confirming).rejects.toThrow(OrderNotFoundError);
      expect(ctx.store.keys()).toEqual([]);
    });
  });

  describe('cancelOnPaymentDeclined', () => {
    it('given a PLACED order, when payment.declined arrives, then it is CANCELLED for PAYMENT_DECLINED and order.cancelled is published', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPlacedOrder(ctx);
      const decline = declineOf(order);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.cancelOnPaymentDeclined(decline);

      // then
      expect(await ctx.service.getOrder(order.orderId)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED' });
      expect(await published()).toEqual([
        expect.objectContaining({ type: 'order.cancelled', causationId: decline.id, data: { orderId: order.orderId, reason: 'PAYMENT_DECLINED' } }),
      ]);
    });

    it('given an order cancelled for a declined payment, when payment.declined is delivered again, then nothing changes and nothing is published', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPlacedOrder(ctx);
      const decline = declineOf(order);
      await ctx.service.cancelOnPaymentDeclined(decline);
      const cancelled = await ctx.service.getOrder(order.orderId);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.cancelOnPaymentDeclined(decline);

      // then
      expect(await ctx.service.getOrder(order.orderId)).toEqual(cancelled);
      expect(await published()).toEqual([]);
    });

    it('given an order the customer cancelled, when payment.declined arrives, then the customer cancellation stands and nothing is published', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aCancelledOrder(ctx, 'PLACED');
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.cancelOnPaymentDeclined(declineOf(order));

      // then
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
      expect(order.cancellationReason).toBe('CUSTOMER_REQUEST');
      expect(await published()).toEqual([]);
    });

    it('given a PAID order, when payment.declined arrives, then it is rejected with an OrderTransitionError and nothing changes', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPaidOrder(ctx);
      const published = await ctx.publishedFromNow();

      // when
      const declining = ctx.service.cancelOnPaymentDeclined(declineOf(order));

      // then
      await expect(declining).rejects.toThrow(OrderTransitionError);
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
      expect(await published()).toEqual([]);
    });
  });

  describe('applyStockReserved', () => {
    it('given a PAID order, when stock.reserved arrives, then it is STOCK_RESERVED and nothing is published', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPaidOrder(ctx);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.applyStockReserved(stockReservedOf(order));

      // then
      expect(await ctx.service.getOrder(order.orderId)).toMatchObject({ status: 'STOCK_RESERVED', paymentId: 'pay_1' });
      expect(await published()).toEqual([]);
    });

    it('given a STOCK_RESERVED order, when stock.reserved arrives again, then nothing changes', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aStockReservedOrder(ctx);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.applyStockReserved(stockReservedOf(order));

      // then
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
      expect(await published()).toEqual([]);
    });

    it('given an order cancelled while PAID, when a late stock.reserved arrives, then it is ignored: the order stays CANCELLED and nothing is published', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aCancelledOrder(ctx, 'PAID');
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.applyStockReserved(stockReservedOf(order));

      // then
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
      expect(await published()).toEqual([]);
    });

    it('given a PLACED order, when stock.reserved arrives, then it is rejected with an OrderTransitionError and nothing changes', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPlacedOrder(ctx);

      // when
      const applying = ctx.service.applyStockReserved(stockReservedOf(order));

      // then
      await expect(applying).rejects.toThrow(OrderTransitionError);
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
    });
  });

  describe('cancelOnReservationFailed', () => {
    it('given a PAID order, when stock.reservation-failed arrives, then it is CANCELLED for OUT_OF_STOCK and order.cancelled carries the paymentId', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPaidOrder(ctx);
      const failure = reservationFailureOf(order);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.cancelOnReservationFailed(failure);

      // then
      expect(await ctx.service.getOrder(order.orderId)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK' });
      expect(await published()).toEqual([
        expect.objectContaining({
          type: 'order.cancelled',
          causationId: failure.id,
          data: { orderId: order.orderId, reason: 'OUT_OF_STOCK', paymentId: 'pay_1' },
        }),
      ]);
    });

    it('given an order cancelled for OUT_OF_STOCK, when stock.reservation-failed is delivered again, then nothing changes and nothing is published', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPaidOrder(ctx);
      const failure = reservationFailureOf(order);
      await ctx.service.cancelOnReservationFailed(failure);
      const cancelled = await ctx.service.getOrder(order.orderId);
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.cancelOnReservationFailed(failure);

      // then
      expect(await ctx.service.getOrder(order.orderId)).toEqual(cancelled);
      expect(await published()).toEqual([]);
    });

    it('given a PAID order the customer cancelled, when stock.reservation-failed arrives, then the customer cancellation stands and nothing is published', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aCancelledOrder(ctx, 'PAID');
      const published = await ctx.publishedFromNow();

      // when
      await ctx.service.cancelOnReservationFailed(reservationFailureOf(order));

      // then
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
      expect(await published()).toEqual([]);
    });

    it('given a PLACED order, when stock.reservation-failed arrives, then it is rejected with an OrderTransitionError and nothing changes', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPlacedOrder(ctx);

      // when
      const failing = ctx.service.cancelOnReservationFailed(reservationFailureOf(order));

      // then
      await expect(failing).rejects.toThrow(OrderTransitionError);
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
    });
  });

  describe('concurrent changes', () => {
    it('given a save that loses one race, when the customer cancels, then the command is retried and the order is CANCELLED once', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPlacedOrder(ctx);
      const store = new InterferingStore(ctx.store, async (attempt, writes) => {
        if (attempt === 1) await loseTheRace(attempt, writes);
      });
      const contested = ctx.serviceOver(store);
      const published = await ctx.publishedFromNow();

      // when
      const cancelled = await contested.cancelOrder(order.orderId);

      // then
      expect(store.commits).toBe(2);
      expect(cancelled.status).toBe('CANCELLED');
      expect(await ctx.service.getOrder(order.orderId)).toEqual(cancelled);
      expect((await published()).map((e) => e.type)).toEqual(['order.cancelled']);
    });

    it('given payment is confirmed while the cancellation is being saved, when the cancellation loses the race, then it is decided again on the reloaded PAID order', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPlacedOrder(ctx);
      const store = new InterferingStore(ctx.store, async (attempt) => {
        if (attempt === 1) await ctx.service.confirmPayment(approvalOf(order, 'pay_1'));
      });
      const contested = ctx.serviceOver(store);
      const published = await ctx.publishedFromNow();

      // when
      const cancelled = await contested.cancelOrder(order.orderId);

      // then
      expect(store.commits).toBe(2);
      expect(cancelled).toMatchObject({ status: 'CANCELLED', paymentId: 'pay_1' });
      expect((await published()).map((e) => [e.type, e.data])).toEqual([
        ['order.paid', { orderId: order.orderId, paymentId: 'pay_1', lines: LINES }],
        ['order.cancelled', { orderId: order.orderId, reason: 'CUSTOMER_REQUEST', paymentId: 'pay_1' }],
      ]);
    });

    it('given every save loses its race, when the customer cancels, then it gives up with a ConflictError after the bounded attempts and nothing changes', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPlacedOrder(ctx);
      const store = new InterferingStore(ctx.store, loseTheRace);
      const contested = ctx.serviceOver(store);
      const published = await ctx.publishedFromNow();

      // when
      const cancelling = contested.cancelOrder(order.orderId);

      // then
      await expect(cancelling).rejects.toThrow(ConflictError);
      await expect(cancelling).rejects.toMatchObject({ aggregateId: order.orderId, attempts: DEFAULT_CONCURRENCY_ATTEMPTS });
      expect(store.commits).toBe(DEFAULT_CONCURRENCY_ATTEMPTS);
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
      expect(await published()).toEqual([]);
    });

    it('given every save loses its race, when payment.approved arrives, then it fails with a ConflictError (so the bus redelivers) and nothing changes', async () => {
      // given
      const ctx = anOrderContext();
      const order = await aPlacedOrder(ctx);
      const store = new InterferingStore(ctx.store, loseTheRace);
      const contested = ctx.serviceOver(store);

      // when
      const confirming = contested.confirmPayment(approvalOf(order));

      // then
      await expect(confirming).rejects.toThrow(ConflictError);
      expect(store.commits).toBe(DEFAULT_CONCURRENCY_ATTEMPTS);
      expect(await ctx.service.getOrder(order.orderId)).toEqual(order);
    });
  });
});
