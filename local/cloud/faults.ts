/**
 * Fault injection for the local cloud: the ways AWS really misbehaves, on demand, so that a test
 * can show the system keeps every order consistent through them. It is switched on only by
 * passing a {@link FaultInjector} to `startLocalCloud` (the reliability suite does); nothing of it
 * exists in a deployed stack.
 *
 * - duplicate deliveries: each SQS batch handed to its function twice at once (two pollers got
 *   the same message, as SQS allows), and each stream batch handed again after it succeeded;
 * - a crash after the write: the handler ran and its writes landed, then the invocation fails,
 *   so the same records come back;
 * - SDK errors: a share of the functions' SNS publishes and DynamoDB writes answered with
 *   throttling or a 500, either before the emulator saw the call (nothing happened) or after it
 *   (it happened, but the caller is told it failed: the ambiguous case);
 * - delays: each SQS delivery held back a random while, so deliveries across queues reorder.
 *
 * The plan can change while the cloud runs (`set`), and every fault is counted.
 */
import { randomUUID } from 'node:crypto';
import { isJsonProtocol, type ProxiedRequest, type ProxyAnswer } from './aws-proxy';
import type { Invoke } from './model';

export interface FaultPlan {
  /** Hand each SQS batch to its function twice, concurrently. */
  readonly duplicateDeliveries?: boolean;
  /** Hand each stream batch to its function again once it succeeded. */
  readonly replayStreamBatches?: boolean;
  /** Share (0 to 1) of SQS and stream invocations that fail after their handler finished. */
  readonly crashAfterWrite?: number;
  /** Share (0 to 1) of the functions' matching AWS calls answered with an error. */
  readonly sdkErrorShare?: number;
  /** The calls `sdkErrorShare` applies to, as `service:Operation`; default {@link WRITE_OPERATIONS}. */
  readonly sdkErrorOperations?: readonly string[];
  /** Hold each SQS delivery back up to this many ms (uniformly random). */
  readonly maxDeliveryDelayMs?: number;
}

/** SNS publishes and DynamoDB writes: where a lost or doubled call would hurt. */
export const WRITE_OPERATIONS: readonly string[] = [
  'sns:Publish',
  'sns:PublishBatch',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:TransactWriteItems',
];

export type FaultKind =
  | 'duplicateDelivery'
  | 'streamReplay'
  | 'crashAfterWrite'
  | 'throttledBefore'
  | 'throttledAfter'
  | 'serverErrorBefore'
  | 'serverErrorAfter'
  | 'delayedDelivery';

/** Records handed to functions by the event sources, duplicates included. */
export interface DeliveryCounts {
  sqsRecords: number;
  streamRecords: number;
}

/** What a crash after the write throws: the poller sees a failed invocation, as in Lambda. */
export class InjectedCrashError extends Error {
  override readonly name = 'InjectedCrash';
}

interface Batch {
  readonly Records?: readonly unknown[];
  readonly batchItemFailures?: readonly { itemIdentifier: string }[];
}

export class FaultInjector {
  #plan: FaultPlan;
  readonly faults: Record<FaultKind, number> = {
    duplicateDelivery: 0,
    streamReplay: 0,
    crashAfterWrite: 0,
    throttledBefore: 0,
    throttledAfter: 0,
    serverErrorBefore: 0,
    serverErrorAfter: 0,
    delayedDelivery: 0,
  };
  readonly deliveries: DeliveryCounts = { sqsRecords: 0, streamRecords: 0 };

  /** `random` returns a number in [0, 1): a seeded one makes a run repeatable. */
  constructor(plan: FaultPlan = {}, private readonly random: () => number = Math.random) {
    this.#plan = plan;
  }

  get plan(): FaultPlan {
    return this.#plan;
  }

  /** Replaces the plan; what is in flight finishes under the old one. */
  set(plan: FaultPlan): void {
    this.#plan = plan;
  }

