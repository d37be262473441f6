/** `orders watch`: which events are printed when, and when the watch stops and how it ended. */
import { ApiError, ApiUnavailableError, type Order, type OrdersApi, type TimelineEntry } from '../../../cli/api';
import type { OrderStatus } from '../../../cli/args';
import type { TimelineLine } from '../../../cli/format';
import { hasReached, isSettled, judge, TimelineTracker, watchOrder } from '../../../cli/watch';

const T0 = Date.UTC(2026, 0, 1, 12);

function entry(id: string, type: string, context: string, ms: number, causationId: string): TimelineEntry {
  return { id, type, version: 1, context, occurredAt: new Date(T0 + ms).toISOString(), causationId, data: {} };
}

const placed = entry('e1', 'order.placed', 'order', 0, 'request-1');
const approved = entry('e2', 'payment.approved', 'payment', 10, 'e1');
const paid = entry('e3', 'order.paid', 'order', 20, 'e2');
const reserved = entry('e4', 'stock.reserved', 'inventory', 300, 'e3');
const declined = entry('e2', 'payment.declined', 'payment', 10, 'e1');
const cancelledAfterDecline = entry('e3', 'order.cancelled', 'order', 20, 'e2');
const cancelledByCustomer = entry('e4', 'order.cancelled', 'order', 40, 'request-2');
const refunded = entry('e5', 'payment.refunded', 'payment', 50, 'e4');

function anOrder(status: OrderStatus, extra: Partial<Order> = {}): Order {
  return { orderId: 'order-1', customerId: 'alice', status, lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 100 }], currency: 'EUR', total: 100, ...extra };
}

const printed = (lines: TimelineLine[]) => lines.map((l) => `${l.entry.type} +${l.elapsedMs}ms ← ${l.cause}`);

describe('TimelineTracker', () => {
  it('given a timeline that grows between polls, prints each event once, with time since the first and its cause', () => {
    // given
    const tracker = new TimelineTracker();
    // when
    const first = tracker.take([placed, approved], 0);
    const second = tracker.take([placed, approved, paid], 100);
    const third = tracker.take([placed, approved, paid], 200);
    // then
    expect(printed(first)).toEqual(['order.placed +0ms ← request', 'payment.approved +10ms ← order.placed']);
    expect(printed(second)).toEqual(['order.paid +20ms ← payment.approved']);
    expect(third).toEqual([]);
  });

  it('given an effect recorded before its cause, holds it back until the cause is printed', () => {
    // given
    const tracker = new TimelineTracker(1_000);
    tracker.take([placed], 0);
    // when the event log has order.paid but not yet payment.approved
    const early = tracker.take([placed, paid], 100);
    const later = tracker.take([placed, approved, paid], 200);
    // then
    expect(early).toEqual([]);
    expect(printed(later)).toEqual(['payment.approved +10ms ← order.placed', 'order.paid +20ms ← payment.approved']);
  });

  it('given an event whose cause is not in the timeline, prints it as caused by a request once the grace period is over', () => {
    // given
    const tracker = new TimelineTracker(1_000);
    tracker.take([placed, approved, paid], 0);
    // when a customer cancellation appears, and its follow-up
    const atFirstSight = tracker.take([placed, approved, paid, cancelledByCustomer, refunded], 100);
    const afterGrace = tracker.take([placed, approved, paid, cancelledByCustomer, refunded], 1_100);
    // then
    expect(atFirstSight).toEqual([]);
    expect(printed(afterGrace)).toEqual(['order.cancelled +40ms ← request', 'payment.refunded +50ms ← order.cancelled']);
  });

  it('given a flush, prints everything still held back, causes first', () => {
    const tracker = new TimelineTracker(60_000);
    expect(printed(tracker.take([placed, approved, paid, cancelledByCustomer, refunded], 0, true)).map((l) => l.split(' ')[0])).toEqual([
      'order.placed',
      'payment.approved',
      'order.paid',
      'order.cancelled',
      'payment.refunded',
    ]);
  });
});

describe('when a watched order is done', () => {
  it.each<[string, OrderStatus, TimelineEntry[], boolean]>([
    ['placed, payment pending', 'PLACED', [placed], false],
    ['paid', 'PAID', [placed, approved, paid], false],
    ['reserved, but the event log has not recorded it yet', 'STOCK_RESERVED', [placed, approved, paid], false],
    ['reserved', 'STOCK_RESERVED', [placed, approved, paid, reserved], true],
    ['cancelled after a declined payment', 'CANCELLED', [placed, declined, cancelledAfterDecline], true],
    ['cancelled after payment, refund pending', 'CANCELLED', [placed, approved, paid, cancelledByCustomer], false],
    ['cancelled after payment and refunded', 'CANCELLED', [placed, approved, paid, cancelledByCustomer, refunded], true],
  ])('an order %s is settled: %s', (_case, status, timeline, settled) => {
    expect(isSettled({ status }, timeline)).toBe(settled);
  });

  it('an order that was paid has reached PAID, even once its stock is reserved', () => {
    expect(hasReached({ status: 'STOCK_RESERVED' }, [placed, approved, paid, reserved], 'PAID')).toBe(true);
    expect(hasReached({ status: 'CANCELLED' }, [placed, declined, cancelledAfterDecline], 'PAID')).toBe(false);
  });

  it.each<[string, OrderStatus, TimelineEntry[], OrderStatus | undefined, ReturnType<typeof judge>]>([
    ['no status awaited, settled', 'STOCK_RESERVED', [placed, approved, paid, reserved], undefined, 'settled'],
    ['no status awaited, not settled', 'PAID', [placed, approved, paid], undefined, undefined],
    ['PAID awaited and paid', 'PAID', [placed, approved, paid], 'PAID', 'reached'],
    ['STOCK_RESERVED awaited, still paid', 'PAID', [placed, approved, paid], 'STOCK_RESERVED', undefined],
    ['STOCK_RESERVED awaited, cancelled instead', 'CANCELLED', [placed, declined, cancelledAfterDecline], 'STOCK_RESERVED', 'unexpected'],
    ['CANCELLED awaited, refund pending', 'CANCELLED', [placed, approved, paid, cancelledByCustomer], 'CANCELLED', undefined],
  ])('%s: %s', (_case, status, timeline, until, outcome) => {
    expect(judge({ status }, timeline, until)).toBe(outcome);
  });
});

