/**
 * The stand-in for Lambda's DynamoDB Streams event source mapping, for one StreamMapping, read
 * from DynamoDB Local with the DynamoDB Streams API.
 *
 * Per shard, one batch at a time and in sequence order: records that pass the filter patterns are
 * delivered in batches of up to batchSize; filtered-out records are only checkpointed. A failed
 * batch is read again from the checkpoint and retried (bisected when configured; from the first
 * reported record after a partial batch response). Every failure counts against the records it
 * held, bisections included, so a record is invoked at most 1 + maximumRetryAttempts times;
 * then, or once it is older than maximumRecordAgeSeconds, its location goes to the on-failure
 * queue and the shard moves on. Nothing is skipped silently. A parent shard is read to its end
 * before its children.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type AttributeValue,
  type _Record as StreamsRecord,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { LOCAL_CREDENTIALS } from '../../emulators/credentials';
import type { Invoke, LocalEndpoints, StreamMapping } from '../model';
import { matchesAnyPattern, validateFilterPatterns } from './event-filter';
import { Backoff, defaultLog, describeError, isAbort, newCounters, pause, type PollerCounters } from './poller-support';

const DEFAULT_POLL_INTERVAL_MS = 50;
const DEFAULT_IDLE_POLL_INTERVAL_MS = 200;
/** After this long without a record, a shard is polled at the idle interval. */
const IDLE_AFTER_MS = 2_000;
const DEFAULT_DESCRIBE_INTERVAL_MS = 10_000;
const DEFAULT_RETRY_DELAY_MS = 100;
const GET_RECORDS_LIMIT = 1000;
/** Empty pages tolerated while reading a failed batch again. */
const REFILL_EMPTY_PAGES = 3;
/** DynamoDB Local's ApproximateCreationDateTime is rounded down to the minute. */
const CREATION_TIME_GRANULARITY_MS = 60_000;

export interface StreamPollerCounters extends PollerCounters {
  /** Records dropped by the filter patterns (checkpointed, never delivered). */
  filtered: number;
  /** Records given up on (retries exhausted or too old), whether or not an on-failure queue took them. */
  discarded: number;
}

export interface StreamPollerOptions {
  readonly mapping: StreamMapping;
  readonly invoke: Invoke;
  readonly endpoints: LocalEndpoints;
  /** The function's ARN for failure descriptions; default built from the endpoints' region and account. */
  readonly functionArn?: string;
  readonly streams?: DynamoDBStreamsClient;
  /** For the on-failure queue. */
  readonly sqs?: SQSClient;
  /** Pause between GetRecords calls on a shard that had nothing new; default 50 ms. */
  readonly pollIntervalMs?: number;
  /** The same, once a shard has been quiet for 2 s; default 200 ms (keeps DynamoDB Local's CPU low). */
  readonly idlePollIntervalMs?: number;
  /** How often DescribeStream looks for new shards; default 10 s (and whenever a shard ends). */
  readonly describeIntervalMs?: number;
  /** Pause before retrying a failed batch; default 100 ms. */
  readonly retryDelayMs?: number;
  readonly log?: (line: string) => void;
  readonly onBatch?: (report: StreamBatchReport) => void;
  /** The clock that ages records (maximumRecordAgeSeconds); tests move it forward. Default Date.now. */
  readonly now?: () => number;
}

export interface StreamBatchReport {
  readonly mappingLogicalId: string;
  readonly shardId: string;
  readonly size: number;
  /** From the moment the poller read the batch's newest record to the start of the invocation. */
  readonly readToInvokeMs: number;
  readonly invokeMs: number;
  readonly outcome: 'success' | 'partial' | 'failed';
}

/** Where the poller stands on one shard. */
export interface ShardStatus {
  readonly shardId: string;
  readonly parentShardId?: string;
  /** The last sequence number done with (delivered, filtered out or given up on). */
  readonly checkpoint?: string;
  /** Records read and waiting for (or in) an invocation. */
  readonly pending: number;
  /** The shard is being read (it has an iterator). */
  readonly reading: boolean;
  /** Closed and read to its end. */
  readonly done: boolean;
}

