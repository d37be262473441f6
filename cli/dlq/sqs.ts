/**
 * The SQS side of `orders dlq`: the queues' attributes, peeking at messages without taking them,
 * and redriving them to their source queue, with an SQS message move task where the endpoint
 * offers one and otherwise message by message, never deleting one before it was sent.
 */
import type { Message, MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import { DlqError, parseRedrivePolicy, queueNameOf, type DeadLetterQueue, type QueueFacts, type SourceQueue, type StackQueue } from './model';

/** How long a peeked message stays hidden if it cannot be made visible again at once (say the process dies). */
export const PEEK_VISIBILITY_SECONDS = 20;
/** How long a message being moved stays hidden: ample for one send and one delete. */
export const MOVE_VISIBILITY_SECONDS = 60;
/** A receive waits this long for messages (long polling asks every SQS server, short polling only some). */
export const RECEIVE_WAIT_SECONDS = 1;
let loaded: Promise<typeof import('@aws-sdk/client-sqs')> | undefined;
/** The SQS SDK, loaded on first use: every other command of the CLI starts faster without it. */
export function sqsSdk(): Promise<typeof import('@aws-sdk/client-sqs')> {
  return (loaded ??= import('@aws-sdk/client-sqs'));
}

const QUEUE_ATTRIBUTES = ['QueueArn', 'RedrivePolicy', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] as const;

/** What SQS says about each queue (a few requests at a time). */
export async function describeQueues(sqs: SQSClient, queues: readonly StackQueue[]): Promise<QueueFacts[]> {
  const sdk = await sqsSdk();
  const facts: QueueFacts[] = [];
  for (let i = 0; i < queues.length; i += 10) {
    facts.push(
      ...(await Promise.all(
        queues.slice(i, i + 10).map(async (queue): Promise<QueueFacts> => {
          const { Attributes = {} } = await sqs.send(new sdk.GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: [...QUEUE_ATTRIBUTES] }));
          const redrivePolicy = parseRedrivePolicy(Attributes.RedrivePolicy);
          const name = queueNameOf(queue.url);
          const arn = Attributes.QueueArn;
          if (arn === undefined) throw new DlqError(`SQS gave no ARN for the queue ${name}`);
          return {
            ...queue,
            name,
            arn,
            ...(redrivePolicy ? { redrivePolicy } : {}),
            messages: Number(Attributes.ApproximateNumberOfMessages ?? 0),
            inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
          };
        }),
      )),
    );
  }
  return facts;
}

export interface PeekedMessage {
  readonly messageId: string;
  readonly body: string;
  /** Receives so far, this peek included. */
  readonly receiveCount?: number;
  readonly firstReceivedAt?: string;
  readonly sentAt?: string;
  /** The queue SQS moved it from (AWS sets it on dead-lettered messages). */
  readonly deadLetterSourceArn?: string;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
}

export interface ReceiveTuning {
  /** See {@link RECEIVE_WAIT_SECONDS}. */
  readonly waitSeconds?: number;
}

export interface PeekResult {
  readonly messages: readonly PeekedMessage[];
  /** False if some could not be made visible again at once: they will be after {@link PEEK_VISIBILITY_SECONDS}. */
  readonly released: boolean;
}

/**
 * Up to `limit` messages of a queue, left in it: received with a short visibility timeout,
 * then made visible again (each look adds one to a message's receive count).
 */
export async function peekMessages(sqs: SQSClient, queueUrl: string, limit: number, tuning: ReceiveTuning = {}): Promise<PeekResult> {
  const received = new Map<string, Message>();
  let released: boolean;
  try {
    while (received.size < limit) {
      const batch = await receive(sqs, queueUrl, Math.min(10, limit - received.size), PEEK_VISIBILITY_SECONDS, tuning);
      const fresh = batch.filter((m) => m.MessageId !== undefined && !received.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) received.set(message.MessageId as string, message);
    }
  } finally {
    released = await makeVisible(sqs, queueUrl, [...received.values()]);
  }
  return { messages: [...received.values()].map(peeked), released };
}

