/**
 * `npm start`: runs the system and its demo.
 *
 *   npm start -- --in-memory          the three contexts on the in-memory bus, in this process
 *   npm start -- --in-memory --once   the same, exiting after the demo (0 only if every order settled as expected)
 */
import { parseArgs } from 'node:util';
import { runDemo } from './demo';
import { inMemoryClient } from './in-memory/client';
import { createInMemorySystem } from './in-memory/system';

const USAGE = `usage: npm start -- [--in-memory] [--once]

  --in-memory   run the contexts in this process on the in-memory event bus
  --once        exit after the demo: 0 if every demo order reached its expected status
  --help        show this help`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { 'in-memory': { type: 'boolean' }, once: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  return startInMemory(values.once ?? false);
}

async function startInMemory(once: boolean): Promise<number> {
  console.log('Starting the in-memory system: Order, Payment and Inventory on the in-memory event bus.');
  // Inventory answers a little late, as a real warehouse would: long enough for a customer to
  // cancel a paid order before its stock is reserved.
  const system = await createInMemorySystem({ consumerDelayMs: { inventory: 50 } });
  const results = await runDemo(inMemoryClient(system), { settled: () => system.bus.settled() });
  const failed = results.filter((r) => !r.ok).length;
  const dead = system.bus.deadLetters.length;
  console.log(`\n${results.length - failed} of ${results.length} demo orders settled as expected; ${dead} dead letter(s).`);
  if (!once) {
    console.log('The in-memory system keeps nothing after exit; run with --once to exit after the demo. Ctrl-C to stop.');
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  }
  return failed === 0 && dead === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
