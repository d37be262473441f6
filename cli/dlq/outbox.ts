/**
 * `orders dlq redrive <context>/outbox`: publishes again what an outbox dispatcher gave up on.
 *
 * A failure record says where a stream batch failed (shard, first and last sequence number), not
 * what it held. The batch is read back from the table's stream, and each outbox insert in it is
 * written again as a new outbox item of the same partition: the same envelope string, the same
 * `sequence` and `index` (the dispatcher orders an aggregate's events by those, never by the sort
 * key), and a sort key of its own, `<sk>#replay-<time>`. The stream then carries a fresh insert,
 * the dispatcher publishes the event through its normal path, and a consumer that had it already
 * ignores it (its inbox knows the envelope id). A failure record is deleted only once every
 * outbox item of its batch is written again; one whose batch the stream no longer holds (24 h) is
 * kept, and the operator is pointed at the outbox items, which the table keeps a week.
 */
import type { AttributeValue as TableAttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient, _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { fromOutboxItem, OUTBOX_KIND, OUTBOX_TTL_SECONDS, TTL_ATTRIBUTE, type OutboxItem } from '../../lambdas/shared/infrastructure/outbox-item';
import { diagnose, type Diagnosis } from './diagnosis';
import type { TableSource } from './locate';
import type { DeadLetterQueue } from './model';
import { describeError, makeVisible, receive, sqsSdk, type ReceiveTuning } from './sqs';

/**
 * How long a failure record being replayed stays hidden: its batch is read from the stream and
 * written again (up to a few hundred items). Records kept are made visible again at the end.
 */
export const REPLAY_VISIBILITY_SECONDS = 300;
/** GetRecords answers at most this many records a call. */
const GET_RECORDS_LIMIT = 1000;
/** Empty pages in a row after which the reading stops short of the batch's end (an open shard may answer some). */
const MAX_EMPTY_PAGES = 20;
/** A shard iterator expires after 15 minutes: a new one is taken where the old one stopped, this many times. */
const MAX_EXPIRED_ITERATORS = 3;
/** The stream's creation times are approximate (DynamoDB Local rounds them down to the minute). */
const WRITTEN_AT_MARGIN_SECONDS = 120;

const PARTITION_KEY = 'pk' satisfies keyof OutboxItem;
const SORT_KEY = 'sk' satisfies keyof OutboxItem;
/** The outbox item a replayed one was copied from: its sort key. */
export const REPLAY_OF_ATTRIBUTE = 'replayOf';
const REPLAY_SUFFIX = /#replay-[^#]*$/;

type TableSdks = readonly [typeof import('@aws-sdk/client-dynamodb'), typeof import('@aws-sdk/client-dynamodb-streams')];
let loaded: Promise<TableSdks> | undefined;
/** The DynamoDB SDKs, loaded on first use, like SQS's: no other command needs them. */
function tableSdks(): Promise<TableSdks> {
  return (loaded ??= Promise.all([import('@aws-sdk/client-dynamodb'), import('@aws-sdk/client-dynamodb-streams')]));
}

export interface TableClients {
  readonly dynamodb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
}

/** Clients for the tables and streams of `source`; destroy them with `close()`. */
export async function tableClients(source: TableSource): Promise<TableClients & { close(): void }> {
  const [{ DynamoDBClient }, { DynamoDBStreamsClient }] = await tableSdks();
  const config = { ...source.config, ...(source.config.credentials ? { credentials: { ...source.config.credentials } } : {}) };
  const dynamodb = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  return {
    dynamodb,
    streams,
    close: () => {
      dynamodb.destroy();
      streams.destroy();
    },
  };
}

export interface ReplayOptions extends ReceiveTuning {
  /** Read and report, write and delete nothing. */
  readonly dryRun: boolean;
  /** Replay at most this many failure records. */
  readonly max?: number;
  /** DynamoDB Local's endpoint, for the command an operator is told to run. */
  readonly tableEndpoint?: string;
  /** The clock of the replay sort keys and TTLs. */
  readonly now?: () => number;
  /** One line per failure record handled. */
  readonly progress?: (line: string) => void;
}

/** Where a failed stream batch is: what the failure record says, and the table its stream belongs to. */
export interface BatchLocation {
  readonly tableName: string;
  readonly streamArn: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  readonly firstRecordAt?: string;
  readonly lastRecordAt?: string;
}

export interface ReplayedItem {
  readonly pk: string;
  /** The outbox item's sort key, as the stream record holds it. */
  readonly sk: string;
  /** The sort key of the new outbox item. */
  readonly replaySk: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly sequence: number;
  readonly index: number;
  /** Why the dispatcher will fail on it again: its envelope does not pass validation. */
  readonly warning?: string;
}

export type KeptReason =
  /** The message is not a stream failure record: nothing to replay. */
  | 'not-a-failure-record'
  /** The stream no longer holds the batch (trimmed, or its shard expired). */
  | 'stream-trimmed'
  /** The stream was read without reaching the batch's last record. */
  | 'incomplete'
  /** Reading the stream failed (access, network, throttling). */
  | 'read-failed'
  /** Writing an outbox item again failed. */
  | 'put-failed'
  /** Every outbox item was written again, but the failure record could not be deleted. */
  | 'not-deleted';

export type ReplayedRecord = {
  readonly messageId: string;
  readonly batch?: BatchLocation;
  /** The outbox inserts of the batch written again (with --dry-run: to write), in dispatch order. */
  readonly items: readonly ReplayedItem[];
  /** Records of the batch that are not outbox inserts (state items, modifications, removals): left alone. */
  readonly skipped: number;
  /** Outbox inserts whose event this run had already written again, from another failure record. */
  readonly duplicates: number;
} & (
  | { readonly outcome: 'replayed' | 'would-replay' }
  | {
      readonly outcome: 'kept';
      readonly reason: KeptReason;
      readonly problem: string;
      /** A command that finds the batch's outbox items in the table. */
      readonly hint?: string;
    }
);

export interface ReplayResult {
  readonly method: 'outbox-replay';
  readonly dryRun: boolean;
  readonly records: readonly ReplayedRecord[];
}

/** Whether every failure record handled was replayed (with --dry-run: can be). */
export function replaySucceeded(result: ReplayResult): boolean {
  return result.records.every((record) => record.outcome !== 'kept');
}

/** Reasons that would come back for every record: the run stops rather than fail on each. */
const STOPPING: ReadonlySet<KeptReason> = new Set(['read-failed', 'put-failed']);

/**
 * Replays the failure records of an outbox dispatcher's failure queue, oldest batch of a shard
 * first among those received together. See the file's comment for what a replay is.
 */
export async function replayOutbox(sqs: SQSClient, tables: TableClients, queue: DeadLetterQueue, options: ReplayOptions): Promise<ReplayResult> {
  const now = options.now ?? Date.now;
  const run: Run = { tables, options, stamp: new Date(now()).toISOString(), expiresAt: Math.floor(now() / 1000) + OUTBOX_TTL_SECONDS, written: new Set(), label: queue.label };
  const seen = new Set<string>();
  const kept: Message[] = [];
  const records: ReplayedRecord[] = [];
  const sdk = await sqsSdk();
  try {
    let stop = false;
    while (!stop && (options.max === undefined || records.length < options.max)) {
      const want = Math.min(10, options.max === undefined ? 10 : options.max - records.length);
      const received = await receive(sqs, queue.url, want, REPLAY_VISIBILITY_SECONDS, options);
      const fresh = received.filter((m) => m.MessageId !== undefined && !seen.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) seen.add(message.MessageId as string);
      const located = fresh.map((message) => ({ message, diagnosis: diagnose(message.Body ?? '', 'stream-failure') })).sort(byBatch);
      for (const { message, diagnosis } of located) {
        if (stop) {
          kept.push(message);
          continue;
        }
        let record = await replayRecord(message, diagnosis, run);
        if (record.outcome === 'replayed') {
          try {
            await sqs.send(new sdk.DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }));
          } catch (error) {
            record = {
              ...record,
              outcome: 'kept',
              reason: 'not-deleted',
              problem: `every outbox item was written again, but the failure record could not be deleted: ${describeError(error)}; a later redrive writes them again (consumers ignore an event they already had)`,
            };
          }
        }
        if (record.outcome !== 'replayed') kept.push(message);
        records.push(record);
        options.progress?.(progressLine(record));
        if (record.outcome === 'kept' && STOPPING.has(record.reason)) stop = true;
      }
    }
  } finally {
    await makeVisible(sqs, queue.url, kept);
  }
  return { method: 'outbox-replay', dryRun: options.dryRun, records };
}

