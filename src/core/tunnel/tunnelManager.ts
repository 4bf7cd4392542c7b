import type { Logger } from '../log/logger';
import type { OpenTunnel, TunnelDriver, TunnelTarget } from './tunnelDriver';
import type { TunnelStatus } from './tunnelStatus';
import { errorMessage } from '../log/errorMessage';

export interface TunnelManagerOptions {
  driver: TunnelDriver;
  log: Logger;
  onStatus: (status: TunnelStatus) => void;
  /** The public URL is not the one TeleCMI was last given: it must be told the new one. */
  onUrlChanged: (next: string, previous: string) => void;
  /** The URL of the last session, so a change is noticed across restarts too. */
  lastUrl?: string;
  backoff?: { initialMs: number; maxMs: number };
  now?: () => number;
}

/**
 * Opens the tunnel and keeps it open: a refused or failed session is retried with exponential
 * backoff; a dropped one reports offline while the driver reconnects. The authtoken never
 * reaches a log line or a status: errors are scrubbed of it.
 */
export function createTunnelManager({
  driver,
  log,
  onStatus,
  onUrlChanged,
  lastUrl = '',
  backoff = { initialMs: 1000, maxMs: 60_000 },
  now = Date.now,
}: TunnelManagerOptions) {
  let status: TunnelStatus = { state: 'off' };
  let tunnel: OpenTunnel | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let generation = 0;
  let knownUrl = lastUrl;

  const report = (next: TunnelStatus): void => {
    status = next;
    onStatus(status);
  };

  async function connect(target: TunnelTarget, run: number, attempt: number): Promise<void> {
    if (run !== generation) return;
    const scrub = (text: string): string => (target.authtoken ? text.replaceAll(target.authtoken, '***') : text);
    report({ state: 'connecting', attempt });
    try {
      const opened = await driver.open(target, {
        onDisconnect: (reason) =>
          run === generation && report({ state: 'offline', reason: `connection lost: ${scrub(reason)}; reconnecting` }),
        onReconnect: () => run === generation && tunnel && report({ state: 'online', url: tunnel.url }),
      });
      if (run !== generation) return void (await opened.close());
      tunnel = opened;
      log.info('tunnel online', { url: opened.url });
      report({ state: 'online', url: opened.url });
      if (knownUrl && knownUrl !== opened.url) onUrlChanged(opened.url, knownUrl);
      knownUrl = opened.url;
    } catch (error) {
      if (run !== generation) return;
      const reason = scrub(errorMessage(error));
      const delay = Math.min(backoff.initialMs * 2 ** (attempt - 1), backoff.maxMs);
      log.warn('tunnel could not open; will retry', { reason, retryInMs: delay });
      report({ state: 'offline', reason, retryAt: now() + delay });
      retryTimer = setTimeout(() => void connect(target, run, attempt + 1), delay);
    }
  }

  /** Ends the current run (a retry or a late connection of it is dropped) and closes its tunnel. */
  async function stop(): Promise<number> {
    const run = ++generation;
    clearTimeout(retryTimer);
    const closing = tunnel;
    tunnel = undefined;
    await closing?.close().catch((error: unknown) => log.warn('tunnel did not close cleanly', { error: String(error) }));
    return run;
  }

  return {
    status: (): TunnelStatus => status,

    /** Opens a tunnel to the target, closing any earlier one; the latest call wins. */
    async start(target: TunnelTarget): Promise<void> {
      const run = await stop();
      await connect(target, run, 1);
    },

    /** Closes the tunnel and stops retrying. */
    async stop(): Promise<void> {
      await stop();
      report({ state: 'off' });
    },
  };
}

export type TunnelManager = ReturnType<typeof createTunnelManager>;
