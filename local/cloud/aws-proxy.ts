/**
 * An HTTP proxy on 127.0.0.1 in front of an emulator (DynamoDB Local, fauxqs) that knows which
 * AWS operation each request is. The functions run in worker threads with their own SDK clients,
 * so whatever must see their AWS calls sits here, on the wire: the benchmark's request counter,
 * and the fault injector that answers some calls with throttling or a server error.
 */
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Operation {
  /** `dynamodb`, `dynamodbstreams`, `sqs`, `sns`, or the signing name of anything else. */
  readonly service: string;
  readonly operation: string;
}

type Headers = IncomingHttpHeaders | Readonly<Record<string, string | readonly string[] | undefined>>;

const TARGET_PREFIXES: Readonly<Record<string, string>> = {
  DynamoDB_20120810: 'dynamodb',
  DynamoDBStreams_20120810: 'dynamodbstreams',
  AmazonSQS: 'sqs',
};

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}

/** The service named in a SigV4 `Authorization` header's credential scope (`key/date/region/service/aws4_request`). */
export function signingService(authorization: string | undefined): string | undefined {
  const scope = authorization ? /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization) : null;
  return scope?.[1];
}

/**
 * Which AWS operation a request is: from `X-Amz-Target` for the JSON protocols (DynamoDB,
 * DynamoDB Streams, SQS), else from the `Action` field of a query-protocol request (SNS, older
 * SQS clients), in the form body or the URL.
 */
export function parseOperation(headers: Headers, body: string, url = '/'): Operation {
  const target = header(headers, 'x-amz-target');
  const signedBy = signingService(header(headers, 'authorization'));
  if (target) {
    const dot = target.lastIndexOf('.');
    const prefix = dot > 0 ? target.slice(0, dot) : '';
    const operation = dot > 0 ? target.slice(dot + 1) : target;
    return { service: TARGET_PREFIXES[prefix] ?? signedBy ?? prefix.toLowerCase(), operation };
  }
  const fromBody = body.includes('Action=') ? new URLSearchParams(body).get('Action') : null;
  const fromUrl = new URL(url, 'http://localhost').searchParams.get('Action');
  return { service: signedBy ?? 'unknown', operation: fromBody ?? fromUrl ?? 'unknown' };
}

/** Whether a request speaks one of AWS's JSON protocols (else the XML query protocol). */
export function isJsonProtocol(headers: Headers): boolean {
  return (header(headers, 'content-type') ?? '').includes('json') || header(headers, 'x-amz-target') !== undefined;
}

/** A request as the hooks see it. */
export interface ProxiedRequest {
  readonly operation: Operation;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** An answer given, or substituted, by a hook. */
export interface ProxyAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string;
}

export interface AwsProxyOptions {
  /** The emulator's endpoint, `http://127.0.0.1:<port>`. */
  readonly target: string;
  /** Before forwarding: an answer here is given instead, and the emulator never sees the request. */
  readonly beforeForward?: (request: ProxiedRequest) => ProxyAnswer | undefined;
  /** After the emulator answered: an answer here replaces its answer (the call happened all the same). */
  readonly afterForward?: (request: ProxiedRequest, answer: ProxyAnswer) => ProxyAnswer | undefined;
}

export interface AwsProxy {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });

  const server = createServer((incoming, outgoing) => {
    void forward(incoming, outgoing).catch(() => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
  });

  async function forward(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const body = await readAll(incoming);
    const request: ProxiedRequest = { operation: parseOperation(incoming.headers, body.toString('utf8'), incoming.url), headers: incoming.headers, body };
    const early = options.beforeForward?.(request);
    if (early) return answer(outgoing, early);

    const headers: IncomingHttpHeaders = { ...incoming.headers, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers, agent });
    // A caller that gives up (a long poll aborted at stop) ends the upstream request too.
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) upstream.destroy();
    });
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      upstream.once('response', resolve);
      upstream.once('error', reject);
      upstream.end(body);
    });
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined && name !== 'transfer-encoding' && name !== 'content-length') responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const upstreamAnswer: ProxyAnswer = { status: response.statusCode ?? 502, headers: responseHeaders, body: await readAll(response) };
    answer(outgoing, options.afterForward?.(request, upstreamAnswer) ?? upstreamAnswer);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

function answer(outgoing: ServerResponse, { status, headers, body }: ProxyAnswer): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  outgoing.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
  outgoing.end(bytes);
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
