/**
 * The local stand-in for API Gateway's HTTP API: the routes of the template, served on
 * 127.0.0.1, each request turned into an HTTP API (payload 2.0) event for its function, and the
 * function's answer turned back into an HTTP response.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { HttpRoute, Invoke } from './model';

/** API Gateway's own limit on a request body. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface HttpBridgeOptions {
  readonly routes: readonly HttpRoute[];
  readonly invoke: Invoke;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly onError?: (error: unknown) => void;
}

export interface HttpBridge {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

interface CompiledRoute extends HttpRoute {
  readonly pattern: RegExp;
  readonly params: string[];
}

function compile(route: HttpRoute): CompiledRoute {
  const params: string[] = [];
  const source = route.path
    .split('/')
    .map((part) => {
      const param = /^\{([^}+]+)\+?\}$/.exec(part);
      if (!param?.[1]) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(param[1]);
      return part.endsWith('+}') ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}$`), params };
}

export async function startHttpBridge(options: HttpBridgeOptions): Promise<HttpBridge> {
  const routes = options.routes.map(compile);
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.onError?.(error);
      send(response, 500, { message: 'Internal Server Error' });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = (request.method ?? 'GET').toUpperCase();
    // API Gateway decodes the path before it matches a route, and hands the function the decoded
    // path as rawPath: `/orders/a%2Fb` is `/orders/a/b`. A path that does not decode matches none.
    const path = decodePath(url.pathname);
    const matches = path === undefined ? [] : routes.map((route) => ({ route, match: route.pattern.exec(path) })).filter((m) => m.match);
    const found = matches.find((m) => m.route.method === method || m.route.method === 'ANY');
    if (!found?.match || path === undefined) {
      // API Gateway answers an unknown route (or method) with 404 and this body.
      await drain(request);
      send(response, 404, { message: 'Not Found' });
      return;
    }
    const body = await readBody(request);
    if (body === undefined) {
      send(response, 413, { message: 'Request Entity Too Large' });
      return;
    }
    const pathParameters = Object.fromEntries(found.route.params.map((name, i) => [name, found.match?.[i + 1] ?? '']));
    const event = toEvent(request, url, path, method, found.route, pathParameters, body);
    const result = (await options.invoke(found.route.functionLogicalId, event)) as APIGatewayProxyStructuredResultV2 | string | undefined;
    writeResult(response, result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  path: string,
  method: string,
  route: HttpRoute,
  pathParameters: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const now = Date.now();
  const text = body.toString('utf8');
  // Like API Gateway: text bodies as they are, anything that is not valid UTF-8 in base64.
  const isText = Buffer.from(text, 'utf8').equals(body);
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: path,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: { method, path, protocol: `HTTP/${request.httpVersion}`, sourceIp: request.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body.length > 0 ? { body: isText ? text : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

/** Payload 2.0 responses: a structured result, or anything else as a JSON 200 (API Gateway's inference). */
function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2 | string | undefined): void {
  if (result === undefined || typeof result === 'string' || result.statusCode === undefined) {
    send(response, 200, result ?? null);
    return;
  }
  const body = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  response.writeHead(result.statusCode, { ...stringHeaders(result.headers), ...(result.cookies ? { 'set-cookie': result.cookies } : {}) });
  response.end(body);
}

function stringHeaders(headers: APIGatewayProxyStructuredResultV2['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** The whole body, or undefined past API Gateway's limit. */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk as Buffer);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

function decodePath(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

async function drain(request: IncomingMessage): Promise<void> {
  for await (const _ of request) {
    // discard
  }
}
