/**
 * What every store that lists aggregates must do, as the Order context uses it for recent
 * orders: one contract, run against the in-memory store (unit) and against the DynamoDB
 * store on DynamoDB Local (integration), so that the two cannot drift apart.
 */
import type { AggregateListing, AggregateStore } from '../../lambdas/shared/infrastructure/aggregate-store';
import { Order, type OrderState } from '../../lambdas/order/domain/order';
import { RECENT_DAYS, StoredOrderRepository, StoredRecentOrders } from '../../lambdas/order/infrastructure/stored-order-repository';

export type ListingStore = AggregateStore & AggregateListing;

const DAY_MS = 24 * 3600 * 1000;
const NOW = new Date('2026-03-10T15:00:00.000Z');

/** Registers the contract's tests; `aStore` gives a fresh, empty store for each. */
export function listingContract(aStore: () => Promise<ListingStore>): void {
  let store: ListingStore;
  let repository: StoredOrderRepository;
  let recent: StoredRecentOrders;
  let placed = 0;

  beforeEach(async () => {
    store = await aStore();
    repository = new StoredOrderRepository(store);
    recent = new StoredRecentOrders(store);
  });

  /** Saves a new order placed at `at`. */
  async function place(at: Date, customerId = 'customer-1'): Promise<Order> {
    placed += 1;
    const order = Order.place({
      orderId: `order-${placed}-${at.getTime()}`,
      customerId,
      lines: [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 4500 }],
      correlationId: `corr-${placed}`,
      now: at,
    });
    await repository.save(order, { correlationId: `corr-${placed}`, causationId: `place-${placed}` });
    return order;
  }

  const ids = (orders: readonly OrderState[]) => orders.map((o) => o.orderId);
  const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
  const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

  it('given orders placed today, when the recent ones are read, then they come newest first, at most the limit, and nothing but orders', async () => {
    // given
    const first = await place(minutesAgo(30));
    const second = await place(minutesAgo(20));
    const third = await place(minutesAgo(10));
    // when
    const all = await recent.recent(10, NOW);
    const two = await recent.recent(2, NOW);
    // then
    expect(ids(all)).toEqual([third.id, second.id, first.id]);
    expect(ids(two)).toEqual([third.id, second.id]);
    expect(all[0]).toEqual(third.state);
  });

  it('given an order saved again after a change, when listed, then it is listed once, in its latest state', async () => {
    // given
    const order = await place(minutesAgo(5));
    order.markAsPaid('pay_1', minutesAgo(4));
    await repository.save(order, { correlationId: order.state.correlationId, causationId: 'approved-1' });
    // when
    const listed = await recent.recent(10, NOW);
    // then
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ orderId: order.id, status: 'PAID', paymentId: 'pay_1' });
  });

  it(`given orders of earlier days, when the recent ones are read, then today's come first, then each day before, for ${RECENT_DAYS} days and no further`, async () => {
    // given
    const tooOld = await place(daysAgo(RECENT_DAYS));
    const lastDayRead = await place(daysAgo(RECENT_DAYS - 1));
    const yesterday = await place(daysAgo(1));
    const today = await place(minutesAgo(1));
    // when
    const listed = await recent.recent(10, NOW);
    const three = await recent.recent(3, NOW);
    // then
    expect(ids(listed)).toEqual([today.id, yesterday.id, lastDayRead.id]);
    expect(ids(listed)).not.toContain(tooOld.id);
    expect(ids(three)).toEqual([today.id, yesterday.id, lastDayRead.id]);
  });

  it('given the limit is met by today alone, when the recent ones are read, then earlier days are not listed', async () => {
    // given
    await place(daysAgo(1));
    const today = await place(minutesAgo(1));
    // when / then
    expect(ids(await recent.recent(1, NOW))).toEqual([today.id]);
  });

  it('given a store with nothing listed, when the recent ones are read, then the answer is empty', async () => {
    await expect(recent.recent(20, NOW)).resolves.toEqual([]);
  });
}
