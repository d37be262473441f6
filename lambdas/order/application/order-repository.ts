import type { Trace } from '../../shared/events/envelope';
import type { Order } from '../domain/order';

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
