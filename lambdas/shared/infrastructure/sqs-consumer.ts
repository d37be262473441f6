/**
 * The consumer side of the bus: a Lambda on an SQS queue subscribed to an SNS topic. It turns
 * each message back into a validated event and runs the handlers subscribed to its type.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { InvalidEventError, parseEnvelope, parseEnvelopeJson, type AnyEnvelope } from '../events/envelope';
import type { HandlerLookup, HandlerRegistry } from '../event-bus/event-bus';
import { eventFields, silentLogger, type Logger } from '../logger';

export interface SqsConsumerOptions {
  /** The handlers of each event type: a lookup function, or a bus that keeps subscriptions (`SnsEventBus`). */
  readonly handlers: HandlerLookup | HandlerRegistry;
  readonly logger?: Logger;
}

/** The body SQS holds when the subscription does not use raw message delivery. */
interface SnsNotification {
  readonly Type: 'Notification';
  readonly Message: string;
}

function isSnsNotification(input: unknown): input is SnsNotification {
  return (
    typeof input === 'object' &&
    input !== null &&
    (input as { Type?: unknown }).Type === 'Notification' &&
    typeof (input as { Message?: unknown }).Message === 'string'
  );
}

/**
 * Reads an SQS message body as an event: either the envelope itself (raw delivery) or an SNS
 * notification that carries it in `Message`. Throws an {@link InvalidEventError} saying why not.
 */
export function parseMessageBody(body: string): AnyEnvelope {
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch (error) {
    throw new InvalidEventError('MALFORMED', `body is not JSON (${(error as Error).message})`);
  }
  return isSnsNotification(input) ? parseEnvelopeJson(input.Message) : parseEnvelope(input);
}

/**
 * Builds the SQS handler. Records are handled one at a time, in order; each failure is
 * reported in `batchItemFailures`, so only the failed messages come back (and, after the
 * queue's `maxReceiveCount`, go to its dead-letter queue). An invalid message, or one no
 * handler is subscribed to, fails every time: it is logged as an error to be found in the DLQ.
 */
export function createSqsConsumer(options: SqsConsumerOptions) {
  const logger = options.logger ?? silentLogger;
  const { handlers: source } = options;
  const lookup: HandlerLookup = typeof source === 'function' ? source : (type) => source.handlersFor(type);

  const handleRecord = async (record: SQSRecord): Promise<boolean> => {
    const messageLog = logger.child({ messageId: record.messageId, receiveCount: record.attributes?.ApproximateReceiveCount });
    let event: AnyEnvelope;
    try {
      event = parseMessageBody(record.body);
    } catch (error) {
      const reason = error instanceof InvalidEventError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
      messageLog.error('message is not a valid event', { reason });
      return false;
    }
    const log = messageLog.child(eventFields(event));
    const handlers = lookup(event.type);
    if (handlers.length === 0) {
      log.error('no handler subscribed to this event type');
      return false;
    }
    try {
      for (const handler of handlers) await handler(event);
    } catch (error) {
      // Transient or not, SQS redelivers it after the visibility timeout, up to maxReceiveCount.
      log.warn('handler failed; the message will be delivered again', { error });
      return false;
    }
    log.info('event handled');
    return true;
  };

  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      if (!(await handleRecord(record))) batchItemFailures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures };
  };
}
