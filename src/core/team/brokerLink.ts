import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { errorMessage } from '../log/errorMessage';
import type { Logger } from '../log/logger';

export type LinkState = { state: 'connecting' } | { state: 'connected' } | { state: 'offline'; reason?: string };

export interface BrokerLinkOptions {
  url: string;
  username: string;
  password: string;
  clientId: string;
  /** A private CA's certificate (PEM), trusted for this broker alone. */
  ca?: string;
  /** How the link is named in the log: "the team broker". */
  name: string;
  log: Logger;
  /** Connect options beyond these: the session, the will. */
  options?: Partial<IClientOptions>;
  /** Run at each connection before it counts as connected; what it throws closes it (a broker that is not the team's). */
  verify?: (client: MqttClient) => Promise<void>;
  onConnect?: (client: MqttClient) => void | Promise<void>;
  onState?: (state: LinkState) => void;
  /** The first wait and the longest between tries; each wait is drawn at random up to twice the last, so many clients spread out. */
  backoff?: { firstMs: number; longestMs: number };
  /** The connection was ended for a reason that retrying cannot mend: it stops trying. */
  giveUp?: (reason: string) => boolean;
}

/** What a failed TLS handshake means, in words a person can act on. */
export function describeLinkError(error: Error & { code?: string }, url: string): string {
  const host = URL.canParse(url) ? new URL(url).host : url;
  const tls: Record<string, string> = {
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: `the certificate of ${host} is not signed by a CA this desktop trusts (a private CA must come with the join code)`,
    SELF_SIGNED_CERT_IN_CHAIN: `the certificate of ${host} is signed by a CA this desktop does not trust (a private CA must come with the join code)`,
    DEPTH_ZERO_SELF_SIGNED_CERT: `${host} presents a self-signed certificate this desktop does not trust`,
    CERT_HAS_EXPIRED: `the certificate of ${host} has expired`,
    ERR_TLS_CERT_ALTNAME_INVALID: `the certificate of ${host} is for another name: check the team's --public-host`,
  };
  if (error.code && tls[error.code]) return `cannot trust the team broker: ${tls[error.code]}`;
  if (/Not authorized|Bad User Name or Password/i.test(error.message)) return 'the team broker refused these credentials (Not authorized)';
  if (error.code === 'ECONNREFUSED') return `nothing answers at ${host}: is the team broker running?`;
  return error.message;
}

/**
 * One MQTT 5 link to a broker, kept up: a failed or lost connection is tried again after a wait that
 * grows and is drawn at random (desktops woken together do not knock on the broker together), and
 * its state is told on each change with a reason a person can act on.
 */
export function connectBroker({
  url,
  username,
  password,
  clientId,
  ca,
  name,
  log,
  options = {},
  verify,
  onConnect,
  onState,
  backoff = { firstMs: 1000, longestMs: 30_000 },
  giveUp = () => false,
}: BrokerLinkOptions) {
  const client = mqtt.connect(url, {
    username,
    password,
    clientId,
    protocolVersion: 5,
    connectTimeout: 8000,
    // Retried here, with waits of its own: MQTT.js would retry every period on the dot.
    reconnectPeriod: 0,
    ...(ca && { ca, rejectUnauthorized: true }),
    ...options,
  });
  let wait = backoff.firstMs;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastReason: string | undefined;
  let current: LinkState = { state: 'connecting' };

  function report(next: LinkState): void {
    if (JSON.stringify(next) === JSON.stringify(current)) return;
    current = next;
    onState?.(next);
  }

  function scheduleRetry(): void {
    if (stopped || retry) return;
    const delay = Math.min(backoff.longestMs, backoff.firstMs + Math.random() * wait);
    wait = Math.min(backoff.longestMs, wait * 2);
    // Not unref'd: a headless desktop (listen) must stay up while it waits to reconnect.
    retry = setTimeout(() => {
      retry = undefined;
      if (!stopped) client.reconnect();
    }, delay);
  }

  client.on('connect', () => {
    void (async () => {
      try {
        await verify?.(client);
      } catch (error) {
        lastReason = errorMessage(error);
        log.warn(`${name} is not the one expected; not using it`, { url: redact(url), error: lastReason });
        report({ state: 'offline', reason: lastReason });
        client.end(true);
        return;
      }
      wait = backoff.firstMs;
      if (lastReason !== undefined) log.info(`${name} is reachable again`, { url: redact(url) });
      lastReason = undefined;
      report({ state: 'connected' });
      try {
        await onConnect?.(client);
      } catch (error) {
        // The connection went while it was being set up: the next one does it again.
        log.warn(`${name}: setting up the connection failed`, { url: redact(url), error: errorMessage(error) });
      }
    })();
  });
  client.on('error', (error) => {
    const reason = describeLinkError(error as Error & { code?: string }, url);
    if (reason !== lastReason) log.warn(`${name} refused or failed`, { url: redact(url), error: reason });
    lastReason = reason;
    report({ state: 'offline', reason });
    if (giveUp(reason)) stop();
  });
  client.on('close', () => {
    if (stopped) return;
    if (current.state === 'connected') log.warn(`${name} went away: trying again`, { url: redact(url) });
    report({ state: 'offline', ...(lastReason && { reason: lastReason }) });
    scheduleRetry();
  });

  function stop(): void {
    stopped = true;
    clearTimeout(retry);
  }

  return {
    client,
    state: (): LinkState => current,
    /** Drops a connection that may be dead, so a new one is opened at once (after sleep, a network change). */
    reconnectNow(): void {
      if (stopped) return;
      clearTimeout(retry);
      retry = undefined;
      wait = backoff.firstMs;
      client.stream?.destroy();
    },
    /** Gives up for good: `reason` says why, for the state. */
    abandon(reason: string): void {
      stop();
      lastReason = reason;
      report({ state: 'offline', reason });
      client.end(true);
    },
    async end(options?: { force?: boolean; properties?: Record<string, unknown> }): Promise<void> {
      stop();
      await client.endAsync(options?.force ?? false, options?.properties ? { properties: options.properties } : undefined);
    },
  };
}

/** An address without the credentials someone may have written into it. */
const redact = (url: string): string => url.replace(/\/\/[^@/]*@/, '//');

export type BrokerLink = ReturnType<typeof connectBroker>;
