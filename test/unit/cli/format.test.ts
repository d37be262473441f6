/** What the orders CLI prints for an order and for each event of its timeline. */
import type { Order, TimelineEntry } from '../../../cli/api';
import { formatCancelled, formatMoney, formatOrder, formatPlaced, formatTimelineLine } from '../../../cli/format';
import { TimelineTracker } from '../../../cli/watch';
import { formatTimeline } from '../../../local/demo';

const order: Order = {
  orderId: 'order-1',
  customerId: 'alice',
  status: 'PAID',
  lines: [
    { sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 },
    { sku: 'MUG-EVENTS', quantity: 1, unitPrice: 1205 },
  ],
  currency: 'EUR',
  total: 10205,
  paymentId: 'pay_1',
  correlationId: 'corr-1',
  placedAt: '2026-01-01T12:00:00.000Z',
  updatedAt: '2026-01-01T12:00:00.050Z',
};

function entry(id: string, type: string, context: string, ms: number, causationId: string): TimelineEntry {
  return { id, type, version: 1, context, occurredAt: new Date(Date.UTC(2026, 0, 1, 12) + ms).toISOString(), causationId, data: {} };
}

describe('orders CLI output', () => {
  it.each([
    [0, '0.00 EUR'],
    [5, '0.05 EUR'],
    [10205, '102.05 EUR'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91 EUR'],
  ])('writes %d cents as %s', (cents, text) => {
    expect(formatMoney(cents, 'EUR')).toBe(text);
  });

  it('shows an order one fact a line, its lines at their unit price', () => {
    expect(formatOrder(order)).toEqual([
      'order order-1: PAID',
      '  customer    alice',
      '  total       102.05 EUR',
      '  lines       2 × BOOK-DDD at 45.00',
      '              1 × MUG-EVENTS at 12.05',
      '  payment     pay_1',
      '  placed at   2026-01-01T12:00:00.000Z',
      '  updated at  2026-01-01T12:00:00.050Z',
      '  correlation corr-1',
    ]);
  });

  it('says how a cancelled order was cancelled, and how to follow a placed one', () => {
    expect(formatCancelled({ ...order, status: 'CANCELLED', cancellationReason: 'CUSTOMER_REQUEST' })).toBe('order order-1 is CANCELLED (CUSTOMER_REQUEST)');
    expect(formatPlaced({ ...order, status: 'PLACED' })).toEqual(['order order-1 placed: PLACED, total 102.05 EUR', 'follow it with: orders watch order-1']);
  });

  it('given a whole timeline, prints the very lines the demo prints', () => {
    // given
    const timeline = [
      entry('e1', 'order.placed', 'order', 0, 'request-1'),
      entry('e2', 'payment.approved', 'payment', 10, 'e1'),
      entry('e3', 'order.paid', 'order', 32, 'e2'),
      entry('e4', 'stock.reservation-failed', 'inventory', 47, 'e3'),
      entry('e5', 'order.cancelled', 'order', 61, 'e4'),
      entry('e6', 'payment.refunded', 'payment', 75, 'e5'),
    ];
    // when
    const lines = new TimelineTracker().take(timeline, 0).map(formatTimelineLine);
    // then
    expect(lines).toEqual(formatTimeline(timeline));
    expect(lines[3]).toBe('   +47ms  inventory stock.reservation-failed  ← order.paid');
  });
});
