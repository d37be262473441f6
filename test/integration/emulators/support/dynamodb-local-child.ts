/**
 * Run as its own Node process (node --import tsx) by dynamodb-local-orphans.test.ts: starts
 * DynamoDB Local, prints `{"pid":…,"port":…}` on one line, then waits. A line "crash" on stdin
 * makes it throw an uncaught exception.
 */
import { createInterface } from 'node:readline';
import { startDynamoDbLocal } from '../../../../local/emulators/dynamodb-local';

startDynamoDbLocal().then(
  (dynamo) => {
    process.stdout.write(`${JSON.stringify({ pid: dynamo.pid, port: dynamo.port })}\n`);
    createInterface({ input: process.stdin }).on('line', (line) => {
      if (line === 'crash') throw new Error('crashing on purpose');
    });
  },
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(2);
  },
);
