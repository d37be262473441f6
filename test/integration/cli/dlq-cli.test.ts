/**
 * `orders dlq` against the real SQS emulator (fauxqs on 127.0.0.1): a subscription queue with
 * its dead-letter queue and an outbox failure queue, named as the stack names them, found the
 * way the local cloud publishes them (`.local-cloud/outputs.json`) or at a bare endpoint.
 * Dead letters are listed, shown with why they are poison, and redriven with none lost.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { LOCAL_CLOUD_OUTPUT, type LocalCloudOutput } from '../../../cli/local-cloud-output';
import { EXIT, run, type CliDeps } from '../../../cli/main';
import { readIfPresent } from '../../../cli/process-deps';
import { localClientConfig, LOCAL_REGION } from '../../../local/emulators/credentials';
import { startFauxqs, type RunningFauxqs } from '../../../local/emulators/fauxqs';
import { anEvent } from '../../support/factories';
import { eventually } from '../../support/waiting';
import { runCli } from './support/cli-process';

/** The stack's logical ids, which the local cloud uses as queue names. */
const DLQ_NAME = 'PaymentOrderPlacedSubscriptionDeadLetterQueueDA7A5250';
const SOURCE_NAME = 'PaymentOrderPlacedSubscriptionQueueDA9CCAF5';
const FAILURES_NAME = 'PaymentOutboxFailureQueue3CAC1600';
const TYPE_ATTRIBUTE = { type: { DataType: 'String', StringValue: 'order.placed' } };

let fauxqs: RunningFauxqs;
let sqs: SQSClient;
let dir: string;

beforeEach(async () => {
  fauxqs = await startFauxqs();
  sqs = new SQSClient(localClientConfig(fauxqs.endpoint));
  dir = mkdtempSync(path.join(os.tmpdir(), 'dlq-cli-'));
});

afterEach(async () => {
  sqs.destroy();
  await fauxqs.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Stack {
  readonly dlq: string;
  readonly source: string;
  readonly failures: string;
  /** What `npm start` would write. */
  readonly outputsFile: string;
}

/** A consumer's queue with its dead-letter queue, and an outbox failure queue, published as the local cloud publishes them. */
async function givenTheLocalCloudQueues(): Promise<Stack> {
  const create = async (name: string, attributes: Record<string, string> = {}) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl as string;
  const dlq = await create(DLQ_NAME);
  const dlqArn = await attribute(dlq, 'QueueArn');
  const source = await create(SOURCE_NAME, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) });
  const failures = await create(FAILURES_NAME);
  const templateFile = path.join(dir, 'EventDrivenOrders.template.json');
  writeFileSync(
    templateFile,
    JSON.stringify({
      Resources: {
        PaymentOutboxDispatcherMapping: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: { DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [FAILURES_NAME, 'Arn'] } } } },
        },
      },
    }),
  );
  const local: LocalCloudOutput = {
    stackName: 'EventDrivenOrders',
    region: LOCAL_REGION,
    endpoints: { sqs: fauxqs.endpoint, sns: fauxqs.endpoint, dynamodb: 'http://127.0.0.1:1' },
    queues: [
      { logicalId: SOURCE_NAME, url: source },
      { logicalId: DLQ_NAME, url: dlq },
      { logicalId: FAILURES_NAME, url: failures },
    ],
    templateFile,
  };
  const outputsFile = path.join(dir, 'outputs.json');
  writeFileSync(outputsFile, JSON.stringify({ ApiUrl: 'http://127.0.0.1:1', [LOCAL_CLOUD_OUTPUT]: local }));
  return { dlq, source, failures, outputsFile };
}

async function attribute(queueUrl: string, name: 'QueueArn' | 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible'): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [name] }));
  return Attributes?.[name] as string;
}

async function counts(queueUrl: string): Promise<{ waiting: number; inFlight: number }> {
  return { waiting: Number(await attribute(queueUrl, 'ApproximateNumberOfMessages')), inFlight: Number(await attribute(queueUrl, 'ApproximateNumberOfMessagesNotVisible')) };
}

