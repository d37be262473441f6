import { Duration, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { notEmptyAlarm } from './alarms';
import type { ContextName } from '../../lambdas/shared/events/catalogue';
import { OUTBOX_KIND } from '../../lambdas/shared/infrastructure/outbox-item';
import { ContextFunction } from './context-function';
import type { ContextTable } from './context-table';
import type { EventTopics } from './event-topics';

/** Attempts of a failing stream batch (halved each time by bisection) before it goes to the failure queue. */
export const STREAM_RETRY_ATTEMPTS = 10;
/** A record older than this is sent to the failure queue rather than retried again. */
export const STREAM_MAX_RECORD_AGE = Duration.hours(6);

export interface OutboxDispatcherProps {
  readonly context: ContextName;
  readonly table: ContextTable;
  readonly topics: EventTopics;
}

/**
 * The transactional outbox's relay: the table's stream, filtered to outbox inserts, feeds the
 * dispatcher function, which publishes each event to its topic. A failing record is retried
 * (bisecting the batch to isolate it) a bounded number of times and then its location goes to
 * a failure queue, so a poison record can neither block the shard nor vanish: the outbox item
 * itself stays in the table until its TTL, ready to be dispatched again.
 */
export class OutboxDispatcher extends Construct {
  readonly function: lambda.IFunction;
  readonly failureQueue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: OutboxDispatcherProps) {
    super(scope, id);
    const dispatcher = new ContextFunction(this, 'Dispatcher', {
      entry: 'shared/handlers/dispatch-events.stream.ts',
      description: `Publishes the ${props.context} context's outbox events to their SNS topics`,
      environment: { TOPIC_ARNS: props.topics.topicArnsOf(props.context) },
      timeout: Duration.seconds(30),
    });
    const fn = dispatcher.function;
    this.function = fn;
    props.topics.grantPublishOf(props.context, fn);
    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    fn.addEventSource(
      new DynamoEventSource(props.table.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: STREAM_RETRY_ATTEMPTS,
        maxRecordAge: STREAM_MAX_RECORD_AGE,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failureQueue),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { kind: { S: lambda.FilterRule.isEqual(OUTBOX_KIND) } } },
          }),
        ],
      }),
    );
    Validations.of(dispatcher).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'dynamodb:ListStreams, added by the stream event source, supports no resource-level permission; every other action is scoped to this table, its stream, its topics and its failure queue.',
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the stream event source; its messages only point at stream records, which the outbox item in the table still holds.',
    });
    this.alarm = notEmptyAlarm(this, 'FailureAlarm', this.failureQueue, `An outbox record of the ${props.context} context could not be published; its location is in the failure queue`);
  }
}