interface Run {
  readonly tables: TableClients;
  readonly options: ReplayOptions;
  /** One time for every replay sort key of the run. */
  readonly stamp: string;
  readonly expiresAt: number;
  /** What this run wrote again (see {@link writtenKey}): a second failure record holding it does not write it twice. */
  readonly written: Set<string>;
  readonly label: string;
}

/** A shard's batches in the order they failed; anything unrecognised last. */
function byBatch(a: { diagnosis: Diagnosis }, b: { diagnosis: Diagnosis }): number {
  const x = a.diagnosis;
  const y = b.diagnosis;
  if (x.kind !== 'stream-failure' || y.kind !== 'stream-failure') return (x.kind === 'stream-failure' ? 0 : 1) - (y.kind === 'stream-failure' ? 0 : 1);
  return x.streamArn.localeCompare(y.streamArn) || x.shardId.localeCompare(y.shardId) || compareSequence(x.startSequenceNumber, y.startSequenceNumber);
}

async function replayRecord(message: Message, diagnosis: Diagnosis, run: Run): Promise<ReplayedRecord> {
  const messageId = message.MessageId as string;
  const none = { messageId, items: [], skipped: 0, duplicates: 0 };
  if (diagnosis.kind !== 'stream-failure') {
    const why = diagnosis.kind === 'unrecognised' ? diagnosis.message : 'an event, not a stream failure record';
    return { ...none, outcome: 'kept', reason: 'not-a-failure-record', problem: `${why}: nothing to replay (look at it with \`orders dlq show ${run.label}\`)` };
  }
  const tableName = tableNameOf(diagnosis.streamArn);
  if (tableName === undefined) {
    return { ...none, outcome: 'kept', reason: 'not-a-failure-record', problem: `${diagnosis.streamArn} is not the ARN of a DynamoDB stream: nothing to replay` };
  }
  const batch: BatchLocation = {
    tableName,
    streamArn: diagnosis.streamArn,
    shardId: diagnosis.shardId,
    startSequenceNumber: diagnosis.startSequenceNumber,
    endSequenceNumber: diagnosis.endSequenceNumber,
    batchSize: diagnosis.batchSize,
    ...(diagnosis.firstRecordAt === undefined ? {} : { firstRecordAt: diagnosis.firstRecordAt }),
    ...(diagnosis.lastRecordAt === undefined ? {} : { lastRecordAt: diagnosis.lastRecordAt }),
  };
  const located = { ...none, batch };

  let read: BatchRead;
  try {
    read = await readBatch(run.tables.streams, batch);
  } catch (error) {
    const gone = streamGone(error, batch);
    if (gone) return { ...located, outcome: 'kept', reason: 'stream-trimmed', problem: gone, hint: findOutboxItemsCommand(batch, run.options.tableEndpoint) };
    return { ...located, outcome: 'kept', reason: 'read-failed', problem: `could not read the batch from the stream: ${describeError(error)}` };
  }
  if (!read.complete) {
    return {
      ...located,
      outcome: 'kept',
      reason: 'incomplete',
      problem: `the stream gave no record up to sequence ${batch.endSequenceNumber} (read up to ${read.lastSeen ?? 'nothing'}), so the batch may be incomplete: nothing written`,
      hint: findOutboxItemsCommand(batch, run.options.tableEndpoint),
    };
  }

  const { inserts, skipped } = outboxInsertsOf(read.records);
  const items: ReplayedItem[] = [];
  const toWrite: OutboxInsert[] = [];
  let duplicates = 0;
  for (const insert of inserts) {
    const key = writtenKey(insert);
    if (run.written.has(key)) {
      duplicates += 1;
      continue;
    }
    run.written.add(key);
    toWrite.push(insert);
    items.push(replayedItem(insert, run.stamp));
  }
  if (run.options.dryRun) return { ...located, items, skipped, duplicates, outcome: 'would-replay' };

  const [{ PutItemCommand }] = await tableSdks();
  for (const [n, insert] of toWrite.entries()) {
    const item = items[n] as ReplayedItem;
    try {
      await run.tables.dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...insert.image,
            [SORT_KEY]: { S: item.replaySk },
            [TTL_ATTRIBUTE]: { N: String(run.expiresAt) },
            [REPLAY_OF_ATTRIBUTE]: { S: insert.sk },
          },
          // Never over an existing item.
          ConditionExpression: `attribute_not_exists(${PARTITION_KEY})`,
        }),
      );
    } catch (error) {
      // The key holds this run's time, so an item there is this very put, written by an attempt
      // whose answer was lost before the SDK retried it.
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') continue;
      for (const unwritten of toWrite.slice(n)) run.written.delete(writtenKey(unwritten));
      return {
        ...located,
        items: items.slice(0, n),
        skipped,
        duplicates,
        outcome: 'kept',
        reason: 'put-failed',
        problem:
          `wrote ${n} of ${toWrite.length} outbox item(s) again, then DynamoDB refused ${item.pk} ${item.sk}: ${describeError(error)}; ` +
          'a later redrive writes the batch again (consumers ignore an event they already had)',
      };
    }
  }
  return { ...located, items, skipped, duplicates, outcome: 'replayed' };
}

