import type { Reactions } from '../../shared/event-bus/event-bus';
import type { PaymentService } from './payment-service';

/** What the Payment context does with each event it consumes (read by its Lambda handlers and the in-memory wiring). */
export function paymentReactions(service: PaymentService) {
  return {
    'order.placed': (event) => service.chargeOnOrderPlaced(event),
    'order.cancelled': (event) => service.refundOnOrderCancelled(event),
  } satisfies Reactions<'order.placed' | 'order.cancelled'>;
}
