import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EVENT_TYPES } from '../../lambdas/shared/events/catalogue';
import { ContextFunction } from './context-function';
import { ContextTable } from './context-table';
import { EventSubscription } from './event-subscription';
import type { EventTopics } from './event-topics';
import { eventId } from './naming';

/**
 * The event log: a consumer of every topic that keeps each event by correlation id, for the
 * timelines of `GET /orders/{id}/events`. Added without touching any publisher.
 */
export class EventLog extends Construct {
  readonly table: ContextTable;
  readonly subscriptions: EventSubscription[];

  constructor(scope: Construct, id: string, props: { topics: EventTopics }) {
    super(scope, id);
    this.table = new ContextTable(this, 'Table', { stream: false });
    const recorder = new ContextFunction(this, 'Recorder', {
      entry: 'shared/handlers/record-event.sqs.ts',
      description: 'Keeps every event by correlation id for order timelines',
      environment: { EVENT_LOG_TABLE_NAME: this.table.table.tableName },
    });
    iam.Grant.addToPrincipal({ grantee: recorder.function, actions: ['dynamodb:PutItem'], resourceArns: [this.table.table.tableArn] });
    this.subscriptions = EVENT_TYPES.map(
      (type) =>
        new EventSubscription(this, `${eventId(type)}Subscription`, {
          topic: props.topics.topic(type),
          eventType: type,
          consumer: recorder.function,
          consumerTimeout: recorder.timeout,
        }),
    );
  }

  /** Read access for timelines: queries of this table, nothing else. */
  grantRead(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: [this.table.table.tableArn] });
  }
}
