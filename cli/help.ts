/** The help texts: `orders --help` and `orders <command> --help`. */
import { DEFAULT_CURRENCY, DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_SECONDS, ORDER_STATUSES, type CommandName } from './args';

const WHERE = `Where the API is (the first that applies):
  --api-url URL        the Order API's base URL
  --stack NAME         a deployed stack: its ApiUrl output, read with the AWS SDK
                       (credentials and region as for the AWS CLI; --region R to override)
  ORDERS_API_URL       environment variable
  .local-cloud/outputs.json   written by \`npm start\` while the local cloud runs

Output:
  --json               machine-readable output (watch: one JSON object per line)
  -h, --help           show help

Exit codes: 0 ok, 1 failure (an API error, or a watched order not ending as expected), 2 usage error.`;

export const USAGE: Readonly<Record<CommandName, string>> = {
  place: `usage: orders place --customer ID --line SKU:QTY:PRICE [--line ...] [--currency ${DEFAULT_CURRENCY}] [--idempotency-key KEY]

Places an order (POST /orders) and prints it.

  --customer ID            the customer placing the order
  --line SKU:QTY:PRICE     one line: SKU, quantity, unit price in cents (BOOK-DDD:2:4500 is 2 × 45.00)
  --currency CODE          three-letter ISO 4217 code (default ${DEFAULT_CURRENCY})
  --idempotency-key KEY    a retried place with the same key answers the first order`,
  get: `usage: orders get ORDER_ID

Prints an order's current state (GET /orders/{orderId}).`,
  cancel: `usage: orders cancel ORDER_ID

Cancels an order as its customer (POST /orders/{orderId}/cancel). A PLACED or PAID order can be
cancelled; once its stock is reserved the API refuses (exit code 1).`,
  watch: `usage: orders watch ORDER_ID [--until STATUS] [--timeout S]

Prints the order's timeline as its events arrive, one line each: time since the first event,
context, event type, and what caused it. Stops once the order is settled (STOCK_RESERVED, or
CANCELLED with its follow-ups such as a refund), when it reaches --until, or at the timeout.

  --until STATUS     stop once the order has reached STATUS (${ORDER_STATUSES.join(', ')});
                     exit code 1 if it settles otherwise
  --timeout S        give up after S seconds, with exit code 1 (default ${DEFAULT_TIMEOUT_SECONDS})
  --interval MS      time between two polls of the API (default ${DEFAULT_INTERVAL_MS})`,
};

export const GENERAL_USAGE = `usage: orders <command> [options]      (in this repository: npm run orders -- <command> [options])

A client of the Order API.

Commands:
  place    place an order                       orders place --customer alice --line BOOK-DDD:2:4500
  get      show an order                        orders get ORDER_ID
  cancel   cancel an order                      orders cancel ORDER_ID
  watch    follow an order's timeline live      orders watch ORDER_ID --until STOCK_RESERVED
  help     show help for a command              orders help watch

${WHERE}`;

export function helpText(topic?: CommandName): string {
  return topic ? `${USAGE[topic]}\n\n${WHERE}` : GENERAL_USAGE;
}

/** The first line of a command's usage, for usage errors. */
export function usageLine(topic?: CommandName): string {
  return topic ? (USAGE[topic].split('\n')[0] ?? '') : 'usage: orders <command> [options]';
}
