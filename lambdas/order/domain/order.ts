import { SKU_PATTERN, type CancellationReason, type OrderLine } from '../../shared/events/catalogue';
import type { DomainEvent } from '../../shared/events/envelope';
import { AggregateRoot } from '../../shared/domain/aggregate-root';
import { InvalidOrderError, OrderTransitionError, PaymentMismatchError } from './errors';

export type OrderStatus = 'PLACED' | 'PAID' | 'STOCK_RESERVED' | 'CANCELLED';
export type OrderEvent = DomainEvent<'order.placed'> | DomainEvent<'order.paid'> | DomainEvent<'order.cancelled'>;

export const MAX_LINES = 100;
export const MAX_QUANTITY = 10_000;
export const DEFAULT_CURRENCY = 'EUR';

/** Everything an order is, as stored. */
export interface OrderState {
  readonly orderId: string;
  readonly customerId: string;
  readonly lines: readonly OrderLine[];
  readonly currency: string;
  /** Sum of quantity × unitPrice, in cents. */
  readonly total: number;
  readonly status: OrderStatus;
  readonly paymentId?: string;
  readonly cancellationReason?: CancellationReason;
  /** Follows the order through every context; every event about it carries it. */
  readonly correlationId: string;
  readonly placedAt: string;
  readonly updatedAt: string;
}

export interface PlaceOrder {
  readonly orderId: string;
  readonly customerId: string;
  readonly lines: readonly OrderLine[];
  readonly currency?: string;
  readonly correlationId: string;
  readonly now: Date;
}

/**
 * The Order aggregate: `PLACED → PAID → STOCK_RESERVED`, or `CANCELLED` from `PLACED` or `PAID`.
 * Each transition records the event that tells the other contexts; a repeat of a transition
 * already made is a no-op that records nothing.
 */
export class Order extends AggregateRoot<OrderEvent> {
  #state: OrderState;

  private constructor(state: OrderState, version: number) {
    super(version);
    this.#state = state;
  }

  static place(command: PlaceOrder): Order {
    const lines = validateLines(command.lines);
    const currency = command.currency ?? DEFAULT_CURRENCY;
    if (!/^[A-Z]{3}$/.test(currency)) throw new InvalidOrderError('currency', 'must be a three-letter ISO 4217 code');
    if (command.customerId.trim() === '') throw new InvalidOrderError('customerId', 'must not be empty');
    const total = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
    if (!Number.isSafeInteger(total)) throw new InvalidOrderError('lines', 'total is too large');
    const now = command.now.toISOString();
    const order = new Order(
      {
        orderId: command.orderId,
        customerId: command.customerId,
        lines,
        currency,
        total,
        status: 'PLACED',
        correlationId: command.correlationId,
        placedAt: now,
        updatedAt: now,
      },
      0,
    );
    order.record({
      type: 'order.placed',
      data: { orderId: order.id, customerId: command.customerId, lines: [...lines], total, currency },
    });
    return order;
  }

  /** Rebuilds an order from storage; records nothing. */
  static restore(state: OrderState, version: number): Order {
    return new Order(state, version);
  }

  get id(): string {
    return this.#state.orderId;
  }

  get status(): OrderStatus {
    return this.#state.status;
  }

  get state(): OrderState {
    return this.#state;
  }

  /** Payment was taken. Only from `PLACED`; the same payment again is a no-op. */
  markAsPaid(paymentId: string, now: Date): void {
    const { status, paymentId: paidWith } = this.#state;
    if (paidWith !== undefined && (status === 'PAID' || status === 'STOCK_RESERVED')) {
      if (paidWith === paymentId) return;
      throw new PaymentMismatchError(this.id, paidWith, paymentId);
    }
    if (status !== 'PLACED') throw new OrderTransitionError(this.id, 'mark as paid', status);
    this.#change({ status: 'PAID', paymentId }, now);
    this.record({ type: 'order.paid', data: { orderId: this.id, paymentId, lines: [...this.#state.lines] } });
  }

  /** Stock was reserved. Only from `PAID`; again is a no-op. */
  applyStockReserved(now: Date): void {
    if (this.#state.status === 'STOCK_RESERVED') return;
    if (this.#state.status !== 'PAID') throw new OrderTransitionError(this.id, 'apply stock reserved to', this.#state.status);
    this.#change({ status: 'STOCK_RESERVED' }, now);
    this.touch();
  }

  /**
   * Cancels from `PLACED` or `PAID`. Cancelling a cancelled order is a no-op (whatever the
   * reason: the first cancellation stands); a `STOCK_RESERVED` order can no longer be cancelled.
   */
  cancel(reason: CancellationReason, now: Date): void {
    const { status, paymentId } = this.#state;
    if (status === 'CANCELLED') return;
    if (status === 'STOCK_RESERVED') throw new OrderTransitionError(this.id, 'cancel', status);
    if (reason === 'PAYMENT_DECLINED' && status !== 'PLACED') throw new OrderTransitionError(this.id, 'decline payment of', status);
    if (reason === 'OUT_OF_STOCK' && status !== 'PAID') throw new OrderTransitionError(this.id, 'fail the reservation of', status);
    this.#change({ status: 'CANCELLED', cancellationReason: reason }, now);
    this.record({
      type: 'order.cancelled',
      data: { orderId: this.id, reason, ...(paymentId !== undefined && status === 'PAID' ? { paymentId } : {}) },
    });
  }

  #change(patch: Partial<OrderState>, now: Date): void {
    this.#state = { ...this.#state, ...patch, updatedAt: now.toISOString() };
  }
}

function validateLines(lines: readonly OrderLine[]): OrderLine[] {
  if (lines.length === 0) throw new InvalidOrderError('lines', 'must have at least 1 item(s)');
  if (lines.length > MAX_LINES) throw new InvalidOrderError('lines', `must have at most ${MAX_LINES} item(s)`);
  return lines.map((line, i) => {
    if (!SKU_PATTERN.test(line.sku)) throw new InvalidOrderError(`lines[${i}].sku`, 'must be 1-64 upper-case letters, digits or dashes');
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
      throw new InvalidOrderError(`lines[${i}].quantity`, `must be an integer from 1 to ${MAX_QUANTITY}`);
    }
    if (!Number.isSafeInteger(line.unitPrice) || line.unitPrice < 0) {
      throw new InvalidOrderError(`lines[${i}].unitPrice`, 'must be a non-negative integer number of cents');
    }
    return { sku: line.sku, quantity: line.quantity, unitPrice: line.unitPrice };
  });
}
