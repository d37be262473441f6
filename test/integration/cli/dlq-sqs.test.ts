/**
 * `orders dlq` against mocked AWS SDK clients: the AWS path (the stack's queues from
 * CloudFormation, an SQS message move task from the dead-letter queue to its source), and the
 * message-by-message fallback's promise: a message is sent before it is deleted, and a message
 * whose send failed is never deleted.
 */
import 'aws-sdk-client-mock-jest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationClient, GetTemplateCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { deadLetterQueuesOf, DlqError, type DeadLetterQueue, type QueueFacts } from '../../../cli/dlq/model';
import { peekMessages, redrive, redriveSucceeded, type RedriveOptions } from '../../../cli/dlq/sqs';
import { EXIT, run, type CliDeps } from '../../../cli/main';
import { cliUnderTest } from '../../support/cli';

const sqs = mockClient(SQSClient);
const cloudFormation = mockClient(CloudFormationClient);

beforeEach(() => {
  sqs.reset();
  cloudFormation.reset();
});

const ACCOUNT = '123456789012';
const arnOf = (name: string) => `arn:aws:sqs:eu-west-1:${ACCOUNT}:${name}`;
const urlOf = (name: string) => `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/${name}`;

function aQueue(name: string, logicalId: string, extra: Partial<QueueFacts> = {}): QueueFacts {
  return { url: urlOf(name), name, arn: arnOf(name), logicalId, messages: 0, inFlight: 0, ...extra };
}

const DLQ = aQueue('EventDrivenOrders-PaymentOrderPlacedSubscriptionDeadL-1A2B', 'PaymentOrderPlacedSubscriptionDeadLetterQueueDA7A5250', { messages: 3 });
const SOURCE = aQueue('EventDrivenOrders-PaymentOrderPlacedSubscriptionQueue-3C4D', 'PaymentOrderPlacedSubscriptionQueueDA9CCAF5', {
  redrivePolicy: { deadLetterTargetArn: DLQ.arn, maxReceiveCount: 5 },
});
const FAILURES = aQueue('EventDrivenOrders-OrderOutboxFailureQueue-5E6F', 'OrderOutboxFailureQueue70F31DDA', { messages: 1 });

function theDlq(): DeadLetterQueue {
  return deadLetterQueuesOf([SOURCE, DLQ]).find((q) => q.arn === DLQ.arn) as DeadLetterQueue;
}

/** A clock that moves only when the code under test sleeps. */
function virtualTime(): Pick<RedriveOptions, 'now' | 'sleep'> & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

function aMessage(n: number, body = `{"n":${n}}`): Message {
  return {
    MessageId: `m-${n}`,
    ReceiptHandle: `receipt-${n}`,
    Body: body,
    Attributes: { ApproximateReceiveCount: '6', ApproximateFirstReceiveTimestamp: '1767268800000', SentTimestamp: '1767268799000' },
    MessageAttributes: { type: { DataType: 'String', StringValue: 'order.placed', StringListValues: [], BinaryListValues: [] } },
  };
}

/** Every SQS command the code sent, in order: `Send m-1`, `Delete receipt-1`, … */
function sqsCalls(): string[] {
  return sqs.calls().map((call) => {
    const command = call.args[0] as unknown as { constructor: { name: string }; input: Record<string, unknown> };
    const name = command.constructor.name.replace(/Command$/, '');
    const input = command.input;
    if (name === 'SendMessage') return `SendMessage ${String(input.MessageBody)}`;
    if (name === 'DeleteMessage' || name === 'ChangeMessageVisibility') return `${name} ${String(input.ReceiptHandle)}`;
    return name;
  });
}

const unknownAction = () => Object.assign(new Error('Unknown action: StartMessageMoveTask'), { name: 'InvalidAction', $metadata: { httpStatusCode: 400 } });

