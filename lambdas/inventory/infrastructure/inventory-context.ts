/** The Inventory context as Lambda runs it; built once per container. */
import { prefixedIds, systemClock } from '../../shared/application/ports';
import { dynamoDbClient } from '../../shared/infrastructure/aws-clients';
import { requireEnv } from '../../shared/infrastructure/config';
import { DynamoDbStore } from '../../shared/infrastructure/dynamodb-store';
import { functionLogger } from '../../shared/infrastructure/lambda-runtime';
import { InventoryService } from '../application/inventory-service';
import { DEMO_STOCK } from '../domain/demo-catalogue';
import { StoredInventoryRepository } from './stored-inventory-repository';

/** `TABLE_NAME`: the inventory table. Every SKU starts at its demo catalogue level: nothing to seed. */
export function inventoryContext() {
  const env = requireEnv(['TABLE_NAME']);
  const logger = functionLogger('inventory');
  const store = new DynamoDbStore({ client: dynamoDbClient(), tableName: env.TABLE_NAME, source: 'inventory' });
  const service = new InventoryService({ inventory: new StoredInventoryRepository(store, DEMO_STOCK), clock: systemClock, ids: prefixedIds('res'), logger });
  return { service, logger };
}
