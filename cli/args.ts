/**
 * The command line, parsed into a typed command: pure, no I/O. Anything malformed is a
 * {@link UsageError} (exit code 2) that says what is wrong and which command it concerns.
 */
import { parseArgs } from 'node:util';

export const COMMANDS = ['place', 'get', 'cancel', 'watch', 'dlq'] as const;
export type CommandName = (typeof COMMANDS)[number];

export const ORDER_STATUSES = ['PLACED', 'PAID', 'STOCK_RESERVED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const DEFAULT_CURRENCY = 'EUR';
export const DEFAULT_TIMEOUT_SECONDS = 60;
export const DEFAULT_INTERVAL_MS = 250;

/** What `orders dlq` does: list the dead-letter queues, show one's messages, or redrive them. */
export const DLQ_ACTIONS = ['list', 'show', 'redrive'] as const;
export type DlqAction = (typeof DLQ_ACTIONS)[number];
export const DEFAULT_SHOW_LIMIT = 10;
/** How long `dlq redrive` follows an SQS message move task before it stops watching. */
export const DEFAULT_REDRIVE_TIMEOUT_SECONDS = 300;

/** Where the API is and how to print: accepted by every command. */
export interface GlobalOptions {
  readonly apiUrl?: string;
  readonly stack?: string;
  readonly region?: string;
  readonly json: boolean;
}

/** Where the queues are, for `orders dlq`: a deployed stack, an SQS endpoint, or the local cloud. */
export interface DlqOptions {
  readonly stack?: string;
  readonly region?: string;
  /** Any SQS endpoint (an emulator): every queue it has, with the emulators' dummy credentials. */
  readonly sqsEndpoint?: string;
  readonly json: boolean;
}

export interface OrderLineInput {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: number;
}

export type Command =
  | { readonly name: 'help'; readonly topic?: CommandName; readonly json: boolean }
  | {
      readonly name: 'place';
      readonly options: GlobalOptions;
      readonly customerId: string;
      readonly lines: readonly OrderLineInput[];
      readonly currency: string;
      readonly idempotencyKey?: string;
    }
  | { readonly name: 'get' | 'cancel'; readonly options: GlobalOptions; readonly orderId: string }
  | {
      readonly name: 'watch';
      readonly options: GlobalOptions;
      readonly orderId: string;
      readonly until?: OrderStatus;
      readonly timeoutSeconds: number;
      readonly intervalMs: number;
    }
  | { readonly name: 'dlq'; readonly action: 'list'; readonly options: DlqOptions }
  | { readonly name: 'dlq'; readonly action: 'show'; readonly options: DlqOptions; readonly queue: string; readonly limit: number }
  | {
      readonly name: 'dlq';
      readonly action: 'redrive';
      readonly options: DlqOptions;
      readonly queue: string;
      /** Move at most this many messages (one by one: a move task cannot stop at a count); of an outbox failure queue, replay at most this many records. */
      readonly max?: number;
      readonly timeoutSeconds: number;
      /** Of an outbox failure queue: say what would be written again, write and delete nothing. */
      readonly dryRun: boolean;
    };

/** A command line that cannot be run as written. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The command it concerns, if one was recognised: its usage is shown. */
    readonly command?: CommandName,
  ) {
    super(message);
  }
}

