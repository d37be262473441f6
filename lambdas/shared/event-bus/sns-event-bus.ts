/**
 * The EventBus on AWS: one SNS topic per event type (from the catalogue), fanning out to one
 * SQS queue per subscription. Publishing goes through SNS; subscribing only records the
 * handler, which the SQS consumer adapter runs when the queue's Lambda is invoked.
 */
import {
  PublishBatchCommand,
  PublishCommand,
  type MessageAttributeValue,
  type PublishBatchRequestEntry,
  type SNSClient,
} from '@aws-sdk/client-sns';
import type { EventType } from '../events/catalogue';
import type { AnyEnvelope, Envelope } from '../events/envelope';
import { silentLogger, type Logger } from '../logger';
import {
  heldBack,
  type BatchPublisher,
  type EventBus,
  type EventHandler,
  type FailedEvent,
  type HandlerRegistry,
  type SubscribeOptions,
} from './event-bus';

/** SNS `PublishBatch` takes at most 10 entries… */
export const MAX_BATCH_ENTRIES = 10;
/** …and at most 256 KiB for all of them together, attributes included. */
export const MAX_BATCH_BYTES = 256 * 1024;

export interface SnsEventBusOptions {
  readonly client: SNSClient;
  /** The topic of each event type this bus publishes; other types cannot be published. */
  readonly topicArns: Partial<Record<EventType, string>>;
  readonly logger?: Logger;
}

export interface SnsSubscription {
  readonly name: string;
  readonly handler: EventHandler;
}

/** The attributes that subscription filter policies match on. */
export function messageAttributes(event: AnyEnvelope): Record<string, MessageAttributeValue> {
  return {
    type: { DataType: 'String', StringValue: event.type },
    version: { DataType: 'Number', StringValue: String(event.version) },
  };
}

interface Entry {
  readonly event: AnyEnvelope;
  readonly topicArn: string;
  readonly message: string;
  readonly bytes: number;
}

export class SnsEventBus implements EventBus, BatchPublisher, HandlerRegistry {
  readonly #client: SNSClient;
  readonly #topicArns: Partial<Record<EventType, string>>;
  readonly #logger: Logger;
  readonly #subscriptions = new Map<EventType, SnsSubscription[]>();

  constructor(options: SnsEventBusOptions) {
    this.#client = options.client;
    this.#topicArns = options.topicArns;
    this.#logger = options.logger ?? silentLogger;
  }

