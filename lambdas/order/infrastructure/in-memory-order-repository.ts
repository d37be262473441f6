import type { Trace } from '../../shared/events/envelope';
import type { InMemoryStore, SaveResult } from '../../shared/infrastructure/in-memory-store';
import { Order, type OrderState } from '../domain/order';
import type { OrderRepository } from '../application/order-repository';

const key = (orderId: string) => `ORDER#${orderId}`;

export class InMemoryOrderRepository implements OrderRepository {
  constructor(private readonly store: InMemoryStore) {}

  async get(orderId: string): Promise<Order | undefined> {
    const record = this.store.load<OrderState>(key(orderId));
    return record && Order.restore(record.state, record.version);
  }

  async save(order: Order, trace: Trace): Promise<SaveResult> {
    return this.store.commit([{ key: key(order.id), aggregate: order, state: order.state }], trace);
  }
}
