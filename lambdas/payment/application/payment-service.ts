import type { Clock, IdGenerator } from '../../shared/application/ports';
import { retryOnConcurrencyError } from '../../shared/application/retry';
import { causedBy, type Envelope } from '../../shared/events/envelope';
import { eventFields, silentLogger, type Logger } from '../../shared/logger';
import { Payment } from '../domain/payment';
import type { PaymentRepository } from './payment-repository';

/** 1,000.00 in cents: totals above it are declined. */
export const DEFAULT_PAYMENT_LIMIT = 100_000;

export interface PaymentServiceDeps {
  readonly payments: PaymentRepository;
  readonly clock: Clock;
  /** Makes payment ids. */
  readonly ids: IdGenerator;
  /** Largest total approved, in cents. */
  readonly limit?: number;
  readonly logger?: Logger;
}

/** The simulated Payment context. */
export class PaymentService {
  private readonly limit: number;
  private readonly logger: Logger;

  constructor(private readonly deps: PaymentServiceDeps) {
    this.limit = deps.limit ?? DEFAULT_PAYMENT_LIMIT;
    this.logger = deps.logger ?? silentLogger;
  }

  /** `order.placed` → charge (approve or decline). An order already decided, or voided, is not charged again. */
  async chargeOnOrderPlaced(event: Envelope<'order.placed'>): Promise<void> {
    const { orderId, total, currency } = event.data;
    await retryOnConcurrencyError(orderId, async () => {
      const existing = await this.deps.payments.get(orderId);
      if (existing) {
        this.logger.info('order already has a payment decision', { ...eventFields(event), orderId, status: existing.status });
        return;
      }
      const payment = Payment.charge({ orderId, amount: total, currency, paymentId: this.deps.ids(), limit: this.limit, now: this.deps.clock() });
      await this.deps.payments.save(payment, causedBy(event));
    });
  }

  /**
   * `order.cancelled` → refund what was taken. Payment's own record decides, not the event:
   * an approval that crossed the cancellation in flight is refunded too. A cancellation that
   * arrives before the order voids it, so a late `order.placed` charges nothing.
   */
  async refundOnOrderCancelled(event: Envelope<'order.cancelled'>): Promise<void> {
    const { orderId } = event.data;
    await retryOnConcurrencyError(orderId, async () => {
      const payment = (await this.deps.payments.get(orderId)) ?? Payment.void(orderId, this.deps.clock());
      payment.refund(this.deps.clock());
      await this.deps.payments.save(payment, causedBy(event));
    });
  }

  async getPayment(orderId: string) {
    return (await this.deps.payments.get(orderId))?.state;
  }
}