/** An event is written again once per run, however many failure records hold it (an unreadable item: once per item). */
function writtenKey(insert: OutboxInsert): string {
  return insert.warning === undefined ? `event ${insert.eventId}` : `item ${insert.pk} ${insert.sk}`;
}

/** `arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000` → `Orders`. */
export function tableNameOf(streamArn: string): string | undefined {
  return /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/([^/]+)\/stream\/.+$/.exec(streamArn)?.[1];
}

/** `OUTBOX#0000000002#000` → `OUTBOX#0000000002#000#replay-<stamp>` (a replay of a replay is named after the original). */
export function replaySortKey(sortKey: string, stamp: string): string {
  return `${sortKey.replace(REPLAY_SUFFIX, '')}#replay-${stamp}`;
}

interface OutboxInsert {
  readonly pk: string;
  readonly sk: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly sequence: number;
  readonly index: number;
  /** The item as the stream holds it (every attribute: the stream's view is NEW_IMAGE). */
  readonly image: Record<string, TableAttributeValue>;
  readonly warning?: string;
}

/**
 * The outbox inserts among a batch's records, each aggregate's in the order it recorded them (as
 * the dispatcher orders them: by `sequence`, then `index`; one partition is one aggregate), so
 * their fresh inserts reach the stream in that order too. Everything else is only counted.
 */
