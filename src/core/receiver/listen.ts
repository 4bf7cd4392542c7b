import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListenOptions {
  host: string;
  /** 0 picks any free port. */
  port: number;
  timeouts?: Partial<ServerTimeouts>;
}

export interface RunningServer {
  server: Server;
  host: string;
  port: number;
  /** `http://host:port`, with IPv6 hosts in brackets. */
  origin: string;
  close(): Promise<void>;
}

/** Limits that stop a slow or idle client from holding the receiver. */
export interface ServerTimeouts {
  headersMs: number;
  requestMs: number;
  keepAliveMs: number;
  idleSocketMs: number;
}

const defaultTimeouts: ServerTimeouts = { headersMs: 10_000, requestMs: 15_000, keepAliveMs: 5_000, idleSocketMs: 30_000 };

export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

/** Starts an HTTP server for the receiver and resolves once it listens. */
export function listen(handler: RequestListener, { host, port, timeouts: overrides }: ListenOptions): Promise<RunningServer> {
  const timeouts = { ...defaultTimeouts, ...overrides };
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // Node checks those two only this often; its default (30 s) would double them.
      connectionsCheckingInterval: Math.min(1000, timeouts.headersMs),
    },
    handler,
  );
  server.keepAliveTimeout = timeouts.keepAliveMs;
  server.setTimeout(timeouts.idleSocketMs);
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, host, port)));
    server.listen(port, host, () => {
      const { port: actualPort } = server.address() as AddressInfo;
      resolve({
        server,
        host,
        port: actualPort,
        origin: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`,
        close: () => closeServer(server),
      });
    });
  });
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): ListenError {
  const where = `${host}:${port}`;
  const messages: Record<string, string> = {
    EADDRINUSE: `port ${port} is already in use on ${host}: quit the other program or choose another port`,
    EACCES: `not allowed to listen on ${where}: choose a port above 1023`,
    EADDRNOTAVAIL: `${host} is not an address of this computer`,
  };
  return new ListenError(messages[error.code ?? ''] ?? `cannot listen on ${where}: ${error.message}`, error.code);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}
