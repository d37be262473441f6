/**
 * `orders dlq redrive <context>/outbox` against mocked SQS, DynamoDB and DynamoDB Streams: each
 * failure record's batch is read back from the stream, its outbox inserts (and nothing else) are
 * written again as new outbox items with the same envelope and a key of their own, and the
 * failure record is deleted only once all of them were written; a batch the stream no longer
 * holds is reported, with its record kept.
 */
import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationClient, GetTemplateCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { SinonSpyCall } from 'sinon';
import { replaySortKey, tableNameOf } from '../../../cli/dlq/outbox';
import { LOCAL_CLOUD_OUTPUT, type LocalCloudOutput } from '../../../cli/local-cloud-output';
import { EXIT, run } from '../../../cli/main';
import type { AnyEnvelope } from '../../../lambdas/shared/events/envelope';
import { OUTBOX_TTL_SECONDS, toOutboxItem } from '../../../lambdas/shared/infrastructure/outbox-item';
import { createStreamDispatcher } from '../../../lambdas/shared/infrastructure/stream-dispatcher';
import type { StreamFailureRecord } from '../../../local/cloud/runtime/stream-poller';
import { LOCAL_REGION } from '../../../local/emulators/credentials';
import { cliUnderTest } from '../../support/cli';
import { anEvent } from '../../support/factories';
import { anOutboxEntry, anOutboxInsert, aStreamEvent, aStreamRecord } from '../../support/lambda-events';

const sqs = mockClient(SQSClient);
const dynamodb = mockClient(DynamoDBClient);
const streams = mockClient(DynamoDBStreamsClient);
const cloudFormation = mockClient(CloudFormationClient);

beforeEach(() => {
  sqs.reset();
  dynamodb.reset();
  streams.reset();
  cloudFormation.reset();
});

const NOW = Date.parse('2026-01-02T08:00:00.000Z');
const STAMP = '2026-01-02T08:00:00.000Z';
const TABLE = 'EventDrivenOrders-OrderTable-1A2B3C';
const STREAM_ARN = `arn:aws:dynamodb:eu-west-1:123456789012:table/${TABLE}/stream/2026-01-01T00:00:00.000`;
const FAILURES_ID = 'OrderOutboxFailureQueue70F31DDA';
const FAILURES_URL = `http://127.0.0.1:4566/000000000000/${FAILURES_ID}`;
const FAILURES_ARN = `arn:aws:sqs:us-east-1:000000000000:${FAILURES_ID}`;
const OUTPUTS_FILE = '/project/.local-cloud/outputs.json';
const TEMPLATE_FILE = '/project/cdk.out/EventDrivenOrders.template.json';
const DYNAMODB_ENDPOINT = 'http://127.0.0.1:8000';

/** What `npm start` writes, and the template it names: the Order outbox's failure queue. */
function localCloudFiles(file: string): string | undefined {
  if (file === OUTPUTS_FILE) {
    const local: LocalCloudOutput = {
      stackName: 'EventDrivenOrders',
      region: LOCAL_REGION,
      endpoints: { sqs: 'http://127.0.0.1:4566', sns: 'http://127.0.0.1:4566', dynamodb: DYNAMODB_ENDPOINT },
      queues: [{ logicalId: FAILURES_ID, url: FAILURES_URL }],
      templateFile: TEMPLATE_FILE,
    };
    return JSON.stringify({ [LOCAL_CLOUD_OUTPUT]: local });
  }
  if (file === TEMPLATE_FILE) {
    return JSON.stringify({
      Resources: { Mapping: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [FAILURES_ID, 'Arn'] } } } } } },
    });
  }
  return undefined;
}

function cli() {
  const { deps, lines } = cliUnderTest({ localOutputsFile: OUTPUTS_FILE, readFile: localCloudFiles, now: () => NOW });
  return { deps, out: () => lines.out, err: () => lines.err };
}

