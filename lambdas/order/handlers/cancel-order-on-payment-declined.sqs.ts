/** SQS (subscribed to `payment.declined`) → OrderService.cancelOnPaymentDeclined. */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { orderContext } from '../infrastructure/order-context';

const { service, logger } = orderContext();

export const handler = consumerOf('payment.declined', (event) => service.cancelOnPaymentDeclined(event), logger);