/** The bodies of the dead letters: one valid event (dead-lettered by SQS itself) and four kinds of poison. */
async function givenDeadLetters(stack: Stack): Promise<string[]> {
  // A valid event its consumer failed on five times: SQS moves it on the sixth receive.
  const valid = JSON.stringify(anEvent('order.placed', {}, { id: 'evt-valid', correlationId: 'corr-valid' }));
  await sqs.send(new SendMessageCommand({ QueueUrl: stack.source, MessageBody: valid, MessageAttributes: TYPE_ATTRIBUTE }));
  await eventually(
    async () => {
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.source, VisibilityTimeout: 0 }));
      return (await counts(stack.dlq)).waiting === 1 ? true : undefined;
    },
    { timeoutMs: 5_000, intervalMs: 10, what: 'SQS to move the failing message to the dead-letter queue' },
  );
  const event = anEvent('order.placed', {}, { id: 'evt-poison' });
  const poison = [
    'not json {',
    JSON.stringify({ ...event, type: 'order.shipped' }),
    JSON.stringify({ ...event, version: 99 }),
    JSON.stringify({ ...event, data: { ...event.data, total: 'ninety' } }),
  ];
  for (const body of poison) await sqs.send(new SendMessageCommand({ QueueUrl: stack.dlq, MessageBody: body, MessageAttributes: TYPE_ATTRIBUTE }));
  return [valid, ...poison];
}

