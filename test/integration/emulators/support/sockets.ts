/** Where a port is listening, seen two ways: the kernel's socket table, and connection attempts. */
import { existsSync, readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';

export const HAS_PROC_NET = existsSync('/proc/net/tcp');

/**
 * The local addresses of the TCP sockets listening on `port`, from /proc/net/tcp and tcp6
 * (Linux). IPv4-mapped IPv6 addresses (a Java socket bound to 127.0.0.1 shows as
 * ::ffff:127.0.0.1 in tcp6) are given as plain IPv4; the wildcards are '0.0.0.0' and '::'.
 */
export function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const row of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const [, local, , state] = row.trim().split(/\s+/);
      if (state !== '0A' || local === undefined) continue; // 0A: LISTEN
      const [hexAddress, hexPort] = local.split(':');
      if (hexAddress === undefined || hexPort === undefined || parseInt(hexPort, 16) !== port) continue;
      addresses.push(decodeProcAddress(hexAddress));
    }
  }
  return addresses;
}

/** /proc/net prints addresses as 32-bit words in host (little-endian) byte order. */
function decodeProcAddress(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = hex.slice(word, word + 8).match(/../g) ?? [];
    bytes.push(...wordBytes.reverse().map((b) => parseInt(b, 16)));
  }
  if (bytes.length === 4) return bytes.join('.');
  const mappedIPv4 = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mappedIPv4) return bytes.slice(12).join('.');
  if (bytes.every((b) => b === 0)) return '::';
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

/** An IPv4 address of this machine other than loopback, if it has one. */
export function nonLoopbackIPv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return undefined;
}

/** 'connected', an error code such as 'ECONNREFUSED', or 'timeout'. */
export function connectOutcome(host: string, port: number, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (outcome: string): void => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => finish('timeout'));
    socket.once('connect', () => finish('connected'));
    socket.once('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
  });
}

/** A TCP server on all interfaces, to show that an address is reachable at all. */
export function listenOnAllInterfaces(): Promise<{ port: number; close(): Promise<void> }> {
  return listen('0.0.0.0');
}

/** A TCP server on 127.0.0.1, to take a port. */
export function listenOnLoopback(): Promise<{ port: number; close(): Promise<void> }> {
  return listen('127.0.0.1');
}

async function listen(host: string): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host }, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
