/**
 * The running system through its HTTP API only: every outcome is observed by polling the API
 * with a deadline. Runs against the local cloud (npm test) or a deployed stack (E2E_API_URL).
 */
import { call, getOrder, orderUntil, placeOrder, timeline, timelineWith, type Order } from './api-client';

const line = (sku: string, quantity: number, unitPrice: number) => ({ sku, quantity, unitPrice });
const types = (events: { type: string }[]) => events.map((e) => e.type);

describe('orders end to end', () => {
  it('happy path: an order with stock and a total under the limit ends STOCK_RESERVED, with its whole timeline', async () => {
    // when
    const placed = await placeOrder({ customerId: 'e2e-alice', lines: [line('BOOK-DDD', 2, 4500), line('MUG-EVENTS', 1, 1200)] });
    // then
    expect(placed).toMatchObject({ status: 'PLACED', total: 10200 });
    const order = await orderUntil(placed.orderId, (o) => o.status === 'STOCK_RESERVED');
    expect(order.paymentId).toMatch(/^pay_/);
    const expected = ['order.placed', 'payment.approved', 'order.paid', 'stock.reserved'];
    const events = await timelineWith(placed.orderId, expected);
    expect(types(events)).toEqual(expected);
    expect(events.map((e) => e.context)).toEqual(['order', 'payment', 'order', 'inventory']);
    expect(events.slice(1).map((e) => e.causationId)).toEqual(events.slice(0, -1).map((e) => e.id));
  });

  it('payment declined: a total above 1,000.00 is cancelled with PAYMENT_DECLINED', async () => {
    const placed = await placeOrder({ customerId: 'e2e-bob', lines: [line('TSHIRT-CQRS', 60, 2500)] });
    const order = await orderUntil(placed.orderId, (o) => o.status === 'CANCELLED');
    expect(order.cancellationReason).toBe('PAYMENT_DECLINED');
    const expected = ['order.placed', 'payment.declined', 'order.cancelled'];
    expect(types(await timelineWith(placed.orderId, expected))).toEqual(expected);
  });

  it('out of stock: the paid order is cancelled with OUT_OF_STOCK and refunded', async () => {
    const placed = await placeOrder({ customerId: 'e2e-carol', lines: [line('SOLD-OUT', 1, 999)] });
    const order = await orderUntil(placed.orderId, (o) => o.status === 'CANCELLED');
    expect(order.cancellationReason).toBe('OUT_OF_STOCK');
    const expected = ['order.placed', 'payment.approved', 'order.paid', 'stock.reservation-failed', 'order.cancelled', 'payment.refunded'];
    const events = await timelineWith(placed.orderId, expected);
    expect(types(events)).toEqual(expected);
    expect(events[5]?.data).toMatchObject({ orderId: placed.orderId, amount: 999 });
  });

  it('customer cancel of a paid order: 200 CANCELLED, then the payment is refunded', async () => {
    // given: an order caught while PAID (the window before stock is reserved is short; try again if missed)
    let cancelled: { order: Order; status: number } | undefined;
    for (let attempt = 0; attempt < 10 && !cancelled; attempt++) {
      const placed = await placeOrder({ customerId: 'e2e-dave', lines: [line('STICKER-SAGA', 3, 300)] });
      const paid = await orderUntil(placed.orderId, (o) => o.status !== 'PLACED');
      if (paid.status !== 'PAID') continue;
      // when
      const answer = await call<Order>('POST', `/orders/${placed.orderId}/cancel`);
      if (answer.status === 200) cancelled = { order: answer.body, status: answer.status };
    }
    // then
    expect(cancelled).toBeDefined();
    const { order } = cancelled as { order: Order };
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_REQUEST' });
    // The event log hears each topic on its own queue: wait for both, not just the last step.
    const events = await timelineWith(order.orderId, ['order.cancelled', 'payment.refunded']);
    expect(types(events)).toEqual(expect.arrayContaining(['order.placed', 'payment.approved', 'order.paid', 'order.cancelled', 'payment.refunded']));
    const cancelledEvent = events.find((e) => e.type === 'order.cancelled');
    expect(cancelledEvent?.data).toMatchObject({ reason: 'CUSTOMER_REQUEST', paymentId: order.paymentId });
    expect((await getOrder(order.orderId)).status).toBe('CANCELLED');
  });

  it('409: a STOCK_RESERVED order can no longer be cancelled, and stays reserved', async () => {
    const placed = await placeOrder({ customerId: 'e2e-erin', lines: [line('BOOK-DDD', 1, 4500)] });
    await orderUntil(placed.orderId, (o) => o.status === 'STOCK_RESERVED');
    const answer = await call('POST', `/orders/${placed.orderId}/cancel`);
    expect(answer.status).toBe(409);
    expect(answer.body.error).toBe('TRANSITION_REJECTED');
    expect((await getOrder(placed.orderId)).status).toBe('STOCK_RESERVED');
  });

  it('404: an unknown order, its cancel and its timeline', async () => {
    expect((await call('GET', '/orders/no-such-order')).status).toBe(404);
    expect((await call('POST', '/orders/no-such-order/cancel')).status).toBe(404);
    expect((await call('GET', '/orders/no-such-order/events')).status).toBe(404);
  });

  it.each([
    ['a negative price', { customerId: 'x', lines: [line('BOOK-DDD', 1, -1)] }, 'lines[0].unitPrice'],
    ['a fractional amount', { customerId: 'x', lines: [line('BOOK-DDD', 1, 10.5)] }, 'lines[0].unitPrice'],
    ['no lines', { customerId: 'x', lines: [] }, 'lines'],
    ['no customer', { lines: [line('BOOK-DDD', 1, 100)] }, 'customerId'],
    ['a body that is not JSON', '{"customerId":', 'body'],
  ])('400 naming the field for %s', async (_, body, field) => {
    const answer = await call<{ issues: { field: string }[] }>('POST', '/orders', body);
    expect(answer.status).toBe(400);
    expect(answer.body.issues.map((i) => i.field)).toContain(field);
  });

  it('the same Idempotency-Key places one order', async () => {
    const key = `e2e-${Date.now()}`;
    const first = await placeOrder({ customerId: 'e2e-frank', lines: [line('BOOK-DDD', 1, 100)] }, { 'idempotency-key': key });
    const again = await placeOrder({ customerId: 'e2e-frank', lines: [line('BOOK-DDD', 1, 100)] }, { 'idempotency-key': key });
    expect(again.orderId).toBe(first.orderId);
    await orderUntil(first.orderId, (o) => o.status === 'STOCK_RESERVED');
    expect(types(await timeline(first.orderId)).filter((t) => t === 'order.placed')).toHaveLength(1);
  });
});
