/**
 * `npm run orders -- <command>` (or the `orders` bin): the Order API from a terminal.
 * See `npm run orders -- --help`.
 */
import { EXIT, run } from './main';
import { processDeps } from './process-deps';

run(process.argv.slice(2), processDeps()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`orders: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT.FAILURE;
  },
);
