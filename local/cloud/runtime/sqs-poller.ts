/**
 * The stand-in for Lambda's SQS event source mapping, for one SqsMapping: long-polls the queue,
 * gathers a batch (batch size, batching window), invokes the function with Lambda's SQS event,
 * then deletes what succeeded. Nothing failed is deleted: it comes back after the visibility
 * timeout, and the queue's own redrive policy (fauxqs applies it on ReceiveMessage, as SQS does)
 * moves it to the dead-letter queue after maxReceiveCount receives.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { LOCAL_CREDENTIALS } from '../../emulators/credentials';
import type { Invoke, LocalEndpoints, SqsMapping } from '../model';
import { Backoff, defaultLog, describeError, isAbort, newCounters, pause, type PollerCounters } from './poller-support';

const DEFAULT_WAIT_TIME_SECONDS = 10;
const SQS_MAX_PER_RECEIVE = 10;
/** Short-poll pace inside the last second of a batching window. */
const WINDOW_TAIL_POLL_MS = 50;

export interface SqsPollerOptions {
  readonly mapping: SqsMapping;
  readonly invoke: Invoke;
  readonly endpoints: LocalEndpoints;
  /** A client to share; by default the poller makes (and destroys) its own. */
  readonly sqs?: SQSClient;
  /** Long-poll wait of each ReceiveMessage, 1..20 s; default 10. stop() aborts the wait at once. */
  readonly waitTimeSeconds?: number;
  /** Batches in flight at once; default the mapping's maxConcurrency. */
  readonly maxConcurrency?: number;
  readonly log?: (line: string) => void;
  /** Called after every batch, for benchmarks. */
  readonly onBatch?: (report: SqsBatchReport) => void;
}

export interface SqsBatchReport {
  readonly mappingLogicalId: string;
  readonly size: number;
  /** From the oldest message's SentTimestamp to the start of the invocation. */
  readonly sentToInvokeMs: number;
  /** From the first receive of this batch to the start of the invocation (the batching window). */
  readonly receiveToInvokeMs: number;
  readonly invokeMs: number;
  readonly outcome: 'success' | 'partial' | 'failed';
  readonly deleted: number;
  readonly failed: number;
}

/** The messages the function failed on, or 'all' when the whole batch counts as failed. */
type BatchFailures = ReadonlySet<string> | 'all';

interface Received {
  readonly message: Message & { MessageId: string; ReceiptHandle: string };
  readonly receivedAt: number;
}

export class SqsPoller {
  readonly counters: PollerCounters = newCounters();
  private readonly sqs: SQSClient;
  private readonly ownsClient: boolean;
  private readonly log: (line: string) => void;
  private readonly waitTimeSeconds: number;
  private readonly lanes: number;
  private running = false;
  private stopController = new AbortController();
  private lanesDone: Promise<void> | undefined;
  private maxReceiveCount: number | undefined;
  private redriveKnown = false;

  constructor(private readonly options: SqsPollerOptions) {
    const { mapping, endpoints } = options;
    this.waitTimeSeconds = Math.min(20, Math.max(1, Math.round(options.waitTimeSeconds ?? DEFAULT_WAIT_TIME_SECONDS)));
    this.lanes = Math.max(1, options.maxConcurrency ?? mapping.maxConcurrency ?? 1);
    this.log = options.log ?? defaultLog(`sqs-poller ${mapping.logicalId}`);
    this.ownsClient = options.sqs === undefined;
    this.sqs =
      options.sqs ??
      new SQSClient({
        endpoint: endpoints.snsSqs,
        region: endpoints.region,
        credentials: { ...LOCAL_CREDENTIALS },
        // A hung connection must not outlive a long poll by much.
        requestHandler: { requestTimeout: (this.waitTimeSeconds + 10) * 1000 },
      });
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopController = new AbortController();
    const lanes = Array.from({ length: this.lanes }, () => this.lane());
    this.lanesDone = Promise.all(lanes).then(() => undefined);
  }

  /** Stops polling at once (aborting the long polls) and resolves when the batches in flight are done. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopController.abort();
    await this.lanesDone;
    this.lanesDone = undefined;
  }

  /** stop(), and destroy the SQS client if the poller made it. */
  async close(): Promise<void> {
    await this.stop();
    if (this.ownsClient) this.sqs.destroy();
  }

