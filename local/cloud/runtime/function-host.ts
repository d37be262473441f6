/**
 * Runs the Lambda bundles `cdk synth` produced the way Lambda does, in worker threads: one worker
 * is one execution environment, with the function's own environment variables (the Worker `env`
 * option gives each thread its own process.env), its module loaded once at the cold start and
 * reused while warm. Each function has a pool of at most `maxConcurrency` environments;
 * invocations beyond that wait in line. A timed-out environment is terminated, so the next
 * invocation starts cold, as after a Lambda timeout.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../emulators/credentials';
import type { Invoke, LocalEndpoints, LocalFunction } from '../model';

const WORKER_SCRIPT = path.join(__dirname, 'function-worker.js');
const DEFAULT_MAX_CONCURRENCY = 4;
const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
/** Lambda's own limit on the init phase, on top of which the function's timeout applies. */
const INIT_LIMIT_MS = 10_000;
const MIN_HEAP_MB = 64;

/** What Lambda reports of a failed invocation: `name` is its errorType, `message` its errorMessage. */
export class LambdaFunctionError extends Error {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
  readonly functionName: string;
  readonly requestId: string;

  constructor(details: { errorType: string; errorMessage: string; trace?: readonly string[]; functionName: string; requestId: string }) {
    super(details.errorMessage);
    this.name = details.errorType;
    this.errorType = details.errorType;
    this.errorMessage = details.errorMessage;
    this.trace = details.trace ?? [];
    this.functionName = details.functionName;
    this.requestId = details.requestId;
  }
}

/** The invocation ran past the function's timeout; its environment was terminated. */
export class LambdaTimeoutError extends LambdaFunctionError {
  readonly timeoutSeconds: number;