describe('redrive where SQS has message move tasks (AWS)', () => {
  it('starts a move task from the dead-letter queue to its source queue and follows it until it completes', async () => {
    // given SQS moves the three messages over two polls
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [{ Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 3 }] })
      .resolves({ Results: [{ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 3 }] });
    const progress: string[] = [];
    const time = virtualTime();
    // when
    const result = await redrive(new SQSClient({ region: 'eu-west-1' }), theDlq(), { timeoutMs: 60_000, pollIntervalMs: 500, ...time, progress: (l) => progress.push(l) });
    // then
    expect(sqs).toHaveReceivedCommandWith(StartMessageMoveTaskCommand, { SourceArn: DLQ.arn, DestinationArn: SOURCE.arn });
    expect(sqs).toHaveReceivedCommandWith(ListMessageMoveTasksCommand, { SourceArn: DLQ.arn });
    expect(result).toEqual({ method: 'move-task', status: 'COMPLETED', moved: 3, toMove: 3, destinationArn: SOURCE.arn });
    expect(redriveSucceeded(result)).toBe(true);
    expect(progress).toEqual([
      `started an SQS message move task to ${SOURCE.name}`,
      'move task RUNNING: 1 of 3 message(s) moved',
      'move task COMPLETED: 3 of 3 message(s) moved',
    ]);
    expect(time.slept).toEqual([500]);
    // and SQS moved them itself: nothing was received, sent or deleted by the command
    expect(sqs).not.toHaveReceivedCommand(ReceiveMessageCommand);
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('given several queues redrive to the dead-letter queue, sends each message back to its own source (no destination)', async () => {
    // given
    const other = aQueue('other-source', 'OtherQueue12345678', { redrivePolicy: { deadLetterTargetArn: DLQ.arn, maxReceiveCount: 5 } });
    const shared = deadLetterQueuesOf([SOURCE, other, DLQ]).find((q) => q.arn === DLQ.arn) as DeadLetterQueue;
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [{ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 2 }] });
    // when
    const result = await redrive(new SQSClient({ region: 'eu-west-1' }), shared, { timeoutMs: 1_000, ...virtualTime() });
    // then
    const input = sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input;
    expect(input).toEqual({ SourceArn: DLQ.arn });
    expect(result).toMatchObject({ method: 'move-task', status: 'COMPLETED', moved: 2 });
  });

  it('given a task still running at the timeout, stops following it and says so (it carries on in SQS)', async () => {
    // given
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [{ Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 7, ApproximateNumberOfMessagesToMove: 900 }] });
    // when
    const result = await redrive(new SQSClient({ region: 'eu-west-1' }), theDlq(), { timeoutMs: 3_000, pollIntervalMs: 1_000, ...virtualTime() });
    // then
    expect(result).toMatchObject({ method: 'move-task', status: 'RUNNING', moved: 7, toMove: 900 });
    expect(redriveSucceeded(result)).toBe(false);
    expect(sqs.commandCalls(ListMessageMoveTasksCommand)).toHaveLength(4);
  });

  it('given a task that fails, reports SQS’s reason', async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [{ Status: 'FAILED', ApproximateNumberOfMessagesMoved: 1, FailureReason: 'AWS.SimpleQueueService.NonExistentQueue' }] });
    const result = await redrive(new SQSClient({ region: 'eu-west-1' }), theDlq(), { timeoutMs: 3_000, ...virtualTime() });
    expect(result).toMatchObject({ status: 'FAILED', moved: 1, failureReason: 'AWS.SimpleQueueService.NonExistentQueue' });
    expect(redriveSucceeded(result)).toBe(false);
  });

  it('given SQS refuses the task for another reason than not having it (access denied), fails without moving anything itself', async () => {
    sqs.on(StartMessageMoveTaskCommand).rejects(Object.assign(new Error('not authorized to perform: sqs:StartMessageMoveTask'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    await expect(redrive(new SQSClient({ region: 'eu-west-1' }), theDlq(), { timeoutMs: 3_000, ...virtualTime() })).rejects.toThrow('not authorized');
    expect(sqs).not.toHaveReceivedCommand(ReceiveMessageCommand);
  });
});

describe('redrive message by message (an endpoint without move tasks, or --max)', () => {
  it('given the endpoint has no move task, sends each message to the source queue (body and attributes) before deleting it', async () => {
    // given
    sqs.on(StartMessageMoveTaskCommand).rejects(unknownAction());
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [aMessage(1), aMessage(2)] }).resolves({ Messages: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
    sqs.on(DeleteMessageCommand).resolves({});
    const progress: string[] = [];
    // when
    const result = await redrive(new SQSClient({ region: 'eu-west-1' }), theDlq(), { timeoutMs: 1_000, progress: (l) => progress.push(l) });
    // then
    expect(result).toEqual({ method: 'send-and-delete', because: 'no-move-task', moved: 2, notSent: [], notDeleted: [] });
    expect(redriveSucceeded(result)).toBe(true);
    expect(progress[0]).toMatch(/^this SQS endpoint has no message move task/);
    const calls = sqsCalls();
    for (const n of [1, 2]) {
      expect(calls.indexOf(`SendMessage {"n":${n}}`)).toBeGreaterThan(-1);
      expect(calls.indexOf(`DeleteMessage receipt-${n}`)).toBeGreaterThan(calls.indexOf(`SendMessage {"n":${n}}`));
    }
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: SOURCE.url,
      MessageBody: '{"n":1}',
      MessageAttributes: { type: { DataType: 'String', StringValue: 'order.placed' } },
    });
    expect(sqs).toHaveReceivedCommandWith(DeleteMessageCommand, { QueueUrl: DLQ.url, ReceiptHandle: 'receipt-1' });
    expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, { QueueUrl: DLQ.url, MessageAttributeNames: ['All'] });
  });

  it('never deletes a message whose send failed: makes it visible again, reports it, and stops', async () => {
    // given SQS refuses the second message
    sqs.on(StartMessageMoveTaskCommand).rejects(unknownAction());
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [aMessage(1), aMessage(2), aMessage(3)] });
    sqs.on(SendMessageCommand).callsFake((input: { MessageBody?: string }) => {
      if (input.MessageBody === '{"n":2}') throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' });
      return { MessageId: 'new' };
    });
    sqs.on(DeleteMessageCommand).resolves({});
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    // when
    const result = await redrive(new SQSClient({ region: 'eu-west-1' }), theDlq(), { timeoutMs: 1_000 });
    // then
    expect(result).toMatchObject({ method: 'send-and-delete', moved: 2, notSent: [{ messageId: 'm-2', error: `not sent to ${SOURCE.name}: ServiceUnavailable: Service unavailable` }], notDeleted: [] });
    expect(redriveSucceeded(result)).toBe(false);
    const deleted = sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle);
    expect(deleted.sort()).toEqual(['receipt-1', 'receipt-3']);
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { QueueUrl: DLQ.url, ReceiptHandle: 'receipt-2', VisibilityTimeout: 0 });
    // and it did not go round again (the same send would fail again)
    expect(sqs).toHaveReceivedCommandTimes(ReceiveMessageCommand, 1);
  });

  it('given a message sent but not deleted, reports the possible duplicate and does not send it twice in one run', async () => {
    // given the delete fails, and the message comes back on the next receive
    sqs.on(StartMessageMoveTaskCommand).rejects(unknownAction());
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [aMessage(1)] }).resolvesOnce({ Messages: [aMessage(1)] }).resolves({ Messages: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
    sqs.on(DeleteMessageCommand).rejects(Object.assign(new Error('The receipt handle has expired'), { name: 'ReceiptHandleIsInvalid' }));
    // when
    const result = await redrive(new SQSClient({ region: 'eu-west-1' }), theDlq(), { timeoutMs: 1_000 });
    // then
    expect(result).toMatchObject({ moved: 0, notSent: [], notDeleted: [{ messageId: 'm-1' }] });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(redriveSucceeded(result)).toBe(false);
  });

  it('given --max, moves at most that many one by one, without a move task (it cannot stop at a count)', async () => {
    // given five messages waiting
    const waiting = [1, 2, 3, 4, 5].map((n) => aMessage(n));
    sqs.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages?: number }) => ({ Messages: waiting.splice(0, input.MaxNumberOfMessages ?? 1) }));
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
    sqs.on(DeleteMessageCommand).resolves({});
    // when
    const result = await redrive(new SQSClient({ region: 'eu-west-1' }), theDlq(), { max: 3, timeoutMs: 1_000 });
    // then
    expect(result).toEqual({ method: 'send-and-delete', because: 'max', moved: 3, notSent: [], notDeleted: [] });
    expect(sqs).not.toHaveReceivedCommand(StartMessageMoveTaskCommand);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 3);
    expect(waiting.map((m) => m.MessageId)).toEqual(['m-4', 'm-5']);
  });

  it('refuses to redrive an outbox failure queue, touching nothing: its messages are stream-batch locations, not events', async () => {
    // given
    const failures = deadLetterQueuesOf([FAILURES], new Set([FAILURES.logicalId as string]))[0] as DeadLetterQueue;
    // when
    const attempt = redrive(new SQSClient({ region: 'eu-west-1' }), failures, { timeoutMs: 1_000 });
    // then
    await expect(attempt).rejects.toThrow(DlqError);
    await expect(attempt).rejects.toThrow(/order\/outbox is an outbox dispatcher's failure queue: .* not events/);
    expect(sqs.calls()).toHaveLength(0);
  });
});

