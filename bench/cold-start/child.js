'use strict';
/**
 * One cold start, in a fresh Node process started by cold-start.ts with the function's own
 * environment: load the bundle, handle one event, report the times over IPC and exit. Plain
 * CommonJS on purpose: it runs on plain Node, as a bundle does in Lambda.
 *
 *   node child.js <bundle file> <export name> <event JSON file>
 *
 * Reports { bootMs, loadMs, invokeMs, ok, result?, error? }: bootMs is Node's own start (up to this
 * script), loadMs the bundle's require() (module scope included), invokeMs the first invocation.
 */
const { readFileSync } = require('node:fs');

const bootMs = performance.now();
const [bundle, exportName, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));

function report(message) {
  process.send(message, () => process.exit(0));
}

(async () => {
  const loadStart = performance.now();
  let handler;
  try {
    handler = require(bundle)[exportName];
  } catch (error) {
    report({ bootMs, loadMs: performance.now() - loadStart, invokeMs: 0, ok: false, error: `load: ${error && error.message}` });
    return;
  }
  const loadMs = performance.now() - loadStart;
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: 'cold-start',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
  };
  const invokeStart = performance.now();
  try {
    const result = await handler(event, context);
    report({ bootMs, loadMs, invokeMs: performance.now() - invokeStart, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    report({ bootMs, loadMs, invokeMs: performance.now() - invokeStart, ok: false, error: `invoke: ${error && error.name}: ${error && error.message}` });
  }
})();
