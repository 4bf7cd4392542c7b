import { createServer, request, type Server } from 'node:http';
import type { TunnelDriver, TunnelEvents, TunnelTarget } from '../../src/core/tunnel/tunnelDriver';

/**
 * The tunnel's test double: a real HTTP proxy on another loopback port stands in for the public
 * hop, so the doctor's requests really travel through it. It can refuse, drop and reconnect.
 */
export function loopbackTunnel() {
  const failures: string[] = [];
  const opened: Array<{ target: TunnelTarget; events: TunnelEvents; server: Server; url: string; closed: boolean }> = [];
  let answerWith: number | undefined;

  const driver: TunnelDriver = {
    async open(target, events) {
      const failure = failures.shift();
      if (failure) throw new Error(failure);
      const server = createServer((req, res) => {
        if (answerWith) return void res.writeHead(answerWith, { 'content-type': 'text/html' }).end('<h1>tunnel error</h1>');
        const forward = request(
          { host: '127.0.0.1', port: target.localPort, path: req.url, method: req.method, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => res.writeHead(502).end('upstream down'));
        req.pipe(forward);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const entry = { target, events, server, url, closed: false };
      opened.push(entry);
      return {
        url,
        close: async () => {
          entry.closed = true;
          await new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    },
  };

  return {
    driver,
    opened,
    /** The next opens fail with these messages, in order. */
    failWith: (...messages: string[]) => void failures.push(...messages),
    /** The public hop answers this status itself, as a tunnel with nothing behind it does. */
    answerWith: (status: number | undefined) => void (answerWith = status),
    last: () => opened.at(-1),
  };
}