describe('peeking at a dead-letter queue', () => {
  it('receives with a short visibility timeout, makes every message visible again, and deletes none', async () => {
    // given
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [aMessage(1), aMessage(2)] }).resolves({ Messages: [] });
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [{ Id: '0' }, { Id: '1' }], Failed: [] });
    // when
    const peek = await peekMessages(new SQSClient({ region: 'eu-west-1' }), DLQ.url, 10);
    // then
    expect(peek.released).toBe(true);
    expect(peek.messages).toEqual([
      {
        messageId: 'm-1',
        body: '{"n":1}',
        receiveCount: 6,
        firstReceivedAt: '2026-01-01T12:00:00.000Z',
        sentAt: '2026-01-01T11:59:59.000Z',
        messageAttributes: expect.objectContaining({ type: expect.objectContaining({ StringValue: 'order.placed' }) }),
      },
      expect.objectContaining({ messageId: 'm-2' }),
    ]);
    expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, { QueueUrl: DLQ.url, VisibilityTimeout: 20 });
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, {
      QueueUrl: DLQ.url,
      Entries: [
        { Id: '0', ReceiptHandle: 'receipt-1', VisibilityTimeout: 0 },
        { Id: '1', ReceiptHandle: 'receipt-2', VisibilityTimeout: 0 },
      ],
    });
    expect(sqs).not.toHaveReceivedCommand(DeleteMessageCommand);
  });

  it('stops at the limit, and says when a message could not be made visible again at once', async () => {
    sqs.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages?: number }) => ({ Messages: [1, 2, 3].slice(0, input.MaxNumberOfMessages).map((n) => aMessage(n)) }));
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [{ Id: '0' }], Failed: [{ Id: '1', Code: 'ReceiptHandleIsInvalid', SenderFault: true }] });
    const peek = await peekMessages(new SQSClient({ region: 'eu-west-1' }), DLQ.url, 2);
    expect(peek.messages.map((m) => m.messageId)).toEqual(['m-1', 'm-2']);
    expect(peek.released).toBe(false);
    expect(sqs).toHaveReceivedCommandWith(ReceiveMessageCommand, { MaxNumberOfMessages: 2 });
  });
});

