/** `npm start -- --in-memory --once`: the demo runs, prints each order's timeline, and exits 0. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

describe('npm start -- --in-memory --once', () => {
  it('prints the timeline of every demo order and exits 0 once all settled as expected', () => {
    // when
    const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'local/start.ts', '--in-memory', '--once'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    // then
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/✔ happy path: order \S+ is STOCK_RESERVED/);
    expect(run.stdout).toMatch(/✔ payment declined .* is CANCELLED \(PAYMENT_DECLINED\)/);
    expect(run.stdout).toMatch(/✔ out of stock .* is CANCELLED \(OUT_OF_STOCK\)/);
    expect(run.stdout).toMatch(/✔ cancelled by the customer after payment .* is CANCELLED \(CUSTOMER_REQUEST\)/);
    expect(run.stdout).toMatch(/payment\s+payment\.refunded\s+← order\.cancelled/);
    expect(run.stdout).toContain('4 of 4 demo orders settled as expected; 0 dead letter(s).');
  });
});
