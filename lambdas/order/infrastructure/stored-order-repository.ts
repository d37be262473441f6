import type { Trace } from '../../shared/events/envelope';
import type { SaveResult } from '../../shared/application/save-result';
import type { AggregateListing, AggregateStore, ListingEntry } from '../../shared/infrastructure/aggregate-store';
import { Order, type OrderState } from '../domain/order';
import type { OrderRepository, RecentOrders } from '../application/order-repository';

const key = (orderId: string) => `ORDER#${orderId}`;

/** How many days back, today included, a list of recent orders looks: a bounded number of reads. */
export const RECENT_DAYS = 7;

/** The listing partition of the orders placed on `date`'s UTC day: `ORDERS#2026-01-01`. */
export function dayPartition(date: Date): string {
  return `ORDERS#${date.toISOString().slice(0, 10)}`;
}

/**
 * Where an order is listed: under the day it was placed, by placement time (ISO 8601 sorts as
 * time) and then id. A partition per day keeps "the newest orders" a Query of today, then of
 * the days before, never a Scan of the table.
 */
export function orderListing(state: OrderState): ListingEntry {
  return { partition: dayPartition(new Date(state.placedAt)), sort: `${state.placedAt}#${state.orderId}` };
}

/** Order's repository over any {@link AggregateStore}: in memory or DynamoDB. */
export class StoredOrderRepository implements OrderRepository {
  constructor(private readonly store: AggregateStore) {}

  async get(orderId: string): Promise<Order | undefined> {
    const record = await this.store.load<OrderState>(key(orderId));
    return record && Order.restore(record.state, record.version);
  }

  async save(order: Order, trace: Trace): Promise<SaveResult> {
    return this.store.commit([{ key: key(order.id), aggregate: order, state: order.state, listing: orderListing(order.state) }], trace);
  }
}

/** The newest orders over any {@link AggregateListing}: today's first, then each day before, for {@link RECENT_DAYS} days. */
export class StoredRecentOrders implements RecentOrders {
  constructor(private readonly listing: AggregateListing) {}

  async recent(limit: number, now: Date): Promise<OrderState[]> {
    const orders: OrderState[] = [];
    for (let day = 0; day < RECENT_DAYS && orders.length < limit; day++) {
      const date = new Date(now.getTime() - day * 24 * 3600 * 1000);
      orders.push(...(await this.listing.list<OrderState>(dayPartition(date), limit - orders.length)));
    }
    return orders;
  }
}
