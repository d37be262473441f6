/**
 * `npm run asyncapi`: writes docs/asyncapi/asyncapi.yaml from the event catalogue.
 * `npm run asyncapi -- --check`: writes nothing; exits 1 if the committed file is out of date.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ASYNCAPI_FILE, renderAsyncApiYaml } from './asyncapi/document';

function main(): number {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('usage: npm run asyncapi [-- --check]\n\n  writes docs/asyncapi/asyncapi.yaml from the event catalogue;\n  --check only compares, and exits 1 if the file is out of date');
    return 0;
  }
  const generated = renderAsyncApiYaml();
  const relative = path.relative(process.cwd(), ASYNCAPI_FILE);
  const committed = existsSync(ASYNCAPI_FILE) ? readFileSync(ASYNCAPI_FILE, 'utf8') : undefined;
  if (values.check) {
    if (committed === generated) return 0;
    console.error(`${relative} is out of date with the event catalogue: run npm run asyncapi`);
    return 1;
  }
  if (committed === generated) {
    console.log(`${relative} is up to date`);
    return 0;
  }
  mkdirSync(path.dirname(ASYNCAPI_FILE), { recursive: true });
  writeFileSync(ASYNCAPI_FILE, generated);
  console.log(`wrote ${relative}`);
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
}