describe('orders dlq on a deployed stack', () => {
  const STACK_QUEUES = [SOURCE, DLQ, FAILURES];

  function cli(overrides: Partial<CliDeps> = {}) {
    const { deps, lines } = cliUnderTest({ ...virtualTime(), ...overrides });
    return { deps, out: () => lines.out, err: () => lines.err };
  }

  /** CloudFormation lists the stack's resources over two pages, and gives its template. */
  function givenTheStack() {
    const summary = (q: QueueFacts) => ({ LogicalResourceId: q.logicalId, PhysicalResourceId: q.url, ResourceType: 'AWS::SQS::Queue', ResourceStatus: 'CREATE_COMPLETE' as const, LastUpdatedTimestamp: new Date() });
    cloudFormation
      .on(ListStackResourcesCommand, { StackName: 'EventDrivenOrders', NextToken: undefined })
      .resolves({ StackResourceSummaries: [summary(SOURCE), summary(DLQ)], NextToken: 'page-2' })
      .on(ListStackResourcesCommand, { StackName: 'EventDrivenOrders', NextToken: 'page-2' })
      .resolves({ StackResourceSummaries: [summary(FAILURES), { LogicalResourceId: 'OrderTable', PhysicalResourceId: 'orders', ResourceType: 'AWS::DynamoDB::Table', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() }] });
    cloudFormation.on(GetTemplateCommand).resolves({
      TemplateBody: JSON.stringify({
        Resources: {
          Mapping: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [FAILURES.logicalId, 'Arn'] } } } } },
        },
      }),
    });
    sqs.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl?: string }) => {
      const queue = STACK_QUEUES.find((q) => q.url === input.QueueUrl) as QueueFacts;
      return {
        Attributes: {
          QueueArn: queue.arn,
          ApproximateNumberOfMessages: String(queue.messages),
          ApproximateNumberOfMessagesNotVisible: '0',
          ...(queue.redrivePolicy ? { RedrivePolicy: JSON.stringify(queue.redrivePolicy) } : {}),
        },
      };
    });
  }

  it('list: every dead-letter queue of the stack with its count and source, and what to type', async () => {
    // given
    givenTheStack();
    const { deps, out } = cli();
    // when
    const code = await run(['dlq', 'list', '--stack', 'EventDrivenOrders', '--region', 'eu-west-1'], deps);
    // then
    expect(code).toBe(EXIT.OK);
    expect(out()[0]).toMatch(/^QUEUE +MESSAGES {2}IN FLIGHT {2}SOURCE QUEUE\(S\) THAT REDRIVE TO IT$/);
    expect(out()).toContainEqual(expect.stringMatching(/^order\/outbox +1 +0 {2}\(outbox stream failures: batch locations; redrive replays them from the stream\)$/));
    expect(out()).toContainEqual(expect.stringMatching(new RegExp(`^payment/order\\.placed +3 +0 {2}${SOURCE.name} after 5 receives$`)));
    expect(out().at(-1)).toBe('4 message(s) in 2 of 2 dead-letter queues of stack EventDrivenOrders; look at them: orders dlq show order/outbox');
    expect(cloudFormation).toHaveReceivedCommandWith(GetTemplateCommand, { StackName: 'EventDrivenOrders' });
  });

  it('redrive: a move task from the dead-letter queue named by its short name to its source queue', async () => {
    // given
    givenTheStack();
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [{ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 3 }] });
    const { deps, out } = cli();
    // when
    const code = await run(['dlq', 'redrive', 'payment/order.placed', '--stack', 'EventDrivenOrders'], deps);
    // then
    expect(code).toBe(EXIT.OK);
    expect(sqs).toHaveReceivedCommandWith(StartMessageMoveTaskCommand, { SourceArn: DLQ.arn, DestinationArn: SOURCE.arn });
    expect(out()).toEqual([`✔ SQS moved 3 of 3 message(s) from payment/order.placed back to ${SOURCE.name}`]);
  });

  it('given CloudFormation refuses, says what to check and exits 1', async () => {
    // given
    cloudFormation.on(ListStackResourcesCommand).rejects(Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError', $metadata: {} }));
    const { deps, err } = cli();
    // when
    const code = await run(['dlq', 'list', '--stack', 'Nope'], deps);
    // then
    expect(code).toBe(EXIT.FAILURE);
    expect(err()).toEqual([
      'orders dlq: cannot read the queues of stack Nope: ValidationError: Stack with id Nope does not exist (check AWS credentials, AWS_REGION or --region, and the stack name)',
    ]);
    expect(sqs.calls()).toHaveLength(0);
  });
});