  private async lane(): Promise<void> {
    const backoff = new Backoff();
    const signal = this.stopController.signal;
    while (this.running) {
      try {
        if (!this.redriveKnown) await this.readRedrivePolicy(signal);
        const batch = await this.gather(signal);
        backoff.reset();
        if (batch.length === 0) continue;
        if (!this.running) {
          // Gathered but stopped before the invocation: make the messages visible again now.
          await this.release(batch);
          break;
        }
        await this.process(batch);
      } catch (error) {
        if (!this.running && isAbort(error)) break;
        const wait = backoff.delay();
        this.log(`${describeError(error)}; retrying in ${wait} ms`);
        await pause(wait, signal);
      }
    }
  }

  /** One batch: a long poll for the first messages, then more within the batching window. */
  private async gather(signal: AbortSignal): Promise<Received[]> {
    const { batchSize, maxBatchingWindowSeconds } = this.options.mapping;
    const first = await this.receive(Math.min(batchSize, SQS_MAX_PER_RECEIVE), this.waitTimeSeconds, signal);
    if (first.length === 0) return [];
    const byId = new Map(first.map((received) => [received.message.MessageId, received]));
    const windowMs = maxBatchingWindowSeconds * 1000;
    const windowEnd = Date.now() + windowMs;
    let last = first.length;
    while (byId.size < batchSize && this.running) {
      const remainingMs = windowEnd - Date.now();
      // No window: keep receiving only while receives come back full (more is likely waiting).
      if (windowMs === 0 && last < SQS_MAX_PER_RECEIVE) break;
      if (windowMs > 0 && remainingMs <= 0) break;
      const waitSeconds = windowMs === 0 ? 0 : Math.min(20, Math.floor(remainingMs / 1000));
      let more: Received[];
      try {
        more = await this.receive(Math.min(batchSize - byId.size, SQS_MAX_PER_RECEIVE), waitSeconds, signal);
      } catch (error) {
        if (isAbort(error)) break;
        throw error;
      }
      for (const received of more) byId.set(received.message.MessageId, received);
      last = more.length;
      if (more.length === 0 && windowMs === 0) break;
      if (more.length === 0 && waitSeconds === 0) await pause(Math.min(remainingMs, WINDOW_TAIL_POLL_MS), signal);
    }
    return [...byId.values()];
  }

  private async receive(max: number, waitTimeSeconds: number, signal: AbortSignal): Promise<Received[]> {
    const { Messages } = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.mapping.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitTimeSeconds,
        // The current name of AttributeNames (fauxqs and SQS accept both).
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    const receivedAt = Date.now();
    return (Messages ?? [])
      .filter((message): message is Received['message'] => message.MessageId !== undefined && message.ReceiptHandle !== undefined)
      .map((message) => ({ message, receivedAt }));
  }

  private async process(batch: readonly Received[]): Promise<void> {
    const { mapping, invoke } = this.options;
    const records = batch.map(({ message }) => this.toLambdaRecord(message));
    const event: SQSEvent = { Records: records };
    const counters = this.counters;
    counters.batches += 1;
    counters.records += records.length;
    counters.retries += records.filter((record) => Number(record.attributes.ApproximateReceiveCount) > 1).length;

    const invokedAt = Date.now();
    let failures: BatchFailures;
    try {
      const result = await invoke(mapping.functionLogicalId, event);
      failures = mapping.reportBatchItemFailures ? this.batchItemFailures(result, records) : new Set();
    } catch (error) {
      this.log(`invocation failed, the ${records.length} message(s) come back after their visibility timeout: ${describeError(error)}`);
      failures = 'all';
    }
    const invokeMs = Date.now() - invokedAt;

    const failed = failures === 'all' ? records : records.filter((record) => failures.has(record.messageId));
    const succeeded = failures === 'all' ? [] : records.filter((record) => !failures.has(record.messageId));
    counters.failures += failed.length;
    if (this.maxReceiveCount !== undefined) {
      const limit = this.maxReceiveCount;
      counters.dlqSends += failed.filter((record) => Number(record.attributes.ApproximateReceiveCount) >= limit).length;
    }
    const deleted = await this.delete(succeeded);

    const oldestSent = Math.min(...records.map((record) => Number(record.attributes.SentTimestamp) || invokedAt));
    this.options.onBatch?.({
      mappingLogicalId: mapping.logicalId,
      size: records.length,
      sentToInvokeMs: invokedAt - oldestSent,
      receiveToInvokeMs: invokedAt - Math.min(...batch.map((received) => received.receivedAt)),
      invokeMs,
      outcome: failed.length === 0 ? 'success' : succeeded.length === 0 ? 'failed' : 'partial',
      deleted,
      failed: failed.length,
    });
  }

