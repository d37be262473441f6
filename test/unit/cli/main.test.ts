/** The orders CLI as a whole, short of the network: help, usage errors and their exit codes. */
import { EXIT, run, watchSummary } from '../../../cli/main';
import type { Order } from '../../../cli/api';
import { ApiUrlError } from '../../../cli/api-url';
import { cliUnderTest } from '../../support/cli';

const cli = cliUnderTest;

describe('orders CLI', () => {
  it('given --help, prints every command and exits 0', async () => {
    // given
    const { deps, out, err } = cli();
    // when
    const code = await run(['--help'], deps);
    // then
    expect(code).toBe(EXIT.OK);
    for (const command of ['place', 'get', 'cancel', 'watch']) expect(out()).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(out()).toContain('Exit codes: 0 ok, 1 failure');
    expect(err()).toBe('');
  });

  it("given a command's --help, prints that command's options", async () => {
    const { deps, out } = cli();
    expect(await run(['watch', '--help'], deps)).toBe(EXIT.OK);
    expect(out()).toMatch(/^usage: orders watch ORDER_ID \[--until STATUS\] \[--timeout S\]/);
    expect(out()).toContain('--until STATUS');
  });

  it('given a malformed command line, says what is wrong and how to use the command on stderr, and exits 2', async () => {
    // given
    const { deps, out, err } = cli();
    // when
    const code = await run(['place', '--customer', 'alice', '--line', 'BOOK-DDD:two:4500'], deps);
    // then
    expect(code).toBe(EXIT.USAGE);
    expect(out()).toBe('');
    expect(err().split('\n')).toEqual([
      'orders place: --line "BOOK-DDD:two:4500": quantity "two" must be a whole number above 0',
      'usage: orders place --customer ID --line SKU:QTY:PRICE [--line ...] [--currency EUR] [--idempotency-key KEY]',
      'Run "orders place --help" for more.',
    ]);
  });

  it('given no way to find the API, names the ways to give one, and exits 2 without calling anything', async () => {
    // given
    const calls: string[] = [];
    const { deps, err } = cli({ fetch: (input) => (calls.push(String(input)), Promise.reject(new Error('unexpected'))) });
    // when
    const code = await run(['get', 'order-1'], deps);
    // then
    expect(code).toBe(EXIT.USAGE);
    expect(err()).toContain('orders get: no Order API URL: pass --api-url URL, or --stack NAME');
    expect(err()).toContain('/nowhere/.local-cloud/outputs.json');
    expect(calls).toEqual([]);
  });

  it('given --json and a usage error, writes the error as JSON on stderr', async () => {
    const { deps, err } = cli();
    expect(await run(['watch', '--json'], deps)).toBe(EXIT.USAGE);
    expect(JSON.parse(err())).toEqual({ error: { message: 'ORDER_ID is required', usage: 'usage: orders watch ORDER_ID [--until STATUS] [--timeout S]' } });
  });

  it('given a stack whose outputs cannot be read, exits 1 with the reason', async () => {
    const { deps, err } = cli({ stackOutputs: () => Promise.reject(new ApiUrlError('stack Gone was not found')) });
    expect(await run(['get', 'order-1', '--stack', 'Gone'], deps)).toBe(EXIT.FAILURE);
    expect(err()).toBe('orders get: stack Gone was not found');
  });

  describe('the last line of a watch', () => {
    const order = (status: Order['status'], cancellationReason?: string): Order => ({
      orderId: 'o-1',
      customerId: 'c',
      status,
      lines: [],
      currency: 'EUR',
      total: 0,
      ...(cancellationReason ? { cancellationReason } : {}),
    });

    it.each([
      ['settled', order('STOCK_RESERVED'), undefined, '✔ order o-1 is STOCK_RESERVED'],
      ['reached', order('STOCK_RESERVED'), 'STOCK_RESERVED', '✔ order o-1 is STOCK_RESERVED'],
      ['reached', order('STOCK_RESERVED'), 'PAID', '✔ order o-1 reached PAID; it is STOCK_RESERVED now'],
      ['unexpected', order('CANCELLED', 'OUT_OF_STOCK'), 'STOCK_RESERVED', '✘ order o-1 ended CANCELLED (OUT_OF_STOCK), not STOCK_RESERVED'],
      ['timeout', order('PAID'), undefined, '✘ timed out after 5 s: order o-1 is PAID, not settled'],
      ['timeout', order('PAID'), 'STOCK_RESERVED', '✘ timed out after 5 s: order o-1 is PAID, it has not reached STOCK_RESERVED'],
    ] as const)('%s (%o, until %s): %s', (outcome, o, until, line) => {
      expect(watchSummary({ outcome, order: o }, until, 5)).toBe(line);
    });
  });
});
