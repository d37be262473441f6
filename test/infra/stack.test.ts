/**
 * The synthesized template, checked for what the architecture promises: resources are found
 * by what they are and how they refer to each other (Refs and GetAtts resolved from the
 * constructs), never by generated logical ids.
 */
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { catalogue, EVENT_TYPES, eventsConsumedBy, eventsProducedBy, type ContextName, type EventType } from '../../lambdas/shared/events/catalogue';
import { LISTING_INDEX } from '../../lambdas/shared/infrastructure/dynamodb-store';
import { MAX_RECEIVE_COUNT } from '../../lib/constructs/event-subscription';
import { STREAM_MAX_RECORD_AGE, STREAM_RETRY_ATTEMPTS } from '../../lib/constructs/outbox-dispatcher';
import { EventDrivenOrdersStack } from '../../lib/event-driven-orders-stack';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

// Bundling is skipped here (the `aws:cdk:bundling-stacks` context): these tests read the template, not the code.
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new EventDrivenOrdersStack(app, 'Test');
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
let synthError: unknown;
try {
  app.synth();
} catch (error) {
  synthError = error;
}
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, Resource>;

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalIdOf = (token: string): string => {
  const resolved = stack.resolve(token) as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  return resolved.Ref ?? resolved['Fn::GetAtt']?.[0] ?? '';
};
const refTo = (value: unknown): string | undefined => {
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  return v?.Ref ?? v?.['Fn::GetAtt']?.[0];
};
/** The table an ARN in a policy names: the table's own ARN, or one of its indexes (`<table ARN>/index/<name>`). */
const tableIn = (value: unknown): { table?: string; index?: string } => {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!join) return { table: refTo(value) };
  const [tableArn, suffix] = join[1];
  return { table: refTo(tableArn), index: /^\/index\/(.+)$/.exec(String(suffix))?.[1] };
};

/** The event type of each topic, read from the topic itself (its display name starts with the type). */
const topicEvent = new Map(ofType('AWS::SNS::Topic').map(([id, r]) => [id, String(r.Properties.DisplayName).split(' ')[0] as EventType]));
/** The queue of each SQS event source mapping, and the function it feeds. */
const sqsMappings = ofType('AWS::Lambda::EventSourceMapping')
  .filter(([, r]) => refTo(r.Properties.EventSourceArn) && resources[refTo(r.Properties.EventSourceArn) as string]?.Type === 'AWS::SQS::Queue')
  .map(([, r]) => ({ queue: refTo(r.Properties.EventSourceArn) as string, fn: refTo(r.Properties.FunctionName) as string, props: r.Properties }));
const streamMappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, r]) => (r.Properties as { StartingPosition?: string }).StartingPosition);
/** The topics a queue is subscribed to. */
const subscriptionsOf = (queue: string) =>
  ofType('AWS::SNS::Subscription')
    .filter(([, r]) => refTo(r.Properties.Endpoint) === queue)
    .map(([, r]) => r.Properties);
const functionsOf = (context: BoundedContextName) => stack[context].functions.map((f) => logicalIdOf(f.functionArn));
type BoundedContextName = 'order' | 'payment' | 'inventory';

/** Every statement of every policy attached to a function's role. */
function statementsOf(functionId: string): { Action: string | string[]; Resource: unknown }[] {
  const role = refTo(resources[functionId]?.Properties.Role);
  return ofType('AWS::IAM::Policy')
    .filter(([, r]) => (r.Properties.Roles as unknown[]).some((ref) => refTo(ref) === role))
    .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
}

