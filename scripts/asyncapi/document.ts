/**
 * The AsyncAPI 3 description of the events between the bounded contexts, built from the event
 * catalogue (names, versions, producers, consumers, schemas) and from the SNS adapter (the
 * message attributes), so that it cannot say anything the code does not do.
 */
import path from 'node:path';
import * as z from 'zod';
import { stringify } from 'yaml';
import { catalogue, CONTEXTS, EVENT_TYPES, type ContextName, type EventType } from '../../lambdas/shared/events/catalogue';
import type { AnyEnvelope } from '../../lambdas/shared/events/envelope';
import { messageAttributes } from '../../lambdas/shared/event-bus/sns-event-bus';
import { eventId } from '../../lib/constructs/naming';
import { version as packageVersion } from '../../package.json';

export const ASYNCAPI_FILE = path.resolve(__dirname, '../../docs/asyncapi/asyncapi.yaml');
export const ASYNCAPI_VERSION = '3.0.0';
/** The SNS binding version that AsyncAPI 3.0.0 allows. */
const SNS_BINDING_VERSION = '0.1.0';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const CONTEXT_TITLES: Readonly<Record<ContextName, string>> = { order: 'Order', payment: 'Payment', inventory: 'Inventory' };

/** `order.placed` → `orderPlaced`: the id of its channel and message. */
export function channelId(type: EventType): string {
  const pascal = eventId(type);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}

/** `orderSendsOrderPlaced`, `paymentReceivesOrderPlaced`. */
export function operationId(context: ContextName, action: 'send' | 'receive', type: EventType): string {
  return `${context}${action === 'send' ? 'Sends' : 'Receives'}${eventId(type)}`;
}

/** The JSON Schema of an event's data, from its zod/mini schema (what a consumer accepts). */
export function dataSchema(type: EventType): JsonObject {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(catalogue[type].schema, { target: 'draft-07', io: 'input' }) as JsonObject;
  return schema;
}

const ID = { type: 'string', minLength: 1, maxLength: 128 } as const;

/** The envelope's metadata, as `parseEnvelope` checks it (the drift test validates real envelopes against it). */
const ENVELOPE_FIELDS: Readonly<Record<string, JsonObject>> = {
  id: { ...ID, description: 'Unique per event: the idempotency key of every consumer.' },
  type: { type: 'string', description: 'The event type, which is also the name of its topic.' },
  version: { type: 'integer', minimum: 1, description: 'The version of the data schema. Consumers upcast older versions and refuse newer ones.' },
  source: { type: 'string', enum: [...CONTEXTS], description: 'The bounded context that published the event.' },
  occurredAt: { type: 'string', format: 'date-time', description: 'When the event happened (ISO 8601, UTC).' },
  aggregateId: { ...ID, description: 'The aggregate the event is about.' },
  correlationId: { ...ID, description: 'Follows one order through every context.' },
  causationId: { ...ID, description: 'The id of the event, or the request, that caused this one.' },
  data: { type: 'object', description: "The event's own data." },
};

/** The SNS message attributes the SNS adapter sets on every message, as a headers schema. */
function attributesSchema(type: EventType): JsonObject {
  // The adapter reads only the type and the version of the envelope.
  const attributes = messageAttributes({ type, version: catalogue[type].version } as AnyEnvelope);
  const properties: JsonObject = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    const value = attribute.StringValue ?? '';
    properties[name] =
      attribute.DataType === 'Number'
        ? { type: 'integer', const: Number(value), description: `SNS message attribute \`${name}\` (DataType Number).` }
        : { type: 'string', const: value, description: `SNS message attribute \`${name}\` (DataType ${attribute.DataType ?? 'String'}).` };
  }
  return {
    type: 'object',
    description:
      'SNS message attributes, set on publish. Each subscription filters on `type`; raw message delivery copies them to SQS message attributes.',
    required: Object.keys(properties),
    properties,
  };
}

/** The envelope with this event's type, version, producer and data. */
function payloadSchema(type: EventType): JsonObject {
  const definition = catalogue[type];
  const specific: Readonly<Record<string, JsonObject>> = {
    type: { type: 'string', const: type },
    version: { type: 'integer', const: definition.version },
    source: { type: 'string', const: definition.producer },
    data: { $ref: `#/components/schemas/${eventId(type)}Data` },
  };
  const properties = Object.fromEntries(
    Object.entries(ENVELOPE_FIELDS).map(([name, field]) => [name, { ...(specific[name] ?? field), description: field.description ?? '' }]),
  );
  return { type: 'object', required: Object.keys(ENVELOPE_FIELDS), properties };
}

const title = (context: ContextName) => CONTEXT_TITLES[context];
const list = (contexts: readonly ContextName[]) => (contexts.length === 0 ? 'no context' : contexts.map(title).join(' and '));

function olderVersions(type: EventType): number[] {
  const definition = catalogue[type];
  return 'upcasters' in definition && definition.upcasters ? Object.keys(definition.upcasters).map(Number).sort((a, b) => a - b) : [];
}

function messageDescription(type: EventType): string {
  const definition = catalogue[type];
  const older = olderVersions(type);
  return [
    definition.description,
    '',
    `Published by ${title(definition.producer)} on the \`${type}\` topic; consumed by ${list(definition.consumers)}` +
      `${definition.consumers.length === 0 ? ' (kept by the event log only)' : ''}.`,
    `The payload is the envelope every event travels in, with \`data\` of version ${definition.version}.`,
    ...(older.length > 0 ? [`Consumers also read version ${older.join(', ')} and upcast it to version ${definition.version}.`] : []),
  ].join('\n');
}

