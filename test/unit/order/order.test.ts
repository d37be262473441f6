import type { CancellationReason, OrderLine } from '../../../lambdas/shared/events/catalogue';
import { InvalidOrderError, OrderTransitionError, PaymentMismatchError } from '../../../lambdas/order/domain/errors';
import { MAX_LINES, MAX_QUANTITY, Order, type OrderState, type PlaceOrder } from '../../../lambdas/order/domain/order';

const PLACED_AT = new Date('2026-01-01T12:00:00.000Z');
const LATER = new Date('2026-01-01T12:05:00.000Z');
const PAYMENT_ID = 'pay_1';
const LINES: OrderLine[] = [
  { sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 },
  { sku: 'MUG-EVENTS', quantity: 1, unitPrice: 1250 },
];

function aPlaceCommand(overrides: Partial<PlaceOrder> = {}): PlaceOrder {
  return { orderId: 'order-1', customerId: 'customer-1', lines: LINES, correlationId: 'corr-1', now: PLACED_AT, ...overrides };
}

/** As loaded from storage: the placement is committed, nothing pending. */
function aPlacedOrder(): Order {
  const order = Order.place(aPlaceCommand());
  order.markCommitted(1);
  return order;
}

function aPaidOrder(paymentId = PAYMENT_ID): Order {
  const order = aPlacedOrder();
  order.markAsPaid(paymentId, PLACED_AT);
  order.markCommitted(2);
  return order;
}

function aStockReservedOrder(): Order {
  const order = aPaidOrder();
  order.applyStockReserved(PLACED_AT);
  order.markCommitted(3);
  return order;
}

function aCancelledOrder(from: 'PLACED' | 'PAID', reason: CancellationReason = 'CUSTOMER_REQUEST'): Order {
  const order = from === 'PLACED' ? aPlacedOrder() : aPaidOrder();
  order.cancel(reason, PLACED_AT);
  order.markCommitted(order.version + 1);
  return order;
}

/** A rejected or repeated command leaves the order exactly as it was. */
function expectUnchanged(order: Order, before: { state: OrderState; version: number }): void {
  expect(order.state).toEqual(before.state);
  expect(order.version).toBe(before.version);
  expect(order.pendingEvents).toEqual([]);
  expect(order.hasChanges).toBe(false);
}

function snapshot(order: Order): { state: OrderState; version: number } {
  return { state: order.state, version: order.version };
}

