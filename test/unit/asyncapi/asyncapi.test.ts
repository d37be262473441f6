/**
 * docs/asyncapi/asyncapi.yaml: generated from the event catalogue, valid AsyncAPI 3.0.0, and
 * true to what producers publish and consumers receive.
 */
import { readFileSync } from 'node:fs';
import { DiagnosticSeverity, Parser, type AsyncAPIDocumentInterface, type Diagnostic } from '@asyncapi/parser';
import Ajv from 'ajv';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { catalogue, EVENT_TYPES, type EventType } from '../../../lambdas/shared/events/catalogue';
import { parseEnvelope, type AnyEnvelope } from '../../../lambdas/shared/events/envelope';
import { messageAttributes } from '../../../lambdas/shared/event-bus/sns-event-bus';
import { eventId } from '../../../lib/constructs/naming';
import { ASYNCAPI_FILE, ASYNCAPI_VERSION, buildAsyncApiDocument, channelId, dataSchema, renderAsyncApiYaml } from '../../../scripts/asyncapi/document';
import { anEvent } from '../../support/factories';

const errorsOf = (diagnostics: readonly Diagnostic[]) =>
  diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => `${d.path.join('.')}: ${d.message}`);

describe('AsyncAPI document of the event catalogue', () => {
  const committed = readFileSync(ASYNCAPI_FILE, 'utf8');
  let document: AsyncAPIDocumentInterface;
  let diagnostics: Diagnostic[];

  beforeAll(async () => {
    const parsed = await new Parser().parse(committed);
    diagnostics = parsed.diagnostics;
    if (!parsed.document) throw new Error(`the committed document does not parse: ${errorsOf(diagnostics).join('; ')}`);
    document = parsed.document;
  }, 30_000);

  it('is exactly what `npm run asyncapi` generates from the catalogue (run it after changing the catalogue)', () => {
    // when
    const generated = renderAsyncApiYaml();
    // then
    expect(committed).toBe(generated);
    expect(renderAsyncApiYaml()).toBe(generated);
  });

  it('is a valid AsyncAPI 3.0.0 document for the official parser', () => {
    expect(errorsOf(diagnostics)).toEqual([]);
    expect(document.version()).toBe(ASYNCAPI_VERSION);
  });

  it('would be refused by the parser if it were broken (the validation above is real)', async () => {
    // given an operation whose channel does not exist
    const broken = buildAsyncApiDocument() as { operations: Record<string, { channel: { $ref: string } }> };
    const [first] = Object.values(broken.operations);
    if (!first) throw new Error('no operation in the document');
    first.channel = { $ref: '#/channels/noSuchChannel' };
    // when
    const { document: none, diagnostics: found } = await new Parser().parse(stringifyYaml(broken));
    // then
    expect(none).toBeUndefined();
    expect(errorsOf(found).length).toBeGreaterThan(0);
  });

  it('has one channel per catalogue event, addressed by the event name (its topic), with its message and version', () => {
    for (const type of EVENT_TYPES) {
      const channel = document.channels().all().find((c) => c.address() === type);
      expect(channel).toBeDefined();
      const messages = channel?.messages().all() ?? [];
      expect(messages.map((m) => m.name())).toEqual([type]);
      expect(messages[0]?.title()).toBe(`${type} v${catalogue[type].version}`);
    }
    expect(document.channels().all()).toHaveLength(EVENT_TYPES.length);
  });

  it.each(EVENT_TYPES)('lists who publishes %s (send) and who consumes it (receive)', (type) => {
    // given
    const onChannel = document.operations().all().filter((op) => op.channels().all().some((c) => c.address() === type));
    const contextsThat = (action: 'send' | 'receive') =>
      onChannel
        .filter((op) => op.action() === action)
        .flatMap((op) => op.tags().all().map((t) => t.name()))
        .sort();
    // then
    expect(contextsThat('send')).toEqual([catalogue[type].producer]);
    expect(contextsThat('receive')).toEqual([...catalogue[type].consumers].sort());
    for (const op of onChannel) expect(op.messages().all().map((m) => m.name())).toEqual([type]);
  });

  it.each(EVENT_TYPES)('describes the SNS message attributes of %s as the SNS adapter sets them', (type) => {
    // given
    const published = messageAttributes(anEvent(type) as AnyEnvelope);
    const headers = document.messages().all().find((m) => m.name() === type)?.headers()?.json() as { properties: Record<string, { const: unknown }> };
    // then
    expect(Object.keys(headers.properties)).toEqual(Object.keys(published));
    for (const [name, attribute] of Object.entries(published)) {
      expect(String(headers.properties[name]?.const)).toBe(attribute.StringValue);
    }
  });

  describe('message payloads', () => {
    const ajv = new Ajv({ allErrors: true, formats: { 'date-time': (value: string) => !Number.isNaN(Date.parse(value)) } });
    ajv.addKeyword('x-parser-schema-id');
    const validatorOf = (type: EventType) => {
      const payload = document.messages().all().find((m) => m.name() === type)?.payload()?.json();
      if (!payload) throw new Error(`no payload for ${type}`);
      return ajv.compile(payload);
    };

    it.each(EVENT_TYPES)('an envelope of %s as producers create it satisfies its documented payload', (type) => {
      const validate = validatorOf(type);
      expect(validate(JSON.parse(JSON.stringify(anEvent(type))))).toBe(true);
      expect(validate.errors ?? []).toEqual([]);
    });

    it("holds each event's data schema, converted from the catalogue, under `data`", () => {
      // given
      const yaml = parseYaml(committed) as {
        components: { schemas: Record<string, Record<string, unknown>>; messages: Record<string, { payload: { properties: { data: { $ref: string } } } }> };
      };
      for (const type of EVENT_TYPES) {
        // when
        const ref = yaml.components.messages[channelId(type)]?.payload.properties.data.$ref ?? '';
        const { description: _text, ...schema } = yaml.components.schemas[ref.replace('#/components/schemas/', '')] ?? {};
        // then
        expect(ref).toBe(`#/components/schemas/${eventId(type)}Data`);
        expect(schema).toEqual(dataSchema(type));
      }
    });

    it.each<[string, (event: Record<string, unknown>) => Record<string, unknown>]>([
      ['without a correlation id', ({ correlationId: _omitted, ...rest }) => rest],
      ['with an empty id', (event) => ({ ...event, id: '' })],
      ['from an unknown context', (event) => ({ ...event, source: 'shipping' })],
      ['with data that breaks its schema', (event) => ({ ...event, data: { ...(event.data as object), lines: [{ sku: 'BOOK-DDD', quantity: 0, unitPrice: 1 }] } })],
    ])('an order.placed envelope %s is refused by the document and by consumers alike', (_case, breakIt) => {
      // given
      const event = breakIt(JSON.parse(JSON.stringify(anEvent('order.placed'))) as Record<string, unknown>);
      // then
      expect(validatorOf('order.placed')(event)).toBe(false);
      expect(() => parseEnvelope(event)).toThrow();
    });
  });
});