/** The on-failure destination's message for a stream batch, as Lambda sends it. */
export interface StreamFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: { readonly statusCode?: number; readonly executedVersion?: string; readonly functionError?: string };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}

type Position =
  | { readonly type: 'TRIM_HORIZON' | 'LATEST' }
  | { readonly type: 'AFTER_SEQUENCE_NUMBER' | 'AT_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

interface Buffered {
  readonly record: DynamoDBRecord;
  readonly sequenceNumber: string;
  readonly createdAt: Date;
}

/** Records at the head of the buffer that are retried together (a failed batch or a half of one). */
interface PendingRange {
  size: number;
  /** Failed invocations that held these records. */
  attempts: number;
  lastResponse?: StreamFailureRecord['responseContext'];
}

interface ShardState {
  readonly shardId: string;
  readonly parentShardId: string | undefined;
  /** Where to get the next iterator when there is none. */
  position: Position;
  iterator: string | undefined;
  /** Records that passed the filter, read and not yet checkpointed, in order. */
  buffer: Buffered[];
  /** The last sequence number read (filtered or not). */
  readUpTo: string | undefined;
  /** Everything up to here is done (delivered, filtered or given up on). */
  checkpoint: string | undefined;
  /** The last record counted as filtered (a record read again is not counted twice). */
  filteredUpTo: string | undefined;
  /** GetRecords gave no next iterator: the shard is closed and read to its end. */
  ended: boolean;
  done: boolean;
  started: boolean;
  /** Bisection stack: the top (last) range is the next batch. */
  ranges: PendingRange[];
  /** Per sequence number: when this poller first read it, and how often it was delivered. */
  firstSeen: Map<string, number>;
  deliveries: Map<string, number>;
  lastRecordAt: number;
}

export class StreamPoller {
  readonly counters: StreamPollerCounters = { ...newCounters(), filtered: 0, discarded: 0 };
  private readonly streams: DynamoDBStreamsClient;
  private readonly sqs: SQSClient;
  private readonly ownsStreams: boolean;
  private readonly ownsSqs: boolean;
  private readonly log: (line: string) => void;
  private readonly functionArn: string;
  private readonly now: () => number;
  private readonly shards = new Map<string, ShardState>();
  private readonly tasks = new Map<string, Promise<void>>();
  private running = false;
  private firstDescribe = true;
  private stopController = new AbortController();
  private describeNow = new AbortController();
  private main: Promise<void> | undefined;

  constructor(private readonly options: StreamPollerOptions) {
    const { mapping, endpoints } = options;
    validateFilterPatterns(mapping.filterPatterns);
    this.log = options.log ?? defaultLog(`stream-poller ${mapping.logicalId}`);
    this.now = options.now ?? Date.now;
    this.functionArn = options.functionArn ?? `arn:aws:lambda:${endpoints.region}:${endpoints.accountId}:function:${mapping.functionLogicalId}`;
    const clientConfig = { region: endpoints.region, credentials: { ...LOCAL_CREDENTIALS } };
    this.ownsStreams = options.streams === undefined;
    this.streams = options.streams ?? new DynamoDBStreamsClient({ ...clientConfig, endpoint: endpoints.dynamodb });
    this.ownsSqs = options.sqs === undefined;
    this.sqs = options.sqs ?? new SQSClient({ ...clientConfig, endpoint: endpoints.snsSqs });
  }

  get isRunning(): boolean {
    return this.running;
  }

  status(): ShardStatus[] {
    return [...this.shards.values()].map((state) => ({
      shardId: state.shardId,
      ...(state.parentShardId === undefined ? {} : { parentShardId: state.parentShardId }),
      ...(state.checkpoint === undefined ? {} : { checkpoint: state.checkpoint }),
      pending: state.buffer.length,
      reading: state.iterator !== undefined,
      done: state.done,
    }));
  }

  /** Starts reading; after a stop(), reading resumes from the checkpoints kept in memory. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopController = new AbortController();
    this.describeNow = new AbortController();
    for (const state of this.shards.values()) {
      state.position = continuePosition(state);
      state.iterator = undefined;
      state.started = false;
    }
    this.main = this.describeLoop();
  }

  /** Stops at once between batches; resolves when the batches in flight are done. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopController.abort();
    this.describeNow.abort();
    await this.main;
    await Promise.all(this.tasks.values());
    this.tasks.clear();
  }

  /** stop(), and destroy the clients the poller made. */
  async close(): Promise<void> {
    await this.stop();
    if (this.ownsStreams) this.streams.destroy();
    if (this.ownsSqs) this.sqs.destroy();
  }

  // -------------------------------------------------------------------------------------------
  // Shards

  private async describeLoop(): Promise<void> {
    const backoff = new Backoff();
    while (this.running) {
      try {
        const shards = await this.describeShards();
        this.track(shards);
        backoff.reset();
        if (!this.running) break;
        await pause(this.options.describeIntervalMs ?? DEFAULT_DESCRIBE_INTERVAL_MS, this.describeNow.signal);
      } catch (error) {
        if (!this.running && isAbort(error)) break;
        const wait = backoff.delay();
        this.log(`DescribeStream failed: ${describeError(error)}; retrying in ${wait} ms`);
        await pause(wait, this.stopController.signal);
      }
      if (this.describeNow.signal.aborted && this.running) this.describeNow = new AbortController();
    }
  }

  private async describeShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.options.mapping.streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
        { abortSignal: this.stopController.signal },
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shards;
  }

  private track(shards: readonly Shard[]): void {
    const parents = new Set(shards.map((shard) => shard.ParentShardId).filter((id): id is string => id !== undefined));
    for (const shard of shards) {
      const shardId = shard.ShardId;
      if (!shardId || this.shards.has(shardId)) continue;
      // LATEST applies to the shards open at the start; closed ones (parents) hold only older
      // records. Shards that appear later hold only new records: read them whole.
      const latest = this.firstDescribe && this.options.mapping.startingPosition === 'LATEST';
      const state = newShardState(shardId, shard.ParentShardId, latest ? { type: 'LATEST' } : { type: 'TRIM_HORIZON' });
      if (latest && parents.has(shardId)) state.done = true;
      this.shards.set(shardId, state);
    }
    this.firstDescribe = false;
    for (const state of this.shards.values()) {
      if (state.done || state.started) continue;
      const parent = state.parentShardId === undefined ? undefined : this.shards.get(state.parentShardId);
      // A parent no longer listed has been trimmed away: nothing of it is left to read first.
      if (parent !== undefined && !parent.done) continue;
      state.started = true;
      const task = this.readShard(state).finally(() => this.tasks.delete(state.shardId));
      this.tasks.set(state.shardId, task);
    }
  }

  private async readShard(state: ShardState): Promise<void> {
    const backoff = new Backoff();
    const signal = this.stopController.signal;
    const { batchSize } = this.options.mapping;
    while (this.running && !state.done) {
      try {
        if (state.ended && state.buffer.length === 0 && state.ranges.length === 0) {
          state.done = true;
          break;
        }
        const wanted = state.ranges.at(-1)?.size ?? batchSize;
        if (state.buffer.length < wanted && !state.ended) await this.fill(state, wanted, signal);
        backoff.reset();
        if (state.buffer.length === 0) {
          if (!state.ended) {
            const quiet = Date.now() - state.lastRecordAt > IDLE_AFTER_MS;
            const interval = quiet ? (this.options.idlePollIntervalMs ?? DEFAULT_IDLE_POLL_INTERVAL_MS) : (this.options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
            await pause(interval, signal);
          }
          continue;
        }
        await this.processNext(state);
      } catch (error) {
        if (!this.running && isAbort(error)) break;
        const wait = backoff.delay();
        this.log(`shard ${state.shardId}: ${describeError(error)}; retrying in ${wait} ms`);
        state.position = continuePosition(state);
        state.iterator = undefined;
        await pause(wait, signal);
      }
    }
    if (state.done) {
      // Its children may now be read: look for them without waiting for the next describe.
      this.describeNow.abort();
    }
  }

  /** Reads until the buffer holds `wanted` records, or (for a new batch) until a page brought something. */
  private async fill(state: ShardState, wanted: number, signal: AbortSignal): Promise<void> {
    const refilling = state.ranges.length > 0;
    let emptyPages = 0;
    while (state.buffer.length < wanted && !state.ended && this.running) {
      state.iterator ??= await this.iterator(state, signal);
      let page;
      try {
        page = await this.streams.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: GET_RECORDS_LIMIT }), { abortSignal: signal });
      } catch (error) {
        const name = error instanceof Error ? error.name : '';
        if (name === 'ExpiredIteratorException' || name === 'TrimmedDataAccessException') {
          // DynamoDB Local also says so of an empty shard read from TRIM_HORIZON: nothing was lost then.
          if (name === 'TrimmedDataAccessException' && state.position.type !== 'TRIM_HORIZON') {
            this.log(`shard ${state.shardId}: records past the stream's retention were lost; reading on from the oldest one left`);
          }
          state.iterator = undefined;
          state.position = name === 'TrimmedDataAccessException' ? { type: 'TRIM_HORIZON' } : continuePosition(state);
          continue;
        }
        throw error;
      }
      state.iterator = page.NextShardIterator;
      if (!page.NextShardIterator) state.ended = true;
      const records = page.Records ?? [];
      const before = state.buffer.length;
      this.ingest(state, records);
      if (records.length === 0) {
        emptyPages += 1;
        if (!refilling || emptyPages >= REFILL_EMPTY_PAGES) break;
      } else if (!refilling && state.buffer.length > before) {
        break;
      }
    }
    if (refilling && state.buffer.length === 0 && this.running) {
      // The records of the failed batch are gone from the stream (past its retention).
      this.log(`shard ${state.shardId}: the records of a failed batch could not be read again; going on with what follows`);
      state.ranges = [];
    }
  }

  private async iterator(state: ShardState, signal: AbortSignal): Promise<string | undefined> {
    const get = async (position: Position): Promise<string | undefined> => {
      const { ShardIterator } = await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: this.options.mapping.streamArn,
          ShardId: state.shardId,
          ShardIteratorType: position.type as ShardIteratorType,
          ...('sequenceNumber' in position ? { SequenceNumber: position.sequenceNumber } : {}),
        }),
        { abortSignal: signal },
      );
      return ShardIterator;
    };
    try {
      return await get(state.position);
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'TrimmedDataAccessException') throw error;
      if (state.position.type === 'LATEST') {
        // Seen from DynamoDB Local on an empty shard. LATEST means "what is written from now on":
        // read from the oldest record and checkpoint everything already there without delivering it.
        return this.skipToEnd(state, await get({ type: 'TRIM_HORIZON' }), signal);
      }
      this.log(`shard ${state.shardId}: ${state.position.type} is past the stream's retention; reading on from the oldest record left`);
      state.position = { type: 'TRIM_HORIZON' };
      return get(state.position);
    }
  }

  private async skipToEnd(state: ShardState, iterator: string | undefined, signal: AbortSignal): Promise<string | undefined> {
    let current = iterator;
    while (current) {
      const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: current, Limit: GET_RECORDS_LIMIT }), { abortSignal: signal });
      const last = page.Records?.at(-1)?.dynamodb?.SequenceNumber;
      if (last) state.readUpTo = state.checkpoint = last;
      if (!page.NextShardIterator) state.ended = true;
      if ((page.Records ?? []).length === 0 || !page.NextShardIterator) return page.NextShardIterator;
      current = page.NextShardIterator;
    }
    return current;
  }

  private ingest(state: ShardState, records: readonly StreamsRecord[]): void {
    const now = Date.now();
    const seenAt = this.now();
    for (const raw of records) {
      const sequenceNumber = raw.dynamodb?.SequenceNumber;
      if (!sequenceNumber) continue;
      if (state.readUpTo !== undefined && compareSequence(sequenceNumber, state.readUpTo) <= 0) continue;
      state.readUpTo = sequenceNumber;
      state.lastRecordAt = now;
      if (!state.firstSeen.has(sequenceNumber)) state.firstSeen.set(sequenceNumber, seenAt);
      const record = this.toLambdaRecord(raw);
      if (matchesAnyPattern(this.options.mapping.filterPatterns, record)) {
        state.buffer.push({ record, sequenceNumber, createdAt: raw.dynamodb?.ApproximateCreationDateTime ?? new Date(now) });
      } else if (state.filteredUpTo === undefined || compareSequence(sequenceNumber, state.filteredUpTo) > 0) {
        state.filteredUpTo = sequenceNumber;
        this.counters.filtered += 1;
      }
    }
    this.checkpointIdle(state);
  }

  // -------------------------------------------------------------------------------------------
  // Batches

  private async processNext(state: ShardState): Promise<void> {
    const { mapping } = this.options;
    let range = state.ranges.at(-1);
    if (!range) {
      range = { size: Math.min(mapping.batchSize, state.buffer.length), attempts: 0 };
      state.ranges.push(range);
    }
    range.size = Math.min(range.size, state.buffer.length);

    if (mapping.maximumRecordAgeSeconds >= 0) {
      const limitMs = mapping.maximumRecordAgeSeconds * 1000;
      const head = state.buffer.slice(0, range.size);
      const expired = head.findIndex((entry) => this.ageMs(state, entry) <= limitMs);
      const count = expired === -1 ? head.length : expired;
      if (count > 0) {
        await this.giveUp(state, count, 'RecordAgeExceeded', range);
        range.size -= count;
        if (range.size <= 0) state.ranges.pop();
        this.checkpointIdle(state);
        return;
      }
    }

    const batch = state.buffer.slice(0, range.size);
    const event: DynamoDBStreamEvent = { Records: batch.map((entry) => entry.record) };
    this.counters.batches += 1;
    this.counters.records += batch.length;
    for (const entry of batch) {
      const delivered = state.deliveries.get(entry.sequenceNumber) ?? 0;
      if (delivered > 0) this.counters.retries += 1;
      state.deliveries.set(entry.sequenceNumber, delivered + 1);
    }

    const invokedAt = this.now();
    let failedFrom: number | 'none';
    let response: PendingRange['lastResponse'];
    try {
      const result = await this.options.invoke(mapping.functionLogicalId, event);
      failedFrom = mapping.reportBatchItemFailures ? this.firstReportedFailure(result, batch) : 'none';
      response = { statusCode: 200, executedVersion: '$LATEST' };
    } catch (error) {
      this.log(`shard ${state.shardId}: invocation failed for ${batch.length} record(s): ${describeError(error)}`);
      failedFrom = 0;
      response = { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' };
    }
    const newestRead = Math.max(...batch.map((entry) => state.firstSeen.get(entry.sequenceNumber) ?? invokedAt));
    this.options.onBatch?.({
      mappingLogicalId: mapping.logicalId,
      shardId: state.shardId,
      size: batch.length,
      readToInvokeMs: invokedAt - newestRead,
      invokeMs: this.now() - invokedAt,
      outcome: failedFrom === 'none' ? 'success' : failedFrom === 0 ? 'failed' : 'partial',
    });

    if (failedFrom === 'none') {
      state.ranges.pop();
      this.complete(state, batch.length);
      return;
    }

    this.counters.failures += batch.length - failedFrom;
    const functionError = response.functionError !== undefined;
    if (failedFrom > 0) {
      // Partial batch response: checkpoint just before the first reported record, retry from it.
      this.complete(state, failedFrom);
      range.size = batch.length - failedFrom;
    }
    range.attempts += 1;
    range.lastResponse = response;

    if (this.exhausted(range)) {
      state.ranges.pop();
      await this.giveUp(state, range.size, 'RetryAttemptsExhausted', range);
      this.checkpointIdle(state);
      return;
    }
    if (functionError && mapping.bisectBatchOnFunctionError && range.size > 1) {
      state.ranges.pop();
      const first = Math.ceil(range.size / 2);
      // Both halves carry the failures so far: a record is retried at most maximumRetryAttempts times.
      state.ranges.push({ size: range.size - first, attempts: range.attempts, lastResponse: response });
      state.ranges.push({ size: first, attempts: range.attempts, lastResponse: response });
    }
    this.readAgainFromCheckpoint(state);
    await pause(this.options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS, this.stopController.signal);
  }

  /**
   * Index of the first record the function reported as failed, 'none' for a full success. Like
   * Lambda: null/{}/an empty list is a success; an invalid response, or an identifier that is
   * empty or not a sequence number of this batch, fails the whole batch (index 0).
   */
  private firstReportedFailure(result: unknown, batch: readonly Buffered[]): number | 'none' {
    if (result === null || result === undefined) return 'none';
    if (typeof result !== 'object' || Array.isArray(result)) {
      this.log('the function returned something other than a partial batch response: the whole batch counts as failed');
      return 0;
    }
    const list = (result as { batchItemFailures?: unknown }).batchItemFailures;
    if (list === undefined || list === null) return 'none';
    if (!Array.isArray(list)) {
      this.log('batchItemFailures is not a list: the whole batch counts as failed');
      return 0;
    }
    let lowest: number | 'none' = 'none';
    for (const item of list as unknown[]) {
      const id = typeof item === 'object' && item !== null ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
      const index = typeof id === 'string' ? batch.findIndex((entry) => entry.sequenceNumber === id) : -1;
      if (index < 0) {
        this.log(`batchItemFailures names ${JSON.stringify(id)}, not a record of this batch: the whole batch counts as failed`);
        return 0;
      }
      if (lowest === 'none' || index < lowest) lowest = index;
    }
    return lowest;
  }

  private exhausted(range: PendingRange): boolean {
    const max = this.options.mapping.maximumRetryAttempts;
    return max >= 0 && range.attempts > max;
  }

  /** The first `count` buffered records are done: drop them and move the checkpoint past them. */
  private complete(state: ShardState, count: number): void {
    const done = state.buffer.splice(0, count);
    const last = done.at(-1);
    if (last) this.moveCheckpoint(state, last.sequenceNumber);
    this.checkpointIdle(state);
  }

  /** With nothing pending, records read after the last delivered one (all filtered out) are done too. */
  private checkpointIdle(state: ShardState): void {
    if (state.buffer.length === 0 && state.ranges.length === 0 && state.readUpTo !== undefined) this.moveCheckpoint(state, state.readUpTo);
  }

  private moveCheckpoint(state: ShardState, sequenceNumber: string): void {
    if (state.checkpoint !== undefined && compareSequence(sequenceNumber, state.checkpoint) <= 0) return;
    state.checkpoint = sequenceNumber;
    for (const map of [state.firstSeen, state.deliveries]) {
      for (const key of map.keys()) if (compareSequence(key, sequenceNumber) <= 0) map.delete(key);
    }
  }

  /** After a failure the batch is read from the stream again, from just after the checkpoint. */
  private readAgainFromCheckpoint(state: ShardState): void {
    const first = state.buffer[0];
    state.position =
      state.checkpoint !== undefined
        ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: state.checkpoint }
        : first
          ? { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: first.sequenceNumber }
          : state.position;
    state.iterator = undefined;
    state.buffer = [];
    state.readUpTo = state.checkpoint;
    state.ended = false;
  }

  /** Sends the location of the first `count` buffered records to the on-failure queue, then checkpoints past them. */
  private async giveUp(state: ShardState, count: number, condition: StreamFailureRecord['requestContext']['condition'], range: PendingRange): Promise<void> {
    const records = state.buffer.slice(0, count);
    const first = records[0];
    const last = records.at(-1);
    if (!first || !last) return;
    const { mapping } = this.options;
    const failure: StreamFailureRecord = {
      requestContext: { requestId: randomUUID(), functionArn: this.functionArn, condition, approximateInvokeCount: range.attempts },
      responseContext: range.lastResponse ?? {},
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId: state.shardId,
        startSequenceNumber: first.sequenceNumber,
        endSequenceNumber: last.sequenceNumber,
        approximateArrivalOfFirstRecord: first.createdAt.toISOString(),
        approximateArrivalOfLastRecord: last.createdAt.toISOString(),
        batchSize: records.length,
        streamArn: mapping.streamArn,
      },
    };
    if (mapping.onFailureQueueUrl) {
      await this.sendFailure(mapping.onFailureQueueUrl, failure);
      this.counters.dlqSends += 1;
    } else {
      this.log(`shard ${state.shardId}: ${condition}: discarding records ${first.sequenceNumber}..${last.sequenceNumber} (no on-failure destination)`);
    }
    this.counters.discarded += records.length;
    this.complete(state, records.length);
  }

  /**
   * Retries until the queue takes it: the shard never moves past records it has not reported. A
   * stop ends the attempts with an error, leaving the records uncheckpointed for the next start.
   */
  private async sendFailure(queueUrl: string, failure: StreamFailureRecord): Promise<void> {
    const backoff = new Backoff();
    for (;;) {
      try {
        await this.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(failure) }));
        return;
      } catch (error) {
        if (!this.running) throw error;
        const wait = backoff.delay();
        this.log(`could not send a failure description to ${queueUrl}: ${describeError(error)}; retrying in ${wait} ms`);
        await pause(wait, this.stopController.signal);
      }
    }
  }

  /**
   * DynamoDB Local rounds ApproximateCreationDateTime down to the minute: the record was written
   * in the minute after it, and not after this poller first read it. The latest possible moment
   * is taken, so that a record is never expired early.
   */
  private ageMs(state: ShardState, entry: Buffered): number {
    const now = this.now();
    const seen = state.firstSeen.get(entry.sequenceNumber) ?? now;
    const written = Math.min(entry.createdAt.getTime() + CREATION_TIME_GRANULARITY_MS, seen);
    return now - written;
  }

  private toLambdaRecord(raw: StreamsRecord): DynamoDBRecord {
    const stream = raw.dynamodb ?? {};
    const created = stream.ApproximateCreationDateTime;
    return {
      eventID: raw.eventID ?? randomUUID(),
      eventName: raw.eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.options.endpoints.region,
      dynamodb: {
        ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
        ...(stream.Keys ? { Keys: toLambdaImage(stream.Keys) } : {}),
        ...(stream.NewImage ? { NewImage: toLambdaImage(stream.NewImage) } : {}),
        ...(stream.OldImage ? { OldImage: toLambdaImage(stream.OldImage) } : {}),
        ...(stream.SequenceNumber ? { SequenceNumber: stream.SequenceNumber } : {}),
        ...(stream.SizeBytes !== undefined ? { SizeBytes: stream.SizeBytes } : {}),
        ...(stream.StreamViewType ? { StreamViewType: stream.StreamViewType } : {}),
      },
      eventSourceARN: this.options.mapping.streamArn,
      ...(raw.userIdentity?.Type && raw.userIdentity.PrincipalId ? { userIdentity: { type: raw.userIdentity.Type, principalId: raw.userIdentity.PrincipalId } } : {}),
    };
  }
}

