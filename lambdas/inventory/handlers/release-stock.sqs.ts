/** SQS (subscribed to `order.cancelled`) → the inventory context's reaction to it (InventoryService.releaseOnOrderCancelled). */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { inventoryReactions } from '../application/reactions';
import { inventoryContext } from '../infrastructure/inventory-context';

const { service, logger } = inventoryContext();

export const handler = consumerOf('order.cancelled', inventoryReactions(service)['order.cancelled'], logger);