describe('Order', () => {
  describe('place', () => {
    it('given valid lines, when placed, then it is PLACED with the total in cents and records order.placed', () => {
      // given
      const command = aPlaceCommand();

      // when
      const order = Order.place(command);

      // then
      expect(order.status).toBe('PLACED');
      expect(order.state).toEqual({
        orderId: 'order-1',
        customerId: 'customer-1',
        lines: LINES,
        currency: 'EUR',
        total: 2 * 4500 + 1250,
        status: 'PLACED',
        correlationId: 'corr-1',
        placedAt: PLACED_AT.toISOString(),
        updatedAt: PLACED_AT.toISOString(),
      });
      expect(order.pendingEvents).toEqual([
        { type: 'order.placed', data: { orderId: 'order-1', customerId: 'customer-1', lines: LINES, total: 10250, currency: 'EUR' } },
      ]);
      expect(order.hasChanges).toBe(true);
      expect(order.version).toBe(0);
    });

    it('given a currency, when placed, then the order and its event are in that currency', () => {
      // given
      const command = aPlaceCommand({ currency: 'USD' });

      // when
      const order = Order.place(command);

      // then
      expect(order.state.currency).toBe('USD');
      expect(order.pendingEvents[0]).toMatchObject({ type: 'order.placed', data: { currency: 'USD' } });
    });

    it('given lines at the limits (free item, quantity 1 and the maximum quantity, the maximum number of lines), when placed, then it is PLACED', () => {
      // given
      const edgeLines: OrderLine[] = [
        { sku: 'BOOK-DDD', quantity: 1, unitPrice: 0 },
        { sku: 'MUG-EVENTS', quantity: MAX_QUANTITY, unitPrice: 1 },
        ...Array.from({ length: MAX_LINES - 2 }, () => ({ sku: 'A', quantity: 1, unitPrice: 1 })),
      ];

      // when
      const order = Order.place(aPlaceCommand({ lines: edgeLines }));

      // then
      expect(order.status).toBe('PLACED');
      expect(order.state.total).toBe(MAX_QUANTITY + MAX_LINES - 2);
    });

    it('given the caller changes its lines array afterwards, when placed, then the order keeps its own copy', () => {
      // given
      const lines: OrderLine[] = [{ sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 }];
      const order = Order.place(aPlaceCommand({ lines }));

      // when
      lines.push({ sku: 'MUG-EVENTS', quantity: 1, unitPrice: 1 });

      // then
      expect(order.state.lines).toEqual([{ sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 }]);
    });

    const line = (patch: Partial<OrderLine>): OrderLine => ({ sku: 'BOOK-DDD', quantity: 1, unitPrice: 100, ...patch });

    it.each<[string, Partial<PlaceOrder>, string]>([
      ['no lines', { lines: [] }, 'lines'],
      ['more than the maximum number of lines', { lines: Array.from({ length: MAX_LINES + 1 }, () => line({})) }, 'lines'],
      ['a lower-case sku', { lines: [line({ sku: 'book-ddd' })] }, 'lines[0].sku'],
      ['an empty sku', { lines: [line({ sku: '' })] }, 'lines[0].sku'],
      ['a sku starting with a dash', { lines: [line({ sku: '-BOOK' })] }, 'lines[0].sku'],
      ['a sku longer than 64 characters', { lines: [line({ sku: 'A'.repeat(65) })] }, 'lines[0].sku'],
      ['a bad sku on the second line', { lines: [line({}), line({ sku: 'BOOK DDD' })] }, 'lines[1].sku'],
      ['a fractional quantity', { lines: [line({ quantity: 1.5 })] }, 'lines[0].quantity'],
      ['a zero quantity', { lines: [line({ quantity: 0 })] }, 'lines[0].quantity'],
      ['a negative quantity', { lines: [line({ quantity: -1 })] }, 'lines[0].quantity'],
      ['a quantity above the maximum', { lines: [line({ quantity: MAX_QUANTITY + 1 })] }, 'lines[0].quantity'],
      ['a negative unit price', { lines: [line({ unitPrice: -1 })] }, 'lines[0].unitPrice'],
      ['a fractional unit price', { lines: [line({ unitPrice: 12.5 })] }, 'lines[0].unitPrice'],
      ['a unit price that is not a number', { lines: [line({ unitPrice: Number.NaN })] }, 'lines[0].unitPrice'],
      ['a lower-case currency', { currency: 'eur' }, 'currency'],
      ['a four-letter currency', { currency: 'EURO' }, 'currency'],
      ['an empty currency', { currency: '' }, 'currency'],
      ['an empty customerId', { customerId: '' }, 'customerId'],
      ['a blank customerId', { customerId: '   ' }, 'customerId'],
      ['a total beyond the safe integer range', { lines: [line({ quantity: MAX_QUANTITY, unitPrice: Number.MAX_SAFE_INTEGER })] }, 'lines'],
    ])('given %s, when placed, then it is rejected with an InvalidOrderError naming the field', (_case, overrides, field) => {
      // given
      const command = aPlaceCommand(overrides);

      // when
      const place = () => Order.place(command);

      // then
      expect(place).toThrow(InvalidOrderError);
      expect(place).toThrow(expect.objectContaining({ field, code: 'INVALID_ORDER' }));
    });
  });

  describe('markAsPaid', () => {
    it('given a PLACED order, when paid, then it is PAID with the paymentId and records order.paid', () => {
      // given
      const order = aPlacedOrder();

      // when
      order.markAsPaid(PAYMENT_ID, LATER);

      // then
      expect(order.status).toBe('PAID');
      expect(order.state.paymentId).toBe(PAYMENT_ID);
      expect(order.state.updatedAt).toBe(LATER.toISOString());
      expect(order.pendingEvents).toEqual([{ type: 'order.paid', data: { orderId: 'order-1', paymentId: PAYMENT_ID, lines: LINES } }]);
      expect(order.hasChanges).toBe(true);
    });

    it('given a PAID order, when paid again with the same paymentId, then nothing changes and nothing is recorded', () => {
      // given
      const order = aPaidOrder();
      const before = snapshot(order);

      // when
      order.markAsPaid(PAYMENT_ID, LATER);

      // then
      expectUnchanged(order, before);
    });

    it('given a STOCK_RESERVED order, when paid again with the same paymentId, then nothing changes and nothing is recorded', () => {
      // given
      const order = aStockReservedOrder();
      const before = snapshot(order);

      // when
      order.markAsPaid(PAYMENT_ID, LATER);

      // then
      expectUnchanged(order, before);
    });

    it('given a PAID order, when paid with another paymentId, then it is rejected with a PaymentMismatchError and nothing changes', () => {
      // given
      const order = aPaidOrder();
      const before = snapshot(order);

      // when
      const pay = () => order.markAsPaid('pay_2', LATER);

      // then
      expect(pay).toThrow(PaymentMismatchError);
      expect(pay).toThrow(expect.objectContaining({ orderId: 'order-1', paidWith: PAYMENT_ID, offered: 'pay_2' }));
      expectUnchanged(order, before);
    });

    it('given a STOCK_RESERVED order, when paid with another paymentId, then it is rejected with a PaymentMismatchError and nothing changes', () => {
      // given
      const order = aStockReservedOrder();
      const before = snapshot(order);

      // when
      const pay = () => order.markAsPaid('pay_2', LATER);

      // then
      expect(pay).toThrow(PaymentMismatchError);
      expectUnchanged(order, before);
    });

    it('given an order cancelled while PLACED, when paid, then it is rejected with an OrderTransitionError and nothing changes', () => {
      // given
      const order = aCancelledOrder('PLACED');
      const before = snapshot(order);

      // when
      const pay = () => order.markAsPaid(PAYMENT_ID, LATER);

      // then
      expect(pay).toThrow(OrderTransitionError);
      expect(pay).toThrow(expect.objectContaining({ orderId: 'order-1', status: 'CANCELLED' }));
      expectUnchanged(order, before);
    });

    it('given an order cancelled while PAID, when paid again with the same paymentId, then it is rejected with an OrderTransitionError and nothing changes', () => {
      // given
      const order = aCancelledOrder('PAID');
      const before = snapshot(order);

      // when
      const pay = () => order.markAsPaid(PAYMENT_ID, LATER);

      // then
      expect(pay).toThrow(OrderTransitionError);
      expectUnchanged(order, before);
    });
  });

  describe('applyStockReserved', () => {
    it('given a PAID order, when stock is reserved, then it is STOCK_RESERVED, has changes, and records no event', () => {
      // given
      const order = aPaidOrder();

      // when
      order.applyStockReserved(LATER);

      // then
      expect(order.status).toBe('STOCK_RESERVED');
      expect(order.state.updatedAt).toBe(LATER.toISOString());
      expect(order.state.paymentId).toBe(PAYMENT_ID);
      expect(order.hasChanges).toBe(true);
      expect(order.pendingEvents).toEqual([]);
    });

    it('given a STOCK_RESERVED order, when stock is reserved again, then nothing changes and nothing is recorded', () => {
      // given
      const order = aStockReservedOrder();
      const before = snapshot(order);

      // when
      order.applyStockReserved(LATER);

      // then
      expectUnchanged(order, before);
    });

    it.each<[string, () => Order]>([
      ['PLACED', aPlacedOrder],
      ['CANCELLED', () => aCancelledOrder('PAID')],
    ])('given a %s order, when stock is reserved, then it is rejected with an OrderTransitionError and nothing changes', (status, given) => {
      // given
      const order = given();
      const before = snapshot(order);

      // when
      const reserve = () => order.applyStockReserved(LATER);

      // then
      expect(reserve).toThrow(OrderTransitionError);
      expect(reserve).toThrow(expect.objectContaining({ status }));
      expectUnchanged(order, before);
    });
  });

  describe('cancel', () => {
    it('given a PLACED order, when the customer cancels, then it is CANCELLED and records order.cancelled without a paymentId', () => {
      // given
      const order = aPlacedOrder();

      // when
      order.cancel('CUSTOMER_REQUEST', LATER);

      // then
      expect(order.status).toBe('CANCELLED');
      expect(order.state.cancellationReason).toBe('CUSTOMER_REQUEST');
      expect(order.state.updatedAt).toBe(LATER.toISOString());
      expect(order.pendingEvents).toEqual([{ type: 'order.cancelled', data: { orderId: 'order-1', reason: 'CUSTOMER_REQUEST' } }]);
      expect(order.hasChanges).toBe(true);
    });

    it('given a PAID order, when the customer cancels, then it is CANCELLED and records order.cancelled with the paymentId', () => {
      // given
      const order = aPaidOrder();

      // when
      order.cancel('CUSTOMER_REQUEST', LATER);

      // then
      expect(order.status).toBe('CANCELLED');
      expect(order.state.cancellationReason).toBe('CUSTOMER_REQUEST');
      expect(order.pendingEvents).toEqual([
        { type: 'order.cancelled', data: { orderId: 'order-1', reason: 'CUSTOMER_REQUEST', paymentId: PAYMENT_ID } },
      ]);
    });

    it('given a PLACED order, when its payment is declined, then it is CANCELLED for PAYMENT_DECLINED and records order.cancelled', () => {
      // given
      const order = aPlacedOrder();

      // when
      order.cancel('PAYMENT_DECLINED', LATER);

      // then
      expect(order.status).toBe('CANCELLED');
      expect(order.state.cancellationReason).toBe('PAYMENT_DECLINED');
      expect(order.pendingEvents).toEqual([{ type: 'order.cancelled', data: { orderId: 'order-1', reason: 'PAYMENT_DECLINED' } }]);
    });

    it('given a PAID order, when its stock reservation fails, then it is CANCELLED for OUT_OF_STOCK and records order.cancelled with the paymentId', () => {
      // given
      const order = aPaidOrder();

      // when
      order.cancel('OUT_OF_STOCK', LATER);

      // then
      expect(order.status).toBe('CANCELLED');
      expect(order.state.cancellationReason).toBe('OUT_OF_STOCK');
      expect(order.pendingEvents).toEqual([
        { type: 'order.cancelled', data: { orderId: 'order-1', reason: 'OUT_OF_STOCK', paymentId: PAYMENT_ID } },
      ]);
    });

    it.each<[string, () => Order, CancellationReason]>([
      ['a PAID order, when its payment is declined', aPaidOrder, 'PAYMENT_DECLINED'],
      ['a PLACED order, when its stock reservation fails', aPlacedOrder, 'OUT_OF_STOCK'],
      ['a STOCK_RESERVED order, when the customer cancels', aStockReservedOrder, 'CUSTOMER_REQUEST'],
      ['a STOCK_RESERVED order, when its payment is declined', aStockReservedOrder, 'PAYMENT_DECLINED'],
      ['a STOCK_RESERVED order, when its stock reservation fails', aStockReservedOrder, 'OUT_OF_STOCK'],
    ])('given %s, then it is rejected with an OrderTransitionError and nothing changes', (_case, given, reason) => {
      // given
      const order = given();
      const before = snapshot(order);

      // when
      const cancel = () => order.cancel(reason, LATER);

      // then
      expect(cancel).toThrow(OrderTransitionError);
      expect(cancel).toThrow(expect.objectContaining({ orderId: 'order-1', status: before.state.status, code: 'TRANSITION_REJECTED' }));
      expectUnchanged(order, before);
    });

    it.each<[CancellationReason, CancellationReason]>([
      ['CUSTOMER_REQUEST', 'CUSTOMER_REQUEST'],
      ['CUSTOMER_REQUEST', 'PAYMENT_DECLINED'],
      ['CUSTOMER_REQUEST', 'OUT_OF_STOCK'],
      ['OUT_OF_STOCK', 'CUSTOMER_REQUEST'],
    ])('given an order cancelled for %s, when cancelled again for %s, then the first cancellation stands and nothing is recorded', (first, again) => {
      // given
      const order = aCancelledOrder(first === 'OUT_OF_STOCK' ? 'PAID' : 'PLACED', first);
      const before = snapshot(order);

      // when
      order.cancel(again, LATER);

      // then
      expect(order.state.cancellationReason).toBe(first);
      expectUnchanged(order, before);
    });
  });

  describe('pending events and versions', () => {
    it('given a placed order not yet committed, when paid, then both events are pending in the order they happened', () => {
      // given
      const order = Order.place(aPlaceCommand());

      // when
      order.markAsPaid(PAYMENT_ID, LATER);

      // then
      expect(order.pendingEvents.map((e) => e.type)).toEqual(['order.placed', 'order.paid']);
      expect(order.version).toBe(0);
    });

    it('given an order with pending events, when committed, then it takes the new version and has nothing pending', () => {
      // given
      const order = Order.place(aPlaceCommand());

      // when
      order.markCommitted(1);

      // then
      expect(order.version).toBe(1);
      expect(order.pendingEvents).toEqual([]);
      expect(order.hasChanges).toBe(false);
      expect(order.status).toBe('PLACED');
    });

    it('given a stored state, when restored, then it has that state and version and nothing pending', () => {
      // given
      const stored = aPaidOrder().state;

      // when
      const order = Order.restore(stored, 7);

      // then
      expect(order.state).toEqual(stored);
      expect(order.id).toBe('order-1');
      expect(order.version).toBe(7);
      expect(order.pendingEvents).toEqual([]);
      expect(order.hasChanges).toBe(false);
    });
  });
});