function outboxInsertsOf(records: readonly StreamRecord[]): { inserts: OutboxInsert[]; skipped: number } {
  const inserts: OutboxInsert[] = [];
  let skipped = 0;
  for (const record of records) {
    const streamImage = record.dynamodb?.NewImage;
    const pk = streamImage?.[PARTITION_KEY]?.S;
    const sk = streamImage?.[SORT_KEY]?.S;
    if (record.eventName !== 'INSERT' || streamImage?.kind?.S !== OUTBOX_KIND || pk === undefined || sk === undefined) {
      skipped += 1;
      continue;
    }
    // The Streams SDK and the DynamoDB SDK describe the same attribute values on the wire.
    const image = streamImage as Record<string, TableAttributeValue>;
    const sequence = Number(streamImage.sequence?.N);
    const index = Number(streamImage.index?.N);
    const found = { pk, sk, sequence, index, image, eventId: streamImage.eventId?.S ?? '?', eventType: streamImage.eventType?.S ?? '?' };
    try {
      // What the dispatcher does with it: an item it cannot rebuild fails there again.
      const { event } = fromOutboxItem({ pk, sk, kind: OUTBOX_KIND, envelope: streamImage.envelope?.S, sequence, index });
      inserts.push({ ...found, eventId: event.id, eventType: event.type });
    } catch (error) {
      inserts.push({ ...found, warning: `the dispatcher cannot read it (${describeError(error)}): it will fail on it again, and it will come back to this queue` });
    }
  }
  inserts.sort((a, b) => a.pk.localeCompare(b.pk) || a.sequence - b.sequence || a.index - b.index);
  return { inserts, skipped };
}