  /** Faults injected so far, or since a {@link snapshot}'s `faults`: the kinds that happened only. */
  injected(since: Readonly<Partial<Record<FaultKind, number>>> = {}): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this.faults)
        .map(([kind, count]) => [kind, count - (since[kind as FaultKind] ?? 0)] as const)
        .filter(([, count]) => count > 0),
    );
  }

  /** A snapshot of the counters, to subtract from a later one. */
  snapshot(): { faults: Record<FaultKind, number>; deliveries: DeliveryCounts } {
    return { faults: { ...this.faults }, deliveries: { ...this.deliveries } };
  }

  /** The invoke an SQS poller uses: delays, duplicates and crashes on the way to the function. */
  forSqs(invoke: Invoke): Invoke {
    return async (functionLogicalId, event) => {
      const records = (event as Batch).Records?.length ?? 0;
      const delay = this.#plan.maxDeliveryDelayMs ? Math.floor(this.random() * this.#plan.maxDeliveryDelayMs) : 0;
      if (delay > 0) {
        this.faults.delayedDelivery += 1;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
      if (!this.#plan.duplicateDeliveries) {
        this.deliveries.sqsRecords += records;
        return this.crashMaybe(await invoke(functionLogicalId, event));
      }
      this.faults.duplicateDelivery += records;
      this.deliveries.sqsRecords += 2 * records;
      const [first, second] = await Promise.all([invoke(functionLogicalId, event), invoke(functionLogicalId, event)]);
      return this.crashMaybe(mergeBatchResponses(first, second));
    };
  }

  /** The invoke a stream poller uses: replays and crashes on the way to the dispatcher. */
  forStream(invoke: Invoke): Invoke {
    return async (functionLogicalId, event) => {
      const records = (event as Batch).Records?.length ?? 0;
      this.deliveries.streamRecords += records;
      const result = await invoke(functionLogicalId, event);
      const failures = (result as Batch | undefined)?.batchItemFailures ?? [];
      if (this.#plan.replayStreamBatches && failures.length === 0) {
        this.faults.streamReplay += records;
        this.deliveries.streamRecords += records;
        return this.crashMaybe(await invoke(functionLogicalId, event));
      }
      return this.crashMaybe(result);
    };
  }

  /**
   * The proxy hook in front of the emulators, before the call reaches them: an error instead of
   * the call. Half the injected errors take this way, half {@link afterForward}.
   */
  readonly beforeForward = (request: ProxiedRequest): ProxyAnswer | undefined => this.sdkError(request, 'Before');

  /** The proxy hook after the emulator answered: the call happened, the caller hears it failed. */
  readonly afterForward = (request: ProxiedRequest): ProxyAnswer | undefined => this.sdkError(request, 'After');

  private sdkError(request: ProxiedRequest, when: 'Before' | 'After'): ProxyAnswer | undefined {
    const share = this.#plan.sdkErrorShare ?? 0;
    if (share <= 0) return undefined;
    const name = `${request.operation.service}:${request.operation.operation}`;
    if (!(this.#plan.sdkErrorOperations ?? WRITE_OPERATIONS).includes(name)) return undefined;
    // Each hook draws half the share, so a call fails at most once and `share` of calls fail.
    if (this.random() >= share / (when === 'Before' ? 2 : 2 - share)) return undefined;
    const throttle = this.random() < 0.5;
    this.faults[`${throttle ? 'throttled' : 'serverError'}${when}`] += 1;
    return errorAnswer(request, throttle ? 'throttling' : 'server');
  }

  private crashMaybe(result: unknown): unknown {
    const share = this.#plan.crashAfterWrite ?? 0;
    if (share > 0 && this.random() < share) {
      this.faults.crashAfterWrite += 1;
      throw new InjectedCrashError('injected: the function crashed after its handler returned');
    }
    return result;
  }
}

/** Two answers to the same SQS batch as one: a record failed if it failed in either. */
export function mergeBatchResponses(first: unknown, second: unknown): unknown {
  const failed = new Set<string>();
  for (const result of [first, second]) {
    for (const failure of (result as Batch | undefined)?.batchItemFailures ?? []) failed.add(failure.itemIdentifier);
  }
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * The error AWS itself would give, in the protocol of the request: the SDK must read it as the
 * retryable error it is (throttling, or an internal error), exactly as from the real service.
 */
export function errorAnswer(request: ProxiedRequest, kind: 'throttling' | 'server'): ProxyAnswer {
  const status = kind === 'throttling' ? 400 : 500;
  const message = kind === 'throttling' ? 'Rate exceeded (injected)' : 'We encountered an internal error (injected)';
  const requestId = randomUUID();
  if (isJsonProtocol(request.headers)) {
    const type = kind === 'throttling' ? 'com.amazonaws.dynamodb.v20120810#ThrottlingException' : 'com.amazonaws.dynamodb.v20120810#InternalServerError';
    return {
      status,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
      body: JSON.stringify({ __type: type, message }),
    };
  }
  const code = kind === 'throttling' ? 'Throttling' : 'InternalFailure';
  const type = kind === 'throttling' ? 'Sender' : 'Receiver';
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}
