/** SQS (subscribed to `order.cancelled`) → InventoryService.releaseOnOrderCancelled. */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { inventoryContext } from '../infrastructure/inventory-context';

const { service, logger } = inventoryContext();

export const handler = consumerOf('order.cancelled', (event) => service.releaseOnOrderCancelled(event), logger);
