/**
 * The SQS poller against fauxqs, invoking test bundles through the function host: batches are
 * delivered in Lambda's SQS event and deleted on success, a partial batch response deletes only
 * the successes, and a message that keeps failing comes back until the queue's redrive policy
 * moves it to the dead-letter queue.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION, localClientConfig } from '../../../local/emulators/credentials';
import { startFauxqs, type RunningFauxqs } from '../../../local/emulators/fauxqs';
import type { LocalEndpoints, LocalFunction, SqsMapping } from '../../../local/cloud/model';
import { FunctionHost } from '../../../local/cloud/runtime/function-host';
import { SqsPoller, type SqsPollerOptions } from '../../../local/cloud/runtime/sqs-poller';
import { eventually } from '../../support/waiting';

const STARTUP_TIMEOUT_MS = 60_000;
const SQS_BATCH = path.join(__dirname, '..', '..', 'fixtures', 'functions', 'sqs-batch');

let fauxqs: RunningFauxqs;
let sqs: SQSClient;
let host: FunctionHost;
let endpoints: LocalEndpoints;
const pollers: SqsPoller[] = [];
const logs: string[] = [];

function sqsFunction(logicalId: string, mode: 'partial' | 'throw' | 'bogus'): LocalFunction {
  return {
    logicalId,
    name: logicalId,
    arn: `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:${logicalId}`,
    codeDir: SQS_BATCH,
    handler: 'index.handler',
    environment: { MODE: mode },
    timeoutSeconds: 3,
    memoryMb: 128,
  };
}

beforeAll(async () => {
  fauxqs = await startFauxqs();
  sqs = new SQSClient(localClientConfig(fauxqs.endpoint));
  endpoints = { dynamodb: 'http://127.0.0.1:1', snsSqs: fauxqs.endpoint, region: LOCAL_REGION, accountId: '000000000000' };
  host = new FunctionHost({
    functions: [sqsFunction('Partial', 'partial'), sqsFunction('Throwing', 'throw'), sqsFunction('Bogus', 'bogus')],
    endpoints,
    onLog: () => undefined,
  });
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(pollers.map((poller) => poller.close()));
  await host?.stop();
  sqs?.destroy();
  await fauxqs?.stop();
}, STARTUP_TIMEOUT_MS);

interface Queue {
  readonly url: string;
  readonly arn: string;
}

async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<Queue> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = QueueUrl as string;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: Attributes?.['QueueArn'] as string };
}

/** A queue whose failed messages return after 1 s, and go to a DLQ after `maxReceiveCount` receives. */
async function queueWithDlq(name: string, maxReceiveCount: number): Promise<{ queue: Queue; dlq: Queue }> {
  const dlq = await createQueue(`${name}-dlq`);
  const queue = await createQueue(name, {
    VisibilityTimeout: '1',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }),
  });
  return { queue, dlq };
}

async function sendAll(queue: Queue, bodies: readonly string[]): Promise<void> {
  for (let start = 0; start < bodies.length; start += 10) {
    const chunk = bodies.slice(start, start + 10);
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: chunk.map((body, i) => ({ Id: String(start + i), MessageBody: body })) }));
  }
}

async function queueDepth(queue: Queue): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes?.['ApproximateNumberOfMessages']), inFlight: Number(Attributes?.['ApproximateNumberOfMessagesNotVisible']) };
}

interface Delivery {
  readonly at: number;
  readonly records: readonly SQSRecord[];
}

/** Starts a poller on `queue` whose invocations are recorded on their way to the function host. */
function startPoller(queue: Queue, functionLogicalId: string, mapping: Partial<SqsMapping> = {}, options: Partial<SqsPollerOptions> = {}) {
  const deliveries: Delivery[] = [];
  const poller = new SqsPoller({
    mapping: {
      logicalId: `${functionLogicalId}Mapping`,
      functionLogicalId,
      queueUrl: queue.url,
      queueArn: queue.arn,
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      reportBatchItemFailures: true,
      maxConcurrency: 1,
      ...mapping,
    },
    invoke: async (id, event) => {
      deliveries.push({ at: Date.now(), records: (event as SQSEvent).Records });
      return host.invoke(id, event);
    },
    endpoints,
    log: (line) => logs.push(line),
    ...options,
  });
  pollers.push(poller);
  poller.start();
  return { poller, deliveries };
}

function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  return eventually(probe, { timeoutMs, intervalMs: 25, what });
}

const bodiesOf = (delivery: Delivery | undefined) => delivery?.records.map((record) => record.body);

