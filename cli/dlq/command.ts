/**
 * `orders dlq list | show | redrive`: finds the queues, runs one action, prints it for a person
 * or (--json) for a program, and says how it went with an exit code. A redrive moves a
 * dead-letter queue's messages back to their source; of an outbox failure queue, it replays the
 * failed stream batches (./outbox.ts).
 */
import type { Command } from '../args';
import type { CliDeps } from '../main';
import { diagnose, formatDiagnosis, type Diagnosis } from './diagnosis';
import { locateQueues, type QueueSource } from './locate';
import { deadLetterQueuesOf, DlqError, findDeadLetterQueue, type DeadLetterQueue } from './model';
import { formatReplay, replayOutbox, replaySucceeded, tableClients } from './outbox';
import { describeError, describeQueues, peekMessages, redrive, redriveSucceeded, type PeekedMessage, type RedriveResult } from './sqs';

export type DlqCommand = Extract<Command, { name: 'dlq' }>;

const EXIT_OK = 0;
const EXIT_FAILURE = 1;

export async function runDlq(command: DlqCommand, deps: CliDeps): Promise<number> {
  const source = await locateQueues(command.options, deps);
  try {
    const queues = deadLetterQueuesOf(await describeQueues(source.sqs, source.queues), source.streamFailureQueues);
    switch (command.action) {
      case 'list':
        return list(queues, source, command.options.json, deps);
      case 'show':
        return await show(findDeadLetterQueue(queues, command.queue), command.limit, source, command.options.json, deps);
      case 'redrive':
        return await redriveQueue(findDeadLetterQueue(queues, command.queue), command, source, deps);
    }
  } catch (error) {
    if (error instanceof DlqError) throw error;
    // The SDK's errors (refused, unreachable) become a failure that says what to check; anything else is a bug.
    if (error instanceof Error && ('$metadata' in error || 'code' in error || error.name === 'TimeoutError')) {
      throw new DlqError(`SQS at ${source.description} failed: ${describeError(error)} (${source.hint})`);
    }
    throw error;
  } finally {
    source.close();
  }
}

function list(queues: readonly DeadLetterQueue[], source: QueueSource, json: boolean, deps: CliDeps): number {
  if (json) {
    deps.stdout(JSON.stringify({ source: source.description, queues }, null, 2));
    return EXIT_OK;
  }
  for (const line of formatList(queues, source.description)) deps.stdout(line);
  return EXIT_OK;
}

