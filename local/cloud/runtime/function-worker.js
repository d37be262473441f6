'use strict';
/**
 * One Lambda execution environment: a worker thread started by function-host.ts. Plain CommonJS
 * on purpose: a worker thread gets neither Jest's nor tsx's TypeScript transform.
 *
 * Init (the cold start) loads the handler's module once; every invocation then reuses it, so
 * module-scope clients and configuration live exactly as long as the environment, as in Lambda.
 * process.env is this worker's own copy (the Worker `env` option).
 *
 * Messages in:  { type: 'invoke', requestId, eventJson, context }
 * Messages out: { type: 'ready', initDurationMs } | { type: 'init-error', error }
 *               { type: 'result', requestId, resultJson } | { type: 'error', requestId, error }
 *               { type: 'crash', error } (then the worker exits)
 */
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const { format, types } = require('node:util');

/** @type {{ file: string, exportName: string, sourceMaps: boolean }} */
const { file, exportName, sourceMaps } = workerData;

let currentRequestId;

// Lambda's Node.js runtime prefixes every console line with time, request id and level.
const LEVELS = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
for (const [method, level] of Object.entries(LEVELS)) {
  console[method] = (...args) => {
    const text = format(...args).replace(/\n/g, '\r');
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${text}\n`);
  };
}

/** Lambda's errorType/errorMessage/trace: the error's own name, or typeof for a non-error. */
function describeError(error) {
  if (types.isNativeError(error) || error instanceof Error) {
    return {
      errorType: String(error.name),
      errorMessage: String(error.message),
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: typeof error, errorMessage: typeof error === 'string' ? error : safeJson(error), trace: [] };
}

function safeJson(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

// As the Node.js runtime: an unhandled rejection fails the invocation; an uncaught exception is
// logged and ends the environment (Runtime.ExitError). Either way the next call starts cold.
process.on('unhandledRejection', (reason) => {
  const described = describeError(reason);
  console.error('Unhandled Promise Rejection', JSON.stringify(described));
  parentPort.postMessage({ type: 'crash', error: { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: String(reason), trace: described.trace } });
  process.exit(128);
});
process.on('uncaughtException', (error) => {
  const described = describeError(error);
  console.error('Uncaught Exception', JSON.stringify(described));
  const errorMessage = `RequestId: ${currentRequestId} Error: Runtime exited with error: exit status 129 (${described.errorType}: ${described.errorMessage})`;
  parentPort.postMessage({ type: 'crash', error: { errorType: 'Runtime.ExitError', errorMessage, trace: described.trace } });
  process.exit(129);
});

async function init() {
  const started = performance.now();
  if (sourceMaps) process.setSourceMapsEnabled(true);
  let moduleExports;
  try {
    moduleExports = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : require(file);
  } catch (error) {
    const notFound = error && (error.code === 'MODULE_NOT_FOUND' || error.code === 'ERR_MODULE_NOT_FOUND');
    const syntax = error instanceof SyntaxError;
    const described = describeError(error);
    if (notFound) described.errorType = 'Runtime.ImportModuleError';
    if (syntax) described.errorType = 'Runtime.UserCodeSyntaxError';
    return { error: described };
  }
  const handler = moduleExports?.[exportName] ?? moduleExports?.default?.[exportName];
  if (typeof handler !== 'function') {
    return { error: { errorType: 'Runtime.HandlerNotFound', errorMessage: `${file}.${exportName} is undefined or not exported`, trace: [] } };
  }
  return { handler, initDurationMs: performance.now() - started };
}

/** Calls an async handler, or a callback-style one (three parameters), as the Node.js runtime does. */
function call(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (error, result) => {
      if (settled) return;
      settled = true;
      if (error !== null && error !== undefined) reject(error);
      else resolve(result);
    };
    let returned;
    try {
      returned = handler.length >= 3 ? handler(event, context, callback) : handler(event, context);
    } catch (error) {
      callback(error);
      return;
    }
    if (returned && typeof returned.then === 'function') returned.then((result) => callback(null, result), (error) => callback(error ?? new Error('Rejected')));
    else if (handler.length < 3) callback(null, returned);
  });
}

function lambdaContext(fields) {
  const { deadlineMs, ...rest } = fields;
  return {
    ...rest,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    // Legacy context methods of the Node.js runtime, kept for old handlers.
    done: () => undefined,
    succeed: () => undefined,
    fail: () => undefined,
  };
}

init().then((loaded) => {
  if (loaded.error) {
    parentPort.postMessage({ type: 'init-error', error: loaded.error });
    return;
  }
  parentPort.on('message', async (message) => {
    if (message.type !== 'invoke') return;
    const { requestId } = message;
    currentRequestId = requestId;
    try {
      const event = JSON.parse(message.eventJson);
      const result = await call(loaded.handler, event, lambdaContext(message.context));
      // Lambda serialises the response as JSON: undefined becomes null, Dates become strings.
      const resultJson = result === undefined ? 'null' : JSON.stringify(result);
      parentPort.postMessage({ type: 'result', requestId, resultJson: resultJson ?? 'null' });
    } catch (error) {
      parentPort.postMessage({ type: 'error', requestId, error: describeError(error) });
    } finally {
      currentRequestId = undefined;
    }
  });
  parentPort.postMessage({ type: 'ready', initDurationMs: loaded.initDurationMs });
});
