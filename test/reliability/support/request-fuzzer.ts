/**
 * Requests the Order API must refuse, generated from a seed: bad JSON, wrong types, missing and
 * unknown fields, bad amounts, totals that overflow, malformed SKUs, currencies and customer ids,
 * injection strings, huge bodies, malformed order ids in the path, unknown orders, wrong methods,
 * unknown routes and malformed Idempotency-Keys. Each request breaks one thing of an otherwise
 * valid request, is tagged with its category, and says which answers are right for it.
 *
 * What is *not* generated, because the API rightly accepts it: a well-formed SKU that Inventory
 * does not stock (Order cannot know Inventory's catalogue; the order is cancelled OUT_OF_STOCK
 * later), an opaque customerId that merely looks like an injection (`' OR 1=1 --` is a string
 * like any other), a malformed X-Correlation-Id (ignored, a new one is made; such headers ride
 * along on other requests instead), a Content-Type that is not JSON over a valid JSON body (the
 * API reads the body as JSON whatever the header says), and `GET /`, `GET /orders`, `/explorer`
 * (served routes).
 */
import { gzipSync } from 'node:zlib';
import { seededRandom } from '../../support/random';

export const FUZZ_CATEGORIES = [
  'bad-json',
  'non-object-root',
  'wrong-type',
  'missing-field',
  'unknown-field',
  'bad-quantity',
  'bad-unit-price',
  'total-overflow',
  'too-many-lines',
  'bad-sku',
  'bad-currency',
  'bad-customer-id',
  'injection',
  'huge-body',
  'bad-order-id',
  'unknown-order',
  'wrong-method',
  'unknown-route',
  'bad-idempotency-key',
] as const;
export type FuzzCategory = (typeof FUZZ_CATEGORIES)[number];

/** The API's own body limit (lambdas/order/infrastructure/http-api.ts) and API Gateway's. */
export const API_BODY_LIMIT = 64 * 1024;
export const GATEWAY_BODY_LIMIT = 10 * 1024 * 1024;

export interface Expected {
  /** The statuses that are right for the request (all 4xx). */
  readonly statuses: readonly number[];
  /** The field a 400 must name in its `issues`. */
  readonly field?: string;
}

export interface FuzzRequest {
  readonly category: FuzzCategory;
  /** What is wrong with it, short, for failure messages. */
  readonly what: string;
  readonly method: string;
  /** As sent on the wire: percent-encoded, possibly malformed on purpose. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly expected: Expected;
}

export interface FuzzOptions {
  /** Requests in all. */
  readonly count: number;
  /** How many of them carry a body of megabytes (from 1 MB to 11 MB, some above API Gateway's limit); default 6. */
  readonly hugeBodies?: number;
}

