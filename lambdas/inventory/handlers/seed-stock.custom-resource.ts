/**
 * CloudFormation custom resource → InventoryService.seedStock: puts the demo catalogue in the
 * warehouse when the stack is created (and tops up SKUs added later). Deleting it changes nothing.
 */
import { DEMO_STOCK } from '../domain/demo-catalogue';
import { inventoryContext } from '../infrastructure/inventory-context';

const { service, logger } = inventoryContext();

export const handler = async (event: { RequestType: 'Create' | 'Update' | 'Delete' }) => {
  if (event.RequestType !== 'Delete') {
    await service.seedStock(DEMO_STOCK);
    logger.info('demo stock seeded', { skus: Object.keys(DEMO_STOCK) });
  }
  return { PhysicalResourceId: 'demo-stock' };
};
