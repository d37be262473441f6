import type { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { eventsConsumedBy, type ContextName, type EventType } from '../../lambdas/shared/events/catalogue';
import { ContextFunction } from './context-function';
import { ContextTable } from './context-table';
import { EventSubscription } from './event-subscription';
import type { EventTopics } from './event-topics';
import { eventId } from './naming';
import { OutboxDispatcher } from './outbox-dispatcher';

/** The function that handles one consumed event: its entry file under `lambdas/`, and what it does. */
export interface Consumer {
  readonly entry: string;
  readonly description: string;
}

export interface BoundedContextProps {
  readonly context: ContextName;
  readonly topics: EventTopics;
  /** One handler per event the catalogue says this context consumes: no more, no fewer. */
  readonly consumers: Partial<Record<EventType, Consumer>>;
  readonly environment?: Record<string, string>;
}

/**
 * A bounded context as deployed: its own table (the only one its functions may touch), the
 * outbox dispatcher on the table's stream (the only way its events leave, and only to its own
 * topics), and one function per consumed event behind its own queue.
 */
export class BoundedContext extends Construct {
  readonly table: ContextTable;
  readonly dispatcher: OutboxDispatcher;
  readonly subscriptions: EventSubscription[] = [];
  readonly functions: lambda.IFunction[] = [];
  private readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: BoundedContextProps) {
    super(scope, id);
    assertConsumersMatchCatalogue(props.context, props.consumers);
    this.environment = props.environment ?? {};
    this.table = new ContextTable(this, 'Table', { stream: true });
    this.dispatcher = new OutboxDispatcher(this, 'Outbox', { context: props.context, table: this.table, topics: props.topics });

    for (const [type, consumer] of Object.entries(props.consumers) as [EventType, Consumer][]) {
      const handler = this.addFunction(`On${eventId(type)}`, { entry: consumer.entry, description: consumer.description });
      this.subscriptions.push(
        new EventSubscription(this, `${eventId(type)}Subscription`, {
          topic: props.topics.topic(type),
          eventType: type,
          consumer: handler.function,
          consumerTimeout: handler.timeout,
        }),
      );
    }
  }

  /** A function of this context: it gets the table's name and may use the table, nothing else. */
  addFunction(id: string, props: { entry: string; description: string; environment?: Record<string, string>; timeout?: Duration }): ContextFunction {
    const fn = new ContextFunction(this, id, {
      ...props,
      environment: { TABLE_NAME: this.table.table.tableName, ...this.environment, ...props.environment },
    });
    this.table.grantStore(fn.function);
    this.functions.push(fn.function);
    return fn;
  }
}

function assertConsumersMatchCatalogue(context: ContextName, consumers: Partial<Record<EventType, Consumer>>): void {
  const expected = [...eventsConsumedBy(context)].sort();
  const actual = Object.keys(consumers).sort();
  if (expected.join() !== actual.join()) {
    throw new Error(`the ${context} context must handle exactly ${expected.join(', ')} (the catalogue's consumers), not ${actual.join(', ')}`);
  }
}
