import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { notEmptyAlarm } from './alarms';
import type { EventType } from '../../lambdas/shared/events/catalogue';

/** Deliveries before a message is given up on and moved to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;
/** How long an undelivered message is kept: the longest SQS allows, so nothing expires unseen. */
const RETENTION = Duration.days(14);

export interface EventSubscriptionProps {
  readonly topic: sns.ITopic;
  readonly eventType: EventType;
  readonly consumer: lambda.IFunction;
  readonly consumerTimeout: Duration;
  /** Messages per invocation. */
  readonly batchSize?: number;
}

/**
 * One consumer's subscription to one event: topic → queue (raw delivery, filtered on the
 * event type) → function, with a dead-letter queue after {@link MAX_RECEIVE_COUNT} deliveries
 * and an alarm as soon as anything lands there. The function reports partial batch failures,
 * so one bad message never sends its whole batch round again.
 */
export class EventSubscription extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EventSubscriptionProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: RETENTION,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: RETENTION,
      // A message being handled must stay invisible for the whole invocation, retries included.
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    props.topic.addSubscription(
      new SqsSubscription(this.queue, {
        rawMessageDelivery: true,
        filterPolicy: { type: sns.SubscriptionFilter.stringFilter({ allowlist: [props.eventType] }) },
      }),
    );
    props.consumer.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 10,
        // No batching window: a lone order moves on at once; under load batches fill by themselves.
        reportBatchItemFailures: true,
      }),
    );
    this.alarm = notEmptyAlarm(this, 'DeadLetterAlarm', this.deadLetterQueue, `A ${props.eventType} message could not be handled and is waiting in a dead-letter queue`);
  }
}
