/**
 * DynamoDB Stream of a context's table → publish its outbox events to their SNS topics.
 * One implementation, deployed once per table. `TOPIC_ARNS`: a JSON object from event type to
 * topic ARN, holding exactly the events that context publishes.
 */
import { EventDispatcher } from '../event-bus/dispatcher';
import { SnsEventBus } from '../event-bus/sns-event-bus';
import { isEventType } from '../events/catalogue';
import { snsClient } from '../infrastructure/aws-clients';
import { ConfigurationError, jsonEnv } from '../infrastructure/config';
import { functionLogger } from '../infrastructure/lambda-runtime';
import { createStreamDispatcher } from '../infrastructure/stream-dispatcher';

const topicArns = jsonEnv('TOPIC_ARNS');
const unknown = Object.keys(topicArns).filter((type) => !isEventType(type));
if (unknown.length > 0) throw new ConfigurationError(`TOPIC_ARNS names events not in the catalogue: ${unknown.join(', ')}`);

const logger = functionLogger('dispatcher');
const bus = new SnsEventBus({ client: snsClient(), topicArns, logger });

export const handler = createStreamDispatcher({ dispatcher: new EventDispatcher(bus), logger });
