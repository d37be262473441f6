/**
 * Which queues are dead-letter queues, where they redrive, and what an operator types to name
 * one: pure functions of what SQS and the stack's template say, shared by the CLI and the tests.
 *
 * A dead-letter queue is a queue that some queue's RedrivePolicy points to (SQS's own
 * definition). The outbox dispatchers' failure queues are the other kind of dead letter: the
 * on-failure destinations of stream event sources, named by the template. They hold where a
 * stream batch failed, not messages to replay, so they are listed and shown but never redriven.
 */
import * as z from 'zod/mini';
import { EVENT_TYPES, type EventType } from '../../lambdas/shared/events/catalogue';
import { eventId } from '../../lib/constructs/naming';

/** Something about the queues went wrong (AWS or SQS refused, no such queue, a message not moved): exit code 1. */
export class DlqError extends Error {
  override readonly name = 'DlqError';
}

/** A queue of the stack: its URL, and its logical id in the template when known. */
export interface StackQueue {
  readonly url: string;
  readonly logicalId?: string;
}

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

/** What SQS says about one queue. */
export interface QueueFacts extends StackQueue {
  readonly name: string;
  readonly arn: string;
  readonly redrivePolicy?: RedrivePolicy;
  /** ApproximateNumberOfMessages: waiting to be received. */
  readonly messages: number;
  /** ApproximateNumberOfMessagesNotVisible: received, not yet deleted (or being peeked at). */
  readonly inFlight: number;
}

export type DeadLetterKind =
  /** The target of some queue's redrive policy: its messages can be redriven. */
  | 'dead-letter'
  /** A stream event source's on-failure destination: it holds stream-batch locations only. */
  | 'stream-failure';

export interface SourceQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly alias?: string;
  /** Receives after which SQS moves a message of this queue to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

export interface DeadLetterQueue {
  readonly kind: DeadLetterKind;
  /** What to type: `payment/order.placed` (consumer, then event), `order/outbox`; else the queue's name. */
  readonly label: string;
  readonly alias?: string;
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly logicalId?: string;
  readonly messages: number;
  readonly inFlight: number;
  /** The queues whose redrive policy points here (none for a stream failure queue). */
  readonly sources: readonly SourceQueue[];
}

/** `{"deadLetterTargetArn":"arn:…","maxReceiveCount":5}` (SQS gives it as a JSON string; maxReceiveCount may be a string). */
const redrivePolicySchema = z.object({
  deadLetterTargetArn: z.string(),
  maxReceiveCount: z.union([z.number(), z.string().check(z.regex(/^\d+$/))]),
});

