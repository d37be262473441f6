/** SQS (subscribed to `order.paid`) → the inventory context's reaction to it (InventoryService.reserveOnOrderPaid). */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { inventoryReactions } from '../application/reactions';
import { inventoryContext } from '../infrastructure/inventory-context';

const { service, logger } = inventoryContext();

export const handler = consumerOf('order.paid', inventoryReactions(service)['order.paid'], logger);
