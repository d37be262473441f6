import type { Reactions } from '../../shared/event-bus/event-bus';
import type { InventoryService } from './inventory-service';

/** What the Inventory context does with each event it consumes (read by its Lambda handlers and the in-memory wiring). */
export function inventoryReactions(service: InventoryService) {
  return {
    'order.paid': (event) => service.reserveOnOrderPaid(event),
    'order.cancelled': (event) => service.releaseOnOrderCancelled(event),
  } satisfies Reactions<'order.paid' | 'order.cancelled'>;
}