function peeked(message: Message): PeekedMessage {
  const attributes = message.Attributes ?? {};
  const time = (epochMs: string | undefined) => (epochMs === undefined || !/^\d+$/.test(epochMs) ? undefined : new Date(Number(epochMs)).toISOString());
  const firstReceivedAt = time(attributes.ApproximateFirstReceiveTimestamp);
  const sentAt = time(attributes.SentTimestamp);
  return {
    messageId: message.MessageId ?? '',
    body: message.Body ?? '',
    ...(attributes.ApproximateReceiveCount === undefined ? {} : { receiveCount: Number(attributes.ApproximateReceiveCount) }),
    ...(firstReceivedAt ? { firstReceivedAt } : {}),
    ...(sentAt ? { sentAt } : {}),
    ...(attributes.DeadLetterQueueSourceArn ? { deadLetterSourceArn: attributes.DeadLetterQueueSourceArn } : {}),
    messageAttributes: message.MessageAttributes ?? {},
  };
}

/** Up to `max` messages, hidden from other receivers for `visibilitySeconds`. */
export async function receive(sqs: SQSClient, queueUrl: string, max: number, visibilitySeconds: number, tuning: ReceiveTuning): Promise<Message[]> {
  const sdk = await sqsSdk();
  const { Messages = [] } = await sqs.send(
    new sdk.ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      VisibilityTimeout: visibilitySeconds,
      WaitTimeSeconds: tuning.waitSeconds ?? RECEIVE_WAIT_SECONDS,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return Messages;
}

/** True if every message is visible again. */
export async function makeVisible(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<boolean> {
  const sdk = await sqsSdk();
  let all = true;
  for (let i = 0; i < messages.length; i += 10) {
    const entries = messages.slice(i, i + 10).map((m, k) => ({ Id: String(i + k), ReceiptHandle: m.ReceiptHandle as string, VisibilityTimeout: 0 }));
    try {
      const { Failed = [] } = await sqs.send(new sdk.ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      if (Failed.length > 0) all = false;
    } catch {
      all = false;
    }
  }
  return all;
}

// ---------------------------------------------------------------------------------------------
// Redrive

export interface RedriveOptions extends ReceiveTuning {
  /** Move at most this many, message by message (a move task cannot stop at a count). */
  readonly max?: number;
  /** How long to follow a move task. */
  readonly timeoutMs: number;
  readonly pollIntervalMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** One line per step worth telling (the move task's progress, a fallback). */
  readonly progress?: (line: string) => void;
}

export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

export interface MessageProblem {
  readonly messageId: string;
  readonly error: string;
}

export type RedriveResult =
  | {
      readonly method: 'move-task';
      /** The last status seen; RUNNING when the command stopped following it. */
      readonly status: MoveTaskStatus | string;
      readonly moved: number;
      readonly toMove?: number;
      readonly failureReason?: string;
      /** The destination's ARN, or undefined: each message back to its own source queue. */
      readonly destinationArn?: string;
    }
  | {
      readonly method: 'send-and-delete';
      /** Why not a move task: the endpoint has none, or --max asked for a count. */
      readonly because: 'no-move-task' | 'max';
      readonly moved: number;
      /** Not sent: still in the dead-letter queue. */
      readonly notSent: readonly MessageProblem[];
      /** Sent, but still in the dead-letter queue too: a later redrive sends it again (a duplicate, ignored by consumers). */
      readonly notDeleted: readonly MessageProblem[];
    };

/** Whether a redrive left nothing behind that it was asked to move. */
export function redriveSucceeded(result: RedriveResult): boolean {
  return result.method === 'move-task' ? result.status === 'COMPLETED' : result.notSent.length === 0 && result.notDeleted.length === 0;
}

/** Why {@link redrive} refuses a stream failure queue: its messages are not events to send back. */
export function streamFailureRedriveRefusal(queue: DeadLetterQueue): string {
  return (
    `${queue.label} is an outbox dispatcher's failure queue: its messages say where a stream batch failed ` +
    '(shard and sequence numbers), they are not events, so there is nothing to send back to a queue; ' +
    `\`orders dlq redrive ${queue.label}\` replays the batches from the stream instead (replayOutbox)`
  );
}

/**
 * Moves the dead-letter queue's messages back to their source queue. Without `max`, with an SQS
 * message move task (followed with ListMessageMoveTasks) where the endpoint supports one; where
 * it does not, and always with `max`, message by message: each is sent to its source queue
 * (body and message attributes) and deleted from the dead-letter queue only after the send
 * succeeded. So a message can be duplicated (consumers are idempotent), never lost.
 */
export async function redrive(sqs: SQSClient, queue: DeadLetterQueue, options: RedriveOptions): Promise<RedriveResult> {
  const sdk = await sqsSdk();
  if (queue.kind === 'stream-failure') throw new DlqError(streamFailureRedriveRefusal(queue));
  if (queue.sources.length === 0) throw new DlqError(`no queue redrives to ${queue.label}: there is no source to send its messages back to`);
  const progress = options.progress ?? (() => undefined);
  if (options.max !== undefined) {
    progress(`moving at most ${options.max} message(s) one by one (a move task cannot stop at a count)`);
    return moveOneByOne(sqs, queue, 'max', options);
  }
  const single = queue.sources.length === 1 ? queue.sources[0] : undefined;
  try {
    await sqs.send(new sdk.StartMessageMoveTaskCommand({ SourceArn: queue.arn, ...(single ? { DestinationArn: single.arn } : {}) }));
  } catch (error) {
    if (!isUnsupportedOperation(error)) throw error;
    progress('this SQS endpoint has no message move task (StartMessageMoveTask); moving the messages one by one: sent first, deleted once sent');
    return moveOneByOne(sqs, queue, 'no-move-task', options);
  }
  progress(`started an SQS message move task to ${single ? single.name : "each message's own source queue"}`);
  return followMoveTask(sqs, queue, single?.arn, options);
}

/** An endpoint without the action answers so (fauxqs: InvalidAction "Unknown action: StartMessageMoveTask"). */
export function isUnsupportedOperation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (
    ['InvalidAction', 'UnknownOperationException', 'UnknownOperation', 'UnsupportedOperation', 'NotImplemented'].includes(error.name) ||
    status === 501 ||
    /unknown (action|operation)|not implemented/i.test(error.message)
  );
}

async function followMoveTask(sqs: SQSClient, queue: DeadLetterQueue, destinationArn: string | undefined, options: RedriveOptions): Promise<RedriveResult> {
  const sdk = await sqsSdk();
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.timeoutMs;
  let said = '';
  for (;;) {
    const { Results = [] } = await sqs.send(new sdk.ListMessageMoveTasksCommand({ SourceArn: queue.arn, MaxResults: 1 }));
    const task = Results[0];
    const status = task?.Status ?? 'RUNNING';
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    const toMove = task?.ApproximateNumberOfMessagesToMove;
    const line = `move task ${status}: ${moved}${toMove === undefined ? '' : ` of ${toMove}`} message(s) moved`;
    if (line !== said) options.progress?.(line);
    said = line;
    if (status !== 'RUNNING' && status !== 'CANCELLING') {
      return {
        method: 'move-task',
        status,
        moved,
        ...(toMove === undefined ? {} : { toMove }),
        ...(task?.FailureReason ? { failureReason: task.FailureReason } : {}),
        ...(destinationArn ? { destinationArn } : {}),
      };
    }
    if (now() >= deadline) return { method: 'move-task', status, moved, ...(toMove === undefined ? {} : { toMove }), ...(destinationArn ? { destinationArn } : {}) };
    await sleep(Math.max(0, Math.min(options.pollIntervalMs ?? 1_000, deadline - now())));
  }
}

async function moveOneByOne(sqs: SQSClient, queue: DeadLetterQueue, because: 'no-move-task' | 'max', options: RedriveOptions): Promise<RedriveResult> {
  const seen = new Set<string>();
  const notSent: MessageProblem[] = [];
  const notDeleted: MessageProblem[] = [];
  let moved = 0;
  const handled = () => moved + notSent.length + notDeleted.length;
  while (options.max === undefined || handled() < options.max) {
    const want = Math.min(10, options.max === undefined ? 10 : options.max - handled());
    const batch = await receive(sqs, queue.url, want, MOVE_VISIBILITY_SECONDS, options);
    // A message seen before was sent already and could not be deleted: it is not sent twice in one run.
    const fresh = batch.filter((m) => m.MessageId !== undefined && !seen.has(m.MessageId));
    if (fresh.length === 0) break;
    for (const message of fresh) seen.add(message.MessageId as string);
    const outcomes = await Promise.all(fresh.map((message) => moveOne(sqs, queue, message)));
    for (const outcome of outcomes) {
      if (outcome.kind === 'moved') moved += 1;
      else (outcome.kind === 'not-sent' ? notSent : notDeleted).push(outcome.problem);
    }
    options.progress?.(`moved ${moved} message(s)${notSent.length + notDeleted.length > 0 ? `, ${notSent.length + notDeleted.length} not` : ''}`);
    // A send that failed would fail again on the next round: stop rather than spin.
    if (outcomes.some((o) => o.kind === 'not-sent')) break;
  }
  return { method: 'send-and-delete', because, moved, notSent, notDeleted };
}

type MoveOutcome = { readonly kind: 'moved' } | { readonly kind: 'not-sent' | 'not-deleted'; readonly problem: MessageProblem };

/** Sends one message to its source queue, and deletes it from the dead-letter queue only once that succeeded. */
async function moveOne(sqs: SQSClient, queue: DeadLetterQueue, message: Message): Promise<MoveOutcome> {
  const sdk = await sqsSdk();
  const messageId = message.MessageId as string;
  const destination = destinationOf(queue, message);
  if (typeof destination === 'string') {
    await release(sqs, queue.url, message);
    return { kind: 'not-sent', problem: { messageId, error: destination } };
  }
  try {
    await sqs.send(new sdk.SendMessageCommand({ QueueUrl: destination.url, MessageBody: message.Body, MessageAttributes: copyAttributes(message.MessageAttributes) }));
  } catch (error) {
    await release(sqs, queue.url, message);
    return { kind: 'not-sent', problem: { messageId, error: `not sent to ${destination.name}: ${describeError(error)}` } };
  }
  try {
    await sqs.send(new sdk.DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }));
  } catch (error) {
    return { kind: 'not-deleted', problem: { messageId, error: `sent to ${destination.name}, but not deleted from ${queue.label}: ${describeError(error)}` } };
  }
  return { kind: 'moved' };
}

/** The message's own source queue (AWS names it), else the only queue that redrives here; a string says why none. */
function destinationOf(queue: DeadLetterQueue, message: Message): SourceQueue | string {
  const from = message.Attributes?.DeadLetterQueueSourceArn;
  const named = from === undefined ? undefined : queue.sources.find((s) => s.arn === from);
  if (named) return named;
  const [only, ...others] = queue.sources;
  if (only && others.length === 0) return only;
  return from === undefined
    ? `several queues redrive to ${queue.label} and the message does not say which one it came from`
    : `it came from ${from}, which no longer redrives to ${queue.label}`;
}

/** Message attributes as SendMessage takes them (SQS returns fields it does not accept back). */
function copyAttributes(attributes: Record<string, MessageAttributeValue> | undefined): Record<string, MessageAttributeValue> | undefined {
  if (!attributes || Object.keys(attributes).length === 0) return undefined;
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        DataType: value.DataType,
        ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
        ...(value.BinaryValue === undefined ? {} : { BinaryValue: value.BinaryValue }),
      },
    ]),
  );
}

/** Visible again at once, for the next run; if even that fails, it is after its visibility timeout. */
async function release(sqs: SQSClient, queueUrl: string, message: Message): Promise<void> {
  const sdk = await sqsSdk();
  try {
    await sqs.send(new sdk.ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
  } catch {
    // It becomes visible by itself after MOVE_VISIBILITY_SECONDS.
  }
}

/** `AccessDenied: User … is not authorized …`, or the network's reason (`connect ECONNREFUSED 127.0.0.1:4566`). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // The SDK wraps what it cannot recognise as an Error (one from another realm, as under Jest).
  const message = error.message.replace(/^AWS SDK error wrapper for (Error: )?/, '');
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && !message.includes(code)) return `${code} (${message})`;
  return error.name && error.name !== 'Error' && !message.startsWith(error.name) ? `${error.name}: ${message}` : message;
}
