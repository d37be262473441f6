/** `orders dlq`'s command line and help: what each action accepts, and how a malformed one is refused. */
import { parseCommand, type Command } from '../../../cli/args';
import { EXIT, run } from '../../../cli/main';
import { cliUnderTest, usageErrorOf } from '../../support/cli';

const cli = cliUnderTest;

describe('orders dlq arguments', () => {
  it('list takes where the queues are', () => {
    expect(parseCommand(['dlq', 'list'])).toEqual<Command>({ name: 'dlq', action: 'list', options: { json: false } });
    expect(parseCommand(['dlq', 'list', '--stack', 'EventDrivenOrders', '--region', 'eu-west-1', '--json'])).toEqual<Command>({
      name: 'dlq',
      action: 'list',
      options: { stack: 'EventDrivenOrders', region: 'eu-west-1', json: true },
    });
    expect(parseCommand(['dlq', 'list', '--sqs-endpoint', 'http://127.0.0.1:4566'])).toEqual<Command>({
      name: 'dlq',
      action: 'list',
      options: { sqsEndpoint: 'http://127.0.0.1:4566', json: false },
    });
  });

  it('show takes a queue and shows 10 messages unless told otherwise', () => {
    expect(parseCommand(['dlq', 'show', 'payment/order.placed'])).toEqual<Command>({
      name: 'dlq',
      action: 'show',
      options: { json: false },
      queue: 'payment/order.placed',
      limit: 10,
    });
    expect(parseCommand(['dlq', 'show', 'q', '--limit', '3'])).toMatchObject({ limit: 3 });
  });

  it('redrive takes a queue, and at most how many to move and how long to follow a move task', () => {
    expect(parseCommand(['dlq', 'redrive', 'payment/order.placed'])).toEqual<Command>({
      name: 'dlq',
      action: 'redrive',
      options: { json: false },
      queue: 'payment/order.placed',
      timeoutSeconds: 300,
      dryRun: false,
    });
    expect(parseCommand(['dlq', 'redrive', 'q', '--max', '2', '--timeout', '30'])).toMatchObject({ max: 2, timeoutSeconds: 30 });
  });

  it('redrive takes --dry-run (for an outbox failure queue: what would be written again)', () => {
    expect(parseCommand(['dlq', 'redrive', 'order/outbox', '--dry-run'])).toMatchObject({ action: 'redrive', queue: 'order/outbox', dryRun: true });
  });

  it.each([
    [['dlq'], 'an action is required: list, show, redrive'],
    [['dlq', 'purge', 'q'], 'unknown action "purge" (list, show, redrive)'],
    [['dlq', 'show'], 'dlq show needs a QUEUE (its name as `orders dlq list` prints it, its URL or ARN)'],
    [['dlq', 'redrive', 'a', 'b'], 'unexpected argument "b"'],
    [['dlq', 'list', 'q'], 'unexpected argument "q"'],
    [['dlq', 'list', '--limit', '3'], 'dlq list does not take --limit'],
    [['dlq', 'show', 'q', '--max', '3'], 'dlq show does not take --max'],
    [['dlq', 'redrive', 'q', '--limit', '3'], 'dlq redrive does not take --limit'],
    [['dlq', 'show', 'q', '--dry-run'], 'dlq show does not take --dry-run'],
    [['dlq', 'redrive', 'q', '--dry-run=yes'], '--dry-run takes no value'],
    [['get', 'order-1', '--dry-run'], 'get does not take --dry-run'],
    [['dlq', 'show', 'q', '--limit', '0'], '--limit must be a whole number above 0, not "0"'],
    [['dlq', 'redrive', 'q', '--max', '2.5'], '--max must be a whole number above 0, not "2.5"'],
    [['dlq', 'list', '--api-url', 'http://127.0.0.1:3000'], 'dlq does not take --api-url: the queues are found with --stack NAME, --sqs-endpoint URL, or the local cloud'],
    [['dlq', 'list', '--stack', 'S', '--sqs-endpoint', 'http://127.0.0.1:1'], '--sqs-endpoint and --stack cannot be used together'],
    [['dlq', 'list', '--sqs-endpoint', 'localhost:4566'], '--sqs-endpoint must be an http(s) URL, not "localhost:4566"'],
    [['dlq', 'list', '--region', 'eu-west-1'], '--region only applies with --stack NAME or --sqs-endpoint URL'],
    [['get', 'order-1', '--limit', '3'], 'get does not take --limit'],
  ])('refuses %j: %s', (argv, message) => {
    // when
    const error = usageErrorOf(argv);
    // then
    expect(error.message).toBe(message);
  });

  it('given dlq --help, explains each action, how a redrive never loses a message, and where the queues are found', async () => {
    // given
    const { deps, out } = cli();
    // when
    const code = await run(['dlq', '--help'], deps);
    // then
    expect(code).toBe(EXIT.OK);
    expect(out()).toMatch(/^usage: orders dlq list \| show QUEUE \[--limit N\] \| redrive QUEUE \[--max N\] \[--timeout S\] \[--dry-run\]/);
    for (const text of ['StartMessageMoveTask', 'deleted from the\n                       dead-letter queue only once sent', 'INVALID_DATA', '--sqs-endpoint URL', '.local-cloud/outputs.json']) {
      expect(out()).toContain(text);
    }
    expect(out()).not.toContain('--api-url');
  });

  it('given dlq --help, explains the replay of an outbox failure queue: read from the stream, written again, deleted only then', async () => {
    // given
    const { deps, out } = cli();
    // when
    const code = await run(['dlq', '--help'], deps);
    // then
    expect(code).toBe(EXIT.OK);
    const text = out().replace(/\s+/g, ' ');
    for (const phrase of [
      'redrive CONTEXT/outbox replay what an outbox dispatcher gave up on',
      'GetShardIterator AT_SEQUENCE_NUMBER',
      'same partition, same envelope, same sequence and index, a sort key of its own (<sk>#replay-<time>)',
      'A failure record is deleted only once all its items are written again',
      'A batch the stream no longer holds (it keeps records 24 h) is reported, its record kept (exit code 1)',
      '--dry-run redrive of an outbox failure queue: print what would be written again, write and delete nothing',
      'dynamodb:GetShardIterator and GetRecords on the stream, PutItem on the table',
    ]) {
      expect(text).toContain(phrase);
    }
    expect(text).not.toContain('no command does that yet');
  });

  it('given the general --help, lists dlq among the commands', async () => {
    const { deps, out } = cli();
    expect(await run(['--help'], deps)).toBe(EXIT.OK);
    expect(out()).toMatch(/^ {2}dlq {6}list, show and redrive dead letters/m);
  });

  it('given no stack, endpoint or local cloud, says how to name one and exits 2', async () => {
    // given
    const { deps, out, err } = cli();
    // when
    const code = await run(['dlq', 'list'], deps);
    // then
    expect(code).toBe(EXIT.USAGE);
    expect(out()).toBe('');
    expect(err().split('\n')[0]).toBe(
      'orders dlq: no queues to look at: pass --stack NAME for a deployed stack, or --sqs-endpoint URL, or start the local cloud with `npm start` (it writes /nowhere/.local-cloud/outputs.json)',
    );
  });

  it('given local outputs written before npm start said where its queues are, asks for a restart and exits 1', async () => {
    // given
    const { deps, err } = cli({ readFile: () => JSON.stringify({ ApiUrl: 'http://127.0.0.1:3000' }) });
    // when
    const code = await run(['dlq', 'list', '--json'], deps);
    // then
    expect(code).toBe(EXIT.FAILURE);
    expect(JSON.parse(err())).toEqual({
      error: { message: '/nowhere/.local-cloud/outputs.json has no usable "LocalCloud" section; start the local cloud again with `npm start`' },
    });
  });
});
