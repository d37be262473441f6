/** SQS (subscribed to `payment.approved`) → OrderService.confirmPayment. */
import { consumerOf } from '../../shared/infrastructure/lambda-runtime';
import { orderContext } from '../infrastructure/order-context';

const { service, logger } = orderContext();

export const handler = consumerOf('payment.approved', (event) => service.confirmPayment(event), logger);