async function givenAStreamFailure(stack: Stack): Promise<void> {
  const record = {
    requestContext: { requestId: 'r-1', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:dispatch', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 11 },
    responseContext: { functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-01-01T12:00:00.000Z',
    DDBStreamBatchInfo: { shardId: 'shard-1', startSequenceNumber: '100', endSequenceNumber: '101', batchSize: 2, streamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/payments/stream/1' },
  };
  await sqs.send(new SendMessageCommand({ QueueUrl: stack.failures, MessageBody: JSON.stringify(record) }));
}

/** Receives (and deletes) every message of a queue until `expected` have arrived. */
async function drain(queueUrl: string, expected: number): Promise<Message[]> {
  const received: Message[] = [];
  return eventually(
    async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
      );
      for (const message of Messages) {
        received.push(message);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
      return received.length >= expected ? received : undefined;
    },
    { timeoutMs: 5_000, intervalMs: 20, what: `${expected} message(s) in ${queueUrl}` },
  );
}

function cli(outputsFile: string) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CliDeps = {
    stdout: (line) => out.push(...line.split('\n')),
    stderr: (line) => err.push(...line.split('\n')),
    env: {},
    localOutputsFile: outputsFile,
    readFile: readIfPresent,
    stackOutputs: () => Promise.reject(new Error('no stack here')),
  };
  return { deps, out: () => out, err: () => err };
}

describe('orders dlq on the local cloud', () => {
  it('list: each dead-letter queue by what to type, its count, and the queue that redrives to it', async () => {
    // given
    const stack = await givenTheLocalCloudQueues();
    await givenDeadLetters(stack);
    await givenAStreamFailure(stack);
    const { deps, out } = cli(stack.outputsFile);
    // when
    const code = await run(['dlq', 'list'], deps);
    // then
    expect(code).toBe(EXIT.OK);
    expect(out()).toEqual([
      expect.stringMatching(/^QUEUE +MESSAGES {2}IN FLIGHT {2}SOURCE QUEUE\(S\) THAT REDRIVE TO IT$/),
      expect.stringMatching(new RegExp(`^payment/order\\.placed +5 +0 {2}${SOURCE_NAME} after 5 receives$`)),
      expect.stringMatching(/^payment\/outbox +1 +0 {2}\(outbox stream failures: batch locations; redrive replays them from the stream\)$/),
      '',
      `6 message(s) in 2 of 2 dead-letter queues of the local cloud (${fauxqs.endpoint}); look at them: orders dlq show payment/order.placed`,
    ]);
  });

  it('show: each message with why it is poison, and every message still in the queue afterwards', async () => {
    // given
    const stack = await givenTheLocalCloudQueues();
    await givenDeadLetters(stack);
    const { deps, out } = cli(stack.outputsFile);
    // when
    const code = await run(['dlq', 'show', 'payment/order.placed'], deps);
    // then
    expect(code).toBe(EXIT.OK);
    expect(out().slice(0, 3)).toEqual([
      `payment/order.placed: the dead-letter queue of ${SOURCE_NAME}`,
      `  queue ${DLQ_NAME}`,
      '5 message(s) shown, left in the queue (this look counted as one more receive)',
    ]);
    const why = out().filter((line) => line.startsWith('  why '));
    expect(why).toHaveLength(5);
    expect(why).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}why {9}poison: MALFORMED: body is not JSON/),
        expect.stringMatching(/^ {2}why {9}poison: UNKNOWN_TYPE: "order\.shipped" is not in the event catalogue/),
        expect.stringMatching(/^ {2}why {9}poison: UNSUPPORTED_VERSION: order\.placed version 99 is newer than the supported version/),
        expect.stringMatching(/^ {2}why {9}poison: INVALID_DATA: order\.placed: data\.total must be a number/),
        expect.stringMatching(/^ {2}why {9}valid order\.placed v\d+ \(id evt-valid, correlation corr-valid\):$/),
      ]),
    );
    expect(out()).toContainEqual(expect.stringMatching(/^ {2}attributes {2}type=order\.placed$/));
    // the message SQS dead-lettered was received 6 times before, and once more by this look
    expect(out()).toContainEqual(expect.stringMatching(/^ {2}received {4}7 time\(s\), first at \d{4}-\d\d-\d\dT/));
    expect(await counts(stack.dlq)).toEqual({ waiting: 5, inFlight: 0 });
  });

  it('show --json: the messages with their diagnosis, typed', async () => {
    // given
    const stack = await givenTheLocalCloudQueues();
    await givenDeadLetters(stack);
    const { deps, out } = cli(stack.outputsFile);
    // when
    const code = await run(['dlq', 'show', DLQ_NAME, '--limit', '2', '--json'], deps);
    // then
    expect(code).toBe(EXIT.OK);
    const shown = JSON.parse(out().join('\n')) as { queue: { label: string }; messages: { diagnosis: { kind: string } }[]; released: boolean };
    expect(shown.queue.label).toBe('payment/order.placed');
    expect(shown.released).toBe(true);
    expect(shown.messages).toHaveLength(2);
    for (const message of shown.messages) expect(['valid-event', 'invalid-event']).toContain(message.diagnosis.kind);
    expect(await counts(stack.dlq)).toEqual({ waiting: 5, inFlight: 0 });
  });

  it('redrive: every message back in its source queue, body and attributes as they were, and the dead-letter queue empty', async () => {
    // given
    const stack = await givenTheLocalCloudQueues();
    const bodies = await givenDeadLetters(stack);
    const { deps, out, err } = cli(stack.outputsFile);
    // when
    const code = await run(['dlq', 'redrive', 'payment/order.placed'], deps);
    // then
    expect(code).toBe(EXIT.OK);
    expect(err()[0]).toBe('this SQS endpoint has no message move task (StartMessageMoveTask); moving the messages one by one: sent first, deleted once sent');
    expect(out()).toEqual([`✔ moved 5 message(s) from payment/order.placed back to ${SOURCE_NAME}, one by one: this SQS endpoint has no message move task`]);
    expect(await counts(stack.dlq)).toEqual({ waiting: 0, inFlight: 0 });
    const arrived = await drain(stack.source, bodies.length);
    expect(arrived.map((m) => m.Body).sort()).toEqual([...bodies].sort());
    for (const message of arrived) {
      expect(message.MessageAttributes).toEqual({ type: expect.objectContaining(TYPE_ATTRIBUTE.type) });
      // a fresh message: its consumer gets its five attempts again
      expect(message.Attributes?.ApproximateReceiveCount).toBe('1');
    }
  });

  it('redrive --max: moves only that many, and leaves the others where they were', async () => {
    // given
    const stack = await givenTheLocalCloudQueues();
    await givenDeadLetters(stack);
    const { deps, out } = cli(stack.outputsFile);
    // when
    const code = await run(['dlq', 'redrive', 'payment/order.placed', '--max', '2'], deps);
    // then
    expect(code).toBe(EXIT.OK);
    expect(out()).toEqual([`✔ moved 2 message(s) from payment/order.placed back to ${SOURCE_NAME}, one by one (--max)`]);
    expect(await counts(stack.dlq)).toEqual({ waiting: 3, inFlight: 0 });
    expect(await counts(stack.source)).toEqual({ waiting: 2, inFlight: 0 });
  });

  it('redrive of an outbox failure queue whose DynamoDB cannot be reached: the record kept and why, exit code 1', async () => {
    // given outputs.json points at a DynamoDB that is not there
    const stack = await givenTheLocalCloudQueues();
    await givenAStreamFailure(stack);
    const { deps, out } = cli(stack.outputsFile);
    // when
    const code = await run(['dlq', 'redrive', 'payment/outbox'], deps);
    // then
    expect(code).toBe(EXIT.FAILURE);
    expect(out()[0]).toMatch(
      /^✘ failure record \S+ \(table payments, shard shard-1, sequence 100 to 101\) kept in payment\/outbox: could not read the batch from the stream: .*ECONNREFUSED/,
    );
    expect(out().at(-1)).toBe('✘ 1 of 1 failure record(s) kept in payment/outbox (see above); 0 replayed (0 outbox item(s) written again)');
    expect(await counts(stack.failures)).toEqual({ waiting: 1, inFlight: 0 });
  });

  it('given the local cloud has stopped (its outputs left behind), says what to check and exits 1', async () => {
    // given
    const stack = await givenTheLocalCloudQueues();
    await fauxqs.stop();
    const { deps, err } = cli(stack.outputsFile);
    // when
    const code = await run(['dlq', 'list'], deps);
    // then
    expect(code).toBe(EXIT.FAILURE);
    expect(err().join('\n')).toMatch(/^orders dlq: SQS at the local cloud \(http:\/\/127\.0\.0\.1:\d+\) failed: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(is `npm start` still serving\?/);
  });
});