function channel(type: EventType): JsonObject {
  const definition = catalogue[type];
  const id = channelId(type);
  return {
    address: type,
    title: type,
    description: [
      definition.description,
      '',
      `An SNS standard topic (encrypted, TLS only). CloudFormation names it; its ARN is the stack output \`${eventId(type)}TopicArn\`.`,
    ].join('\n'),
    messages: { [id]: { $ref: `#/components/messages/${id}` } },
  };
}

function message(type: EventType): JsonObject {
  const definition = catalogue[type];
  return {
    name: type,
    title: `${type} v${definition.version}`,
    summary: definition.description,
    description: messageDescription(type),
    contentType: 'application/json',
    headers: attributesSchema(type),
    payload: payloadSchema(type),
    tags: [{ name: definition.producer }],
  };
}

/** Each consumer's queue: what `EventSubscription` subscribes to the topic (and the event log's). */
function snsSubscribers(type: EventType): JsonObject[] {
  const subscribers: string[] = [...catalogue[type].consumers, 'event-log'];
  return subscribers.map((subscriber) => ({
    protocol: 'sqs',
    endpoint: { name: `${subscriber} queue of ${type}` },
    filterPolicy: { type: [type] },
    rawMessageDelivery: true,
  }));
}

function operations(type: EventType): [string, JsonObject][] {
  const definition = catalogue[type];
  const id = channelId(type);
  const messages = [{ $ref: `#/channels/${id}/messages/${id}` }];
  const send: [string, JsonObject] = [
    operationId(definition.producer, 'send', type),
    {
      action: 'send',
      channel: { $ref: `#/channels/${id}` },
      title: `${title(definition.producer)} publishes ${type}`,
      summary: `${title(definition.producer)} publishes ${type} v${definition.version}.`,
      description:
        'Published by the outbox dispatcher once the state change that recorded it is committed (never by a use case directly), ' +
        "in the aggregate's order, with the SNS message attributes `type` and `version`.",
      tags: [{ name: definition.producer }],
      bindings: { sns: { consumers: snsSubscribers(type), bindingVersion: SNS_BINDING_VERSION } },
      messages,
    },
  ];
  const receives = definition.consumers.map((consumer): [string, JsonObject] => [
    operationId(consumer, 'receive', type),
    {
      action: 'receive',
      channel: { $ref: `#/channels/${id}` },
      title: `${title(consumer)} receives ${type}`,
      summary: `${title(consumer)} consumes ${type} from its own SQS queue.`,
      description:
        `${title(consumer)}'s queue is subscribed to the topic with raw message delivery and a filter policy on the \`type\` attribute. ` +
        'Delivery is at least once and in any order: the consumer validates each message, is idempotent on `id`, ' +
        'and a message that keeps failing moves to the dead-letter queue.',
      tags: [{ name: consumer }],
      messages,
    },
  ]);
  return [send, ...receives];
}

/** The whole AsyncAPI document, as plain data. Same catalogue in, same document out. */
export function buildAsyncApiDocument(): JsonObject {
  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: 'Event-driven orders: events between bounded contexts',
      version: packageVersion,
      description: [
        'The events that Order, Payment and Inventory exchange, one SNS topic per event, generated from the event catalogue ' +
          '(`lambdas/shared/events/catalogue.ts`) by `npm run asyncapi`.',
        '',
        'Every event travels in one envelope: `{ id, type, version, source, occurredAt, aggregateId, correlationId, causationId, data }`. ' +
          'Each consumer has its own SQS queue per event, and the event log keeps every event for the order timelines.',
      ].join('\n'),
      license: { name: 'MIT' },
      tags: CONTEXTS.map((context) => ({ name: context, description: `The ${title(context)} bounded context.` })),
    },
    defaultContentType: 'application/json',
    servers: {
      aws: {
        host: 'sns.{region}.amazonaws.com',
        protocol: 'sns',
        description: 'Amazon SNS in the region of the deployed stack (`npx cdk deploy`). Locally, `npm start` serves the same topics from an SNS/SQS emulator.',
        variables: { region: { description: 'The AWS region the stack is deployed to.' } },
      },
    },
    channels: Object.fromEntries(EVENT_TYPES.map((type) => [channelId(type), channel(type)])),
    operations: Object.fromEntries(EVENT_TYPES.flatMap(operations)),
    components: {
      schemas: {
        ...Object.fromEntries(EVENT_TYPES.map((type) => [`${eventId(type)}Data`, { description: `The data of ${type} v${catalogue[type].version}.`, ...dataSchema(type) }])),
      },
      messages: Object.fromEntries(EVENT_TYPES.map((type) => [channelId(type), message(type)])),
    },
  };
}

const HEADER = [
  ' Generated from lambdas/shared/events/catalogue.ts by `npm run asyncapi`: do not edit.',
  ' A test fails when this file and the catalogue disagree.',
].join('\n');

/** The document as YAML: stable key order, no line folding, so a regenerated file diffs cleanly. */
export function renderAsyncApiYaml(document: JsonObject = buildAsyncApiDocument()): string {
  return `#${HEADER.split('\n').join('\n#')}\n${stringify(document, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
