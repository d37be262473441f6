/**
 * The DynamoDB event log against a mocked client: one item per event under its thread
 * (correlation id), read back page by page, causes before effects.
 */
import { DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoDbEventLog, EVENT_LOG_TTL_SECONDS, toEventLogItem } from '../../../lambdas/shared/event-log/dynamodb-event-log';
import { InvalidEventError, type AnyEnvelope } from '../../../lambdas/shared/events/envelope';
import { anEvent } from '../../support/factories';

const ddb = mockClient(DynamoDBClient);
const TABLE = 'event-log-table';

beforeEach(() => {
  ddb.reset();
});

const eventLog = () => new DynamoDbEventLog({ client: new DynamoDBClient({ region: 'eu-west-1' }), tableName: TABLE });
const stored = (event: AnyEnvelope) => marshall(toEventLogItem(event));

describe('DynamoDbEventLog.append', () => {
  it('given an event, when appended, then it is put under its thread, sorted by time, with its envelope as JSON and a TTL', async () => {
    ddb.on(PutItemCommand).resolves({});
    const event = anEvent('payment.approved', {}, { id: 'evt-approved', correlationId: 'corr-7', occurredAt: new Date('2026-01-01T12:00:01.000Z') });

    await eventLog().append(event);

    expect(ddb).toHaveReceivedCommandTimes(PutItemCommand, 1);
    expect(ddb.commandCalls(PutItemCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Item: {
        pk: { S: 'THREAD#corr-7' },
        sk: { S: '2026-01-01T12:00:01.000Z#evt-approved' },
        eventId: { S: 'evt-approved' },
        eventType: { S: 'payment.approved' },
        envelope: { S: JSON.stringify(event) },
        expiresAt: { N: String(Date.parse('2026-01-01T12:00:01.000Z') / 1000 + EVENT_LOG_TTL_SECONDS) },
      },
    });
  });

  it('given the same event delivered twice, when appended twice, then both writes are the very same item (one copy kept)', async () => {
    ddb.on(PutItemCommand).resolves({});
    const event = anEvent('order.placed');
    const log = eventLog();

    await log.append(event);
    await log.append(event);

    const [first, second] = ddb.commandCalls(PutItemCommand).map((call) => call.args[0].input);
    expect(second).toEqual(first);
  });
});

describe('DynamoDbEventLog.timeline', () => {
  it('given a thread stored over two pages, when read, then every page is fetched consistently and the events come causes first', async () => {
    const placed = anEvent('order.placed', {}, { id: 'evt-placed', occurredAt: new Date('2026-01-01T12:00:00.010Z') });
    // Payment's clock runs a little behind Order's: the effect is stamped before its cause.
    const approved = anEvent('payment.approved', {}, { id: 'evt-approved', causationId: 'evt-placed', occurredAt: new Date('2026-01-01T12:00:00.005Z') });
    const paid = anEvent('order.paid', {}, { id: 'evt-paid', causationId: 'evt-approved', occurredAt: new Date('2026-01-01T12:00:00.020Z') });
    const pageBreak = { pk: { S: 'THREAD#corr-1' }, sk: { S: toEventLogItem(placed).sk } };
    ddb.on(QueryCommand).resolves({ Items: [stored(approved), stored(placed)], LastEvaluatedKey: pageBreak });
    ddb.on(QueryCommand, { ExclusiveStartKey: pageBreak }).resolves({ Items: [stored(paid)] });

    const timeline = await eventLog().timeline('corr-1');

    expect(timeline.map((e) => e.id)).toEqual(['evt-placed', 'evt-approved', 'evt-paid']);
    expect(timeline[0]).toEqual(placed);
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 2);
    const query = {
      TableName: TABLE,
      KeyConditionExpression: '#pk = :thread',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ExpressionAttributeValues: { ':thread': { S: 'THREAD#corr-1' } },
      ConsistentRead: true,
    };
    expect(ddb).toHaveReceivedNthCommandWith(1, QueryCommand, { ...query, ExclusiveStartKey: undefined });
    expect(ddb).toHaveReceivedNthCommandWith(2, QueryCommand, { ...query, ExclusiveStartKey: pageBreak });
  });

  it('given an unknown thread, when read, then the timeline is empty', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    await expect(eventLog().timeline('corr-unknown')).resolves.toEqual([]);
  });

  it('given a stored envelope that no longer parses, when read, then the read fails instead of dropping the event', async () => {
    const broken = { ...toEventLogItem(anEvent('order.placed')), envelope: '{"id":"evt-x","type":"order.placed"' };
    ddb.on(QueryCommand).resolves({ Items: [marshall(broken)] });

    await expect(eventLog().timeline('corr-1')).rejects.toBeInstanceOf(InvalidEventError);
  });

  it('given an item of the thread without an envelope, when read, then the read fails and names the item', async () => {
    ddb.on(QueryCommand).resolves({ Items: [marshall({ pk: 'THREAD#corr-1', sk: 'oops' })] });

    await expect(eventLog().timeline('corr-1')).rejects.toThrow('not an event log item: THREAD#corr-1 oops');
  });
});