/** The table of `dlq list`, and a line that sums it up. */
export function formatList(queues: readonly DeadLetterQueue[], where: string): string[] {
  if (queues.length === 0) return [`no dead-letter queues in ${where}`];
  const rows = queues.map((q) => [
    q.label,
    String(q.messages),
    String(q.inFlight),
    q.kind === 'stream-failure'
      ? '(outbox stream failures: batch locations; redrive replays them from the stream)'
      : q.sources.map((s) => `${s.name} after ${s.maxReceiveCount} receives`).join(', '),
  ]);
  const header = ['QUEUE', 'MESSAGES', 'IN FLIGHT', 'SOURCE QUEUE(S) THAT REDRIVE TO IT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 1 || i === 2 ? cell.padStart(widths[i] as number) : i === cells.length - 1 ? cell : cell.padEnd(widths[i] as number)))
      .join('  ');
  const waiting = queues.filter((q) => q.messages + q.inFlight > 0);
  const total = waiting.reduce((sum, q) => sum + q.messages + q.inFlight, 0);
  const summary =
    waiting.length === 0
      ? `all ${queues.length} dead-letter queues of ${where} are empty`
      : `${total} message(s) in ${waiting.length} of ${queues.length} dead-letter queues of ${where}; look at them: orders dlq show ${(waiting[0] as DeadLetterQueue).label}`;
  return [line(header), ...rows.map(line), '', summary];
}

interface ShownMessage extends PeekedMessage {
  readonly diagnosis: Diagnosis;
}

async function show(queue: DeadLetterQueue, limit: number, source: QueueSource, json: boolean, deps: CliDeps): Promise<number> {
  const peek = await peekMessages(source.sqs, queue.url, limit);
  const messages: ShownMessage[] = peek.messages.map((m) => ({ ...m, diagnosis: diagnose(m.body, queue.kind) }));
  if (json) deps.stdout(JSON.stringify({ queue, messages, released: peek.released }, null, 2));
  else for (const line of formatShow(queue, messages)) deps.stdout(line);
  if (!peek.released) deps.stderr(`orders dlq: some messages could not be made visible again at once; they will be within 20 s`);
  return EXIT_OK;
}

export function formatShow(queue: DeadLetterQueue, messages: readonly ShownMessage[]): string[] {
  const of =
    queue.kind === 'stream-failure'
      ? "an outbox dispatcher's stream failure queue"
      : `the dead-letter queue of ${queue.sources.map((s) => s.name).join(', ')}`;
  const head = [`${queue.label}: ${of}`, ...(queue.label === queue.name ? [] : [`  queue ${queue.name}`])];
  if (messages.length === 0) return [...head, '', 'no messages'];
  const label = (name: string) => `  ${name.padEnd(12)}`;
  const indent = ' '.repeat(14);
  const lines = [...head, `${messages.length} message(s) shown, left in the queue (this look counted as one more receive)`];
  for (const m of messages) {
    const attributes = Object.entries(m.messageAttributes).map(([name, value]) => `${name}=${value.StringValue ?? `(${value.DataType})`}`);
    const why = formatDiagnosis(m.diagnosis);
    lines.push(
      '',
      `message ${m.messageId}`,
      `${label('received')}${m.receiveCount === undefined ? '?' : m.receiveCount} time(s)${m.firstReceivedAt ? `, first at ${m.firstReceivedAt}` : ''}`,
      ...(m.sentAt ? [`${label('sent at')}${m.sentAt}`] : []),
      ...(m.deadLetterSourceArn ? [`${label('came from')}${m.deadLetterSourceArn}`] : []),
      ...(attributes.length > 0 ? [`${label('attributes')}${attributes.join(', ')}`] : []),
      ...why.map((text, i) => `${i === 0 ? label('why') : indent}${text}`),
      `${label('body')}${m.body}`,
    );
  }
  return lines;
}

type RedriveCommand = Extract<DlqCommand, { action: 'redrive' }>;

async function redriveQueue(queue: DeadLetterQueue, command: RedriveCommand, source: QueueSource, deps: CliDeps): Promise<number> {
  const { json } = command.options;
  if (queue.kind === 'stream-failure') return replayQueue(queue, command, source, deps);
  if (command.dryRun) {
    throw new DlqError(`--dry-run is for the outbox failure queues (order/outbox, …); to see what a redrive of ${queue.label} would move: orders dlq show ${queue.label}`);
  }
  const result = await redrive(source.sqs, queue, {
    ...(command.max === undefined ? {} : { max: command.max }),
    timeoutMs: command.timeoutSeconds * 1000,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(json ? {} : { progress: (line: string) => deps.stderr(line) }),
  });
  const ok = redriveSucceeded(result);
  if (json) deps.stdout(JSON.stringify({ queue: queue.label, ok, ...result }, null, 2));
  else for (const line of formatRedrive(queue, result, command.timeoutSeconds)) deps.stdout(line);
  return ok ? EXIT_OK : EXIT_FAILURE;
}

/** An outbox failure queue: each failed stream batch read back from the stream and its outbox items written again. */
async function replayQueue(queue: DeadLetterQueue, command: RedriveCommand, source: QueueSource, deps: CliDeps): Promise<number> {
  const { json } = command.options;
  if (!source.tables) {
    throw new DlqError(
      `${queue.label} holds stream batch locations, and ${source.description} says nothing of the tables and streams they are in: replay it with --stack NAME or on the local cloud`,
    );
  }
  const tables = await tableClients(source.tables);
  try {
    const result = await replayOutbox(source.sqs, tables, queue, {
      dryRun: command.dryRun,
      ...(command.max === undefined ? {} : { max: command.max }),
      ...(source.tables.endpoint === undefined ? {} : { tableEndpoint: source.tables.endpoint }),
      ...(deps.now ? { now: deps.now } : {}),
      ...(json ? {} : { progress: (line: string) => deps.stderr(line) }),
    });
    const ok = replaySucceeded(result);
    if (json) deps.stdout(JSON.stringify({ queue: queue.label, ok, ...result }, null, 2));
    else for (const line of formatReplay(queue, result)) deps.stdout(line);
    return ok ? EXIT_OK : EXIT_FAILURE;
  } finally {
    tables.close();
  }
}

export function formatRedrive(queue: DeadLetterQueue, result: RedriveResult, timeoutSeconds: number): string[] {
  const to = queue.sources.length === 1 ? (queue.sources[0] as DeadLetterQueue['sources'][number]).name : 'their source queues';
  if (result.method === 'move-task') {
    const counted = `${result.moved}${result.toMove === undefined ? '' : ` of ${result.toMove}`} message(s)`;
    switch (result.status) {
      case 'COMPLETED':
        return [`✔ SQS moved ${counted} from ${queue.label} back to ${to}`];
      case 'RUNNING':
      case 'CANCELLING':
        return [
          `✘ the move task is still ${result.status} after ${timeoutSeconds} s (${counted} moved so far); it carries on in SQS: follow it with \`orders dlq list\``,
        ];
      default:
        return [`✘ the move task ended ${result.status}${result.failureReason ? `: ${result.failureReason}` : ''} (${counted} moved)`];
    }
  }
  const how = result.because === 'max' ? 'one by one (--max)' : 'one by one: this SQS endpoint has no message move task';
  const lines = [result.moved === 0 && result.notSent.length + result.notDeleted.length === 0 ? `✔ nothing to move: ${queue.label} is empty` : `✔ moved ${result.moved} message(s) from ${queue.label} back to ${to}, ${how}`];
  if (result.notSent.length > 0) {
    lines.push(`✘ ${result.notSent.length} message(s) not sent, still in ${queue.label}:`, ...result.notSent.map((p) => `  ${p.messageId}: ${p.error}`));
  }
  if (result.notDeleted.length > 0) {
    lines.push(
      `✘ ${result.notDeleted.length} message(s) sent but still in ${queue.label} too (a later redrive sends them again; consumers ignore the duplicate):`,
      ...result.notDeleted.map((p) => `  ${p.messageId}: ${p.error}`),
    );
  }
  return lines;
}