function newShardState(shardId: string, parentShardId: string | undefined, position: Position): ShardState {
  return {
    shardId,
    parentShardId,
    position,
    iterator: undefined,
    buffer: [],
    readUpTo: undefined,
    checkpoint: undefined,
    filteredUpTo: undefined,
    ended: false,
    done: false,
    started: false,
    ranges: [],
    firstSeen: new Map(),
    deliveries: new Map(),
    lastRecordAt: Date.now(),
  };
}

/** Where to carry on reading after losing the iterator, without reading a buffered record twice. */
function continuePosition(state: ShardState): Position {
  return state.readUpTo !== undefined ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: state.readUpTo } : state.position;
}

/** Sequence numbers are decimal strings of any length. */
export function compareSequence(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** DynamoDB JSON as Lambda puts it in the event: binary values base64-encoded. */
function toLambdaImage(image: Record<string, AttributeValue>): Record<string, LambdaAttributeValue> {
  const result: Record<string, LambdaAttributeValue> = {};
  for (const [name, value] of Object.entries(image)) result[name] = toLambdaValue(value);
  return result;
}

function toLambdaValue(value: AttributeValue): LambdaAttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((binary) => Buffer.from(binary).toString('base64')) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  throw new Error(`Unknown DynamoDB attribute value type: ${Object.keys(value).join(', ')}`);
}