/** An API whose answers follow a script, one step per poll; the last step repeats. */
function scriptedApi(steps: readonly (() => { order: Order; timeline: TimelineEntry[] })[]): OrdersApi & { polls: number } {
  let current: { order: Order; timeline: TimelineEntry[] } | undefined;
  const api = {
    baseUrl: 'http://api.test',
    polls: 0,
    place: () => Promise.reject(new Error('not used')),
    cancel: () => Promise.reject(new Error('not used')),
    get: async () => {
      const step = steps[Math.min(api.polls, steps.length - 1)];
      api.polls++;
      current = step?.();
      if (!current) throw new Error('the script has no step');
      return current.order;
    },
    timeline: async () => current?.timeline ?? [],
  };
  return api;
}

function fakeTime() {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
}

describe('watchOrder', () => {
  it('given an order on its way, prints its events as they arrive and stops once it is settled', async () => {
    // given
    const api = scriptedApi([
      () => ({ order: anOrder('PLACED'), timeline: [placed] }),
      () => ({ order: anOrder('PAID'), timeline: [placed, approved, paid] }),
      () => ({ order: anOrder('STOCK_RESERVED'), timeline: [placed, approved, paid, reserved] }),
    ]);
    const seen: { line: string; poll: number }[] = [];
    // when
    const result = await watchOrder(api, 'order-1', { timeoutMs: 10_000, intervalMs: 100, ...fakeTime() }, (line) => seen.push({ line: line.entry.type, poll: api.polls }));
    // then
    expect(result.outcome).toBe('settled');
    expect(result.order.status).toBe('STOCK_RESERVED');
    expect(seen).toEqual([
      { line: 'order.placed', poll: 1 },
      { line: 'payment.approved', poll: 2 },
      { line: 'order.paid', poll: 2 },
      { line: 'stock.reserved', poll: 3 },
    ]);
  });

  it('given an order that settles otherwise than awaited, ends as unexpected', async () => {
    const api = scriptedApi([() => ({ order: anOrder('CANCELLED', { cancellationReason: 'PAYMENT_DECLINED' }), timeline: [placed, declined, cancelledAfterDecline] })]);
    const result = await watchOrder(api, 'order-1', { until: 'STOCK_RESERVED', timeoutMs: 10_000, intervalMs: 100, ...fakeTime() }, () => undefined);
    expect(result.outcome).toBe('unexpected');
  });

  it('given an order that stays paid, times out at the deadline, printing what it saw', async () => {
    // given
    const api = scriptedApi([() => ({ order: anOrder('PAID'), timeline: [placed, approved, paid] })]);
    const time = fakeTime();
    const seen: string[] = [];
    // when
    const result = await watchOrder(api, 'order-1', { timeoutMs: 1_000, intervalMs: 300, ...time }, (line) => seen.push(line.entry.type));
    // then
    expect(result.outcome).toBe('timeout');
    expect(time.now()).toBe(1_000);
    expect(seen).toEqual(['order.placed', 'payment.approved', 'order.paid']);
  });

  it('given an unknown order, stops at once with the API error', async () => {
    const api = scriptedApi([
      () => {
        throw new ApiError('GET /orders/nope', 404, 'ORDER_NOT_FOUND', 'order nope not found');
      },
    ]);
    await expect(watchOrder(api, 'nope', { timeoutMs: 10_000, intervalMs: 100, ...fakeTime() }, () => undefined)).rejects.toThrow('404 ORDER_NOT_FOUND');
    expect(api.polls).toBe(1);
  });

  it('given an API that is briefly unreachable, keeps polling and gets there', async () => {
    // given
    const api = scriptedApi([
      () => {
        throw new ApiUnavailableError('cannot reach the Order API');
      },
      () => ({ order: anOrder('STOCK_RESERVED'), timeline: [placed, approved, paid, reserved] }),
    ]);
    // when
    const result = await watchOrder(api, 'order-1', { timeoutMs: 10_000, intervalMs: 100, ...fakeTime() }, () => undefined);
    // then
    expect(result.outcome).toBe('settled');
    expect(api.polls).toBe(2);
  });
});
