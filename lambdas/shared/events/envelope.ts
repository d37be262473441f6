/**
 * The envelope every event travels in, between contexts and through every bus:
 * `{ id, type, version, source, occurredAt, aggregateId, correlationId, causationId, data }`.
 *
 * - `id` is unique per event and is every consumer's idempotency key.
 * - `correlationId` follows one order through every context.
 * - `causationId` is the id of the event (or command) that caused this one.
 */
import * as z from 'zod/mini';
import { CONTEXTS, catalogue, isEventType, type ContextName, type EventData, type EventType } from './catalogue';
import { formatIssues, toFieldIssues, type FieldIssue } from './validation';

export interface Envelope<T extends EventType = EventType> {
  readonly id: string;
  readonly type: T;
  readonly version: number;
  readonly source: ContextName;
  readonly occurredAt: string;
  readonly aggregateId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly data: EventData<T>;
}

/** A union over the catalogue: narrowing on `type` narrows `data`. */
export type AnyEnvelope = { [T in EventType]: Envelope<T> }[EventType];

/** The plain domain event an aggregate records: `{ type, data }`, no transport metadata. */
export interface DomainEvent<T extends EventType = EventType> {
  readonly type: T;
  readonly data: EventData<T>;
}
export type AnyDomainEvent = { [T in EventType]: DomainEvent<T> }[EventType];

/** Where an event came from: the thread it belongs to and what caused it. */
export interface Trace {
  readonly correlationId: string;
  readonly causationId: string;
}

/** The trace of anything an event causes: same correlation, caused by this event. */
export function causedBy(event: Pick<Envelope, 'id' | 'correlationId'>): Trace {
  return { correlationId: event.correlationId, causationId: event.id };
}

export type InvalidEventReason = 'MALFORMED' | 'UNKNOWN_TYPE' | 'UNSUPPORTED_VERSION' | 'INVALID_ENVELOPE' | 'INVALID_DATA';

/** Input that is not a valid event of the catalogue. Never retried: it goes to a dead-letter queue. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  constructor(
    readonly reason: InvalidEventReason,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(`${reason}: ${message}`);
  }
}

const metadataSchema = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  type: z.string(),
  version: z.int().check(z.positive()),
  source: z.enum(CONTEXTS),
  occurredAt: z.iso.datetime(),
  aggregateId: z.string().check(z.minLength(1), z.maxLength(128)),
  correlationId: z.string().check(z.minLength(1), z.maxLength(128)),
  causationId: z.string().check(z.minLength(1), z.maxLength(128)),
  data: z.record(z.string(), z.unknown()),
});

export interface EnvelopeOptions {
  readonly id: string;
  readonly occurredAt: Date;
  readonly source: ContextName;
  readonly aggregateId: string;
  readonly trace: Trace;
}

/** Wraps a domain event for transport. Producers validate here, before anything is written. */
export function createEnvelope<T extends EventType>(event: DomainEvent<T>, options: EnvelopeOptions): Envelope<T> {
  const definition = catalogue[event.type];
  const parsed = definition.schema.safeParse(event.data);
  if (!parsed.success) {
    const issues = toFieldIssues(parsed.error, event.data);
    throw new InvalidEventError('INVALID_DATA', `${event.type} data: ${formatIssues(issues)}`, issues);
  }
  if (definition.producer !== options.source) {
    throw new InvalidEventError('INVALID_ENVELOPE', `${event.type} is produced by ${definition.producer}, not ${options.source}`);
  }
  return {
    id: options.id,
    type: event.type,
    version: definition.version,
    source: options.source,
    occurredAt: options.occurredAt.toISOString(),
    aggregateId: options.aggregateId,
    correlationId: options.trace.correlationId,
    causationId: options.trace.causationId,
    data: parsed.data as EventData<T>,
  };
}

/**
 * Turns unknown input (a parsed message body) into a typed event of the current version, or
 * throws an {@link InvalidEventError} that says why. Older versions are upcast step by step;
 * a version newer than this code knows is refused rather than guessed at.
 */
export function parseEnvelope(input: unknown): AnyEnvelope {
  const meta = metadataSchema.safeParse(input);
  if (!meta.success) {
    const issues = toFieldIssues(meta.error, input);
    const typeOnly = issues.every((i) => i.field === 'type');
    throw new InvalidEventError(typeOnly ? 'UNKNOWN_TYPE' : 'INVALID_ENVELOPE', formatIssues(issues), issues);
  }
  const envelope = meta.data;
  if (!isEventType(envelope.type)) {
    throw new InvalidEventError('UNKNOWN_TYPE', `"${envelope.type}" is not in the event catalogue`);
  }
  const definition = catalogue[envelope.type] as (typeof catalogue)[EventType];
  if (envelope.version > definition.version) {
    throw new InvalidEventError(
      'UNSUPPORTED_VERSION',
      `${envelope.type} version ${envelope.version} is newer than the supported version ${definition.version}`,
    );
  }
  let data: Record<string, unknown> = envelope.data;
  for (let version = envelope.version; version < definition.version; version++) {
    const upcast = 'upcasters' in definition ? definition.upcasters?.[version] : undefined;
    if (!upcast) {
      throw new InvalidEventError('UNSUPPORTED_VERSION', `${envelope.type} has no upcaster from version ${version}`);
    }
    data = upcast(data);
  }
  const parsed = definition.schema.safeParse(data);
  if (!parsed.success) {
    const issues = toFieldIssues(parsed.error, data).map((i) => ({ ...i, field: `data.${i.field}` }));
    throw new InvalidEventError('INVALID_DATA', `${envelope.type}: ${formatIssues(issues)}`, issues);
  }
  return { ...envelope, version: definition.version, data: parsed.data } as AnyEnvelope;
}

/** Parses a message body (JSON text) into a typed event; malformed JSON is an {@link InvalidEventError} too. */
export function parseEnvelopeJson(text: string): AnyEnvelope {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new InvalidEventError('MALFORMED', `body is not JSON (${(error as Error).message})`);
  }
  return parseEnvelope(input);
}
