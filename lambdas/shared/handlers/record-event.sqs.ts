/**
 * SQS (subscribed to every topic) → the event log, kept by correlation id for timelines. No
 * publisher knows this consumer exists: adding it changed nothing upstream.
 */
import { DynamoDbEventLog } from '../event-log/dynamodb-event-log';
import { EVENT_TYPES } from '../events/catalogue';
import { dynamoDbClient } from '../infrastructure/aws-clients';
import { requireEnv } from '../infrastructure/config';
import { functionLogger } from '../infrastructure/lambda-runtime';
import { createSqsConsumer } from '../infrastructure/sqs-consumer';
import type { EventHandler } from '../event-bus/event-bus';

const env = requireEnv(['EVENT_LOG_TABLE_NAME']);
const logger = functionLogger('event-log');
const log = new DynamoDbEventLog({ client: dynamoDbClient(), tableName: env.EVENT_LOG_TABLE_NAME });
const record: EventHandler = (event) => log.append(event as Parameters<typeof log.append>[0]);

export const handler = createSqsConsumer({ handlers: (type) => (EVENT_TYPES.includes(type) ? [record] : []), logger });
