/** The orders CLI's command line: what each command accepts, and how a malformed one is refused. */
import { parseCommand, parseLine, type Command } from '../../../cli/args';
import { usageErrorOf } from '../../support/cli';

describe('orders CLI arguments', () => {
  describe('place', () => {
    it('given a customer and lines, places them in euros by default', () => {
      // when
      const command = parseCommand(['place', '--customer', 'alice', '--line', 'BOOK-DDD:2:4500', '--line', 'MUG-EVENTS:1:1200']);
      // then
      expect(command).toEqual<Command>({
        name: 'place',
        options: { json: false },
        customerId: 'alice',
        lines: [
          { sku: 'BOOK-DDD', quantity: 2, unitPrice: 4500 },
          { sku: 'MUG-EVENTS', quantity: 1, unitPrice: 1200 },
        ],
        currency: 'EUR',
      });
    });

    it('given a currency, an idempotency key and global options anywhere on the line, keeps them all', () => {
      // when
      const command = parseCommand(['--json', 'place', '--currency', 'USD', '--customer', 'bob', '--line', 'A:1:0', '--idempotency-key', 'k-1', '--api-url', 'http://127.0.0.1:3000/']);
      // then
      expect(command).toMatchObject({ name: 'place', currency: 'USD', idempotencyKey: 'k-1', options: { json: true, apiUrl: 'http://127.0.0.1:3000/' } });
    });

    it.each([
      [['place', '--line', 'A:1:1'], '--customer CUSTOMER_ID is required'],
      [['place', '--customer', 'alice'], 'at least one --line SKU:QTY:PRICE is required'],
      [['place', '--customer', 'alice', '--line', 'A:1'], '--line "A:1" must be SKU:QTY:PRICE, for example BOOK-DDD:2:4500'],
      [['place', '--customer', 'alice', '--line', 'A:0:100'], '--line "A:0:100": quantity "0" must be a whole number above 0'],
      [['place', '--customer', 'alice', '--line', 'A:1:45.00'], '--line "A:1:45.00": price "45.00" must be a whole number of cents (4500 for 45.00)'],
      [['place', '--customer', 'alice', '--line', 'A:1:1', 'extra'], 'unexpected argument "extra"'],
      [['place', '--customer', 'alice', '--line', 'A:1:1', '--until', 'PAID'], 'place does not take --until'],
    ])('given %j, refuses it: %s', (argv, message) => {
      // when
      const error = usageErrorOf(argv);
      // then
      expect(error.message).toBe(message);
      expect(error.command).toBe('place');
    });
  });

  describe('get and cancel', () => {
    it.each(['get', 'cancel'] as const)('%s takes exactly one ORDER_ID', (name) => {
      expect(parseCommand([name, 'order-1'])).toEqual({ name, options: { json: false }, orderId: 'order-1' });
      expect(usageErrorOf([name]).message).toBe('ORDER_ID is required');
      expect(usageErrorOf([name, 'a', 'b']).message).toBe('unexpected argument "b"');
    });
  });

  describe('watch', () => {
    it('given only an order id, watches until settled for 60 s, polling every 250 ms', () => {
      expect(parseCommand(['watch', 'order-1'])).toEqual({ name: 'watch', options: { json: false }, orderId: 'order-1', timeoutSeconds: 60, intervalMs: 250 });
    });

    it('given --until in any case, a timeout and an interval, keeps them', () => {
      expect(parseCommand(['watch', 'order-1', '--until', 'stock_reserved', '--timeout', '2.5', '--interval', '50'])).toMatchObject({
        until: 'STOCK_RESERVED',
        timeoutSeconds: 2.5,
        intervalMs: 50,
      });
    });

    it.each([
      [['watch', 'o', '--until', 'SHIPPED'], '--until must be one of PLACED, PAID, STOCK_RESERVED, CANCELLED, not "SHIPPED"'],
      [['watch', 'o', '--timeout', '0'], '--timeout must be a number above 0, not "0"'],
      [['watch', 'o', '--timeout', 'soon'], '--timeout must be a number above 0, not "soon"'],
      [['watch', 'o', '--interval', ''], '--interval must be a number above 0, not ""'],
    ])('given %j, refuses it: %s', (argv, message) => {
      expect(usageErrorOf(argv).message).toBe(message);
    });
  });

  describe('where the API is', () => {
    it('given --stack and --region, keeps both', () => {
      expect(parseCommand(['get', 'o', '--stack', 'EventDrivenOrders', '--region', 'eu-west-1'])).toMatchObject({
        options: { stack: 'EventDrivenOrders', region: 'eu-west-1' },
      });
    });

    it.each([
      [['get', 'o', '--api-url', 'http://a', '--stack', 'S'], '--api-url and --stack cannot be used together'],
      [['get', 'o', '--region', 'eu-west-1'], '--region only applies with --stack NAME'],
      [['get', 'o', '--api-url', '127.0.0.1:3000'], '--api-url must be an http(s) URL, not "127.0.0.1:3000"'],
    ])('given %j, refuses it: %s', (argv, message) => {
      expect(usageErrorOf(argv).message).toBe(message);
    });
  });

  describe('help', () => {
    it.each([
      [['--help'], undefined],
      [['-h'], undefined],
      [['help'], undefined],
      [['help', 'watch'], 'watch'],
      [['watch', '--help'], 'watch'],
      // Help is given even when the command line is otherwise incomplete.
      [['place', '-h'], 'place'],
    ])('given %j, asks for the help of %s', (argv, topic) => {
      expect(parseCommand(argv)).toEqual({ name: 'help', json: false, ...(topic ? { topic } : {}) });
    });
  });

  describe('usage errors', () => {
    it.each([
      [[], 'a command is required', undefined],
      [['ship', 'o'], 'unknown command "ship"', undefined],
      [['help', 'ship'], 'unknown command "ship"', undefined],
      [['get', 'o', '--verbose'], 'unknown option --verbose', 'get'],
      [['place', '--customer'], '--customer needs a value', 'place'],
      [['get', 'o', '--json=yes'], '--json takes no value', 'get'],
    ])('given %j, says: %s', (argv, message, command) => {
      // when
      const error = usageErrorOf(argv);
      // then
      expect(error.message).toBe(message);
      expect(error.command).toBe(command);
    });
  });

  describe('parseLine', () => {
    it('reads SKU, quantity and unit price in cents', () => {
      expect(parseLine('SOLD-OUT:3:999')).toEqual({ sku: 'SOLD-OUT', quantity: 3, unitPrice: 999 });
    });

    it('refuses a quantity beyond the safe integers rather than rounding it', () => {
      expect(() => parseLine('A:99999999999999999:1')).toThrow('quantity "99999999999999999" must be a whole number above 0');
    });
  });
});