describe('orders dlq as a user runs it, at a bare SQS endpoint', () => {
  it('lists the queues by name and redrives one by name, none lost', async () => {
    // given
    const stack = await givenTheLocalCloudQueues();
    const bodies = await givenDeadLetters(stack);

    // when
    const listed = await runCli(['dlq', 'list', '--sqs-endpoint', fauxqs.endpoint]);
    // then: without a stack's logical ids, a queue is named by its name
    expect(listed.code).toBe(0);
    expect(listed.lines).toContainEqual(expect.stringMatching(new RegExp(`^${DLQ_NAME} +5 +0 {2}${SOURCE_NAME} after 5 receives$`)));

    // when
    const redriven = await runCli(['dlq', 'redrive', DLQ_NAME, '--sqs-endpoint', fauxqs.endpoint, '--json']);
    // then
    expect(redriven.code).toBe(0);
    expect(JSON.parse(redriven.stdout)).toEqual({ queue: DLQ_NAME, ok: true, method: 'send-and-delete', because: 'no-move-task', moved: 5, notSent: [], notDeleted: [] });
    expect(await counts(stack.dlq)).toEqual({ waiting: 0, inFlight: 0 });
    expect((await drain(stack.source, bodies.length)).map((m) => m.Body).sort()).toEqual([...bodies].sort());
  }, 60_000);
});