function replayedItem(insert: OutboxInsert, stamp: string): ReplayedItem {
  return {
    pk: insert.pk,
    sk: insert.sk,
    replaySk: replaySortKey(insert.sk, stamp),
    eventId: insert.eventId,
    eventType: insert.eventType,
    sequence: insert.sequence,
    index: insert.index,
    ...(insert.warning === undefined ? {} : { warning: insert.warning }),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading a batch back from the stream

interface BatchRead {
  readonly records: readonly StreamRecord[];
  /** The batch's last record was read. */
  readonly complete: boolean;
  readonly lastSeen?: string;
}

/** The records from the batch's first sequence number to its last, from GetShardIterator AT_SEQUENCE_NUMBER and GetRecords. */
async function readBatch(streams: DynamoDBStreamsClient, batch: BatchLocation): Promise<BatchRead> {
  const [, { GetRecordsCommand }] = await tableSdks();
  const records: StreamRecord[] = [];
  let lastSeen: string | undefined;
  let iterator = await shardIterator(streams, batch, lastSeen);
  let emptyPages = 0;
  let expired = 0;
  while (iterator !== undefined) {
    let page;
    try {
      page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_RECORDS_LIMIT }));
    } catch (error) {
      if (error instanceof Error && error.name === 'ExpiredIteratorException' && expired < MAX_EXPIRED_ITERATORS) {
        expired += 1;
        iterator = await shardIterator(streams, batch, lastSeen);
        continue;
      }
      throw error;
    }
    const found = page.Records ?? [];
    for (const record of found) {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      if (sequenceNumber === undefined) continue;
      if (compareSequence(sequenceNumber, batch.endSequenceNumber) > 0) return { records, complete: true, ...(lastSeen ? { lastSeen } : {}) };
      lastSeen = sequenceNumber;
      if (compareSequence(sequenceNumber, batch.startSequenceNumber) >= 0) records.push(record);
      if (compareSequence(sequenceNumber, batch.endSequenceNumber) === 0) return { records, complete: true, lastSeen };
    }
    emptyPages = found.length === 0 ? emptyPages + 1 : 0;
    if (emptyPages > MAX_EMPTY_PAGES) break;
    // No next iterator: the shard is closed and read to its end.
    iterator = page.NextShardIterator;
  }
  return { records, complete: false, ...(lastSeen ? { lastSeen } : {}) };
}

async function shardIterator(streams: DynamoDBStreamsClient, batch: BatchLocation, after: string | undefined): Promise<string | undefined> {
  const [, { GetShardIteratorCommand }] = await tableSdks();
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: batch.streamArn,
      ShardId: batch.shardId,
      ...(after === undefined
        ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: batch.startSequenceNumber }
        : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }),
    }),
  );
  return ShardIterator;
}

/** What to tell when the stream no longer holds the batch; undefined for any other failure. */
function streamGone(error: unknown, batch: BatchLocation): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const why =
    error.name === 'TrimmedDataAccessException'
      ? 'the stream no longer holds this batch: it keeps records 24 hours'
      : error.name === 'ResourceNotFoundException'
        ? `DynamoDB Streams no longer knows shard ${batch.shardId} of this stream: a shard expires 24 hours after it closes (or is the stream in another region or account?)`
        : undefined;
  if (why === undefined) return undefined;
  return (
    `${why} (${describeError(error)}). Nothing was written and the failure record is kept. Its events are still outbox items in table ` +
    `${batch.tableName}, for 7 days after they were written: find them, and publish them again by writing each as a new outbox item ` +
    `(a new sort key, the same envelope)`
  );
}