/** A stream record as DynamoDB Streams gives it (the Lambda and Streams shapes of an attribute value are the same on the wire). */
function asStreamRecord(record: DynamoDBRecord, sequenceNumber: string): StreamRecord {
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    dynamodb: {
      Keys: record.dynamodb?.Keys as NonNullable<StreamRecord['dynamodb']>['Keys'],
      NewImage: record.dynamodb?.NewImage as NonNullable<StreamRecord['dynamodb']>['NewImage'],
      SequenceNumber: sequenceNumber,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

const outboxInsert = (event: AnyEnvelope, sequenceNumber: string, sequence = 1, index = 0) =>
  asStreamRecord(anOutboxInsert(anOutboxEntry(event, sequence, index)), sequenceNumber);
const stateInsert = (orderId: string, sequenceNumber: string) =>
  asStreamRecord(aStreamRecord('INSERT', { keys: { pk: `ORDER#${orderId}`, sk: 'STATE' }, newImage: { pk: `ORDER#${orderId}`, sk: 'STATE', kind: 'aggregate', version: 1 } }), sequenceNumber);
const stateModify = (orderId: string, sequenceNumber: string) =>
  asStreamRecord(aStreamRecord('MODIFY', { keys: { pk: `ORDER#${orderId}`, sk: 'STATE' }, newImage: { pk: `ORDER#${orderId}`, sk: 'STATE', kind: 'aggregate', version: 2 } }), sequenceNumber);

/** The failure record our stream poller (and Lambda) sends for records `start` to `end` of a shard. */
function aFailureMessage(n: number, batch: { shardId?: string; start: string; end: string; size: number }): Message {
  const record: StreamFailureRecord = {
    requestContext: { requestId: `r-${n}`, functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:dispatch', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 11 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-01-01T12:10:00.000Z',
    DDBStreamBatchInfo: {
      shardId: batch.shardId ?? 'shardId-1',
      startSequenceNumber: batch.start,
      endSequenceNumber: batch.end,
      approximateArrivalOfFirstRecord: '2026-01-01T12:00:00.000Z',
      approximateArrivalOfLastRecord: '2026-01-01T12:00:30.000Z',
      batchSize: batch.size,
      streamArn: STREAM_ARN,
    },
  };
  return { MessageId: `m-${n}`, ReceiptHandle: `receipt-${n}`, Body: JSON.stringify(record), Attributes: {}, MessageAttributes: {} };
}

/** The failure queue holds `messages`, received once each. */
function givenTheFailureQueue(...messages: Message[]) {
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: FAILURES_ARN, ApproximateNumberOfMessages: String(messages.length), ApproximateNumberOfMessagesNotVisible: '0' } });
  sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: messages }).resolves({ Messages: [] });
  sqs.on(DeleteMessageCommand).resolves({});
  sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: { Entries?: { Id?: string }[] }) => ({ Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id })), Failed: [] }));
}

/** The shard answers from `AT_SEQUENCE_NUMBER` with these pages, in order (then empty pages: an open shard). */
function givenTheStream(...pages: StreamRecord[][]) {
  streams.on(GetShardIteratorCommand).callsFake((input: { SequenceNumber?: string }) => ({ ShardIterator: `iterator-at-${input.SequenceNumber}-page-0` }));
  streams.on(GetRecordsCommand).callsFake((input: { ShardIterator?: string }) => {
    const iterator = input.ShardIterator ?? '';
    const n = Number(/-page-(\d+)$/.exec(iterator)?.[1]);
    return { Records: pages[n] ?? [], NextShardIterator: iterator.replace(/-page-\d+$/, `-page-${n + 1}`) };
  });
}

/** What the code wrote and deleted, across the clients, in the order it happened. */
function effects(): string[] {
  const calls = [
    ...dynamodb.commandCalls(PutItemCommand).map((call) => ({ call: call as SinonSpyCall, what: `Put ${String(call.args[0].input.Item?.sk?.S)}` })),
    ...sqs.commandCalls(DeleteMessageCommand).map((call) => ({ call: call as SinonSpyCall, what: `Delete ${String(call.args[0].input.ReceiptHandle)}` })),
  ];
  return calls.sort((a, b) => (a.call.calledBefore(b.call) ? -1 : 1)).map((c) => c.what);
}

const puts = (): PutItemCommandInput[] => dynamodb.commandCalls(PutItemCommand).map((call) => call.args[0].input);

