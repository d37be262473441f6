import type { Trace } from '../../shared/events/envelope';
import type { SaveResult } from '../../shared/application/save-result';
import type { AggregateStore } from '../../shared/infrastructure/aggregate-store';
import { Order, type OrderState } from '../domain/order';
import type { OrderRepository } from '../application/order-repository';

const key = (orderId: string) => `ORDER#${orderId}`;

/** Order's repository over any {@link AggregateStore}: in memory or DynamoDB. */
export class StoredOrderRepository implements OrderRepository {
  constructor(private readonly store: AggregateStore) {}

  async get(orderId: string): Promise<Order | undefined> {
    const record = await this.store.load<OrderState>(key(orderId));
    return record && Order.restore(record.state, record.version);
  }

  async save(order: Order, trace: Trace): Promise<SaveResult> {
    return this.store.commit([{ key: key(order.id), aggregate: order, state: order.state }], trace);
  }
}
