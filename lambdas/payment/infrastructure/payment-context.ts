/** The Payment context as Lambda runs it; built once per container. */
import { prefixedIds, systemClock } from '../../shared/application/ports';
import { dynamoDbClient } from '../../shared/infrastructure/aws-clients';
import { intEnv, requireEnv } from '../../shared/infrastructure/config';
import { DynamoDbStore } from '../../shared/infrastructure/dynamodb-store';
import { functionLogger } from '../../shared/infrastructure/lambda-runtime';
import { PaymentService } from '../application/payment-service';
import { StoredPaymentRepository } from './stored-payment-repository';

/** `TABLE_NAME`: the payments table; `PAYMENT_LIMIT_CENTS` (optional): the largest total approved. */
export function paymentContext() {
  const env = requireEnv(['TABLE_NAME']);
  const logger = functionLogger('payment');
  const store = new DynamoDbStore({ client: dynamoDbClient(), tableName: env.TABLE_NAME, source: 'payment' });
  const service = new PaymentService({
    payments: new StoredPaymentRepository(store),
    clock: systemClock,
    ids: prefixedIds('pay'),
    limit: intEnv('PAYMENT_LIMIT_CENTS'),
    logger,
  });
  return { service, logger };
}