describe('orders dlq redrive <context>/outbox', () => {
  it('given a failed batch, re-inserts each outbox insert as a new item (same envelope, sequence and index, a key of its own), skips other records, then deletes the failure record', async () => {
    // given a batch of two events of one order (the stream holds them out of order) with the order's own writes between them
    const placed = anEvent('order.placed', { orderId: 'order-7' }, { aggregateId: 'order-7' });
    const paid = anEvent('order.paid', { orderId: 'order-7' }, { aggregateId: 'order-7' });
    givenTheFailureQueue(aFailureMessage(1, { start: '200', end: '230', size: 2 }));
    givenTheStream(
      [stateInsert('order-7', '200'), outboxInsert(paid, '210', 2, 0)],
      [stateModify('order-7', '220'), outboxInsert(placed, '230', 1, 0), outboxInsert(anEvent('order.placed'), '240')],
    );
    dynamodb.on(PutItemCommand).resolves({});
    const { deps, out } = cli();

    // when
    const code = await run(['dlq', 'redrive', 'order/outbox'], deps);

    // then the batch was read from its first record
    expect(code).toBe(EXIT.OK);
    expect(streams).toHaveReceivedCommandWith(GetShardIteratorCommand, { StreamArn: STREAM_ARN, ShardId: 'shardId-1', ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: '200' });
    // and its two outbox inserts were written again, in the aggregate's order, before the failure record was deleted
    expect(effects()).toEqual([`Put OUTBOX#0000000001#000#replay-${STAMP}`, `Put OUTBOX#0000000002#000#replay-${STAMP}`, 'Delete receipt-1']);
    const [first, second] = puts();
    expect(first).toEqual({
      TableName: TABLE,
      Item: {
        pk: { S: 'ORDER#order-7' },
        sk: { S: `OUTBOX#0000000001#000#replay-${STAMP}` },
        kind: { S: 'outbox' },
        eventId: { S: placed.id },
        eventType: { S: 'order.placed' },
        sequence: { N: '1' },
        index: { N: '0' },
        envelope: { S: JSON.stringify(placed) },
        expiresAt: { N: String(NOW / 1000 + OUTBOX_TTL_SECONDS) },
        replayOf: { S: 'OUTBOX#0000000001#000' },
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(second?.Item?.envelope).toEqual({ S: JSON.stringify(paid) });
    expect(out()).toEqual([
      `✔ failure record m-1 (table ${TABLE}, shard shardId-1, sequence 200 to 230): 2 outbox item(s) written again; 2 other record(s) of the batch left alone; record deleted`,
      `    ORDER#order-7 OUTBOX#0000000001#000 → OUTBOX#0000000001#000#replay-${STAMP}  order.placed ${placed.id}`,
      `    ORDER#order-7 OUTBOX#0000000002#000 → OUTBOX#0000000002#000#replay-${STAMP}  order.paid ${paid.id}`,
      '',
      '✔ replayed 1 failure record(s) of order/outbox: 2 outbox item(s) written again, which the dispatcher publishes again (consumers ignore an event they already had)',
    ]);
  });

  it('the items written again go through the dispatcher as any outbox insert: the same events, in the aggregate order', async () => {
    // given a replayed batch
    const placed = anEvent('order.placed', { orderId: 'order-8' }, { aggregateId: 'order-8' });
    const paid = anEvent('order.paid', { orderId: 'order-8' }, { aggregateId: 'order-8' });
    givenTheFailureQueue(aFailureMessage(1, { start: '300', end: '310', size: 2 }));
    givenTheStream([outboxInsert(paid, '300', 2, 0), outboxInsert(placed, '310', 1, 0)]);
    dynamodb.on(PutItemCommand).resolves({});
    await run(['dlq', 'redrive', 'order/outbox'], cli().deps);
    const dispatched: AnyEnvelope[] = [];
    const handler = createStreamDispatcher({ dispatcher: { dispatchBatch: async (events) => (dispatched.push(...events), []) } });

    // when the stream carries the new items to the dispatcher, the later one first
    const inserts = puts().reverse().map((input) => {
      const item = unmarshall(input.Item ?? {});
      return aStreamRecord('INSERT', { keys: { pk: item.pk, sk: item.sk }, newImage: item });
    });
    const response = await handler(aStreamEvent(inserts));

    // then it publishes exactly the original envelopes, in the order the aggregate recorded them
    expect(response).toEqual({ batchItemFailures: [] });
    expect(dispatched).toEqual([placed, paid]);
  });

  it('given a put refused half way, keeps the failure record (visible again) and says what was written, exit code 1', async () => {
    // given
    const events = [anEvent('order.placed', {}, { aggregateId: 'order-9' }), anEvent('order.paid', {}, { aggregateId: 'order-9' })];
    givenTheFailureQueue(aFailureMessage(1, { start: '400', end: '410', size: 2 }));
    givenTheStream([outboxInsert(events[0] as AnyEnvelope, '400', 1, 0), outboxInsert(events[1] as AnyEnvelope, '410', 2, 0)]);
    dynamodb
      .on(PutItemCommand)
      .resolvesOnce({})
      .rejects(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException', $metadata: {} }));
    const { deps, out } = cli();

    // when
    const code = await run(['dlq', 'redrive', 'order/outbox'], deps);

    // then
    expect(code).toBe(EXIT.FAILURE);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, { QueueUrl: FAILURES_URL, Entries: [{ Id: '0', ReceiptHandle: 'receipt-1', VisibilityTimeout: 0 }] });
    expect(out()[0]).toBe(
      `✘ failure record m-1 (table ${TABLE}, shard shardId-1, sequence 400 to 410) kept in order/outbox: wrote 1 of 2 outbox item(s) again, then DynamoDB refused ` +
        'ORDER#order-9 OUTBOX#0000000002#000: ProvisionedThroughputExceededException: Throughput exceeds the current capacity; a later redrive writes the batch again (consumers ignore an event they already had)',
    );
    expect(out().at(-1)).toBe('✘ 1 of 1 failure record(s) kept in order/outbox (see above); 0 replayed (0 outbox item(s) written again)');
  });

  it('given the stream no longer holds a batch, keeps its record, says so and where its outbox items are; replays the others; exit code 1', async () => {
    // given two failure records: one of a batch trimmed from the stream, one of a batch still there
    const event = anEvent('order.cancelled', {}, { aggregateId: 'order-10' });
    givenTheFailureQueue(aFailureMessage(1, { shardId: 'shardId-0', start: '100', end: '120', size: 3 }), aFailureMessage(2, { start: '500', end: '500', size: 1 }));
    streams
      .on(GetShardIteratorCommand, { ShardId: 'shardId-0' })
      .rejects(Object.assign(new Error('Attempted to access data older than the trim point'), { name: 'TrimmedDataAccessException', $metadata: {} }));
    streams.on(GetShardIteratorCommand, { ShardId: 'shardId-1' }).resolves({ ShardIterator: 'it' });
    streams.on(GetRecordsCommand).resolves({ Records: [outboxInsert(event, '500')], NextShardIterator: 'next' });
    dynamodb.on(PutItemCommand).resolves({});
    const { deps, out } = cli();

    // when
    const code = await run(['dlq', 'redrive', 'order/outbox'], deps);

    // then the trimmed batch's record is kept, visible again, and nothing of it written
    expect(code).toBe(EXIT.FAILURE);
    expect(effects()).toEqual([`Put OUTBOX#0000000001#000#replay-${STAMP}`, 'Delete receipt-2']);
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, { Entries: [{ Id: '0', ReceiptHandle: 'receipt-1', VisibilityTimeout: 0 }] });
    expect(out()[0]).toBe(
      `✘ failure record m-1 (table ${TABLE}, shard shardId-0, sequence 100 to 120) kept in order/outbox: the stream no longer holds this batch: it keeps records 24 hours ` +
        '(TrimmedDataAccessException: Attempted to access data older than the trim point). Nothing was written and the failure record is kept. ' +
        `Its events are still outbox items in table ${TABLE}, for 7 days after they were written: find them, and publish them again by writing each as a new outbox item (a new sort key, the same envelope)`,
    );
    // and the operator is given the scan for them: outbox items written when the batch was (expiresAt = written + 7 days)
    const from = Date.parse('2026-01-01T12:00:00.000Z') / 1000 - 120 + OUTBOX_TTL_SECONDS;
    const to = Date.parse('2026-01-01T12:00:30.000Z') / 1000 + 120 + OUTBOX_TTL_SECONDS;
    expect(out()[1]).toBe(
      `    aws dynamodb scan --table-name ${TABLE} --filter-expression '#kind = :outbox AND expiresAt BETWEEN :from AND :to' --expression-attribute-names '{"#kind":"kind"}' ` +
        `--expression-attribute-values '{":outbox":{"S":"outbox"},":from":{"N":"${from}"},":to":{"N":"${to}"}}' --endpoint-url ${DYNAMODB_ENDPOINT}`,
    );
    expect(out()[2]).toMatch(/^✔ failure record m-2 .*: 1 outbox item\(s\) written again; record deleted$/);
    expect(out().at(-1)).toBe('✘ 1 of 2 failure record(s) kept in order/outbox (see above); 1 replayed (1 outbox item(s) written again)');
  });

  it('given an expired shard (no longer known to DynamoDB Streams), keeps the record the same way', async () => {
    // given
    givenTheFailureQueue(aFailureMessage(1, { start: '100', end: '120', size: 3 }));
    streams.on(GetShardIteratorCommand).rejects(Object.assign(new Error('Requested resource not found: Shard does not exist'), { name: 'ResourceNotFoundException', $metadata: {} }));
    const { deps, out } = cli();
    // when
    const code = await run(['dlq', 'redrive', 'order/outbox', '--json'], deps);
    // then
    expect(code).toBe(EXIT.FAILURE);
    const result = JSON.parse(out().join('\n')) as { ok: boolean; records: { outcome: string; reason: string; problem: string; hint: string }[] };
    expect(result.ok).toBe(false);
    expect(result.records).toEqual([
      expect.objectContaining({
        outcome: 'kept',
        reason: 'stream-trimmed',
        problem: expect.stringMatching(/^DynamoDB Streams no longer knows shard shardId-1 of this stream: a shard expires 24 hours after it closes/),
        hint: expect.stringMatching(new RegExp(`^aws dynamodb scan --table-name ${TABLE} `)),
      }),
    ]);
    expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('--dry-run: reads the batch and prints what would be written again; writes and deletes nothing', async () => {
    // given
    const event = anEvent('order.placed', {}, { aggregateId: 'order-11' });
    givenTheFailureQueue(aFailureMessage(1, { start: '600', end: '610', size: 1 }));
    givenTheStream([stateInsert('order-11', '600'), outboxInsert(event, '610')]);
    const { deps, out } = cli();
    // when
    const code = await run(['dlq', 'redrive', 'order/outbox', '--dry-run'], deps);
    // then
    expect(code).toBe(EXIT.OK);
    expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, { Entries: [{ Id: '0', ReceiptHandle: 'receipt-1', VisibilityTimeout: 0 }] });
    expect(out()).toEqual([
      `· failure record m-1 (table ${TABLE}, shard shardId-1, sequence 600 to 610): would write 1 outbox item(s) again; 1 other record(s) of the batch left alone`,
      `    ORDER#order-11 OUTBOX#0000000001#000 → OUTBOX#0000000001#000#replay-${STAMP}  order.placed ${event.id}`,
      '',
      'dry run: 1 of 1 failure record(s) of order/outbox can be replayed (1 outbox item(s) to write again); nothing written, every record left in the queue',
    ]);
  });

  it('given an outbox item the dispatcher cannot read, writes it again too (nothing is dropped) and warns that it will come back', async () => {
    // given an outbox insert whose envelope is not valid JSON
    const broken = aStreamRecord('INSERT', {
      keys: { pk: 'ORDER#order-12', sk: 'OUTBOX#0000000001#000' },
      newImage: { pk: 'ORDER#order-12', sk: 'OUTBOX#0000000001#000', kind: 'outbox', eventId: 'evt-broken', eventType: 'order.placed', sequence: 1, index: 0, envelope: '{"id":', expiresAt: 1 },
    });
    givenTheFailureQueue(aFailureMessage(1, { start: '700', end: '700', size: 1 }));
    givenTheStream([asStreamRecord(broken, '700')]);
    dynamodb.on(PutItemCommand).resolves({});
    const { deps, out } = cli();
    // when
    const code = await run(['dlq', 'redrive', 'order/outbox'], deps);
    // then
    expect(code).toBe(EXIT.OK);
    expect(puts()[0]?.Item?.envelope).toEqual({ S: '{"id":' });
    expect(out()[2]).toMatch(/^ {6}⚠ the dispatcher cannot read it \(.*MALFORMED.*\): it will fail on it again, and it will come back to this queue$/);
  });

  it('given two failure records holding the same event, writes it again once and deletes both', async () => {
    // given a batch and a later one that holds the same event again (a replay that failed too)
    const event = anEvent('order.placed', {}, { aggregateId: 'order-13' });
    givenTheFailureQueue(aFailureMessage(1, { start: '800', end: '800', size: 1 }), aFailureMessage(2, { start: '900', end: '900', size: 1 }));
    streams.on(GetShardIteratorCommand).callsFake((input: { SequenceNumber?: string }) => ({ ShardIterator: `at-${input.SequenceNumber}` }));
    streams.on(GetRecordsCommand, { ShardIterator: 'at-800' }).resolves({ Records: [outboxInsert(event, '800')], NextShardIterator: 'x' });
    const earlierReplay = { ...toOutboxItem('ORDER#order-13', anOutboxEntry(event), new Date(NOW)), sk: 'OUTBOX#0000000001#000#replay-2026-01-01T13:00:00.000Z' };
    const replay = aStreamRecord('INSERT', { keys: { pk: earlierReplay.pk, sk: earlierReplay.sk }, newImage: { ...earlierReplay } });
    streams.on(GetRecordsCommand, { ShardIterator: 'at-900' }).resolves({ Records: [asStreamRecord(replay, '900')], NextShardIterator: 'y' });
    dynamodb.on(PutItemCommand).resolves({});
    const { deps } = cli();
    // when
    const code = await run(['dlq', 'redrive', 'order/outbox'], deps);
    // then
    expect(code).toBe(EXIT.OK);
    expect(effects()).toEqual([`Put OUTBOX#0000000001#000#replay-${STAMP}`, 'Delete receipt-1', 'Delete receipt-2']);
  });

  it('given the stream gives nothing up to the last record of the batch, writes nothing and keeps the record', async () => {
    // given a closed shard that ends before the batch's last sequence number
    const event = anEvent('order.placed', {}, { aggregateId: 'order-14' });
    givenTheFailureQueue(aFailureMessage(1, { start: '1000', end: '1020', size: 2 }));
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it' });
    streams.on(GetRecordsCommand).resolves({ Records: [outboxInsert(event, '1000')] });
    const { deps, out } = cli();
    // when
    const code = await run(['dlq', 'redrive', 'order/outbox'], deps);
    // then
    expect(code).toBe(EXIT.FAILURE);
    expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(out()[0]).toMatch(/kept in order\/outbox: the stream gave no record up to sequence 1020 \(read up to 1000\), so the batch may be incomplete: nothing written$/);
  });

  it('given the failure record cannot be deleted once its items are written, says the items were written and that a later redrive writes them again', async () => {
    // given
    givenTheFailureQueue(aFailureMessage(1, { start: '1100', end: '1100', size: 1 }));
    givenTheStream([outboxInsert(anEvent('order.placed'), '1100')]);
    dynamodb.on(PutItemCommand).resolves({});
    sqs.on(DeleteMessageCommand).rejects(Object.assign(new Error('The receipt handle has expired'), { name: 'ReceiptHandleIsInvalid', $metadata: {} }));
    const { deps, out } = cli();
    // when
    const code = await run(['dlq', 'redrive', 'order/outbox'], deps);
    // then
    expect(code).toBe(EXIT.FAILURE);
    expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 1);
    expect(out()[0]).toMatch(/kept in order\/outbox: every outbox item was written again, but the failure record could not be deleted: ReceiptHandleIsInvalid: The receipt handle has expired; a later redrive writes them again/);
  });

  it('on a deployed stack, reads the stream and writes the table in the stack’s region, named by the stream ARN', async () => {
    // given the stack's failure queue, found through CloudFormation
    cloudFormation.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [{ LogicalResourceId: FAILURES_ID, PhysicalResourceId: FAILURES_URL, ResourceType: 'AWS::SQS::Queue', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() }],
    });
    cloudFormation.on(GetTemplateCommand).resolves({ TemplateBody: localCloudFiles(TEMPLATE_FILE) as string });
    givenTheFailureQueue(aFailureMessage(1, { start: '1200', end: '1200', size: 1 }));
    givenTheStream([outboxInsert(anEvent('order.placed'), '1200')]);
    dynamodb.on(PutItemCommand).resolves({});
    const { deps } = cli();
    // when
    const code = await run(['dlq', 'redrive', 'order/outbox', '--stack', 'EventDrivenOrders', '--region', 'eu-west-1'], deps);
    // then
    expect(code).toBe(EXIT.OK);
    expect(puts()[0]?.TableName).toBe(TABLE);
    const clients = [streams.commandCalls(GetShardIteratorCommand)[0]?.thisValue, dynamodb.commandCalls(PutItemCommand)[0]?.thisValue] as (DynamoDBClient | DynamoDBStreamsClient)[];
    for (const client of clients) {
      expect(await client.config.region()).toBe('eu-west-1');
      expect(client.config.endpoint).toBeUndefined();
    }
  });

  it('refuses --dry-run for the dead-letter queue of a subscription, pointing at show, and touches no message', async () => {
    // given a subscription's queue and its dead-letter queue at an SQS endpoint
    const dlq = { url: 'http://127.0.0.1:4566/000000000000/payments-dlq', arn: 'arn:aws:sqs:us-east-1:000000000000:payments-dlq' };
    const source = { url: 'http://127.0.0.1:4566/000000000000/payments', arn: 'arn:aws:sqs:us-east-1:000000000000:payments' };
    sqs.on(ListQueuesCommand).resolves({ QueueUrls: [dlq.url, source.url] });
    sqs.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl?: string }) => ({
      Attributes: {
        QueueArn: input.QueueUrl === dlq.url ? dlq.arn : source.arn,
        ...(input.QueueUrl === source.url ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }) } : {}),
      },
    }));
    const { deps, lines } = cliUnderTest();
    // when
    const code = await run(['dlq', 'redrive', 'payments-dlq', '--sqs-endpoint', 'http://127.0.0.1:4566', '--dry-run'], deps);
    // then
    expect(code).toBe(EXIT.FAILURE);
    expect(lines.err).toEqual([
      'orders dlq: --dry-run is for the outbox failure queues (order/outbox, …); to see what a redrive of payments-dlq would move: orders dlq show payments-dlq',
    ]);
    expect(sqs).not.toHaveReceivedCommand(ReceiveMessageCommand);
  });
});

describe('the replayed item’s key', () => {
  it('is the original sort key with the run’s time; a replay of a replay is named after the original', () => {
    expect(replaySortKey('OUTBOX#0000000003#001', STAMP)).toBe(`OUTBOX#0000000003#001#replay-${STAMP}`);
    expect(replaySortKey('OUTBOX#0000000003#001#replay-2026-01-01T00:00:00.000Z', STAMP)).toBe(`OUTBOX#0000000003#001#replay-${STAMP}`);
  });

  it('names the table of a stream ARN, on AWS and on DynamoDB Local', () => {
    expect(tableNameOf(STREAM_ARN)).toBe(TABLE);
    expect(tableNameOf('arn:aws:dynamodb:ddblocal:000000000000:table/OrderTableABC/stream/2026-01-01T00:00:00.000')).toBe('OrderTableABC');
    expect(tableNameOf('arn:aws:sqs:us-east-1:000000000000:queue')).toBeUndefined();
  });
});
