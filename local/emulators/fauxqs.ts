/**
 * fauxqs (an in-memory SNS/SQS emulator) running inside this process, listening on 127.0.0.1.
 *
 * fauxqs' own `startFauxqs()` always listens on 0.0.0.0, so the Fastify app is built with its
 * `buildApp()` (given its stores, as `startFauxqs()` does) and listened on here instead.
 *
 * fauxqs is published as an ES module only (its package exports have an `import` condition and
 * nothing else), while this project's TypeScript runs as CommonJS, under Jest in a sandbox whose
 * `import()` and `require` cannot load ES modules. So fauxqs is loaded through Node's own module
 * loader, taken from the host realm's `process` (under Jest that is the worker's real process;
 * elsewhere, `process` itself), with `require()` of an ES module (Node >= 20.19 or 22.12). Its
 * dependencies (Fastify, ...) are therefore loaded once, by Node, and never through Jest.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type * as Fauxqs from 'fauxqs' with { 'resolution-mode': 'import' };
import { LOCAL_REGION } from './credentials';

export interface FauxqsOptions {
  /** Port on 127.0.0.1; 0 or absent: any free port. */
  readonly port?: number;
}

export interface RunningFauxqs {
  /** e.g. `http://127.0.0.1:41234`, for both the SNS and the SQS client. */
  readonly endpoint: string;
  readonly port: number;
  /** Closes the server, dropping open connections (and all queues, topics and messages). */
  stop(): Promise<void>;
}

export async function startFauxqs(options: FauxqsOptions = {}): Promise<RunningFauxqs> {
  const { buildApp, SqsStore, SnsStore, S3Store } = loadFauxqs();
  const sqsStore = new SqsStore();
  // Queue URLs: fauxqs makes them http://sqs.<region>.localhost:<port>/<account>/<name> by
  // default, a host name that does not resolve here. An SDK client given its endpoint in code
  // never uses that host, but one configured through AWS_ENDPOINT_URL(_SQS) sends each request to
  // the QueueUrl's host (useQueueUrlAsEndpoint) and fails with ENOTFOUND. Without a host, fauxqs
  // builds the URL from the request's Host header: http://127.0.0.1:<port>/<account>/<name>.
  sqsStore.host = '';
  const app = buildApp({
    logger: false,
    defaultRegion: LOCAL_REGION,
    stores: { sqsStore, snsStore: new SnsStore(), s3Store: new S3Store() },
  });
  try {
    await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  } catch (error) {
    await app.close();
    throw error;
  }
  const port = (app.server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () => (stopped ??= app.close().then(() => undefined)),
  };
}

type Stores = NonNullable<Fauxqs.BuildAppOptions['stores']>;

/** What is used of fauxqs: its public buildApp, and the store classes its startFauxqs uses. */
interface FauxqsParts {
  readonly buildApp: typeof Fauxqs.buildApp;
  readonly SqsStore: new () => Stores['sqsStore'];
  readonly SnsStore: new () => Stores['snsStore'];
  readonly S3Store: new () => Stores['s3Store'];
}

let fauxqsParts: FauxqsParts | undefined;

function loadFauxqs(): FauxqsParts {
  if (fauxqsParts) return fauxqsParts;
  const packageJsonPath = findPackageJson('fauxqs');
  const packageJson = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as {
    readonly version?: string;
    readonly main?: string;
    readonly exports?: { readonly '.'?: { readonly import?: { readonly default?: string } } };
  };
  const entry = packageJson.exports?.['.']?.import?.default ?? packageJson.main;
  if (entry === undefined) throw new Error(`Cannot find the entry point of fauxqs in ${packageJsonPath}`);

  const hostProcess = vm.runInThisContext('process') as NodeJS.Process;
  if (typeof hostProcess.getBuiltinModule !== 'function' || !hostProcess.features.require_module) {
    throw new Error(`fauxqs is an ES module; loading it here needs Node 20.19+ or 22.12+ (this is ${hostProcess.version})`);
  }
  // A require() rooted inside node_modules: Node then loads the ES module without an
  // "experimental feature" warning.
  const hostRequire = hostProcess.getBuiltinModule('node:module').createRequire(packageJsonPath);
  const load = (file: string): Record<string, unknown> => hostRequire(path.resolve(path.dirname(packageJsonPath), file)) as Record<string, unknown>;
  const main = load(entry);
  // The stores are not in fauxqs' exports map: they are loaded by file (paths of fauxqs 1.x).
  const dist = path.dirname(entry);
  const parts = {
    buildApp: main['buildApp'],
    SqsStore: load(path.join(dist, 'sqs', 'sqsStore.js'))['SqsStore'],
    SnsStore: load(path.join(dist, 'sns', 'snsStore.js'))['SnsStore'],
    S3Store: load(path.join(dist, 's3', 's3Store.js'))['S3Store'],
  };
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value !== 'function') throw new Error(`fauxqs ${packageJson.version ?? ''} has no ${name} where version 1.9 has it`);
  }
  fauxqsParts = parts as unknown as FauxqsParts;
  return fauxqsParts;
}

/** `node_modules/<name>/package.json`, looked up like Node does, without the package's exports map. */
function findPackageJson(name: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`Cannot find the package ${name}: is it installed (npm ci)?`);
  }
}
