import type { Reactions } from '../../shared/event-bus/event-bus';
import type { OrderService } from './order-service';

/**
 * What the Order context does with each event it consumes: one application service per event.
 * The one table of it: each Lambda handler file takes its entry, and the in-memory wiring
 * subscribes them all.
 */
export function orderReactions(service: OrderService) {
  return {
    'payment.approved': (event) => service.confirmPayment(event),
    'payment.declined': (event) => service.cancelOnPaymentDeclined(event),
    'stock.reserved': (event) => service.applyStockReserved(event),
    'stock.reservation-failed': (event) => service.cancelOnReservationFailed(event),
  } satisfies Reactions<'payment.approved' | 'payment.declined' | 'stock.reserved' | 'stock.reservation-failed'>;
}
