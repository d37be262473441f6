import { DomainError } from '../../shared/domain/aggregate-root';
import type { OrderStatus } from './order';

/** An order that breaks an invariant (no lines, a negative price, …), with the field at fault. */
export class InvalidOrderError extends DomainError {
  override readonly name = 'InvalidOrderError';
  readonly code = 'INVALID_ORDER';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

/** A command the order's current status does not allow (pay a cancelled order, cancel a reserved one). */
export class OrderTransitionError extends DomainError {
  override readonly name = 'OrderTransitionError';
  readonly code = 'TRANSITION_REJECTED';
  constructor(
    readonly orderId: string,
    readonly action: string,
    readonly status: OrderStatus,
  ) {
    super(`cannot ${action} order ${orderId}: it is ${status}`);
  }
}

/** A second, different payment for an order that is already paid. */
export class PaymentMismatchError extends DomainError {
  override readonly name = 'PaymentMismatchError';
  readonly code = 'PAYMENT_MISMATCH';
  constructor(
    readonly orderId: string,
    readonly paidWith: string,
    readonly offered: string,
  ) {
    super(`order ${orderId} is already paid with ${paidWith}, not ${offered}`);
  }
}
