/**
 * Recent orders (the list behind `GET /orders` and the explorer): the listing contract on the
 * in-memory store, how many days are read, and the service's cap on the limit.
 */
import { OrderService, MAX_RECENT_ORDERS } from '../../../lambdas/order/application/order-service';
import type { RecentOrders } from '../../../lambdas/order/application/order-repository';
import type { OrderState } from '../../../lambdas/order/domain/order';
import { RECENT_DAYS, StoredOrderRepository, StoredRecentOrders, dayPartition } from '../../../lambdas/order/infrastructure/stored-order-repository';
import type { AggregateListing } from '../../../lambdas/shared/infrastructure/aggregate-store';
import { InMemoryStore } from '../../../lambdas/shared/infrastructure/in-memory-store';
import { fixedClock, sequentialIds } from '../../support/factories';
import { listingContract } from '../../support/listing-contract';

describe('recent orders on the in-memory store', () => {
  listingContract(async () => new InMemoryStore({ source: 'order' }));
});

/** A listing that records which partitions were read, and answers `perDay` orders for each. */
function aRecordingListing(perDay: number): AggregateListing & { reads: { partition: string; limit: number }[] } {
  const reads: { partition: string; limit: number }[] = [];
  return {
    reads,
    async list<S>(partition: string, limit: number): Promise<S[]> {
      reads.push({ partition, limit });
      return Array.from({ length: Math.min(perDay, limit) }, (_, i) => ({ orderId: `${partition}-${i}` }) as unknown as S);
    },
  };
}

describe('StoredRecentOrders', () => {
  const now = new Date('2026-03-01T00:30:00.000Z');

  it(`given few orders, when read, then it queries one partition per day, today first, for ${RECENT_DAYS} days, asking each for what is still missing`, async () => {
    // given
    const listing = aRecordingListing(1);
    // when
    const orders = await new StoredRecentOrders(listing).recent(20, now);
    // then
    expect(listing.reads.map((r) => r.partition)).toEqual([
      'ORDERS#2026-03-01',
      'ORDERS#2026-02-28',
      'ORDERS#2026-02-27',
      'ORDERS#2026-02-26',
      'ORDERS#2026-02-25',
      'ORDERS#2026-02-24',
      'ORDERS#2026-02-23',
    ]);
    expect(listing.reads.map((r) => r.limit)).toEqual([20, 19, 18, 17, 16, 15, 14]);
    expect(orders).toHaveLength(RECENT_DAYS);
  });

  it('given today holds enough orders, when read, then no earlier day is queried', async () => {
    const listing = aRecordingListing(50);
    const orders = await new StoredRecentOrders(listing).recent(20, now);
    expect(listing.reads).toEqual([{ partition: 'ORDERS#2026-03-01', limit: 20 }]);
    expect(orders).toHaveLength(20);
  });

  it('names a day by its UTC date', () => {
    expect(dayPartition(new Date('2026-03-01T23:59:59.999Z'))).toBe('ORDERS#2026-03-01');
    expect(dayPartition(new Date('2026-03-02T00:00:00.000+01:00'))).toBe('ORDERS#2026-03-01');
  });
});

describe('OrderService.listRecentOrders', () => {
  it(`given a limit above ${MAX_RECENT_ORDERS}, when listing, then at most ${MAX_RECENT_ORDERS} are asked for, as of the service's clock`, async () => {
    // given
    const calls: { limit: number; now: Date }[] = [];
    const recentOrders: RecentOrders = {
      recent: async (limit, now) => {
        calls.push({ limit, now });
        return [];
      },
    };
    const clock = fixedClock();
    const service = new OrderService({ orders: new StoredOrderRepository(new InMemoryStore({ source: 'order' })), recentOrders, clock, ids: sequentialIds() });
    // when
    await service.listRecentOrders(5000);
    // then
    expect(calls).toEqual([{ limit: MAX_RECENT_ORDERS, now: clock() }]);
  });

  it('given orders placed through the service, when listing, then the newest comes first', async () => {
    // given
    const store = new InMemoryStore({ source: 'order' });
    const clock = fixedClock();
    const service = new OrderService({ orders: new StoredOrderRepository(store), recentOrders: new StoredRecentOrders(store), clock, ids: sequentialIds() });
    const line = { sku: 'BOOK-DDD', quantity: 1, unitPrice: 100 };
    const older = await service.placeOrder({ customerId: 'alice', lines: [line] });
    clock.advance(1000);
    const newer = await service.placeOrder({ customerId: 'bob', lines: [line] });
    // when
    const listed: OrderState[] = await service.listRecentOrders(10);
    // then
    expect(listed.map((o) => o.orderId)).toEqual([newer.orderId, older.orderId]);
  });

  it('given no reader of recent orders, when listing, then it says so', async () => {
    const service = new OrderService({ orders: new StoredOrderRepository(new InMemoryStore({ source: 'order' })), clock: fixedClock(), ids: sequentialIds() });
    await expect(service.listRecentOrders(10)).rejects.toThrow('no recent-orders reader configured');
  });
});