describe('EventDrivenOrdersStack', () => {
  it('passes the cdk-nag AWS Solutions checks with no unacknowledged finding', () => {
    expect(synthError).toBeUndefined();
  });

  describe('topics', () => {
    it('has one topic per catalogue event, and no other', () => {
      expect([...topicEvent.values()].sort()).toEqual([...EVENT_TYPES].sort());
    });

    it('encrypts every topic and refuses non-TLS publishing', () => {
      for (const [, topic] of ofType('AWS::SNS::Topic')) expect(topic.Properties.KmsMasterKeyId).toBeDefined();
      template.resourcePropertiesCountIs(
        'AWS::SNS::TopicPolicy',
        {
          PolicyDocument: Match.objectLike({
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          }),
        },
        EVENT_TYPES.length,
      );
    });
  });

  describe('subscriptions', () => {
    it.each(['order', 'payment', 'inventory'] as const)("the %s context's queues are subscribed to exactly the events it consumes", (context) => {
      // given the functions of the context, the queues that feed them and the topics of those queues
      const fns = new Set(functionsOf(context));
      const consumed = sqsMappings
        .filter((m) => fns.has(m.fn))
        .flatMap((m) => subscriptionsOf(m.queue).map((s) => topicEvent.get(refTo(s.TopicArn) as string)));
      // then
      expect(consumed.sort()).toEqual([...eventsConsumedBy(context)].sort());
    });

    it('subscribes the event log to every topic', () => {
      const recorder = logicalIdOf(stack.eventLog.subscriptions[0]?.queue.queueArn ?? '');
      const fn = sqsMappings.find((m) => m.queue === recorder)?.fn;
      const topics = sqsMappings.filter((m) => m.fn === fn).flatMap((m) => subscriptionsOf(m.queue).map((s) => topicEvent.get(refTo(s.TopicArn) as string)));
      expect(topics.sort()).toEqual([...EVENT_TYPES].sort());
    });

    it('uses raw message delivery and a filter policy on the event type for every subscription', () => {
      for (const [, subscription] of ofType('AWS::SNS::Subscription')) {
        const type = topicEvent.get(refTo(subscription.Properties.TopicArn) as string);
        expect(subscription.Properties).toMatchObject({ Protocol: 'sqs', RawMessageDelivery: true, FilterPolicy: { type: [type] } });
      }
    });

    it('gives every consumer queue a dead-letter queue, a bounded redrive, encryption, and a visibility timeout of at least 6× its function timeout', () => {
      expect(sqsMappings).toHaveLength(EVENT_TYPES.reduce((n, t) => n + catalogue[t].consumers.length, 0) + EVENT_TYPES.length);
      for (const { queue, fn } of sqsMappings) {
        const props = resources[queue]?.Properties as { RedrivePolicy: { deadLetterTargetArn: unknown; maxReceiveCount: number }; VisibilityTimeout: number; SqsManagedSseEnabled: boolean };
        expect(props.RedrivePolicy.maxReceiveCount).toBe(MAX_RECEIVE_COUNT);
        expect(resources[refTo(props.RedrivePolicy.deadLetterTargetArn) as string]?.Type).toBe('AWS::SQS::Queue');
        expect(props.SqsManagedSseEnabled).toBe(true);
        const timeout = (resources[fn]?.Properties as { Timeout: number }).Timeout;
        expect(props.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
      }
    });

    it('makes every SQS event source report batch item failures', () => {
      for (const { props } of sqsMappings) {
        expect(props).toMatchObject({ FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10 });
      }
    });
  });

  describe('the outbox dispatchers', () => {
    it('reads each context table\'s stream: outbox inserts only, bisect on error, bounded retries and age, and a failure queue', () => {
      expect(streamMappings).toHaveLength(3);
      for (const [, mapping] of streamMappings) {
        expect(mapping.Properties).toMatchObject({
          StartingPosition: 'TRIM_HORIZON',
          BisectBatchOnFunctionError: true,
          MaximumRetryAttempts: STREAM_RETRY_ATTEMPTS,
          MaximumRecordAgeInSeconds: STREAM_MAX_RECORD_AGE.toSeconds(),
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['outbox'] } } } }) }] },
        });
        const destination = (mapping.Properties as { DestinationConfig: { OnFailure: { Destination: unknown } } }).DestinationConfig.OnFailure.Destination;
        expect(resources[refTo(destination) as string]?.Type).toBe('AWS::SQS::Queue');
      }
    });

    it.each(['order', 'payment', 'inventory'] as const)('lets the %s dispatcher publish to its own context\'s topics and no others', (context: ContextName) => {
      const dispatcher = logicalIdOf(stack[context].dispatcher.function.functionArn);
      const published = statementsOf(dispatcher)
        .filter((s) => [s.Action].flat().includes('sns:Publish'))
        .flatMap((s) => [s.Resource].flat().map((r) => topicEvent.get(refTo(r) as string)));
      expect(published.sort()).toEqual([...eventsProducedBy(context)].sort());
    });
  });

  describe('functions', () => {
    it('runs every function on Node.js 22, arm64, with its own log group', () => {
      const functions = ofType('AWS::Lambda::Function');
      expect(functions.length).toBeGreaterThanOrEqual(13);
      for (const [, fn] of functions) {
        expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], LoggingConfig: { LogGroup: expect.anything() } });
      }
    });

    it('never uses a deprecated runtime', () => {
      const deprecated = ['nodejs', 'nodejs4.3', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'nodejs16.x', 'nodejs18.x', 'nodejs20.x'];
      for (const [, fn] of ofType('AWS::Lambda::Function')) expect(deprecated).not.toContain(fn.Properties.Runtime);
    });
  });

  describe('tables', () => {
    it('retains every table, with point-in-time recovery, encryption and TTL; context tables stream new images', () => {
      const tables = ofType('AWS::DynamoDB::Table');
      expect(tables).toHaveLength(4);
      for (const [, table] of tables) {
        expect(table.DeletionPolicy).toBe('Retain');
        expect(table.UpdateReplacePolicy).toBe('Retain');
        expect(table.Properties).toMatchObject({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        });
      }
      for (const context of ['order', 'payment', 'inventory'] as const) {
        expect(resources[logicalIdOf(stack[context].table.table.tableArn)]?.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
      }
    });
  });

  describe('the listing index', () => {
    it('gives the orders table, and only it, a sparse index by day for recent orders, projecting the states', () => {
      const withIndexes = ofType('AWS::DynamoDB::Table').filter(([, t]) => t.Properties.GlobalSecondaryIndexes !== undefined);
      expect(withIndexes.map(([id]) => id)).toEqual([logicalIdOf(stack.order.table.table.tableArn)]);
      expect(withIndexes[0]?.[1].Properties).toMatchObject({
        GlobalSecondaryIndexes: [
          {
            IndexName: LISTING_INDEX.indexName,
            KeySchema: [
              { AttributeName: LISTING_INDEX.partitionKey, KeyType: 'HASH' },
              { AttributeName: LISTING_INDEX.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        AttributeDefinitions: expect.arrayContaining([
          { AttributeName: LISTING_INDEX.partitionKey, AttributeType: 'S' },
          { AttributeName: LISTING_INDEX.sortKey, AttributeType: 'S' },
        ]),
      });
    });
  });

  describe('least privilege', () => {
    const tableArnsIn = (fn: string) =>
      new Set(
        statementsOf(fn)
          .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))
          .flatMap((s) => [s.Resource].flat().map((r) => tableIn(r).table)),
      );

    it.each(['payment', 'inventory'] as const)('gives no %s function any access to the orders table', (context) => {
      const orders = logicalIdOf(stack.order.table.table.tableArn);
      for (const fn of functionsOf(context)) expect(tableArnsIn(fn)).not.toContain(orders);
    });

    it.each(['order', 'payment', 'inventory'] as const)('lets the %s functions touch their own table and, for the API, only read the event log', (context) => {
      const own = logicalIdOf(stack[context].table.table.tableArn);
      const log = logicalIdOf(stack.eventLog.table.table.tableArn);
      for (const fn of functionsOf(context)) {
        const tables = [...tableArnsIn(fn)];
        expect(tables).toContain(own);
        expect(tables.every((t) => t === own || t === log)).toBe(true);
        const logStatements = statementsOf(fn).filter((s) => [s.Resource].flat().some((r) => refTo(r) === log));
        expect(logStatements.flatMap((s) => [s.Action].flat())).toEqual(logStatements.length ? ['dynamodb:Query'] : []);
      }
    });

    it("lets only the API function use the orders table's listing index, and only to query it", () => {
      const orders = logicalIdOf(stack.order.table.table.tableArn);
      const api = logicalIdOf(stack.api.handler.functionArn);
      const indexGrants = ofType('AWS::Lambda::Function').flatMap(([fn]) =>
        statementsOf(fn)
          .filter((s) => [s.Resource].flat().some((r) => tableIn(r).index !== undefined))
          .map((s) => ({ fn, actions: [s.Action].flat(), indexes: [s.Resource].flat().map(tableIn).filter((r) => r.index !== undefined) })),
      );
      expect(indexGrants).toEqual([{ fn: api, actions: ['dynamodb:Query'], indexes: [{ table: orders, index: LISTING_INDEX.indexName }] }]);
    });

    it('lets no consumer publish anything: events leave only through the outbox', () => {
      const dispatchers = new Set((['order', 'payment', 'inventory'] as const).map((c) => logicalIdOf(stack[c].dispatcher.function.functionArn)));
      for (const [id] of ofType('AWS::Lambda::Function').filter(([id]) => !dispatchers.has(id))) {
        expect(statementsOf(id).flatMap((s) => [s.Action].flat())).not.toContain('sns:Publish');
      }
    });
  });

  describe('alarms', () => {
    it('alarms on every dead-letter queue and every failure queue', () => {
      const deadLetterQueues = new Set([
        ...ofType('AWS::SQS::Queue').flatMap(([, q]) => {
          const target = (q.Properties.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn;
          return target ? [refTo(target) as string] : [];
        }),
        ...streamMappings.map(([, m]) => refTo((m.Properties as { DestinationConfig: { OnFailure: { Destination: unknown } } }).DestinationConfig.OnFailure.Destination) as string),
      ]);
      const alarmed = new Set(
        ofType('AWS::CloudWatch::Alarm').flatMap(([, alarm]) =>
          (alarm.Properties.Dimensions as { Name: string; Value: unknown }[]).filter((d) => d.Name === 'QueueName').map((d) => refTo(d.Value)),
        ),
      );
      expect(deadLetterQueues.size).toBe(sqsMappings.length + 3);
      for (const queue of deadLetterQueues) expect(alarmed).toContain(queue);
    });
  });

  describe('HTTP API', () => {
    it('routes the Order API routes and the explorer page, and nothing else, to the API function', () => {
      const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey).sort();
      expect(routes).toEqual([
        'GET /',
        'GET /explorer',
        'GET /orders',
        'GET /orders/{orderId}',
        'GET /orders/{orderId}/events',
        'POST /orders',
        'POST /orders/{orderId}/cancel',
      ]);
      const integrations = ofType('AWS::ApiGatewayV2::Integration').map(([, i]) => JSON.stringify(i.Properties.IntegrationUri));
      expect(new Set(integrations).size).toBe(1);
      expect(integrations[0]).toContain(logicalIdOf(stack.api.handler.functionArn));
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
        DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
      });
    });

    it('outputs the API URL and the table names', () => {
      const outputs = Object.keys(template.toJSON().Outputs as object);
      expect(outputs).toEqual(expect.arrayContaining(['ApiUrl', 'OrdersTableName', 'PaymentsTableName', 'InventoryTableName', 'EventLogTableName']));
    });
  });

});
