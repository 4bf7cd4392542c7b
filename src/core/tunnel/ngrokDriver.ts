import type { OpenTunnel, TunnelDriver, TunnelEvents, TunnelTarget } from './tunnelDriver';

export interface NgrokDriverOptions {
  /** Another ngrok ingress (a custom agent ingress; tests point it at a closed port). */
  serverAddr?: string;
  /** A session that is not up by then counts as failed. */
  connectTimeoutMs?: number;
}

/**
 * Tunnels with the official `@ngrok/ngrok` package (native, from the registry: nothing is
 * downloaded at run time). Loaded only when a tunnel is opened.
 */
export function createNgrokDriver({ serverAddr, connectTimeoutMs = 20_000 }: NgrokDriverOptions = {}): TunnelDriver {
  return {
    async open({ localPort, authtoken, domain }: TunnelTarget, events: TunnelEvents): Promise<OpenTunnel> {
      const { SessionBuilder } = await import('@ngrok/ngrok');
      let dropped = false;
      const builder = new SessionBuilder()
        .authtoken(authtoken)
        .metadata('telecmi-notifier')
        // true: the session reconnects by itself (false would throw an uncaught error).
        .handleDisconnection((_addr, error) => {
          dropped = true;
          events.onDisconnect(error);
          return true;
        })
        .handleHeartbeat(() => {
          if (!dropped) return;
          dropped = false;
          events.onReconnect();
        });
      if (serverAddr) builder.serverAddr(serverAddr);
      // A session that comes up after the timeout is closed, or it would keep reconnecting unseen.
      const session = await withTimeout(builder.connect(), connectTimeoutMs, 'ngrok did not answer in time', (late) => void late.close());
      try {
        const endpoint = session.httpEndpoint();
        if (domain) endpoint.domain(domain);
        const listener = await withTimeout(
          endpoint.listenAndForward(`http://127.0.0.1:${localPort}`),
          connectTimeoutMs,
          'ngrok did not open the endpoint in time',
        );
        const url = listener.url();
        if (!url) throw new Error('ngrok gave no public URL');
        return {
          url,
          close: async () => {
            await listener.close();
            await session.close();
          },
        };
      } catch (error) {
        await session.close();
        throw error;
      }
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string, onLate?: (value: T) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(message));
    }, ms);
  });
  promise.then(
    (value) => timedOut && onLate?.(value),
    () => undefined,
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
