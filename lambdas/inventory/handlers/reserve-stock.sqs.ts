/** SQS (subscribed to `order.paid`) → InventoryService.reserveOnOrderPaid. */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { inventoryContext } from '../infrastructure/inventory-context';

const { service, logger } = inventoryContext();

export const handler = consumerOf('order.paid', (event) => service.reserveOnOrderPaid(event), logger);
