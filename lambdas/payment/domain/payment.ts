import type { DomainEvent } from '../../shared/events/envelope';
import { AggregateRoot } from '../../shared/domain/aggregate-root';

/**
 * - `APPROVED`: money was taken.
 * - `DECLINED`: the charge was refused; nothing was taken.
 * - `REFUNDED`: money taken was given back because the order was cancelled.
 * - `VOIDED`: the order was cancelled before Payment saw it placed; it will never be charged.
 */
export type PaymentStatus = 'APPROVED' | 'DECLINED' | 'REFUNDED' | 'VOIDED';
export type PaymentEvent = DomainEvent<'payment.approved'> | DomainEvent<'payment.declined'> | DomainEvent<'payment.refunded'>;

export const AMOUNT_EXCEEDS_LIMIT = 'AMOUNT_EXCEEDS_LIMIT';

export interface PaymentState {
  readonly orderId: string;
  readonly status: PaymentStatus;
  readonly paymentId?: string;
  readonly amount: number;
  readonly currency: string;
  readonly declineReason?: string;
  readonly updatedAt: string;
}

export interface ChargeRequest {
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
  /** The id this payment gets if approved. */
  readonly paymentId: string;
  /** The largest total approved, in cents. */
  readonly limit: number;
  readonly now: Date;
}

/**
 * One order's payment (the simulated payment provider). There is at most one per order, so a
 * second `order.placed` for the same order finds it and charges nothing.
 */
export class Payment extends AggregateRoot<PaymentEvent> {
  #state: PaymentState;

  private constructor(state: PaymentState, version: number) {
    super(version);
    this.#state = state;
  }

  /** Approves a total up to the limit, declines above it. Deterministic, so every path can be shown. */
  static charge(request: ChargeRequest): Payment {
    const base = { orderId: request.orderId, amount: request.amount, currency: request.currency, updatedAt: request.now.toISOString() };
    if (request.amount > request.limit) {
      const payment = new Payment({ ...base, status: 'DECLINED', declineReason: AMOUNT_EXCEEDS_LIMIT }, 0);
      payment.record({ type: 'payment.declined', data: { orderId: request.orderId, reason: AMOUNT_EXCEEDS_LIMIT } });
      return payment;
    }
    const payment = new Payment({ ...base, status: 'APPROVED', paymentId: request.paymentId }, 0);
    payment.record({
      type: 'payment.approved',
      data: { orderId: request.orderId, paymentId: request.paymentId, amount: request.amount, currency: request.currency },
    });
    return payment;
  }

  /** The order was cancelled before it was seen placed: remember it, so that it is never charged. */
  static void(orderId: string, now: Date): Payment {
    const payment = new Payment({ orderId, status: 'VOIDED', amount: 0, currency: 'EUR', updatedAt: now.toISOString() }, 0);
    payment.touch();
    return payment;
  }

  static restore(state: PaymentState, version: number): Payment {
    return new Payment(state, version);
  }

  get id(): string {
    return this.#state.orderId;
  }

  get status(): PaymentStatus {
    return this.#state.status;
  }

  get state(): PaymentState {
    return this.#state;
  }

  /** Gives back money taken. Only an approved payment is refunded; anything else has nothing to give back. */
  refund(now: Date): void {
    const { status, paymentId, amount, currency } = this.#state;
    if (status !== 'APPROVED' || paymentId === undefined) return;
    this.#state = { ...this.#state, status: 'REFUNDED', updatedAt: now.toISOString() };
    this.record({ type: 'payment.refunded', data: { orderId: this.id, paymentId, amount, currency } });
  }
}
