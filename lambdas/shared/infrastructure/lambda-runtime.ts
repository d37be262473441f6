/**
 * What every Lambda entry file shares: a logger named after its context and function, and the
 * SQS consumer of exactly one event type.
 */
import type { EventType } from '../events/catalogue';
import type { EventHandler } from '../event-bus/event-bus';
import { Logger } from '../logger';
import { createSqsConsumer } from './sqs-consumer';

export function functionLogger(context: string): Logger {
  return new Logger().child({ context, function: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local' });
}

/** An SQS handler for one subscription: one queue, one event type, one application service. */
export function consumerOf<T extends EventType>(type: T, handler: EventHandler<T>, logger: Logger) {
  return createSqsConsumer({ handlers: (t) => (t === type ? [handler as EventHandler] : []), logger });
}
