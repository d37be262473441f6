import type { Trace } from '../../shared/events/envelope';
import type { InMemoryStore, SaveResult } from '../../shared/infrastructure/in-memory-store';
import { Payment, type PaymentState } from '../domain/payment';
import type { PaymentRepository } from '../application/payment-repository';

const key = (orderId: string) => `PAYMENT#${orderId}`;

export class InMemoryPaymentRepository implements PaymentRepository {
  constructor(private readonly store: InMemoryStore) {}

  async get(orderId: string): Promise<Payment | undefined> {
    const record = this.store.load<PaymentState>(key(orderId));
    return record && Payment.restore(record.state, record.version);
  }

  async save(payment: Payment, trace: Trace): Promise<SaveResult> {
    return this.store.commit([{ key: key(payment.id), aggregate: payment, state: payment.state }], trace);
  }
}