export function parseRedrivePolicy(text: string | undefined): RedrivePolicy | undefined {
  if (text === undefined || text === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = redrivePolicySchema.safeParse(json);
  return parsed.success ? { deadLetterTargetArn: parsed.data.deadLetterTargetArn, maxReceiveCount: Number(parsed.data.maxReceiveCount) } : undefined;
}

/** `http://host/000000000000/my-queue` → `my-queue`. */
export function queueNameOf(url: string): string {
  return url.replace(/\/+$/, '').split('/').at(-1) ?? url;
}

/** `EventLog` → `event-log`. */
function kebab(pascal: string): string {
  return pascal.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

const EVENT_BY_ID = new Map<string, EventType>(EVENT_TYPES.map((type) => [eventId(type), type]));
const EVENT_IDS = [...EVENT_BY_ID.keys()].sort((a, b) => b.length - a.length).join('|');
/** CDK's logical ids end with 8 hex digits of the construct path's hash. */
const SUBSCRIPTION_QUEUE = new RegExp(`^([A-Z][A-Za-z0-9]*?)(${EVENT_IDS})Subscription(?:DeadLetterQueue|Queue)[0-9A-F]{8}$`);
const OUTBOX_FAILURE_QUEUE = /^([A-Z][A-Za-z0-9]*?)OutboxFailureQueue[0-9A-F]{8}$/;

/**
 * The short name of a queue of the stack, read from its logical id (the construct ids of
 * lib/constructs: `<Context><Event>Subscription/DeadLetterQueue`, `<Context>/Outbox/FailureQueue`):
 * `PaymentOrderPlacedSubscriptionDeadLetterQueueDA7A5250` → `payment/order.placed`, the
 * subscription of Payment to order.placed (its queue has the same alias);
 * `OrderOutboxFailureQueue70F31DDA` → `order/outbox`. Undefined for any other queue.
 */
export function aliasOf(logicalId: string | undefined): string | undefined {
  if (logicalId === undefined) return undefined;
  const subscription = SUBSCRIPTION_QUEUE.exec(logicalId);
  if (subscription) return `${kebab(subscription[1] as string)}/${EVENT_BY_ID.get(subscription[2] as string) as string}`;
  const outbox = OUTBOX_FAILURE_QUEUE.exec(logicalId);
  if (outbox) return `${kebab(outbox[1] as string)}/outbox`;
  return undefined;
}

const templateSchema = z.looseObject({
  Resources: z.optional(z.record(z.string(), z.looseObject({ Type: z.string(), Properties: z.optional(z.unknown()) }))),
});
const failureDestinationSchema = z.looseObject({
  DestinationConfig: z.looseObject({ OnFailure: z.looseObject({ Destination: z.unknown() }) }),
});
const getAttSchema = z.looseObject({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) });

/**
 * The queues that stream event sources send their failures to, from a CloudFormation template:
 * each as its logical id (`Fn::GetAtt: [Id, Arn]`) or, when the template names it literally, its ARN.
 */
export function streamFailureQueuesOf(template: unknown): Set<string> {
  const parsed = templateSchema.safeParse(template);
  const found = new Set<string>();
  if (!parsed.success) return found;
  for (const resource of Object.values(parsed.data.Resources ?? {})) {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const config = failureDestinationSchema.safeParse(resource.Properties);
    if (!config.success) continue;
    const destination = config.data.DestinationConfig.OnFailure.Destination;
    const getAtt = getAttSchema.safeParse(destination);
    if (getAtt.success) found.add(getAtt.data['Fn::GetAtt'][0]);
    else if (typeof destination === 'string' && destination.startsWith('arn:aws:sqs:')) found.add(destination);
  }
  return found;
}

/**
 * The dead-letter queues among `queues`, each with its sources, sorted by what to type:
 * every target of a redrive policy, and every queue `streamFailureQueues` names (by logical id or ARN).
 */
export function deadLetterQueuesOf(queues: readonly QueueFacts[], streamFailureQueues: ReadonlySet<string> = new Set()): DeadLetterQueue[] {
  const sourcesByTarget = new Map<string, SourceQueue[]>();
  for (const queue of queues) {
    const policy = queue.redrivePolicy;
    if (!policy) continue;
    const alias = aliasOf(queue.logicalId);
    const source: SourceQueue = { name: queue.name, url: queue.url, arn: queue.arn, ...(alias ? { alias } : {}), maxReceiveCount: policy.maxReceiveCount };
    sourcesByTarget.set(policy.deadLetterTargetArn, [...(sourcesByTarget.get(policy.deadLetterTargetArn) ?? []), source]);
  }
  const found: DeadLetterQueue[] = [];
  for (const queue of queues) {
    const sources = sourcesByTarget.get(queue.arn);
    const isStreamFailure = (queue.logicalId !== undefined && streamFailureQueues.has(queue.logicalId)) || streamFailureQueues.has(queue.arn);
    if (!sources && !isStreamFailure) continue;
    const alias = aliasOf(queue.logicalId);
    found.push({
      kind: sources ? 'dead-letter' : 'stream-failure',
      label: alias ?? queue.name,
      ...(alias ? { alias } : {}),
      name: queue.name,
      url: queue.url,
      arn: queue.arn,
      ...(queue.logicalId === undefined ? {} : { logicalId: queue.logicalId }),
      messages: queue.messages,
      inFlight: queue.inFlight,
      sources: sources ?? [],
    });
  }
  return found.sort((a, b) => a.label.localeCompare(b.label));
}

/**
 * The dead-letter queue an operator named: by what `list` prints (the alias, in any case), its
 * name, URL, ARN or logical id. Naming a source queue instead is answered with its DLQ's name.
 */
export function findDeadLetterQueue(queues: readonly DeadLetterQueue[], reference: string): DeadLetterQueue {
  const wanted = reference.trim();
  const found = queues.find(
    (q) => q.alias?.toLowerCase() === wanted.toLowerCase() || [q.name, q.url, q.arn, q.logicalId].includes(wanted),
  );
  if (found) return found;
  const redrivingTo = queues.find((q) => q.sources.some((s) => [s.name, s.url, s.arn].includes(wanted)));
  if (redrivingTo) {
    throw new DlqError(`"${reference}" is a source queue, not a dead-letter queue; its dead-letter queue is ${redrivingTo.label}`);
  }
  const known = queues.map((q) => q.label);
  throw new DlqError(
    `no dead-letter queue "${reference}"${known.length > 0 ? `; there are: ${known.join(', ')}` : ' (there are none)'} (see \`orders dlq list\`)`,
  );
}
