/**
 * `npm start` on the local cloud, as a user runs it: the demo through the HTTP API, the exit
 * code, and no process left behind after `--once` or after Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { descendantsOf, isRunning } from '../../support/processes';
import { eventually } from '../../support/waiting';

const ROOT = path.resolve(__dirname, '../../..');
/** The stack outputs `npm start` writes while it serves (the API URL for the CLI). */
const OUTPUTS = path.join(ROOT, '.local-cloud', 'outputs.json');

function start(...args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'local/start.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** The processes under `pid` once DynamoDB Local (a java process) is among them. */
async function treeWithJava(pid: number): Promise<number[]> {
  return eventually(
    () => {
      const tree = descendantsOf(pid);
      return tree.some((p) => /java/.test(readCmd(p))) ? tree : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: 'DynamoDB Local to start under npm start' },
  );
}

function readCmd(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

describe('npm start (local cloud)', () => {
  it('--once: prints the API URL on a line of its own, every demo timeline, exits 0, and leaves no process behind', async () => {
    // when
    const run = start('--once');
    const tree = await treeWithJava(run.child.pid as number);
    const code = await run.exited;
    // then
    expect(code).toBe(0);
    expect(run.output()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/m);
    expect(run.output().match(/^✔ /gm)).toHaveLength(4);
    expect(run.output()).toContain('4 of 4 demo orders settled as expected; 0 dead letter(s).');
    await eventually(() => (tree.every((pid) => !isRunning(pid)) ? true : undefined), { timeoutMs: 10_000, what: 'every child process to end' });
  }, 120_000);

  it('keeps serving after the demo, and Ctrl-C stops everything it started', async () => {
    // given
    const run = start();
    const tree = await treeWithJava(run.child.pid as number);
    const url = await eventually(() => /^(http:\/\/127\.0\.0\.1:\d+)$/m.exec(run.output())?.[1], { timeoutMs: 60_000, what: 'the API URL' });
    await eventually(() => (run.output().includes('Ctrl-C to stop') ? true : undefined), { timeoutMs: 60_000, what: 'the demo to finish' });
    expect((await fetch(`${url}/orders/none`)).status).toBe(404);
    expect(JSON.parse(readFileSync(OUTPUTS, 'utf8'))).toMatchObject({ ApiUrl: url, OrdersTableName: expect.any(String) });
    // when
    run.child.kill('SIGINT');
    // then
    expect(await run.exited).toBe(0);
    await eventually(() => (tree.every((pid) => !isRunning(pid)) ? true : undefined), { timeoutMs: 10_000, what: 'every child process to end' });
    await expect(fetch(`${url}/orders/none`)).rejects.toThrow();
    expect(existsSync(OUTPUTS)).toBe(false);
  }, 120_000);
});
