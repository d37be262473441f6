/** The help texts: `orders --help` and `orders <command> --help`. */
import {
  DEFAULT_CURRENCY,
  DEFAULT_INTERVAL_MS,
  DEFAULT_REDRIVE_TIMEOUT_SECONDS,
  DEFAULT_SHOW_LIMIT,
  DEFAULT_TIMEOUT_SECONDS,
  ORDER_STATUSES,
  type CommandName,
} from './args';

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

const WHERE_QUEUES = `Where the queues are (the first that applies):
  --stack NAME         a deployed stack: its queues (ListStackResources) and template (GetTemplate),
                       read with the AWS SDK (credentials and region as for the AWS CLI; --region R)
  --sqs-endpoint URL   any SQS endpoint, such as an emulator: every queue it has, reached with
                       the local emulators' dummy credentials (--region R, default us-east-1)
  .local-cloud/outputs.json   written by \`npm start\` while the local cloud runs

Output:
  --json               machine-readable output
  -h, --help           show help

Where the tables are (to replay an outbox failure queue): on AWS, the stack's region (the table
is named in each failure record's stream ARN); locally, DynamoDB Local as outputs.json says. On AWS
the replay needs dynamodb:GetShardIterator and GetRecords on the stream, PutItem on the table.

Exit codes: 0 ok, 1 failure (AWS or SQS refused, no such queue, a message not moved, a failure
record not replayed), 2 usage error.`;

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
  dlq: `usage: orders dlq list | show QUEUE [--limit N] | redrive QUEUE [--max N] [--timeout S] [--dry-run]

The dead-letter queues: a message lands in one after 5 failed deliveries to its consumer.

  list                 every dead-letter queue: what to type for QUEUE, its approximate number of
                       messages (waiting, and in flight), and the queue(s) that redrive to it
  show QUEUE           peek at up to --limit messages (default ${DEFAULT_SHOW_LIMIT}) without taking them: id,
                       receive count, first receive, body, and why the body is poison when the
                       envelope is invalid (MALFORMED, UNKNOWN_TYPE, UNSUPPORTED_VERSION,
                       INVALID_ENVELOPE, INVALID_DATA, with the fields at fault). The messages are
                       received with a short visibility timeout and made visible again at once;
                       each look adds one to their receive count.
  redrive QUEUE        move the messages back to the queue they came from, once the cause is
                       fixed. Where SQS offers it (AWS), an SQS message move task
                       (StartMessageMoveTask), followed until it ends or --timeout S
                       (default ${DEFAULT_REDRIVE_TIMEOUT_SECONDS}); the task carries on in SQS if this command stops watching.
                       Elsewhere (the local emulator), and always with --max N, message by
                       message: sent to the source queue (body and attributes) and deleted from the
                       dead-letter queue only once sent, so none is ever lost; one may arrive
                       twice, which consumers ignore (they are idempotent on the event id).
  redrive CONTEXT/outbox
                       replay what an outbox dispatcher gave up on. Each failure record says
                       where a stream batch failed; the batch is read back from the table's stream
                       (GetShardIterator AT_SEQUENCE_NUMBER, GetRecords to its last record), and
                       each outbox insert in it is written again as a new outbox item: same
                       partition, same envelope, same sequence and index, a sort key of its own
                       (<sk>#replay-<time>). The dispatcher publishes the event again through its
                       normal path; consumers ignore one they already had. A failure record is
                       deleted only once all its items are written again. A batch the stream no
                       longer holds (it keeps records 24 h) is reported, its record kept (exit
                       code 1), with a command that finds its outbox items (kept 7 days).

  --limit N            show: at most N messages (default ${DEFAULT_SHOW_LIMIT})
  --max N              redrive: at most N messages, one by one (--max 1 replays one first);
                       of an outbox failure queue, at most N failure records
  --timeout S          redrive: how long to follow a move task (default ${DEFAULT_REDRIVE_TIMEOUT_SECONDS})
  --dry-run            redrive of an outbox failure queue: print what would be written again,
                       write and delete nothing

QUEUE is the name \`orders dlq list\` prints first (payment/order.placed: the consumer, then the
event), or a queue's name, URL or ARN.

The outbox failure queues (order/outbox, payment/outbox, inventory/outbox) hold where a stream
batch failed (shard and sequence numbers), not events: \`show\` prints each batch's location, and
once the dispatcher's cause is fixed, \`redrive\` replays them (try --dry-run first).`,
};

export const GENERAL_USAGE = `usage: orders <command> [options]      (in this repository: npm run orders -- <command> [options])

A client of the Order API.

Commands:
  place    place an order                       orders place --customer alice --line BOOK-DDD:2:4500
  get      show an order                        orders get ORDER_ID
  cancel   cancel an order                      orders cancel ORDER_ID
  watch    follow an order's timeline live      orders watch ORDER_ID --until STOCK_RESERVED
  dlq      list, show and redrive dead letters  orders dlq list
  help     show help for a command              orders help watch

${WHERE}`;

export function helpText(topic?: CommandName): string {
  if (topic === 'dlq') return `${USAGE.dlq}\n\n${WHERE_QUEUES}`;
  return topic ? `${USAGE[topic]}\n\n${WHERE}` : `${GENERAL_USAGE}\n\nFor \`orders dlq\`, see \`orders dlq --help\`: it reaches the queues, not the API.`;
}

/** The first line of a command's usage, for usage errors. */
export function usageLine(topic?: CommandName): string {
  return topic ? (USAGE[topic].split('\n')[0] ?? '') : 'usage: orders <command> [options]';
}