describe('a batch the function handles', () => {
  it("is delivered as Lambda's SQS event and deleted", async () => {
    const queue = await createQueue('handled');
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: 'first',
        MessageAttributes: { type: { DataType: 'String', StringValue: 'order.placed' }, blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') } },
      }),
    );
    await sendAll(queue, ['second', 'third']);

    const { poller, deliveries } = startPoller(queue, 'Partial');
    await until(() => (poller.counters.records >= 3 ? true : undefined), 'three records delivered');
    await until(async () => ((await queueDepth(queue)).inFlight === 0 ? true : undefined), 'the messages deleted');

    expect(deliveries).toHaveLength(1);
    expect(bodiesOf(deliveries[0])).toEqual(['first', 'second', 'third']);
    const first = deliveries[0]?.records[0];
    expect(first).toEqual({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: 'first',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {
        type: { stringValue: 'order.placed', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: Buffer.from('hi').toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: createHash('md5').update('first').digest('hex'),
      md5OfMessageAttributes: expect.any(String),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: LOCAL_REGION,
    });
    expect(await queueDepth(queue)).toEqual({ visible: 0, inFlight: 0 });
    expect(poller.counters).toMatchObject({ batches: 1, records: 3, failures: 0, retries: 0 });
  });

  it('respects the batch size', async () => {
    const queue = await createQueue('batch-size');
    await sendAll(queue, ['1', '2', '3', '4', '5', '6', '7']);

    const { poller, deliveries } = startPoller(queue, 'Partial', { batchSize: 3 });
    await until(() => (poller.counters.records >= 7 ? true : undefined), 'seven records delivered');

    expect(deliveries.map((d) => d.records.length)).toEqual([3, 3, 1]);
    expect(deliveries.flatMap((d) => bodiesOf(d) ?? [])).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  });

  it('gathers a batch larger than 10 from several receives within the batching window', async () => {
    const queue = await createQueue('large-batch');
    const bodies = Array.from({ length: 15 }, (_, i) => `m${i}`);
    await sendAll(queue, bodies);

    const { poller, deliveries } = startPoller(queue, 'Partial', { batchSize: 15, maxBatchingWindowSeconds: 1 });
    await until(() => (poller.counters.records >= 15 ? true : undefined), 'fifteen records delivered');

    expect(deliveries).toHaveLength(1);
    expect(new Set(bodiesOf(deliveries[0]))).toEqual(new Set(bodies));
  });

  it('keeps at most maxConcurrency batches in flight', async () => {
    const queue = await createQueue('concurrency');
    await sendAll(queue, ['a', 'b', 'c', 'd', 'e', 'f']);
    let inFlight = 0;
    let most = 0;
    const { poller } = startPoller(
      queue,
      'Partial',
      { batchSize: 1, maxConcurrency: 2 },
      {
        invoke: async (id, event) => {
          most = Math.max(most, (inFlight += 1));
          await new Promise((resolve) => setTimeout(resolve, 200));
          inFlight -= 1;
          return host.invoke(id, event);
        },
      },
    );
    await until(() => (poller.counters.records >= 6 ? true : undefined), 'six records delivered');

    expect(most).toBe(2);
  });
});

describe('failures', () => {
  it('with a partial batch response, deletes only the successes; the failed message comes back after its visibility timeout', async () => {
    const { queue } = await queueWithDlq('partial', 2);
    await sendAll(queue, ['ok 1', 'please fail', 'ok 2']);

    const { poller, deliveries } = startPoller(queue, 'Partial');
    await until(() => (poller.counters.failures >= 2 ? true : undefined), 'the failed message delivered again, and failing again');

    expect(bodiesOf(deliveries[0])).toEqual(['ok 1', 'please fail', 'ok 2']);
    expect(bodiesOf(deliveries[1])).toEqual(['please fail']);
    const [again] = deliveries[1]?.records ?? [];
    expect(again?.messageId).toBe(deliveries[0]?.records[1]?.messageId);
    expect(again?.attributes.ApproximateReceiveCount).toBe('2');
    expect((deliveries[1]?.at ?? 0) - (deliveries[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect(poller.counters).toMatchObject({ failures: 2, retries: 1 });
  });

  it('moves a message that always fails to the dead-letter queue after maxReceiveCount receives', async () => {
    const { queue, dlq } = await queueWithDlq('poison', 2);
    await sendAll(queue, ['fail every time']);

    const { poller, deliveries } = startPoller(queue, 'Throwing');
    const dead = await until(async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 1 }));
      return Messages?.[0];
    }, 'the message in the dead-letter queue');

    expect(dead.Body).toBe('fail every time');
    expect(deliveries.map((d) => d.records[0]?.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(poller.counters).toMatchObject({ batches: 2, failures: 2, dlqSends: 1 });
    expect(await queueDepth(queue)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('treats an itemIdentifier that is not in the batch as a failure of the whole batch', async () => {
    const { queue } = await queueWithDlq('bogus', 5);
    await sendAll(queue, ['fine', 'fail']);

    const { deliveries } = startPoller(queue, 'Bogus');
    await until(() => (deliveries.length >= 2 ? true : undefined), 'the batch delivered again');

    expect(bodiesOf(deliveries[1])?.sort()).toEqual(['fail', 'fine']);
    expect(deliveries[1]?.records.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['2', '2']);
    expect(logs).toEqual(expect.arrayContaining([expect.stringContaining('not a message of this batch')]));
  });
});

describe('stop', () => {
  it('aborts the long poll at once', async () => {
    const queue = await createQueue('idle');
    await sendAll(queue, ['one']);
    const { poller } = startPoller(queue, 'Partial', {}, { waitTimeSeconds: 20 });
    // Once the message is handled and deleted, the poller is back in a 20 s long poll.
    await until(async () => (poller.counters.records === 1 && (await queueDepth(queue)).inFlight === 0 ? true : undefined), 'the message handled');
    await new Promise((resolve) => setImmediate(resolve));

    const started = Date.now();
    await poller.stop();

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(poller.isRunning).toBe(false);
  });
});