  constructor(details: { functionName: string; requestId: string; timeoutSeconds: number }) {
    super({ ...details, errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${details.timeoutSeconds.toFixed(2)} seconds` });
    this.timeoutSeconds = details.timeoutSeconds;
  }
}

export function isTimeout(error: unknown): error is LambdaTimeoutError {
  return error instanceof LambdaTimeoutError;
}

/** One invocation, as the hooks and metrics see it. */
export interface InvocationInfo {
  readonly functionLogicalId: string;
  readonly functionName: string;
  readonly requestId: string;
  readonly event: unknown;
}

export type InvocationOutcome = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: Error };

export interface InvocationMetrics {
  readonly functionLogicalId: string;
  readonly functionName: string;
  readonly requestId: string;
  readonly coldStart: boolean;
  /** Thread start plus module load (cold starts only). */
  readonly initDurationMs?: number;
  /** The handler's run, as Lambda's REPORT Duration. */
  readonly durationMs: number;
  /** Time spent waiting for a free environment (the function was at its concurrency cap). */
  readonly queuedMs: number;
  /** From the call of invoke() to its settlement, hooks included. */
  readonly totalMs: number;
  readonly outcome: 'success' | 'error' | 'timeout';
  readonly errorType?: string;
}

export interface FunctionHostOptions {
  readonly functions: readonly LocalFunction[];
  /**
   * The emulators the functions talk to: sets AWS_REGION and AWS_ENDPOINT_URL_DYNAMODB/_SNS/_SQS,
   * so a bundle's SDK clients reach them without code changes.
   */
  readonly endpoints?: LocalEndpoints;
  /** More variables for every function, under each function's own environment. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Execution environments per function at most; default 4. */
  readonly maxConcurrency?: number;
  /** Per-function caps by logical id, overriding maxConcurrency. */
  readonly concurrency?: Readonly<Record<string, number>>;
  /** An environment idle this long is terminated (the next call is cold); 0: never. Default 5 min. */
  readonly idleTimeoutMs?: number;
  /** Cap each worker's V8 heap at the function's memory size, as Lambda caps its memory. Default true. */
  readonly enforceMemoryLimit?: boolean;
  /** Receives every line a function writes (console, stdout, stderr) and Lambda's START/END/REPORT lines. */
  readonly onLog?: (functionName: string, line: string) => void;
  /** Where the default log sink appends `<functionName>.log`; default `<tmpdir>/local-cloud/functions`. */
  readonly logDir?: string;
  readonly onInvocation?: (metrics: InvocationMetrics) => void;
  /** Runs before an environment is taken; throwing fails the invocation with that error (fault injection). */
  readonly beforeInvoke?: (invocation: InvocationInfo) => void | Promise<void>;
  /** Runs after the handler settled; throwing replaces the outcome with that error (fault injection). */
  readonly afterInvoke?: (invocation: InvocationInfo, outcome: InvocationOutcome) => void | Promise<void>;
}

export interface FunctionStats {
  readonly environments: number;
  readonly busy: number;
  readonly queued: number;
  readonly invocations: number;
  readonly coldStarts: number;
}

export class FunctionHost {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly logFiles = new Map<string, WriteStream>();
  private readonly log: (functionName: string, line: string) => void;
  private readonly logDir: string;
  private stopped = false;

  constructor(private readonly options: FunctionHostOptions) {
    this.logDir = options.logDir ?? path.join(tmpdir(), 'local-cloud', 'functions');
    this.log = options.onLog ?? ((name, line) => this.appendToFile(name, line));
    const baseEnvironment = baseEnvironmentOf(options);
    for (const fn of options.functions) {
      const cap = options.concurrency?.[fn.logicalId] ?? options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
      this.pools.set(
        fn.logicalId,
        new FunctionPool(fn, {
          maxConcurrency: Math.max(1, cap),
          idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
          enforceMemoryLimit: options.enforceMemoryLimit ?? true,
          baseEnvironment,
          region: options.endpoints?.region ?? LOCAL_REGION,
          log: (line) => this.log(fn.name, line),
        }),
      );
    }
  }

  /** Runs the function with `event`; resolves to its (JSON round-tripped) result, rejects with a LambdaFunctionError. */
  readonly invoke: Invoke = async (functionLogicalId, event) => {
    const pool = this.pools.get(functionLogicalId);
    if (!pool) throw new Error(`No function ${functionLogicalId} in this host (known: ${[...this.pools.keys()].join(', ')})`);
    if (this.stopped) throw new Error('The function host is stopped');
    const calledAt = performance.now();
    const info: InvocationInfo = { functionLogicalId, functionName: pool.fn.name, requestId: randomUUID(), event };
    let outcome: InvocationOutcome;
    let run: RunReport | undefined;
    try {
      await this.options.beforeInvoke?.(info);
      run = await pool.run(info.requestId, event);
      outcome = run.outcome;
    } catch (error) {
      outcome = { ok: false, error: asError(error) };
    }
    if (this.options.afterInvoke) {
      try {
        await this.options.afterInvoke(info, outcome);
      } catch (error) {
        outcome = { ok: false, error: asError(error) };
      }
    }
    this.options.onInvocation?.({
      functionLogicalId,
      functionName: pool.fn.name,
      requestId: info.requestId,
      coldStart: run?.coldStart ?? false,
      ...(run?.initDurationMs === undefined ? {} : { initDurationMs: run.initDurationMs }),
      durationMs: run?.durationMs ?? 0,
      queuedMs: run?.queuedMs ?? 0,
      totalMs: performance.now() - calledAt,
      outcome: outcome.ok ? 'success' : isTimeout(outcome.error) ? 'timeout' : 'error',
      ...(outcome.ok ? {} : { errorType: outcome.error.name }),
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.result;
  };

  stats(functionLogicalId: string): FunctionStats | undefined {
    return this.pools.get(functionLogicalId)?.stats();
  }

  /** Terminates every environment; queued and running invocations reject. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.pools.values()].map((pool) => pool.stop()));
    await Promise.all([...this.logFiles.values()].map((file) => new Promise<void>((resolve) => file.end(resolve))));
    this.logFiles.clear();
  }

  private appendToFile(functionName: string, line: string): void {
    let file = this.logFiles.get(functionName);
    if (!file) {
      if (!existsSync(this.logDir)) mkdirSync(this.logDir, { recursive: true });
      file = createWriteStream(path.join(this.logDir, `${functionName}.log`), { flags: 'a' });
      file.on('error', () => undefined);
      this.logFiles.set(functionName, file);
    }
    file.write(`${line}\n`);
  }
}

function baseEnvironmentOf(options: FunctionHostOptions): Record<string, string> {
  const region = options.endpoints?.region ?? LOCAL_REGION;
  return {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    ...(options.endpoints
      ? {
          AWS_ENDPOINT_URL_DYNAMODB: options.endpoints.dynamodb,
          AWS_ENDPOINT_URL_SNS: options.endpoints.snsSqs,
          AWS_ENDPOINT_URL_SQS: options.endpoints.snsSqs,
        }
      : {}),
    ...options.environment,
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

// ---------------------------------------------------------------------------------------------
// One function's pool of execution environments

interface PoolSettings {
  readonly maxConcurrency: number;
  readonly idleTimeoutMs: number;
  readonly enforceMemoryLimit: boolean;
  readonly baseEnvironment: Readonly<Record<string, string>>;
  readonly region: string;
  readonly log: (line: string) => void;
}

interface RunReport {
  readonly outcome: InvocationOutcome;
  readonly coldStart: boolean;
  readonly initDurationMs?: number;
  readonly durationMs: number;
  readonly queuedMs: number;
}

interface Waiter {
  readonly resolve: (environment: Environment) => void;
  readonly reject: (error: Error) => void;
}

class FunctionPool {
  private readonly idle: Environment[] = [];
  private readonly all = new Set<Environment>();
  private readonly waiting: Waiter[] = [];
  private readonly file: string;
  private readonly exportName: string;
  private invocations = 0;
  private coldStarts = 0;
  private stopped = false;

  constructor(
    readonly fn: LocalFunction,
    private readonly settings: PoolSettings,
  ) {
    const dot = fn.handler.lastIndexOf('.');
    if (dot <= 0) throw new Error(`Function ${fn.logicalId}: handler "${fn.handler}" is not <file>.<export>`);
    this.file = resolveHandlerFile(fn.codeDir, fn.handler.slice(0, dot));
    this.exportName = fn.handler.slice(dot + 1);
  }

  async run(requestId: string, event: unknown): Promise<RunReport> {
    const queuedAt = performance.now();
    const environment = await this.acquire();
    const queuedMs = performance.now() - queuedAt;
    this.invocations += 1;
    const coldStart = !environment.used;
    if (coldStart) this.coldStarts += 1;
    try {
      const result = await environment.invoke(requestId, event);
      return { ...result, coldStart, queuedMs };
    } finally {
      this.release(environment);
    }
  }

  stats(): FunctionStats {
    return {
      environments: this.all.size,
      busy: this.all.size - this.idle.length,
      queued: this.waiting.length,
      invocations: this.invocations,
      coldStarts: this.coldStarts,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('The function host is stopped'));
    await Promise.all([...this.all].map((environment) => environment.terminate('The function host is stopped')));
    this.all.clear();
    this.idle.length = 0;
  }

  private acquire(): Promise<Environment> {
    if (this.stopped) return Promise.reject(new Error('The function host is stopped'));
    // Most recently used first, as Lambda reuses the warmest environment.
    const warm = this.idle.pop();
    if (warm) {
      warm.cancelIdleTimer();
      return Promise.resolve(warm);
    }
    if (this.all.size < this.settings.maxConcurrency) {
      const environment = new Environment(this.fn, this.file, this.exportName, this.settings);
      this.all.add(environment);
      return Promise.resolve(environment);
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(environment: Environment): void {
    if (environment.dead || this.stopped) {
      this.all.delete(environment);
      // A dead environment frees a slot: the next in line gets a fresh (cold) one.
      const next = this.waiting.shift();
      if (next && !this.stopped) {
        const fresh = new Environment(this.fn, this.file, this.exportName, this.settings);
        this.all.add(fresh);
        next.resolve(fresh);
      }
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      next.resolve(environment);
      return;
    }
    this.idle.push(environment);
    environment.startIdleTimer(this.settings.idleTimeoutMs, () => {
      const index = this.idle.indexOf(environment);
      if (index >= 0) this.idle.splice(index, 1);
      this.all.delete(environment);
      void environment.terminate('idle');
    });
  }
}

function resolveHandlerFile(codeDir: string, base: string): string {
  for (const extension of ['.js', '.cjs', '.mjs']) {
    const candidate = path.join(codeDir, `${base}${extension}`);
    if (existsSync(candidate)) return candidate;
  }
  // Left to the worker to fail with Runtime.ImportModuleError, as Lambda does at the first call.
  return path.join(codeDir, `${base}.js`);
}

// ---------------------------------------------------------------------------------------------
// One execution environment (a worker thread)

type WorkerError = { readonly errorType: string; readonly errorMessage: string; readonly trace?: readonly string[] };

type WorkerMessage =
  | { readonly type: 'ready'; readonly initDurationMs: number }
  | { readonly type: 'init-error'; readonly error: WorkerError }
  | { readonly type: 'result'; readonly requestId: string; readonly resultJson: string }
  | { readonly type: 'error'; readonly requestId: string; readonly error: WorkerError }
  | { readonly type: 'crash'; readonly error: WorkerError };

interface Pending {
  readonly requestId: string;
  readonly settle: (outcome: InvocationOutcome) => void;
}

class Environment {
  used = false;
  dead = false;
  private readonly worker: Worker;
  private readonly logStreamName: string;
  private readonly ready: Promise<{ initDurationMs: number } | { error: WorkerError }>;
  private readonly exited: Promise<void>;
  private pending: Pending | undefined;
  private crash: WorkerError | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly spawnedAt = performance.now();

  constructor(
    private readonly fn: LocalFunction,
    file: string,
    exportName: string,
    private readonly settings: PoolSettings,
  ) {
    const now = new Date();
    const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
    this.logStreamName = `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
    const nodeOptions = fn.environment['NODE_OPTIONS'] ?? '';
    this.worker = new Worker(WORKER_SCRIPT, {
      workerData: { file, exportName, sourceMaps: nodeOptions.includes('--enable-source-maps') },
      env: {
        ...settings.baseEnvironment,
        ...fn.environment,
        // Lambda's reserved variables: the function's own configuration cannot override them.
        AWS_REGION: settings.region,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_LAMBDA_LOG_GROUP_NAME: logGroupOf(fn),
        AWS_LAMBDA_LOG_STREAM_NAME: this.logStreamName,
        LAMBDA_TASK_ROOT: fn.codeDir,
      },
      // Not the host's flags (tsx's loader, inspector...): a bundle runs on plain Node, as in Lambda.
      execArgv: [],
      stdout: true,
      stderr: true,
      ...(settings.enforceMemoryLimit ? { resourceLimits: { maxOldGenerationSizeMb: Math.max(MIN_HEAP_MB, fn.memoryMb) } } : {}),
    });
    // An environment alone never keeps the process alive (an invocation's timer does).
    this.worker.unref();
    createInterface({ input: this.worker.stdout }).on('line', settings.log);
    createInterface({ input: this.worker.stderr }).on('line', settings.log);

    this.exited = this.watchExit();
    this.ready = new Promise((resolve) => {
      const onMessage = (message: WorkerMessage): void => {
        if (message.type === 'ready') resolve({ initDurationMs: performance.now() - this.spawnedAt });
        else if (message.type === 'init-error') resolve({ error: message.error });
        else return;
        this.worker.off('message', onMessage);
      };
      this.worker.on('message', onMessage);
      void this.exited.then(() => resolve({ error: this.crash ?? { errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited during init' } }));
    });
    this.worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    this.worker.on('error', (error: Error & { code?: string }) => {
      this.crash ??=
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? { errorType: 'Runtime.OutOfMemory', errorMessage: `Runtime exited with error: memory limit of ${fn.memoryMb} MB exceeded` }
          : { errorType: error.name, errorMessage: error.message, trace: error.stack?.split('\n') ?? [] };
    });
  }

  async invoke(requestId: string, event: unknown): Promise<Omit<RunReport, 'coldStart' | 'queuedMs'>> {
    const cold = !this.used;
    this.used = true;
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    const log = this.settings.log;
    const functionName = this.fn.name;
    const failed = (error: WorkerError): InvocationOutcome => ({
      ok: false,
      error: new LambdaFunctionError({ ...error, functionName, requestId }),
    });

    let initDurationMs: number | undefined;
    if (cold) {
      const ready = await withTimeout(this.ready, INIT_LIMIT_MS + timeoutMs);
      if (ready === 'timeout') {
        await this.terminate('init timeout');
        log(`INIT_REPORT Init Duration: ${(INIT_LIMIT_MS + timeoutMs).toFixed(2)} ms Phase: init Status: timeout`);
        return { outcome: { ok: false, error: new LambdaTimeoutError({ functionName, requestId, timeoutSeconds: this.fn.timeoutSeconds }) }, durationMs: 0 };
      }
      if ('error' in ready) {
        // Lambda retries a failed init at the next invocation: this environment is discarded.
        await this.terminate('init failed');
        log(`INIT_REPORT Phase: init Status: error Error Type: ${ready.error.errorType}`);
        return { outcome: failed(ready.error), durationMs: 0 };
      }
      initDurationMs = ready.initDurationMs;
    }

    const started = performance.now();
    log(`START RequestId: ${requestId} Version: $LATEST`);
    const outcome = await new Promise<InvocationOutcome | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), timeoutMs);
      this.pending = {
        requestId,
        settle: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
      };
      let eventJson: string;
      try {
        eventJson = JSON.stringify(event) ?? 'null';
      } catch (error) {
        this.pending = undefined;
        clearTimeout(timer);
        resolve({ ok: false, error: new LambdaFunctionError({ errorType: 'InvalidRequestContentException', errorMessage: asError(error).message, functionName, requestId }) });
        return;
      }
      this.worker.postMessage({
        type: 'invoke',
        requestId,
        eventJson,
        context: {
          functionName,
          functionVersion: '$LATEST',
          invokedFunctionArn: this.fn.arn,
          memoryLimitInMB: String(this.fn.memoryMb),
          awsRequestId: requestId,
          logGroupName: logGroupOf(this.fn),
          logStreamName: this.logStreamName,
          deadlineMs: Date.now() + timeoutMs,
        },
      });
    });
    this.pending = undefined;
    const durationMs = performance.now() - started;

    let final: InvocationOutcome;
    if (outcome === 'timeout') {
      await this.terminate('timeout');
      final = { ok: false, error: new LambdaTimeoutError({ functionName, requestId, timeoutSeconds: this.fn.timeoutSeconds }) };
      log(`${new Date().toISOString()} ${requestId} Task timed out after ${this.fn.timeoutSeconds.toFixed(2)} seconds`);
    } else {
      final = outcome;
    }
    log(`END RequestId: ${requestId}`);
    const init = initDurationMs === undefined ? '' : ` Init Duration: ${initDurationMs.toFixed(2)} ms`;
    const status = outcome === 'timeout' ? ' Status: timeout' : '';
    log(`REPORT RequestId: ${requestId} Duration: ${durationMs.toFixed(2)} ms Billed Duration: ${Math.ceil(durationMs)} ms Memory Size: ${this.fn.memoryMb} MB${init}${status}`);
    return { outcome: final, durationMs, ...(initDurationMs === undefined ? {} : { initDurationMs }) };
  }

  startIdleTimer(ms: number, onIdle: () => void): void {
    if (ms <= 0) return;
    this.idleTimer = setTimeout(onIdle, ms);
    this.idleTimer.unref();
  }

  cancelIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  async terminate(reason: string): Promise<void> {
    this.cancelIdleTimer();
    if (!this.dead) {
      this.dead = true;
      this.crash ??= { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited: ${reason}` };
      await this.worker.terminate();
    }
    await this.exited;
  }

  private watchExit(): Promise<void> {
    return new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        this.dead = true;
        this.cancelIdleTimer();
        const pending = this.pending;
        if (pending) {
          this.pending = undefined;
          const crash = this.crash ?? { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: exit status ${code}` };
          pending.settle({ ok: false, error: new LambdaFunctionError({ ...crash, functionName: this.fn.name, requestId: pending.requestId }) });
        }
        resolve();
      });
    });
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type === 'crash') {
      this.crash = message.error;
      return;
    }
    if (message.type !== 'result' && message.type !== 'error') return;
    const pending = this.pending;
    if (!pending || pending.requestId !== message.requestId) return;
    this.pending = undefined;
    if (message.type === 'result') {
      pending.settle({ ok: true, result: JSON.parse(message.resultJson) as unknown });
    } else {
      pending.settle({ ok: false, error: new LambdaFunctionError({ ...message.error, functionName: this.fn.name, requestId: pending.requestId }) });
    }
  }
}

function logGroupOf(fn: LocalFunction): string {
  return `/aws/lambda/${fn.name}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
