/**
 * DynamoDB Local never outlives the Node process that started it: killed with SIGKILL (no
 * JavaScript runs: the launcher sees its stdin pipe close), with SIGTERM (the signal handler
 * kills it, and the process still dies by the signal), or crashing on an uncaught exception.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { commandLine, isRunning, killQuietly } from '../../support/processes';
import { connectOutcome } from './support/sockets';
import { eventually } from '../../support/waiting';

const CHILD_SCRIPT = path.join(__dirname, 'support', 'dynamodb-local-child.ts');
const STARTUP_TIMEOUT_MS = 60_000;
const GONE_WITHIN_MS = 15_000;

interface Started {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly javaPid: number;
  readonly port: number;
}

const cleanup: (() => void)[] = [];

afterEach(() => {
  for (const step of cleanup.splice(0)) step();
});

/** Starts the child script and waits for the line that names its DynamoDB Local. */
async function startChild(): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanup.push(() => killQuietly(child.pid));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    void exited.then(({ code, signal }) => reject(new Error(`child exited (${code ?? signal}) before starting DynamoDB Local: ${stderr}`)));
  });
  const { pid, port } = JSON.parse(await firstLine) as { pid: number; port: number };
  cleanup.push(() => killQuietly(pid));
  expect(isRunning(pid)).toBe(true);
  expect(commandLine(pid) ?? 'LoopbackDynamoDbLocal').toContain('LoopbackDynamoDbLocal');
  expect(await connectOutcome('127.0.0.1', port)).toBe('connected');
  return { child, exited, javaPid: pid, port };
}

/**
 * Polls until the process is gone and its port refuses connections. Both: a SIGKILLed JVM's main
 * thread can already be a zombie while its other threads, and so its sockets, are still closing.
 */
async function expectGone(javaPid: number, port: number): Promise<void> {
  await eventually(async () => (!isRunning(javaPid) && (await connectOutcome('127.0.0.1', port)) === 'ECONNREFUSED' ? true : undefined), {
    timeoutMs: GONE_WITHIN_MS,
    what: `the Java process ${javaPid} to exit and port ${port} to close`,
  });
}

it(
  'goes away when the Node process that started it is killed with SIGKILL',
  async () => {
    const { child, exited, javaPid, port } = await startChild();
    child.kill('SIGKILL');
    await expect(exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    await expectGone(javaPid, port);
  },
  STARTUP_TIMEOUT_MS,
);

it(
  'goes away on SIGTERM, and the Node process still dies by the signal',
  async () => {
    const { child, exited, javaPid, port } = await startChild();
    child.kill('SIGTERM');
    await expect(exited).resolves.toEqual({ code: null, signal: 'SIGTERM' });
    await expectGone(javaPid, port);
  },
  STARTUP_TIMEOUT_MS,
);

it(
  'goes away when the Node process crashes on an uncaught exception',
  async () => {
    const { child, exited, javaPid, port } = await startChild();
    child.stdin?.write('crash\n');
    await expect(exited).resolves.toEqual({ code: 1, signal: null });
    await expectGone(javaPid, port);
  },
  STARTUP_TIMEOUT_MS,
);