/** An `aws dynamodb scan` for the outbox items a batch held: kind outbox, written when the stream says the batch was. */
export function findOutboxItemsCommand(batch: BatchLocation, endpoint?: string): string {
  const first = batch.firstRecordAt === undefined ? Number.NaN : Date.parse(batch.firstRecordAt);
  const last = batch.lastRecordAt === undefined ? first : Date.parse(batch.lastRecordAt);
  const window = Number.isFinite(first) && Number.isFinite(last);
  const values: Record<string, { S: string } | { N: string }> = { ':outbox': { S: OUTBOX_KIND } };
  if (window) {
    // expiresAt is the write time plus the outbox TTL.
    values[':from'] = { N: String(Math.floor(first / 1000) - WRITTEN_AT_MARGIN_SECONDS + OUTBOX_TTL_SECONDS) };
    values[':to'] = { N: String(Math.ceil(last / 1000) + WRITTEN_AT_MARGIN_SECONDS + OUTBOX_TTL_SECONDS) };
  }
  const filter = window ? `#kind = :outbox AND ${TTL_ATTRIBUTE} BETWEEN :from AND :to` : '#kind = :outbox';
  return [
    `aws dynamodb scan --table-name ${batch.tableName}`,
    `--filter-expression '${filter}'`,
    `--expression-attribute-names '{"#kind":"kind"}'`,
    `--expression-attribute-values '${JSON.stringify(values)}'`,
    ...(endpoint === undefined ? [] : [`--endpoint-url ${endpoint}`]),
  ].join(' ');
}

/** Sequence numbers are decimal strings of any length. */
export function compareSequence(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Telling it

function where(batch: BatchLocation): string {
  return `table ${batch.tableName}, shard ${batch.shardId}, sequence ${batch.startSequenceNumber} to ${batch.endSequenceNumber}`;
}

function counted(record: ReplayedRecord): string {
  const others = [
    ...(record.skipped > 0 ? [`${record.skipped} other record(s) of the batch left alone`] : []),
    ...(record.duplicates > 0 ? [`${record.duplicates} already written again from another failure record`] : []),
  ];
  return others.length === 0 ? '' : `; ${others.join(', ')}`;
}

function progressLine(record: ReplayedRecord): string {
  switch (record.outcome) {
    case 'replayed':
      return `failure record ${record.messageId}: ${record.items.length} outbox item(s) written again, record deleted`;
    case 'would-replay':
      return `failure record ${record.messageId}: ${record.items.length} outbox item(s) to write again`;
    case 'kept':
      return `failure record ${record.messageId}: kept (${record.reason})`;
  }
}

/** What `dlq redrive <context>/outbox` prints: each failure record, the items written again, and a summary. */
export function formatReplay(queue: DeadLetterQueue, result: ReplayResult): string[] {
  if (result.records.length === 0) return [`✔ nothing to replay: ${queue.label} is empty`];
  const lines: string[] = [];
  for (const record of result.records) {
    const at = record.batch ? ` (${where(record.batch)})` : '';
    switch (record.outcome) {
      case 'replayed':
        lines.push(`✔ failure record ${record.messageId}${at}: ${record.items.length} outbox item(s) written again${counted(record)}; record deleted`);
        break;
      case 'would-replay':
        lines.push(`· failure record ${record.messageId}${at}: would write ${record.items.length} outbox item(s) again${counted(record)}`);
        break;
      case 'kept':
        lines.push(`✘ failure record ${record.messageId}${at} kept in ${queue.label}: ${record.problem}`);
        if (record.hint) lines.push(`    ${record.hint}`);
        break;
    }
    for (const item of record.items) {
      lines.push(`    ${item.pk} ${item.sk} → ${item.replaySk}  ${item.eventType} ${item.eventId}`);
      if (item.warning) lines.push(`      ⚠ ${item.warning}`);
    }
  }
  const items = result.records.reduce((sum, record) => sum + (record.outcome === 'kept' ? 0 : record.items.length), 0);
  const kept = result.records.filter((record) => record.outcome === 'kept').length;
  const fine = result.records.length - kept;
  lines.push('');
  if (result.dryRun) {
    lines.push(
      `dry run: ${fine} of ${result.records.length} failure record(s) of ${queue.label} can be replayed (${items} outbox item(s) to write again); nothing written, every record left in the queue`,
    );
  } else if (kept === 0) {
    lines.push(
      `✔ replayed ${fine} failure record(s) of ${queue.label}: ${items} outbox item(s) written again, which the dispatcher publishes again (consumers ignore an event they already had)`,
    );
  } else {
    lines.push(`✘ ${kept} of ${result.records.length} failure record(s) kept in ${queue.label} (see above); ${fine} replayed (${items} outbox item(s) written again)`);
  }
  return lines;
}
