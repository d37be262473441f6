/**
 * The `orders` command: parses the command line, finds the API, runs one command, and says how
 * it went with an exit code: 0 ok, 1 failure, 2 usage error. Everything it touches outside
 * (output, environment, files, AWS) comes in through {@link CliDeps}, so tests can run it whole.
 */
import { ApiError, ApiUnavailableError, ordersApi, type Order, type OrdersApi } from './api';
import { ApiUrlError, resolveApiUrl, type ApiUrlSources } from './api-url';
import { parseCommand, UsageError, type Command, type CommandName } from './args';
import { formatCancelled, formatOrder, formatPlaced, formatStatus, formatTimelineLine } from './format';
import { runDlq } from './dlq/command';
import { DlqError } from './dlq/model';
import { helpText, usageLine } from './help';
import { watchOrder, type WatchResult } from './watch';

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

export interface CliDeps extends ApiUrlSources {
  /** Writes one line to standard output. */
  readonly stdout: (line: string) => void;
  /** Writes one line to standard error. */
  readonly stderr: (line: string) => void;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export async function run(argv: readonly string[], deps: CliDeps): Promise<number> {
  const json = argv.includes('--json');
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error, json, deps);
    throw error;
  }
  if (command.name === 'help') {
    deps.stdout(helpText(command.topic));
    return EXIT.OK;
  }
  try {
    if (command.name === 'dlq') {
      return await runDlq(command, deps);
    }
    const location = await resolveApiUrl(command.options, deps, command.name);
    const api = ordersApi(location.url, { source: location.source, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
    return await runCommand(command, api, deps);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error, json, deps);
    if (error instanceof ApiError || error instanceof ApiUnavailableError || error instanceof ApiUrlError || error instanceof DlqError) {
      fail(deps, command.options.json, command.name, error.message, error instanceof ApiError ? { status: error.status, code: error.code ?? null } : {});
      return EXIT.FAILURE;
    }
    throw error;
  }
}

type RunnableCommand = Exclude<Command, { name: 'help' | 'dlq' }>;

async function runCommand(command: RunnableCommand, api: OrdersApi, deps: CliDeps): Promise<number> {
  const { json } = command.options;
  const show = (order: Order, text: string | string[]) => {
    if (json) deps.stdout(JSON.stringify(order, null, 2));
    else for (const line of [text].flat()) deps.stdout(line);
  };
  switch (command.name) {
    case 'place': {
      const { customerId, lines, currency, idempotencyKey } = command;
      const order = await api.place({ customerId, lines, currency, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) });
      show(order, formatPlaced(order));
      return EXIT.OK;
    }
    case 'get': {
      const order = await api.get(command.orderId);
      show(order, formatOrder(order));
      return EXIT.OK;
    }
    case 'cancel': {
      const order = await api.cancel(command.orderId);
      show(order, formatCancelled(order));
      return EXIT.OK;
    }
    case 'watch':
      return watch(command, api, deps);
  }
}

async function watch(command: Extract<Command, { name: 'watch' }>, api: OrdersApi, deps: CliDeps): Promise<number> {
  const { json } = command.options;
  const goal = command.until ? `until it reaches ${command.until}` : 'until it is settled';
  if (!json) deps.stderr(`watching order ${command.orderId} ${goal} (at most ${command.timeoutSeconds} s)…`);
  const result = await watchOrder(
    api,
    command.orderId,
    {
      ...(command.until ? { until: command.until } : {}),
      timeoutMs: command.timeoutSeconds * 1000,
      intervalMs: command.intervalMs,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    },
    (line) => deps.stdout(json ? JSON.stringify({ kind: 'event', elapsedMs: line.elapsedMs, cause: line.cause, event: line.entry }) : formatTimelineLine(line)),
  );
  const ok = result.outcome === 'settled' || result.outcome === 'reached';
  if (json) deps.stdout(JSON.stringify({ kind: 'result', outcome: result.outcome, ok, order: result.order }));
  else deps.stdout(watchSummary(result, command.until, command.timeoutSeconds));
  return ok ? EXIT.OK : EXIT.FAILURE;
}

/** The last line of a watch: how it ended. */
export function watchSummary(result: Pick<WatchResult, 'outcome' | 'order'>, until: string | undefined, timeoutSeconds: number): string {
  const { order } = result;
  const now = formatStatus(order);
  switch (result.outcome) {
    case 'settled':
      return `✔ order ${order.orderId} is ${now}`;
    case 'reached':
      return order.status === until ? `✔ order ${order.orderId} is ${now}` : `✔ order ${order.orderId} reached ${until ?? order.status}; it is ${now} now`;
    case 'unexpected':
      return `✘ order ${order.orderId} ended ${now}, not ${until ?? 'as expected'}`;
    case 'timeout':
      return `✘ timed out after ${timeoutSeconds} s: order ${order.orderId} is ${now}, ${until ? `it has not reached ${until}` : 'not settled'}`;
  }
}

function usageError(error: UsageError, json: boolean, deps: CliDeps): number {
  if (json) {
    deps.stderr(JSON.stringify({ error: { message: error.message, usage: usageLine(error.command) } }));
  } else {
    deps.stderr(`orders${error.command ? ` ${error.command}` : ''}: ${error.message}`);
    deps.stderr(usageLine(error.command));
    deps.stderr(`Run "orders ${error.command ? `${error.command} ` : ''}--help" for more.`);
  }
  return EXIT.USAGE;
}

function fail(deps: CliDeps, json: boolean, command: CommandName, message: string, extra: Record<string, unknown>): void {
  deps.stderr(json ? JSON.stringify({ error: { message, ...extra } }) : `orders ${command}: ${message}`);
}
