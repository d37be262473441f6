import type { Trace } from '../../shared/events/envelope';
import type { Order, OrderState } from '../domain/order';

import type { SaveResult } from '../../shared/application/save-result';

export type { SaveResult } from '../../shared/application/save-result';

export interface OrderRepository {
  get(orderId: string): Promise<Order | undefined>;
  /**
   * Writes the order's new state and its pending events atomically, only if nobody saved it
   * since it was loaded (else a `ConcurrencyError`), and records `trace.causationId` as
   * applied, so that a redelivered event or request changes nothing.
   */
  save(order: Order, trace: Trace): Promise<SaveResult>;
}

/**
 * The newest orders first, across customers, for a list of recent orders (the explorer). A
 * read model: a just-placed order may take a moment to be listed, and only recent days are read.
 */
export interface RecentOrders {
  recent(limit: number, now: Date): Promise<OrderState[]>;
}
