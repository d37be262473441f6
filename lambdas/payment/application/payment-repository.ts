import type { SaveResult } from '../../shared/application/save-result';
import type { Trace } from '../../shared/events/envelope';
import type { Payment } from '../domain/payment';

export interface PaymentRepository {
  /** The payment of an order, if Payment has decided anything about it. */
  get(orderId: string): Promise<Payment | undefined>;
  /** Atomic, version-checked, and a no-op for a cause already applied (see `OrderRepository.save`). */
  save(payment: Payment, trace: Trace): Promise<SaveResult>;
}
