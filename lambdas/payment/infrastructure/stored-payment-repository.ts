import type { Trace } from '../../shared/events/envelope';
import type { SaveResult } from '../../shared/application/save-result';
import type { AggregateStore } from '../../shared/infrastructure/aggregate-store';
import { Payment, type PaymentState } from '../domain/payment';
import type { PaymentRepository } from '../application/payment-repository';

const key = (orderId: string) => `PAYMENT#${orderId}`;

/** Payment's repository over any {@link AggregateStore}: in memory or DynamoDB. */
export class StoredPaymentRepository implements PaymentRepository {
  constructor(private readonly store: AggregateStore) {}

  async get(orderId: string): Promise<Payment | undefined> {
    const record = await this.store.load<PaymentState>(key(orderId));
    return record && Payment.restore(record.state, record.version);
  }

  async save(payment: Payment, trace: Trace): Promise<SaveResult> {
    return this.store.commit([{ key: key(payment.id), aggregate: payment, state: payment.state }], trace);
  }
}