class Dice {
  constructor(readonly next: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  chars(alphabet: string, min: number, max: number): string {
    return Array.from({ length: this.int(min, max) }, () => alphabet[this.int(0, alphabet.length - 1)]).join('');
  }
}

interface Line {
  sku: string;
  quantity: number;
  unitPrice: number;
}
interface Order {
  customerId: string;
  lines: Line[];
  currency?: string;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ID_CHARS = `${UPPER}abcdefghijklmnopqrstuvwxyz0123456789_-`;
const STOCKED_SKUS = ['BOOK-DDD', 'MUG-EVENTS', 'STICKER-SAGA', 'SOLD-OUT'];

const NOSQL_OPERATORS: readonly unknown[] = [{ $gt: '' }, { $ne: null }, { $regex: '.*' }, { $where: 'sleep(1000)' }, { $in: ['BOOK-DDD'] }, { $exists: true }];
const INJECTION_STRINGS = [
  "' OR '1'='1",
  "'; DROP TABLE orders;--",
  '" OR ""="',
  '1; SELECT * FROM users',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '#{7*7}',
  '%00',
  '\u0000',
  '$(reboot)',
  '`id`',
  '|| ping -c 1 127.0.0.1',
  'admin\'--',
  '{"$gt":""}',
  '\u202eRLO',
  'A\r\nX-Injected: 1',
];
/** Latin-1 only (what an HTTP header can carry), never starting or ending with spaces (HTTP trims them). */
const BAD_HEADER_IDS = [
  'checkout 42',
  'key/with/slash',
  "'; DROP TABLE orders;--",
  '{"$gt":""}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'caf\u00e9',
  'a,b',
  'key=value;other',
  '%00',
  '*',
];

const encodeId = (id: string) => encodeURIComponent(id);

export function* fuzzRequests(seed: number, options: FuzzOptions): Generator<FuzzRequest> {
  const dice = new Dice(seededRandom(seed));
  const hugeBodies = Math.min(options.hugeBodies ?? 6, options.count);
  // The few megabyte bodies are spread evenly; everything else is drawn category by category.
  const hugeEvery = hugeBodies > 0 ? Math.floor(options.count / hugeBodies) : Infinity;
  for (let i = 0; i < options.count; i++) {
    const huge = hugeBodies > 0 && i % hugeEvery === hugeEvery - 1 && Math.floor(i / hugeEvery) < hugeBodies;
    const request = huge ? megabyteBody(dice, Math.floor(i / hugeEvery), hugeBodies) : generators[dice.pick(FUZZ_CATEGORIES)](dice);
    yield withJunkCorrelationId(dice, request);
  }
}

type Generate = (dice: Dice) => FuzzRequest;

function validLine(dice: Dice): Line {
  const sku = dice.chance(0.6) ? dice.pick(STOCKED_SKUS) : `${dice.chars(UPPER, 1, 1)}${dice.chars(`${UPPER}0123456789-`, 0, 20)}`;
  return { sku, quantity: dice.int(1, 50), unitPrice: dice.int(0, 100_000) };
}

function validOrder(dice: Dice): Order {
  const order: Order = { customerId: `cust-${dice.chars(ID_CHARS, 1, 24)}`, lines: Array.from({ length: dice.int(1, 3) }, () => validLine(dice)) };
  if (dice.chance(0.5)) order.currency = dice.pick(['EUR', 'USD', 'GBP']);
  return order;
}

/** Marks the value `withRaw` replaces. */
const RAW = Symbol('raw');

/** A JSON text of `order` with `raw` (any text, even not JSON) in place of the value `slot` sets to RAW. */
function withRaw(order: Order, slot: (copy: Record<string, unknown>) => void, raw: string): string {
  const copy = JSON.parse(JSON.stringify(order)) as Record<string, unknown>;
  const marker = '\u0001RAW\u0001';
  slot(copy);
  return JSON.stringify(copy, (_, value: unknown) => (value === RAW ? marker : value)).replace(JSON.stringify(marker), () => raw);
}
/** The index of one of the order's lines. */
function lineSlot(order: Order, dice: Dice): number {
  return dice.int(0, order.lines.length - 1);
}

const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', '*/*', 'application/json; charset=latin1', ''];

function postOrders(dice: Dice, category: FuzzCategory, what: string, body: string | Buffer, expected: Expected, headers: Record<string, string> = {}): FuzzRequest {
  // The API reads the body as JSON whatever the Content-Type says, so an odd one changes nothing here.
  const contentType = dice.chance(0.25) ? dice.pick(CONTENT_TYPES) : 'application/json';
  return {
    category,
    what,
    method: 'POST',
    path: '/orders',
    headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers },
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    expected,
  };
}

const refused = (field: string): Expected => ({ statuses: [400], field });

function withBody(category: FuzzCategory, what: string, method: string, path: string, body: Buffer | undefined, expected: Expected): FuzzRequest {
  return body ? { category, what, method, path, headers: { 'content-type': 'application/json' }, body, expected } : { category, what, method, path, headers: {}, expected };
}

const generators: Record<FuzzCategory, Generate> = {
  'bad-json': (dice) => {
    const text = JSON.stringify(validOrder(dice));
    const cases: [string, () => string | Buffer, Record<string, string>?][] = [
      ['truncated', () => text.slice(0, dice.int(1, text.length - 1))],
      ['trailing garbage', () => text + dice.pick(['x', '}', ',', ' {}', '\u0000', '//', 'null', ']', '\n{"customerId":"a"}'])],
      ['an empty body', () => ''],
      ['only whitespace', () => dice.pick([' ', '\n', '\t\r\n ', ' '.repeat(100)])],
      ['a byte-order mark', () => `\ufeff${text}`],
      ['single quotes', () => text.replace(/"/g, "'")],
      ['unquoted keys', () => text.replace(/"(\w+)":/g, '$1:')],
      ['a comment', () => `/* order */${text}`],
      ['a trailing comma', () => `${text.slice(0, -1)},}`],
      ['bytes that are not UTF-8 before the JSON', () => Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(text)])],
      ['UTF-16', () => Buffer.from(`\ufeff${text}`, 'utf16le')],
      ['a gzipped body', () => gzipSync(text), { 'content-encoding': 'gzip' }],
      ['a form', () => 'customerId=alice&lines%5B0%5D%5Bsku%5D=BOOK-DDD&lines%5B0%5D%5Bquantity%5D=1&lines%5B0%5D%5BunitPrice%5D=100', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['multipart', () => `--x\r\nContent-Disposition: form-data; name="order"\r\n\r\n${text}\r\n--x--\r\n`, { 'content-type': 'multipart/form-data; boundary=x' }],
      ['XML', () => '<order><customerId>alice</customerId><line sku="BOOK-DDD" quantity="1" unitPrice="100"/></order>', { 'content-type': 'application/xml' }],
      ['YAML', () => 'customerId: alice\nlines:\n  - sku: BOOK-DDD\n    quantity: 1\n    unitPrice: 100\n', { 'content-type': 'application/yaml' }],
      // 0xff never starts UTF-8, so no draw can be valid JSON by chance.
      ['random bytes', () => Buffer.from([0xff, ...Array.from({ length: dice.int(0, 2000) }, () => dice.int(0, 255))])],
      ['random printable text', () => `#${dice.chars('abcdefghijklmnopqrstuvwxyz {}[]:,"0123456789', 0, 300)}`],
    ];
    const [what, body, headers] = dice.pick(cases);
    const payload = body();
    return postOrders(dice, 'bad-json', what, payload, refused('body'), headers);
  },

  'non-object-root': (dice) => {
    const order = validOrder(dice);
    const depth = dice.int(1000, 30_000);
    const [what, body] = dice.pick<[string, string]>([
      ['null', 'null'],
      ['a number', String(dice.int(-1000, 1000))],
      ['a string', JSON.stringify(JSON.stringify(order))],
      ['true', 'true'],
      ['false', 'false'],
      ['an empty array', '[]'],
      ['an array of the order', JSON.stringify([order])],
      ['a huge number', '1e400'],
      [`arrays nested ${depth} deep`, `${'['.repeat(depth)}${']'.repeat(depth)}`],
    ]);
    return postOrders(dice, 'non-object-root', what, body, refused('(root)'));
  },

  'wrong-type': (dice) => {
    const order = validOrder(dice);
    const i = lineSlot(order, dice);
    // Six bytes a level: at most ~60 KB, under the API's body limit.
    const depth = dice.int(100, 10_000);
    const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const slots: [string, (o: Record<string, unknown>) => void, readonly unknown[]][] = [
      ['customerId', (o) => (o.customerId = RAW), [42, true, null, [], {}, ['alice'], 1.5]],
      ['lines', (o) => (o.lines = RAW), ['BOOK-DDD', 1, null, {}, { 0: order.lines[0] }, true]],
      [`lines[${i}]`, (o) => ((o.lines as unknown[])[i] = RAW), [null, 'BOOK-DDD:1:100', 1, [], ['BOOK-DDD', 1, 100], true]],
      [`lines[${i}].sku`, (o) => ((o.lines as Record<string, unknown>[])[i]!.sku = RAW), [1, null, true, [], {}, ['BOOK-DDD']]],
      [`lines[${i}].quantity`, (o) => ((o.lines as Record<string, unknown>[])[i]!.quantity = RAW), ['2', '1', null, true, [], {}, [1], '1e2']],
      [`lines[${i}].unitPrice`, (o) => ((o.lines as Record<string, unknown>[])[i]!.unitPrice = RAW), ['100', null, false, [], {}, ['100'], '0']],
      ['currency', (o) => (o.currency = RAW), [1, null, true, [], {}, ['EUR'], 978]],
    ];
    const [field, slot, values] = dice.pick(slots);
    if (dice.chance(0.05)) return postOrders(dice, 'wrong-type', `${field} nested ${depth} deep`, withRaw(order, slot, deep), refused(field));
    if (field === 'customerId' && dice.chance(0.1)) {
      // A duplicate key: JSON.parse keeps the last one.
      return postOrders(dice, 'wrong-type', 'customerId repeated as a number', `${JSON.stringify(order).slice(0, -1)},"customerId":5}`, refused('customerId'));
    }
    const value = dice.pick(values);
    return postOrders(dice, 'wrong-type', `${field} = ${JSON.stringify(value)}`, withRaw(order, slot, JSON.stringify(value)), refused(field));
  },

  'missing-field': (dice) => {
    const order = validOrder(dice) as Partial<Order>;
    const i = lineSlot(order as Order, dice);
    const line = order.lines?.[i] as Partial<Line> | undefined;
    const field = dice.pick(['customerId', 'lines', 'no lines', 'everything', 'sku', 'quantity', 'unitPrice'] as const);
    switch (field) {
      case 'customerId':
      case 'lines':
        delete order[field];
        return postOrders(dice, 'missing-field', `no ${field}`, JSON.stringify(order), refused(field));
      case 'no lines':
        return postOrders(dice, 'missing-field', 'an empty list of lines', JSON.stringify({ ...order, lines: [] }), refused('lines'));
      case 'everything':
        return postOrders(dice, 'missing-field', 'an empty object', '{}', refused('customerId'));
      default:
        if (line) delete line[field];
        return postOrders(dice, 'missing-field', `no lines[${i}].${field}`, JSON.stringify(order), refused(`lines[${i}].${field}`));
    }
  },

  'unknown-field': (dice) => {
    const order = validOrder(dice);
    const key = dice.pick(['total', 'status', 'orderId', 'discount', '__proto__', 'constructor', 'prototype', '$where', 'customerID', 'Lines', 'paymentId', 'correlationId', `x${dice.int(0, 999)}`]);
    const value = JSON.stringify(dice.pick<unknown>([0, 'PAID', { isAdmin: true }, [], null, { $gt: '' }]));
    if (dice.chance(0.5)) {
      // Spliced in as text: `__proto__` set on a JS object would not be a key at all.
      return postOrders(dice, 'unknown-field', `an unknown field ${key}`, `{${JSON.stringify(key)}:${value},${JSON.stringify(order).slice(1)}`, refused('(root)'));
    }
    const i = lineSlot(order, dice);
    const lines = order.lines.map((line, n) => (n === i ? `{${JSON.stringify(key)}:${value},${JSON.stringify(line).slice(1)}` : JSON.stringify(line)));
    const text = JSON.stringify({ ...order, lines: [] }).replace('"lines":[]', () => `"lines":[${lines.join(',')}]`);
    return postOrders(dice, 'unknown-field', `an unknown field ${key} in lines[${i}]`, text, refused(`lines[${i}]`));
  },

  'bad-quantity': (dice) => badNumber(dice, 'bad-quantity', 'quantity', [
    '0', '-1', '-0', '1.5', '0.5', '10001', '1000000', '1e400', '-1e400', '9007199254740993', '1e-7', '2.000001',
    String(-dice.int(1, 1e6)), `${dice.int(0, 10_000)}.${dice.int(1, 99)}`, String(dice.int(10_001, 1e9)),
  ]),

  'bad-unit-price': (dice) => badNumber(dice, 'bad-unit-price', 'unitPrice', [
    '-1', '-0.5', '12.5', '0.01', '1e400', '-1e400', '9007199254740993', '1e20', '4500.00001',
    String(-dice.int(1, 1e9)), `${dice.int(0, 100_000)}.${dice.int(1, 99)}`,
  ]),

  'total-overflow': (dice) => {
    const order = validOrder(dice);
    const max = Number.MAX_SAFE_INTEGER;
    const quantity = dice.int(2, 10_000);
    const variants: [string, Line[]][] = [
      ['one line over the safe total', [{ sku: 'BOOK-DDD', quantity, unitPrice: dice.int(Math.floor(max / quantity) + 1, max) }]],
      ['two lines that add up past it', [{ sku: 'BOOK-DDD', quantity: 1, unitPrice: 2 ** 52 }, { sku: 'MUG-EVENTS', quantity: 1, unitPrice: 2 ** 52 }]],
      ['the largest price, twice', [{ sku: 'BOOK-DDD', quantity: 2, unitPrice: max }]],
    ];
    const [what, lines] = dice.pick(variants);
    return postOrders(dice, 'total-overflow', what, JSON.stringify({ ...order, lines }), refused('lines'));
  },

  'too-many-lines': (dice) => {
    const order = validOrder(dice);
    // Short lines, so that up to ~1,500 of them stay under the API's body limit: a 400, not a 413.
    const count = dice.int(101, 1500);
    const lines = Array.from({ length: count }, (_, n) => ({ sku: `S${n % 1000}`, quantity: 1, unitPrice: 0 }));
    return postOrders(dice, 'too-many-lines', `${count} lines`, JSON.stringify({ ...order, lines }), refused('lines'));
  },

  'bad-sku': (dice) => {
    const order = validOrder(dice);
    const i = lineSlot(order, dice);
    const sku = dice.pick([
      '', 'book-ddd', 'Book-DDD', '-BOOK', 'BOOK DDD', 'BOOK_DDD', 'BOOK.DDD', 'BOOK/DDD', 'A'.repeat(65), `${dice.pick(STOCKED_SKUS)}\n`, ' BOOK-DDD',
      'SOLD-OUT ', '\u0412\u041e\u041e\u041a', '\uff22\uff2f\uff2f\uff2b', 'BOOK\u0000', '\u00df', 'SKU\u200b1', dice.chars('abcdefghijklmnopqrstuvwxyz', 1, 20),
      `${dice.chars(UPPER, 1, 5)}${dice.pick(['!', '@', '#', '*', '+', '=', '?', '~', ':'])}${dice.chars(UPPER, 0, 5)}`,
    ]);
    order.lines[i]!.sku = sku;
    return postOrders(dice, 'bad-sku', `lines[${i}].sku ${JSON.stringify(sku)}`, JSON.stringify(order), refused(`lines[${i}].sku`));
  },

  'bad-currency': (dice) => {
    const currency = dice.pick(['eur', 'Eur', 'EURO', 'EU', 'E', '', ' EUR', 'EUR ', 'E1R', '\u20ac', 'US$', 'XYZ', 'ABC', 'QQQ', 'AAA', 'ZZZ', 'BTC', 'FOO', 'EUX', 'EUR\n', '\uff25\uff35\uff32']);
    return postOrders(dice, 'bad-currency', `currency ${JSON.stringify(currency)}`, JSON.stringify({ ...validOrder(dice), currency }), refused('currency'));
  },

  'bad-customer-id': (dice) => {
    const customerId = dice.pick([
      '', ' ', ' alice', 'alice ', '\talice', 'ali\nce', 'ali\u0000ce', 'a\u001bb', '\u007f', 'ali\u2028ce', '\u00a0alice', 'x'.repeat(129), '\ud83d\ude00'.repeat(129),
      'ali\ud800ce', '\udc00', `${dice.chars(ID_CHARS, 129, 2000)}`,
    ]);
    return postOrders(dice, 'bad-customer-id', `customerId ${JSON.stringify(customerId.slice(0, 40))}`, JSON.stringify({ ...validOrder(dice), customerId }), refused('customerId'));
  },

  injection: (dice) => {
    const order = validOrder(dice);
    const i = lineSlot(order, dice);
    const text = dice.pick(INJECTION_STRINGS);
    const operator = dice.pick(NOSQL_OPERATORS);
    const target = dice.pick(['sku', 'currency', 'customerId operator', 'quantity operator', 'unitPrice operator', 'sku operator', 'order id', 'Idempotency-Key'] as const);
    switch (target) {
      case 'sku':
        order.lines[i]!.sku = text;
        return postOrders(dice, 'injection', `lines[${i}].sku ${JSON.stringify(text)}`, JSON.stringify(order), refused(`lines[${i}].sku`));
      case 'currency':
        return postOrders(dice, 'injection', `currency ${JSON.stringify(text)}`, JSON.stringify({ ...order, currency: text }), refused('currency'));
      case 'customerId operator':
        return postOrders(dice, 'injection', `customerId ${JSON.stringify(operator)}`, JSON.stringify({ ...order, customerId: operator }), refused('customerId'));
      case 'order id':
        return orderIdRequest(dice, 'injection', text);
      case 'Idempotency-Key': {
        const key = dice.pick(BAD_HEADER_IDS);
        return postOrders(dice, 'injection', `Idempotency-Key ${JSON.stringify(key)}`, JSON.stringify(order), refused('Idempotency-Key'), { 'idempotency-key': key });
      }
      default: {
        const field = target.split(' ')[0] as 'quantity' | 'unitPrice' | 'sku';
        const body = withRaw(order, (o) => ((o.lines as Record<string, unknown>[])[i]![field] = RAW), JSON.stringify(operator));
        return postOrders(dice, 'injection', `lines[${i}].${field} ${JSON.stringify(operator)}`, body, refused(`lines[${i}].${field}`));
      }
    }
  },

  'huge-body': (dice) => {
    // Over the API's 64 KB and under API Gateway's 10 MB: the function refuses it unread.
    const size = dice.int(API_BODY_LIMIT + 1, 512 * 1024);
    return postOrders(dice, 'huge-body', `${size} bytes`, hugeBody(dice, size), { statuses: [413] });
  },

  'bad-order-id': (dice) => {
    const id = dice.pick([
      'x'.repeat(dice.int(129, 4000)), 'abc def', 'a.b', 'a:b', 'a+b', 'a@b', 'caf\u00e9', '\ud83d\ude00', '\u0000', 'a\u0007b', 'a\nb', '%', '%25', 'a%2Fb', 'a/b', 'x/cancel', 'x/events',
      '..', '.', '..%2F..%2Fetc%2Fpasswd', '*', '$', "'", '"', '<>', '\u202e', '\uff41',
    ]);
    return orderIdRequest(dice, 'bad-order-id', id);
  },

  'unknown-order': (dice) => {
    const id = dice.chance(0.5) ? dice.chars(ID_CHARS, 1, 128) : `${dice.chars('0123456789abcdef', 8, 8)}-${dice.chars('0123456789abcdef', 4, 4)}-7${dice.chars('0123456789abcdef', 3, 3)}-8${dice.chars('0123456789abcdef', 3, 3)}-${dice.chars('0123456789abcdef', 12, 12)}`;
    const [method, suffix] = dice.pick([['GET', ''], ['POST', '/cancel'], ['GET', '/events']] as const);
    return { category: 'unknown-order', what: `${method} an order never placed`, method, path: `/orders/${encodeId(id)}${suffix}`, headers: {}, expected: { statuses: [404] } };
  },

  'wrong-method': (dice) => {
    const id = dice.chars(ID_CHARS, 1, 40);
    // API Gateway answers a method the route does not have with 404; the function itself with 405.
    const [path, methods] = dice.pick<[string, string[]]>([
      ['/orders', ['PUT', 'DELETE', 'PATCH']],
      [`/orders/${id}`, ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND']],
      [`/orders/${id}/cancel`, ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']],
      [`/orders/${id}/events`, ['POST', 'PUT', 'DELETE', 'PATCH']],
    ]);
    const method = dice.pick(methods);
    const body = ['POST', 'PUT', 'PATCH'].includes(method) ? Buffer.from(JSON.stringify(validOrder(dice))) : undefined;
    return withBody('wrong-method', `${method} ${path.replace(id, '{id}')}`, method, path, body, { statuses: [404, 405] });
  },

  'unknown-route': (dice) => {
    const id = dice.chars(ID_CHARS, 1, 40);
    const path = dice.pick([
      '/customers', '/payments', '/inventory', '/stock', `/orders/${id}/refund`, `/orders/${id}/events/${id}`, `/orders/${id}/cancel/now`, '/admin', '/.env', '/.git/config',
      '/orders.json', '/v1/orders', '/ORDERS', `/Orders/${id}`, '/orders//cancel', `/orders/${id}/`, '/orders/', '/wp-login.php', '/graphql', '/api/orders',
      '/%2e%2e/%2e%2e/etc/passwd', `/x${dice.chars('abcdefghijklmnopqrstuvwxyz0123456789', 0, 30)}`, '/orders%2F',
    ]);
    const method = dice.pick(['GET', 'POST', 'PUT', 'DELETE']);
    const body = method === 'POST' || method === 'PUT' ? Buffer.from(JSON.stringify(validOrder(dice))) : undefined;
    return withBody('unknown-route', `${method} ${path}`, method, path, body, { statuses: [404, 405] });
  },

  'bad-idempotency-key': (dice) => {
    const key = dice.chance(0.7) ? dice.pick(BAD_HEADER_IDS) : dice.chars(ID_CHARS, 129, 1000);
    return postOrders(dice, 'bad-idempotency-key', `Idempotency-Key ${JSON.stringify(key.slice(0, 40))}`, JSON.stringify(validOrder(dice)), refused('Idempotency-Key'), { 'idempotency-key': key });
  },
};

function badNumber(dice: Dice, category: FuzzCategory, field: 'quantity' | 'unitPrice', literals: readonly string[]): FuzzRequest {
  const order = validOrder(dice);
  const i = lineSlot(order, dice);
  const slot = (o: Record<string, unknown>) => ((o.lines as Record<string, unknown>[])[i]![field] = RAW);
  // Literals JSON does not have: the body is not JSON at all.
  const notJson = ['NaN', 'Infinity', '-Infinity', '0x10', '+1', '01', '.5', '1.', '1_000', 'undefined'];
  if (dice.chance(0.25)) {
    const literal = dice.pick(notJson);
    return postOrders(dice, category, `lines[${i}].${field} ${literal}`, withRaw(order, slot, literal), refused('body'));
  }
  const literal = dice.pick(literals);
  return postOrders(dice, category, `lines[${i}].${field} ${literal}`, withRaw(order, slot, literal), refused(`lines[${i}].${field}`));
}

/** GET, cancel or timeline of an order id that cannot be one: 400 naming orderId. */
function orderIdRequest(dice: Dice, category: FuzzCategory, id: string): FuzzRequest {
  // `..` and `.` are path segments: only under a sub-route, or `GET /orders/..` would be `GET /`.
  const dotSegment = id === '..' || id === '.';
  const [method, suffix] = dotSegment ? dice.pick([['POST', '/cancel'], ['GET', '/events']] as const) : dice.pick([['GET', ''], ['POST', '/cancel'], ['GET', '/events']] as const);
  const raw = dice.chance(0.15) && !dotSegment;
  // Mostly percent-encoded as a client would; sometimes half-encoded by hand, or malformed on purpose.
  const encoded = raw ? dice.pick(['%E0%A4%A', '%', '%ZZ', '%C0%AF', '%ED%A0%80', `${encodeId(id)}%`, '%2e%2e%2f%2e%2e%2f']) : dotSegment ? id : encodeId(id);
  return {
    category,
    what: `${method} /orders/${JSON.stringify(raw ? encoded : id.slice(0, 40))}${suffix}`,
    method,
    path: `/orders/${encoded}${suffix}`,
    headers: {},
    // 404 or 405 when it decodes into another path (API Gateway answers 404, the function 405).
    expected: { statuses: [400, 404, 405], field: 'orderId' },
  };
}

function hugeBody(dice: Dice, size: number): Buffer {
  const order = JSON.stringify(validOrder(dice));
  switch (dice.int(0, 3)) {
    case 0: // one huge customerId
      return padded(`{"customerId":"`, '"', order, size);
    case 1: {
      // a huge array of lines
      const line = '{"sku":"BOOK-DDD","quantity":1,"unitPrice":100},';
      const count = Math.ceil(size / line.length);
      return Buffer.from(`{"customerId":"c","lines":[${line.repeat(count).slice(0, -1)}]}`);
    }
    case 2: // deep nesting
      return Buffer.from(`${'['.repeat(Math.floor(size / 2))}${']'.repeat(Math.floor(size / 2))}${size % 2 ? ' ' : ''}`);
    default: // junk
      return Buffer.alloc(size, dice.pick(['x', '{', ' ', '\u0000']));
  }
}

function padded(prefix: string, suffix: string, rest: string, size: number): Buffer {
  const tail = `${suffix},${rest.slice(rest.indexOf('"lines"'))}`;
  return Buffer.from(`${prefix}${'x'.repeat(Math.max(0, size - prefix.length - tail.length))}${tail}`);
}

/** The few bodies of megabytes: from 1 MB up to 11 MB, past the API's limit and past API Gateway's. */
function megabyteBody(dice: Dice, n: number, of: number): FuzzRequest {
  const MB = 1024 * 1024;
  const sizes = [1 * MB, 9.5 * MB, GATEWAY_BODY_LIMIT + 1, 11 * 1000 * 1000, 4 * MB, 10.5 * MB];
  const size = Math.round(sizes[n % sizes.length] ?? MB) + (of > sizes.length ? dice.int(0, 1000) : 0);
  // Past API Gateway's limit the gateway answers 413 itself, without a body naming a field.
  return postOrders(dice, 'huge-body', `${size} bytes`, hugeBody(dice, size), { statuses: [413] });
}

const JUNK_CORRELATION_IDS = ['a b', '<script>alert(1)</script>', 'x'.repeat(300), "'; DROP TABLE orders;--", 'caf\u00e9', '../../etc/passwd', '{"$gt":""}', '*'];

/** A malformed X-Correlation-Id rides along on some requests: the API ignores it, and must not fail on it. */
function withJunkCorrelationId(dice: Dice, request: FuzzRequest): FuzzRequest {
  if (!dice.chance(0.15)) return request;
  return { ...request, headers: { ...request.headers, 'x-correlation-id': dice.pick(JUNK_CORRELATION_IDS) } };
}