  /**
   * Lambda's reading of a partial batch response: nothing reported (null, {}, an empty or null
   * list) is a full success; an invalid response, or an item identifier that is empty or not a
   * message of this batch, fails the whole batch.
   */
  private batchItemFailures(result: unknown, records: readonly SQSRecord[]): BatchFailures {
    if (result === null || result === undefined) return new Set();
    if (typeof result !== 'object' || Array.isArray(result)) {
      this.log('the function returned something other than a partial batch response: the whole batch counts as failed');
      return 'all';
    }
    const list = (result as { batchItemFailures?: unknown }).batchItemFailures;
    if (list === undefined || list === null) return new Set();
    if (!Array.isArray(list)) {
      this.log('batchItemFailures is not a list: the whole batch counts as failed');
      return 'all';
    }
    const ids = new Set(records.map((record) => record.messageId));
    const failed = new Set<string>();
    for (const item of list as unknown[]) {
      const id = typeof item === 'object' && item !== null ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
      if (typeof id !== 'string' || !ids.has(id)) {
        this.log(`batchItemFailures names ${JSON.stringify(id)}, not a message of this batch: the whole batch counts as failed`);
        return 'all';
      }
      failed.add(id);
    }
    return failed;
  }

  /** Deletes in chunks of 10, retrying an emulator error a few times; returns how many went. */
  private async delete(records: readonly SQSRecord[]): Promise<number> {
    let deleted = 0;
    for (let start = 0; start < records.length; start += SQS_MAX_PER_RECEIVE) {
      const chunk = records.slice(start, start + SQS_MAX_PER_RECEIVE);
      const backoff = new Backoff();
      for (let attempt = 1; ; attempt += 1) {
        try {
          const { Failed, Successful } = await this.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: this.options.mapping.queueUrl,
              Entries: chunk.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
            }),
          );
          deleted += Successful?.length ?? 0;
          for (const failure of Failed ?? []) this.log(`could not delete a message (it will be delivered again): ${failure.Code ?? ''} ${failure.Message ?? ''}`);
          break;
        } catch (error) {
          if (attempt >= 3) {
            this.log(`could not delete ${chunk.length} message(s), they will be delivered again: ${describeError(error)}`);
            break;
          }
          await pause(backoff.delay(), new AbortController().signal);
        }
      }
    }
    return deleted;
  }

  /** Makes gathered messages visible again, so that a stop does not hide them for a whole visibility timeout. */
  private async release(batch: readonly Received[]): Promise<void> {
    for (let start = 0; start < batch.length; start += SQS_MAX_PER_RECEIVE) {
      const chunk = batch.slice(start, start + SQS_MAX_PER_RECEIVE);
      try {
        await this.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.options.mapping.queueUrl,
            Entries: chunk.map(({ message }, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 })),
          }),
        );
      } catch (error) {
        this.log(`could not release ${chunk.length} message(s); they come back after their visibility timeout: ${describeError(error)}`);
      }
    }
  }

  private async readRedrivePolicy(signal: AbortSignal): Promise<void> {
    const { Attributes } = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.options.mapping.queueUrl, AttributeNames: ['RedrivePolicy'] }),
      { abortSignal: signal },
    );
    const policy = Attributes?.['RedrivePolicy'];
    if (policy) {
      try {
        const parsed = JSON.parse(policy) as { maxReceiveCount?: unknown };
        const count = Number(parsed.maxReceiveCount);
        if (Number.isFinite(count)) this.maxReceiveCount = count;
      } catch {
        this.log(`the queue's RedrivePolicy is not JSON: ${policy}`);
      }
    }
    this.redriveKnown = true;
  }

  private toLambdaRecord(message: Received['message']): SQSRecord {
    const system = message.Attributes ?? {};
    const attributes: SQSRecordAttributes = {
      ...system,
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
      SentTimestamp: system.SentTimestamp ?? String(Date.now()),
      SenderId: system.SenderId ?? this.options.endpoints.accountId,
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    };
    return {
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: message.Body ?? '',
      attributes,
      messageAttributes: toLambdaMessageAttributes(message.MessageAttributes),
      md5OfBody: message.MD5OfBody ?? '',
      ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.mapping.queueArn,
      awsRegion: this.options.endpoints.region,
    };
  }
}

/** SQS's MessageAttributes as Lambda writes them: camelCase, binary as base64, empty list fields. */
function toLambdaMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((binary) => Buffer.from(binary).toString('base64')),
      dataType: value.DataType ?? 'String',
    };
  }
  return result;
}