  async publish<T extends EventType>(eventName: T, payload: Envelope<T>): Promise<void> {
    if (payload.type !== eventName) {
      throw new TypeError(`cannot publish a ${payload.type} event to the ${eventName} topic`);
    }
    const event = payload as AnyEnvelope;
    await this.#client.send(
      new PublishCommand({
        TopicArn: this.#topicArn(eventName),
        Message: JSON.stringify(event),
        MessageAttributes: messageAttributes(event),
      }),
    );
  }

  async publishBatch(events: readonly AnyEnvelope[]): Promise<{ failed: FailedEvent[] }> {
    const reasons = new Map<AnyEnvelope, string>();
    const blocked = new Set<string>();
    const fail = (event: AnyEnvelope, reason: string) => {
      reasons.set(event, reason);
      blocked.add(event.aggregateId);
    };

    // Round n holds the n-th event of each aggregate: a round is sent only once the one
    // before it is answered, so an aggregate's events leave in order while batches stay full.
    for (const round of rounds(events)) {
      const entries: Entry[] = [];
      for (const event of round) {
        if (blocked.has(event.aggregateId)) {
          fail(event, heldBack(event));
          continue;
        }
        const topicArn = this.#topicArns[event.type];
        if (!topicArn) {
          fail(event, `no topic ARN configured for ${event.type}`);
          continue;
        }
        const message = JSON.stringify(event);
        entries.push({ event, topicArn, message, bytes: entrySize(message, event) });
      }
      const answers = await Promise.all(chunks(entries).map((chunk) => this.#sendBatch(chunk)));
      for (const { event, reason } of answers.flat()) fail(event, reason);
    }
    return {
      failed: events.flatMap((event) => {
        const reason = reasons.get(event);
        return reason === undefined ? [] : [{ event, reason }];
      }),
    };
  }

  subscribe<T extends EventType>(eventName: T, handler: EventHandler<T>, options: SubscribeOptions = {}): void {
    const subscriptions = this.#subscriptions.get(eventName) ?? [];
    const name = options.name ?? `${eventName}#${subscriptions.length + 1}`;
    if (subscriptions.some((s) => s.name === name)) throw new Error(`a subscriber named ${name} already exists for ${eventName}`);
    subscriptions.push({ name, handler: handler as EventHandler });
    this.#subscriptions.set(eventName, subscriptions);
  }

  subscriptionsFor(type: EventType): readonly SnsSubscription[] {
    return this.#subscriptions.get(type) ?? [];
  }

  handlersFor<T extends EventType>(type: T): readonly EventHandler<T>[] {
    return this.subscriptionsFor(type).map((s) => s.handler as EventHandler<T>);
  }

  #topicArn(type: EventType): string {
    const arn = this.#topicArns[type];
    if (!arn) throw new Error(`no topic ARN configured for ${type}: cannot publish it`);
    return arn;
  }

  /** One PublishBatch call; returns its failures. Only an entry listed as successful succeeded. */
  async #sendBatch(chunk: readonly Entry[]): Promise<FailedEvent[]> {
    const [first] = chunk;
    if (!first) return [];
    // Ids only need to be unique within the call: the position is enough, and always valid.
    const byId = new Map(chunk.map((entry, i) => [`e${i}`, entry.event]));
    const request: PublishBatchRequestEntry[] = chunk.map((entry, i) => ({
      Id: `e${i}`,
      Message: entry.message,
      MessageAttributes: messageAttributes(entry.event),
    }));
    let response;
    try {
      response = await this.#client.send(new PublishBatchCommand({ TopicArn: first.topicArn, PublishBatchRequestEntries: request }));
    } catch (error) {
      this.#logger.warn('PublishBatch call failed', { topicArn: first.topicArn, entries: chunk.length, error });
      const reason = `PublishBatch failed: ${describe(error)}`;
      return chunk.map(({ event }) => ({ event, reason }));
    }
    const reasons = new Map<string, string>();
    for (const failed of response.Failed ?? []) {
      if (failed.Id) reasons.set(failed.Id, `${failed.Code ?? 'Failed'}: ${failed.Message ?? 'no message'}${failed.SenderFault ? ' (sender fault)' : ''}`);
    }
    const succeeded = new Set((response.Successful ?? []).map((s) => s.Id));
    for (const id of byId.keys()) {
      if (!reasons.has(id) && !succeeded.has(id)) reasons.set(id, 'PublishBatch returned no result for this entry');
    }
    return [...byId].flatMap(([id, event]) => {
      const reason = reasons.get(id);
      return reason === undefined ? [] : [{ event, reason }];
    });
  }
}

/** Splits events into rounds: round n holds the n-th event (in the given order) of each aggregate. */
function rounds(events: readonly AnyEnvelope[]): AnyEnvelope[][] {
  const seen = new Map<string, number>();
  const result: AnyEnvelope[][] = [];
  for (const event of events) {
    const n = seen.get(event.aggregateId) ?? 0;
    seen.set(event.aggregateId, n + 1);
    (result[n] ??= []).push(event);
  }
  return result;
}

/** Groups entries by topic, then cuts each group into batches within SNS's count and size limits. */
function chunks(entries: readonly Entry[]): Entry[][] {
  const byTopic = new Map<string, Entry[]>();
  for (const entry of entries) {
    const group = byTopic.get(entry.topicArn);
    if (group) group.push(entry);
    else byTopic.set(entry.topicArn, [entry]);
  }
  const result: Entry[][] = [];
  for (const group of byTopic.values()) {
    let current: Entry[] = [];
    let bytes = 0;
    for (const entry of group) {
      if (current.length === MAX_BATCH_ENTRIES || (current.length > 0 && bytes + entry.bytes > MAX_BATCH_BYTES)) {
        result.push(current);
        current = [];
        bytes = 0;
      }
      current.push(entry);
      bytes += entry.bytes;
    }
    if (current.length > 0) result.push(current);
  }
  return result;
}

/** What SNS counts against the batch size: the message and each attribute's name, type and value. */
function entrySize(message: string, event: AnyEnvelope): number {
  let bytes = Buffer.byteLength(message);
  for (const [name, value] of Object.entries(messageAttributes(event))) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? '');
  }
  return bytes;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