const GLOBAL_OPTIONS = {
  'api-url': { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const COMMAND_OPTIONS = {
  customer: { type: 'string' },
  line: { type: 'string', multiple: true },
  currency: { type: 'string' },
  'idempotency-key': { type: 'string' },
  until: { type: 'string' },
  timeout: { type: 'string' },
  interval: { type: 'string' },
  limit: { type: 'string' },
  max: { type: 'string' },
  'sqs-endpoint': { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

type CommandOption = keyof typeof COMMAND_OPTIONS;

/** The options each command accepts besides the global ones. */
const ALLOWED: Readonly<Record<CommandName, readonly CommandOption[]>> = {
  place: ['customer', 'line', 'currency', 'idempotency-key'],
  get: [],
  cancel: [],
  watch: ['until', 'timeout', 'interval'],
  dlq: ['limit', 'max', 'timeout', 'sqs-endpoint', 'dry-run'],
};

/** The options each `dlq` action accepts besides the global ones and --sqs-endpoint. */
const DLQ_ALLOWED: Readonly<Record<DlqAction, readonly CommandOption[]>> = {
  list: [],
  show: ['limit'],
  redrive: ['max', 'timeout', 'dry-run'],
};

function isCommand(value: string | undefined): value is CommandName {
  return (COMMANDS as readonly string[]).includes(value ?? '');
}

/** Turns `process.argv.slice(2)` into a command, or throws a {@link UsageError}. */
export function parseCommand(argv: readonly string[]): Command {
  const parsed = parseOrThrow(argv);
  const [first, ...rest] = parsed.positionals;
  const { values } = parsed;
  const json = values.json ?? false;

  if (first === 'help' || (first === undefined && values.help)) {
    const [topic, ...extra] = first === 'help' ? rest : [];
    if (topic !== undefined && !isCommand(topic)) throw new UsageError(`unknown command "${topic}"`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    return { name: 'help', ...(topic ? { topic } : {}), json };
  }
  if (first === undefined) throw new UsageError('a command is required');
  if (!isCommand(first)) throw new UsageError(`unknown command "${first}"`);
  const command = first;
  if (values.help) return { name: 'help', topic: command, json };

  for (const option of Object.keys(COMMAND_OPTIONS) as CommandOption[]) {
    if (values[option] !== undefined && !ALLOWED[command].includes(option)) {
      throw new UsageError(`${command} does not take --${option}`, command);
    }
  }
  if (command === 'dlq') return parseDlq(rest, values);
  const options = globalOptions(values, command);

  switch (command) {
    case 'place': {
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`, command);
      if (values.customer === undefined || values.customer.trim() === '') throw new UsageError('--customer CUSTOMER_ID is required', command);
      if (!values.line || values.line.length === 0) throw new UsageError('at least one --line SKU:QTY:PRICE is required', command);
      const lines = values.line.map((line) => parseLine(line, command));
      const currency = values.currency ?? DEFAULT_CURRENCY;
      const key = values['idempotency-key'];
      return { name: 'place', options, customerId: values.customer, lines, currency, ...(key === undefined ? {} : { idempotencyKey: key }) };
    }
    case 'get':
    case 'cancel':
      return { name: command, options, orderId: orderIdOf(rest, command) };
    case 'watch': {
      const orderId = orderIdOf(rest, command);
      const until = values.until === undefined ? undefined : parseStatus(values.until, command);
      const timeoutSeconds = values.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : positiveNumber('--timeout', values.timeout, command);
      const intervalMs = values.interval === undefined ? DEFAULT_INTERVAL_MS : positiveNumber('--interval', values.interval, command);
      return { name: 'watch', options, orderId, ...(until ? { until } : {}), timeoutSeconds, intervalMs };
    }
  }
}

function parseOrThrow(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS }, allowPositionals: true, strict: true });
  } catch (error) {
    const command = argv.find(isCommand);
    throw new UsageError(describeParseError(error), command);
  }
}

/** node:util's messages are long and generic; say the same in a line. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /argument missing/.test(message) ? `${option} needs a value` : `${option} takes no value`;
  }
  return message;
}

type ParsedValues = ReturnType<typeof parseOrThrow>['values'];

function parseDlq(positionals: readonly string[], values: ParsedValues): Command {
  const command = 'dlq';
  const [action, queue, extra] = positionals;
  if (action === undefined) throw new UsageError(`an action is required: ${DLQ_ACTIONS.join(', ')}`, command);
  if (!(DLQ_ACTIONS as readonly string[]).includes(action)) throw new UsageError(`unknown action "${action}" (${DLQ_ACTIONS.join(', ')})`, command);
  const dlqAction = action as DlqAction;
  for (const option of ALLOWED.dlq) {
    if (values[option] !== undefined && option !== 'sqs-endpoint' && !DLQ_ALLOWED[dlqAction].includes(option)) {
      throw new UsageError(`dlq ${dlqAction} does not take --${option}`, command);
    }
  }
  if (values['api-url'] !== undefined) throw new UsageError('dlq does not take --api-url: the queues are found with --stack NAME, --sqs-endpoint URL, or the local cloud', command);
  const endpoint = values['sqs-endpoint'];
  if (endpoint !== undefined && values.stack !== undefined) throw new UsageError('--sqs-endpoint and --stack cannot be used together', command);
  if (endpoint !== undefined && !isHttpUrl(endpoint)) throw new UsageError(`--sqs-endpoint must be an http(s) URL, not "${endpoint}"`, command);
  if (values.region !== undefined && values.stack === undefined && endpoint === undefined) {
    throw new UsageError('--region only applies with --stack NAME or --sqs-endpoint URL', command);
  }
  const options: DlqOptions = {
    ...(values.stack === undefined ? {} : { stack: values.stack }),
    ...(values.region === undefined ? {} : { region: values.region }),
    ...(endpoint === undefined ? {} : { sqsEndpoint: endpoint }),
    json: values.json ?? false,
  };
  if (dlqAction === 'list') {
    if (queue !== undefined) throw new UsageError(`unexpected argument "${queue}"`, command);
    return { name: 'dlq', action: 'list', options };
  }
  if (queue === undefined || queue === '') throw new UsageError(`dlq ${dlqAction} needs a QUEUE (its name as \`orders dlq list\` prints it, its URL or ARN)`, command);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, command);
  if (dlqAction === 'show') {
    const limit = values.limit === undefined ? DEFAULT_SHOW_LIMIT : wholeNumber('--limit', values.limit, command);
    return { name: 'dlq', action: 'show', options, queue, limit };
  }
  const max = values.max === undefined ? undefined : wholeNumber('--max', values.max, command);
  const timeoutSeconds = values.timeout === undefined ? DEFAULT_REDRIVE_TIMEOUT_SECONDS : positiveNumber('--timeout', values.timeout, command);
  return { name: 'dlq', action: 'redrive', options, queue, ...(max === undefined ? {} : { max }), timeoutSeconds, dryRun: values['dry-run'] ?? false };
}

function globalOptions(values: { 'api-url'?: string; stack?: string; region?: string; json?: boolean }, command: CommandName): GlobalOptions {
  const apiUrl = values['api-url'];
  if (apiUrl !== undefined && values.stack !== undefined) throw new UsageError('--api-url and --stack cannot be used together', command);
  if (values.region !== undefined && values.stack === undefined) throw new UsageError('--region only applies with --stack NAME', command);
  if (apiUrl !== undefined && !isHttpUrl(apiUrl)) throw new UsageError(`--api-url must be an http(s) URL, not "${apiUrl}"`, command);
  return {
    ...(apiUrl === undefined ? {} : { apiUrl }),
    ...(values.stack === undefined ? {} : { stack: values.stack }),
    ...(values.region === undefined ? {} : { region: values.region }),
    json: values.json ?? false,
  };
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function orderIdOf(positionals: readonly string[], command: CommandName): string {
  const [orderId, extra] = positionals;
  if (orderId === undefined || orderId === '') throw new UsageError('ORDER_ID is required', command);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, command);
  return orderId;
}

/** `BOOK-DDD:2:4500` → 2 × BOOK-DDD at 4500 cents. */
export function parseLine(text: string, command: CommandName = 'place'): OrderLineInput {
  const parts = text.split(':');
  const [sku, quantity, unitPrice] = parts;
  if (parts.length !== 3 || !sku || quantity === undefined || unitPrice === undefined) {
    throw new UsageError(`--line "${text}" must be SKU:QTY:PRICE, for example BOOK-DDD:2:4500`, command);
  }
  if (!/^\d+$/.test(quantity) || !Number.isSafeInteger(Number(quantity)) || Number(quantity) === 0) {
    throw new UsageError(`--line "${text}": quantity "${quantity}" must be a whole number above 0`, command);
  }
  if (!/^\d+$/.test(unitPrice) || !Number.isSafeInteger(Number(unitPrice))) {
    throw new UsageError(`--line "${text}": price "${unitPrice}" must be a whole number of cents (4500 for 45.00)`, command);
  }
  return { sku, quantity: Number(quantity), unitPrice: Number(unitPrice) };
}

function parseStatus(text: string, command: CommandName): OrderStatus {
  const status = text.toUpperCase();
  if (!(ORDER_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--until must be one of ${ORDER_STATUSES.join(', ')}, not "${text}"`, command);
  }
  return status as OrderStatus;
}

function wholeNumber(option: string, text: string, command: CommandName): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) === 0) throw new UsageError(`${option} must be a whole number above 0, not "${text}"`, command);
  return Number(text);
}

function positiveNumber(option: string, text: string, command: CommandName): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) throw new UsageError(`${option} must be a number above 0, not "${text}"`, command);
  return value;
}
