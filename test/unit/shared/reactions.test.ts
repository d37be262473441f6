/** Each context reacts to exactly the events the catalogue says it consumes: no more, no fewer. */
import { eventsConsumedBy } from '../../../lambdas/shared/events/catalogue';
import { orderReactions } from '../../../lambdas/order/application/reactions';
import { paymentReactions } from '../../../lambdas/payment/application/reactions';
import { inventoryReactions } from '../../../lambdas/inventory/application/reactions';
import type { OrderService } from '../../../lambdas/order/application/order-service';
import type { PaymentService } from '../../../lambdas/payment/application/payment-service';
import type { InventoryService } from '../../../lambdas/inventory/application/inventory-service';

describe('reactions', () => {
  it.each([
    ['order', Object.keys(orderReactions({} as OrderService))],
    ['payment', Object.keys(paymentReactions({} as PaymentService))],
    ['inventory', Object.keys(inventoryReactions({} as InventoryService))],
  ] as const)('the %s context handles exactly the events it consumes in the catalogue', (context, handled) => {
    expect([...handled].sort()).toEqual([...eventsConsumedBy(context)].sort());
  });
});
